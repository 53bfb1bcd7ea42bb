import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { buildRelease } from "../../builders/service-objects";
import { loadStack } from "../../config/load";
import { SECRET_PLACEHOLDER } from "../../config/types";
import { engineConfig, Registration, resolve, runProgram } from "../helpers/pulumi-mocks";

const ROOT = path.join(__dirname, "..", "..");
const STACK_YAML = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
const PLAINTEXTS = {
    "notifications.releases.address": "https://hooks.slack.test/T0/B0/plain-webhook",
    "services.checkout.migration.databaseUrl": "postgres://checkout:plain-password@db:5432/checkout",
};
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** True when a wire value, or any value around it on its path, carries the secret signature. */
function secretOnPath(wire: any, keys: readonly string[]): boolean {
    let node = wire;
    for (const key of keys) {
        if (node && typeof node === "object" && SECRET_SIG in node) return true;
        node = node?.[key];
    }
    return Boolean(node && typeof node === "object" && SECRET_SIG in node);
}

function exampleConfig(edit?: (services: any) => void) {
    const { config, secretKeys } = engineConfig(STACK_YAML, PLAINTEXTS);
    if (edit) {
        const services = JSON.parse(config["releasectl:services"]);
        edit(services);
        config["releasectl:services"] = JSON.stringify(services);
    }
    return { config, secretKeys };
}

async function run(edit?: (services: any) => void) {
    const { config, secretKeys } = exampleConfig(edit);
    return runProgram(config, secretKeys);
}

const of = (regs: Registration[], service: string) => regs.filter((r) => r.urn.includes(`ServiceRelease$`) && r.parent.endsWith(`::${service}`));
const byName = (regs: Registration[], name: string) => {
    const found = regs.find((r) => r.name === name);
    if (!found) throw new Error(`no registration named ${name}; have ${regs.map((r) => r.name).join(", ")}`);
    return found;
};

describe("the Pulumi program (under setMocks)", () => {
    let regs: Registration[];
    let exported: Record<string, any>;

    before(async () => {
        const result = await run();
        regs = result.registrations;
        exported = result.exports;
    });

    it("declares one ServiceRelease component per service", () => {
        const components = regs.filter((r) => r.type === "releasectl:index:ServiceRelease").map((r) => r.name);
        expect(components).to.have.members(["checkout", "storefront"]);
    });

    it("declares the migration, workload, canary, notification and alert objects for a service with a migration", () => {
        expect(of(regs, "checkout").map((r) => r.type)).to.have.members([
            "kubernetes:core/v1:Secret",
            "kubernetes:flagger.app/v1beta1:AlertProvider",
            "kubernetes:core/v1:Secret",
            "kubernetes:batch/v1:Job",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            "kubernetes:policy/v1:PodDisruptionBudget",
            "kubernetes:flagger.app/v1beta1:Canary",
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
        ]);
    });

    it("declares no Job, and the Ingress and its latency MetricTemplate, for an nginx service without a migration", () => {
        const types = of(regs, "storefront").map((r) => r.type);
        expect(types).to.not.include("kubernetes:batch/v1:Job");
        expect(types).to.include("kubernetes:networking.k8s.io/v1:Ingress");
        expect(types).to.include("kubernetes:flagger.app/v1beta1:MetricTemplate");
    });

    it("parents every Kubernetes object to its service's component", () => {
        const components = new Map(regs.filter((r) => !r.custom && r.type === "releasectl:index:ServiceRelease").map((r) => [r.urn, r.name]));
        const objects = regs.filter((r) => r.type.startsWith("kubernetes:") && r.custom && !r.type.startsWith("pulumi:providers"));
        expect(objects).to.have.length(18);
        for (const object of objects) expect(components.has(object.parent), `${object.name} parent ${object.parent}`).to.equal(true);
    });

    it("makes the Deployment depend on the migration Job, so a failed migration stops pulumi up first", () => {
        const job = byName(regs, "checkout-migrate-2.4.1");
        const deployment = byName(regs, "checkout-deployment");
        expect(deployment.dependencies).to.include(job.urn);
    });

    it("deletes a migration Job before replacing it, since its name is fixed and Jobs are immutable", () => {
        expect(byName(regs, "checkout-migrate-2.4.1").deleteBeforeReplace).to.equal(true);
        expect(byName(regs, "checkout-deployment").deleteBeforeReplace).to.equal(false);
    });

    it("sends every Kubernetes object through the explicit provider", () => {
        const provider = regs.find((r) => r.type === "pulumi:providers:kubernetes");
        expect(provider?.inputs.namespace).to.equal("shop");
        expect(provider?.inputs.context).to.equal("prod-eu-west-1");
        for (const r of regs.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) {
            expect(r.provider, r.name).to.match(/^urn:pulumi:production::releasectl::pulumi:providers:kubernetes::kubernetes::/);
        }
    });

    it("declares the same objects, field for field, that releasectl render prints", () => {
        const offline = buildRelease(loadStack(ROOT, "production"));
        for (const release of offline) {
            for (const object of release.objects) {
                const reg = byName(regs, object.name);
                expect(reg.type).to.equal(object.type);
                const inputs = structuredClone(reg.inputs);
                for (const binding of object.secrets) {
                    let node = inputs;
                    for (const key of binding.path.slice(0, -1)) node = node[key];
                    node[binding.path[binding.path.length - 1]] = SECRET_PLACEHOLDER;
                }
                expect(inputs, object.name).to.deep.equal(JSON.parse(JSON.stringify(object.manifest)));
            }
        }
    });

    it("passes secret values only to Secrets, marked secret on the wire", () => {
        for (const r of regs) {
            const wire = JSON.stringify(r.wireInputs);
            for (const plain of Object.values(PLAINTEXTS)) {
                if (!wire.includes(plain)) continue;
                expect(r.type, r.name).to.equal("kubernetes:core/v1:Secret");
                const key = Object.keys(r.inputs.stringData)[0];
                expect(secretOnPath(r.wireInputs, ["stringData", key]), `${r.name} value is not marked secret`).to.equal(true);
            }
        }
        const secrets = regs.filter((r) => r.type === "kubernetes:core/v1:Secret");
        expect(secrets).to.have.length(3);
    });

    it("exports per service the version, image, previous version, rollback flag and object names", async () => {
        const checkout = exported.services.checkout;
        expect(await resolve(checkout.version)).to.equal("2.4.1");
        expect(await resolve(checkout.image)).to.equal("registry.example.com/shop/checkout:2.4.1");
        expect(await resolve(checkout.previousVersion)).to.equal("2.4.0");
        expect(await resolve(checkout.rollback)).to.equal(false);
        const objects = await resolve<Record<string, string>>(checkout.objects);
        expect(objects).to.include({ Deployment: "checkout", Canary: "checkout", Job: "checkout-migrate-2-4-1" });
    });
});

