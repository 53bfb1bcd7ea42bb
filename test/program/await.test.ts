import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { engineConfig, Registration, runProgram } from "../helpers/pulumi-mocks";

/**
 * What `pulumi up` waits for, object by object, as the Kubernetes provider (pulumi-kubernetes v4,
 * provider/pkg/await) decides it from the inputs the program registers:
 *
 * - `pulumi.com/skipAwait: "true"` (exactly that string, metadata.SkipAwaitLogic): nothing.
 * - `pulumi.com/waitFor`: that condition, instead of the built-in logic.
 * - otherwise the built-in awaiter of the kind (awaiters.go), among those the program emits:
 *   a Deployment waits for its new ReplicaSet to be available, or returns at once when it is
 *   scaled to 0 (what Flagger does to the target between releases); a Job for Complete=True; an
 *   Ingress for Endpoints of every Service its paths name and for `.status.loadBalancer.ingress`;
 *   a Secret only to exist.
 * - kinds without an awaiter (autoscaling/v2 HPA, policy/v1 PodDisruptionBudget, every custom
 *   resource: Canary, MetricTemplate, AlertProvider, PrometheusRule): nothing, unless
 *   PULUMI_K8S_AWAIT_ALL=true.
 *
 * Flagger creates the Services `<target>`, `<target>-canary` and `<target>-primary` only once it
 * initialises the Canary, and the Canary is declared after (and depends on) its Ingress.
 */

const ROOT = path.join(__dirname, "..", "..");
const STACK_YAML = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
const PLAINTEXTS = {
    "notifications.releases.address": "https://hooks.slack.test/T0/B0/plain-webhook",
    "services.checkout.migration.databaseUrl": "postgres://checkout:plain-password@db:5432/checkout",
};

const AWAITED_KINDS = new Set([
    "apps/v1/Deployment",
    "apps/v1/StatefulSet",
    "apps/v1/DaemonSet",
    "batch/v1/Job",
    "v1/Pod",
    "v1/Service",
    "v1/Secret",
    "v1/ServiceAccount",
    "v1/PersistentVolume",
    "v1/PersistentVolumeClaim",
    "v1/ReplicationController",
    "v1/ResourceQuota",
    "networking.k8s.io/v1/Ingress",
]);

/** What the provider waits for before it reports the object created or updated. */
function awaitOf(r: Registration): "nothing" | "custom" | "built-in" {
    const annotations = r.inputs.metadata?.annotations ?? {};
    if (annotations["pulumi.com/skipAwait"] === "true") return "nothing";
    if (annotations["pulumi.com/waitFor"] !== undefined) return "custom";
    return AWAITED_KINDS.has(`${r.inputs.apiVersion}/${r.inputs.kind}`) ? "built-in" : "nothing";
}

/** Names of the Services Flagger creates for the Canaries the program declares. */
function flaggerServices(regs: Registration[]): Map<string, Registration> {
    const services = new Map<string, Registration>();
    for (const canary of regs.filter((r) => r.type === "kubernetes:flagger.app/v1beta1:Canary")) {
        const base = canary.inputs.spec.service?.name ?? canary.inputs.spec.targetRef.name;
        for (const name of [base, `${base}-canary`, `${base}-primary`]) services.set(`${canary.inputs.metadata.namespace}/${name}`, canary);
    }
    return services;
}

/** Every wait that cannot end while `pulumi up` runs, as a sentence. */
function waitsThatCannotEnd(regs: Registration[]): string[] {
    const byFlagger = flaggerServices(regs);
    const problems: string[] = [];
    for (const r of regs.filter((x) => x.custom && x.type.startsWith("kubernetes:") && !x.type.startsWith("pulumi:"))) {
        const wait = awaitOf(r);
        if (r.inputs.kind === "Ingress" && wait === "built-in") {
            for (const rule of r.inputs.spec.rules ?? []) {
                for (const p of rule.http?.paths ?? []) {
                    const service = p.backend?.service?.name;
                    const canary = byFlagger.get(`${r.inputs.metadata.namespace}/${service}`);
                    if (!canary) continue;
                    const order = canary.dependencies.includes(r.urn) ? ", and that Canary waits for this Ingress" : "";
                    problems.push(
                        `${r.name}: the provider waits (10 minutes, then fails) for Endpoints of Service ${service}, which Flagger creates only once Canary ${canary.inputs.metadata.name} exists${order}`,
                    );
                }
            }
        }
        if (r.type.startsWith("kubernetes:flagger.app/") && wait !== "nothing") {
            problems.push(`${r.name}: waits for ${r.inputs.metadata.annotations["pulumi.com/waitFor"]}, a status Flagger sets only during or after the analysis`);
        }
    }
    return problems;
}

async function run(edit?: (services: any) => void) {
    const { config, secretKeys } = engineConfig(STACK_YAML, PLAINTEXTS);
    if (edit) {
        const services = JSON.parse(config["releasectl:services"]);
        edit(services);
        config["releasectl:services"] = JSON.stringify(services);
    }
    return (await runProgram(config, secretKeys)).registrations;
}

describe("pulumi up under the Kubernetes provider's await logic", () => {
    it("completes for the example stack: no object waits for what only Flagger creates", async () => {
        expect(waitsThatCannotEnd(await run())).to.deep.equal([]);
    });

    it("completes with every canary provider", async () => {
        for (const provider of ["istio", "linkerd", "kubernetes"]) {
            const regs = await run((services) => {
                services.checkout.canary.provider = provider;
            });
            expect(waitsThatCannotEnd(regs), provider).to.deep.equal([]);
        }
    });

    it("skips the await of the nginx Ingress, whose routing Flagger owns", async () => {
        const ingress = (await run()).find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress");
        expect(ingress?.name).to.equal("storefront-ingress");
        expect(awaitOf(ingress!)).to.equal("nothing");
    });

    it("still waits for the migration Job and the Deployment, which end without Flagger", async () => {
        const regs = await run();
        const waits = Object.fromEntries(regs.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:")).map((r) => [r.name, awaitOf(r)]));
        expect(waits).to.include({ "checkout-migrate-2.4.1": "built-in", "checkout-deployment": "built-in", "storefront-deployment": "built-in" });
        for (const name of ["checkout-canary", "storefront-canary", "checkout-alert-rules", "checkout-autoscaler", "checkout-disruption-budget", "storefront-latency-template"]) {
            expect(waits[name], name).to.equal("nothing");
        }
    });
});