describe("the Pulumi program across versions", () => {
    it("keeps the URNs of long-lived objects and gives the migration Job a new name and URN per version", async () => {
        const before = (await run()).registrations;
        const after = (
            await run((services) => {
                services.checkout.previousVersion = "2.4.1";
                services.checkout.version = "2.5.0";
            })
        ).registrations;
        for (const name of ["checkout-deployment", "checkout-autoscaler", "checkout-canary", "checkout-alert-rules", "checkout-alert-provider"]) {
            expect(byName(after, name).urn, name).to.equal(byName(before, name).urn);
        }
        expect(after.find((r) => r.name === "checkout-migrate-2.4.1")).to.equal(undefined);
        const job = byName(after, "checkout-migrate-2.5.0");
        expect(job.inputs.metadata.name).to.equal("checkout-migrate-2-5-0");
        expect(byName(after, "checkout-deployment").inputs.spec.template.spec.containers[0].image).to.equal(
            "registry.example.com/shop/checkout:2.5.0",
        );
    });

    it("marks a rollback release so Flagger promotes it without analysis", async () => {
        const { registrations } = await run((services) => {
            services.checkout.rollback = true;
        });
        expect(byName(registrations, "checkout-canary").inputs.spec.skipAnalysis).to.equal(true);
    });

    it("hands renderYamlToDirectory to the provider, so the CLI can render without a cluster", async () => {
        const { config, secretKeys } = exampleConfig();
        config["releasectl:renderYamlToDirectory"] = "rendered";
        const { registrations } = await runProgram(config, secretKeys);
        const provider = registrations.find((r) => r.type === "pulumi:providers:kubernetes");
        expect(provider?.inputs.renderYamlToDirectory).to.equal("rendered");
        // the provider refuses a context together with renderYamlToDirectory (found by the real engine)
        expect(provider?.inputs.context).to.equal(undefined);
    });

    it("stops with the loader's one-line message when the configuration is invalid", async () => {
        let error: Error | undefined;
        try {
            await run((services) => {
                services.checkout.canary.maxWeight = 120;
            });
        } catch (e) {
            error = e as Error;
        }
        expect(pulumi.RunError.isInstance(error), String(error)).to.equal(true);
        expect(error?.message).to.equal(
            "Pulumi.production.yaml: releasectl:services.checkout.canary.maxWeight = 120: is not allowed: must be a whole number from 1 to 100",
        );
    });

    it("refuses a secret that the engine does not mark as secret", async () => {
        const { config } = exampleConfig();
        let error: Error | undefined;
        try {
            await runProgram(config, []);
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.match(/releasectl:notifications\.releases\.address = "<plain text>": must be a secret/);
        expect(error?.message).to.not.include("plain-webhook");
    });
});
