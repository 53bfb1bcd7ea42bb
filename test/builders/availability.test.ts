import { expect } from "chai";
import { buildPrometheusRule } from "../../builders/alerts";
import { buildDeployment } from "../../builders/deployment";
import { buildDisruptionBudget } from "../../builders/disruption";
import { buildMigrationJob } from "../../builders/migration";
import { buildServiceObjects } from "../../builders/service-objects";
import { loadStack } from "../../config/load";
import { ServiceConfig } from "../../config/types";
import { Doc } from "../helpers/manifests";
import { releaseConfig, serviceConfig, serviceWithMigration } from "../helpers/fixtures";
import { REPO } from "../helpers/project";

/**
 * The primary Deployment Flagger v1.36.1 makes from ours (pkg/canary/deployment_controller.go,
 * createPrimaryDeployment and getPrimaryDeploymentTemplateSpec; pkg/canary/util.go,
 * makePrimaryLabels), with its default `-selector-labels`: the first of those labels found in our
 * selector gets the value `<value>-primary` in the primary's selector and pod labels, and
 * topology-spread and anti-affinity selectors on a selector label whose value is our
 * Deployment's name get `-primary` appended.
 */
const FLAGGER_SELECTOR_LABELS = ["app", "name", "app.kubernetes.io/name"];

function flaggerPrimary(deployment: Doc): Doc {
    const matchLabels: Record<string, string> = deployment.spec.selector.matchLabels;
    const label = FLAGGER_SELECTOR_LABELS.find((l) => l in matchLabels);
    if (!label) throw new Error(`Flagger refuses the Deployment: spec.selector.matchLabels must contain one of ${FLAGGER_SELECTOR_LABELS.join(", ")}`);
    const primaryValue = `${matchLabels[label]}-primary`;
    const makePrimaryLabels = (labels: Record<string, string>) => ({
        ...Object.fromEntries(Object.entries(labels).filter(([k]) => k !== label && !k.includes("toolkit.fluxcd.io"))),
        [label]: primaryValue,
    });
    const spec = structuredClone(deployment.spec.template.spec);
    for (const constraint of spec.topologySpreadConstraints ?? []) {
        const selector = constraint.labelSelector;
        for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
            if (FLAGGER_SELECTOR_LABELS.includes(key) && value === deployment.metadata.name) selector.matchLabels[key] = `${value}-primary`;
        }
        for (const expression of selector?.matchExpressions ?? []) {
            if (!FLAGGER_SELECTOR_LABELS.includes(expression.key)) continue;
            const i = expression.values.indexOf(deployment.metadata.name);
            if (i >= 0) expression.values[i] += "-primary";
        }
    }
    return {
        metadata: { name: `${deployment.metadata.name}-primary`, labels: makePrimaryLabels(deployment.metadata.labels) },
        spec: { selector: { matchLabels: { [label]: primaryValue } }, template: { metadata: { labels: makePrimaryLabels(deployment.spec.template.metadata.labels) }, spec } },
    };
}

/** Whether a label selector (matchLabels and matchExpressions) selects a pod with `labels`. */
function selects(selector: Doc, labels: Record<string, string>): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every((e: Doc) => {
        const has = e.key in labels;
        if (e.operator === "In") return has && e.values.includes(labels[e.key]);
        if (e.operator === "NotIn") return !has || !e.values.includes(labels[e.key]);
        if (e.operator === "Exists") return has;
        return !has;
    });
    return byLabels && byExpressions;
}

const kindsOf = (s: ServiceConfig, config = releaseConfig()) => buildServiceObjects(config, s).objects.map((o) => o.manifest.kind);

describe("availability: disruption budget and topology spread", () => {
    describe("PodDisruptionBudget", () => {
        it("selects the pods of the primary Flagger makes from the Deployment, and not the canary's", () => {
            const s = serviceConfig();
            const deployment = buildDeployment(s, "production") as Doc;
            const primary = flaggerPrimary(deployment);
            const budget = buildDisruptionBudget(s) as Doc;
            expect(selects(budget.spec.selector, primary.spec.template.metadata.labels), "primary pods").to.equal(true);
            expect(selects(budget.spec.selector, deployment.spec.template.metadata.labels), "canary pods").to.equal(false);
        });

        it("lets one primary pod at a time be evicted, and unhealthy ones always", () => {
            const budget = buildDisruptionBudget(serviceConfig()) as Doc;
            expect(budget.spec).to.deep.include({ maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
            expect(budget.spec).not.to.have.property("minAvailable");
        });

        it("takes maxUnavailable as a number or a percentage", () => {
            expect((buildDisruptionBudget(serviceConfig({ disruptionBudget: { maxUnavailable: 2 } })) as Doc).spec.maxUnavailable).to.equal(2);
            expect((buildDisruptionBudget(serviceConfig({ disruptionBudget: { maxUnavailable: "25%" } })) as Doc).spec.maxUnavailable).to.equal("25%");
        });

        it("is declared by default when replicas.min > 1, not for a single replica, and when configured", () => {
            expect(kindsOf(serviceConfig())).to.include("PodDisruptionBudget");
            expect(kindsOf(serviceConfig({ replicas: { min: 1 } }))).not.to.include("PodDisruptionBudget");
            expect(kindsOf(serviceConfig({ replicas: { min: 1 }, disruptionBudget: { enabled: true } }))).to.include("PodDisruptionBudget");
            expect(kindsOf(serviceConfig({ disruptionBudget: { enabled: false } }))).not.to.include("PodDisruptionBudget");
        });

        it("is one per service of the example stack, each for its own primary", () => {
            const config = loadStack(REPO, "production");
            const budgets = config.services.flatMap((s) => buildServiceObjects(config, s).objects.filter((o) => o.manifest.kind === "PodDisruptionBudget"));
            expect(budgets.map((b) => [b.manifest.metadata.name, (b.manifest as Doc).spec.selector.matchLabels])).to.deep.equal([
                ["checkout-primary", { "app.kubernetes.io/name": "checkout-primary" }],
                ["storefront-primary", { "app.kubernetes.io/name": "storefront-primary" }],
            ]);
        });

        it("validates as a policy/v1 PodDisruptionBudget (kubernetes-models)", async () => {
            const { PodDisruptionBudget } = await import("kubernetes-models/policy/v1");
            for (const s of [serviceConfig(), serviceConfig({ disruptionBudget: { maxUnavailable: "50%" } })]) {
                expect(() => new PodDisruptionBudget(buildDisruptionBudget(s) as never).validate()).not.to.throw();
            }
        });
    });

    describe("topology spread", () => {
        const constraints = (s: ServiceConfig) => (buildDeployment(s, "production") as Doc).spec.template.spec.topologySpreadConstraints;

        it("spreads the pods across zones and nodes, softly, by default", () => {
            expect(constraints(serviceConfig()).map((c: Doc) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable])).to.deep.equal([
                ["topology.kubernetes.io/zone", 1, "ScheduleAnyway"],
                ["kubernetes.io/hostname", 1, "ScheduleAnyway"],
            ]);
        });

        it("counts each Deployment's own pods: Flagger rewrites the selectors of the primary to its pods", () => {
            const deployment = buildDeployment(serviceConfig(), "production") as Doc;
            const primary = flaggerPrimary(deployment);
            for (const c of deployment.spec.template.spec.topologySpreadConstraints) {
                expect(selects(c.labelSelector, deployment.spec.template.metadata.labels), `canary ${c.topologyKey}`).to.equal(true);
            }
            for (const c of primary.spec.template.spec.topologySpreadConstraints) {
                expect(selects(c.labelSelector, primary.spec.template.metadata.labels), `primary ${c.topologyKey}`).to.equal(true);
                expect(selects(c.labelSelector, deployment.spec.template.metadata.labels), `primary ${c.topologyKey} counts canary pods`).to.equal(false);
            }
        });

        it("is off for a single replica and configurable", () => {
            expect(constraints(serviceConfig({ replicas: { min: 1 } }))).to.equal(undefined);
            expect(constraints(serviceConfig({ topologySpread: { enabled: false } }))).to.equal(undefined);
            const custom = constraints(serviceConfig({ replicas: { min: 1 }, topologySpread: { enabled: true, maxSkew: 2, whenUnsatisfiable: "DoNotSchedule", topologyKeys: ["kubernetes.io/hostname"] } }));
            expect(custom).to.deep.equal([
                { maxSkew: 2, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { "app.kubernetes.io/name": "web" } } },
            ]);
        });

        it("validates as part of an apps/v1 Deployment (kubernetes-models)", async () => {
            const { Deployment } = await import("kubernetes-models/apps/v1");
            expect(() => new Deployment(buildDeployment(serviceConfig(), "production") as never).validate()).not.to.throw();
        });
    });

    describe("ephemeral storage", () => {
        it("requests and limits ephemeral-storage on every container of the Deployment and the migration Job, init containers included", () => {
            const s = serviceWithMigration({ migration: { backupCommand: ["/app/backup"] } });
            const deployment = buildDeployment(s, "production") as Doc;
            const job = buildMigrationJob(s) as Doc;
            const containers = [...deployment.spec.template.spec.containers, ...job.spec.template.spec.containers, ...job.spec.template.spec.initContainers];
            expect(containers).to.have.length(3);
            for (const c of containers) {
                expect(c.resources.requests["ephemeral-storage"], c.name).to.equal("128Mi");
                expect(c.resources.limits["ephemeral-storage"], c.name).to.equal("256Mi");
            }
        });

        it("leaves room in the limit for the /tmp emptyDir", () => {
            const pod = (buildDeployment(serviceConfig(), "production") as Doc).spec.template.spec;
            const mi = (q: string) => Number(q.replace(/Mi$/, ""));
            expect(mi(pod.containers[0].resources.limits["ephemeral-storage"])).to.be.above(mi(pod.volumes[0].emptyDir.sizeLimit));
        });
    });
});

describe("PrometheusRule labels for the operator's ruleSelector", () => {
    it("carries alerts.ruleLabels beside releasectl's own labels", () => {
        const rule = buildPrometheusRule(serviceConfig({ alerts: { ruleLabels: { release: "kube-prometheus-stack", "team.example.com/owner": "shop" } } }));
        expect(rule.metadata.labels).to.include({ release: "kube-prometheus-stack", "team.example.com/owner": "shop", "app.kubernetes.io/managed-by": "releasectl" });
    });

    it("is selected by a kube-prometheus-stack ruleSelector (matchLabels release)", () => {
        const ruleSelector = { matchLabels: { release: "kube-prometheus-stack" } };
        expect(selects(ruleSelector, buildPrometheusRule(serviceConfig()).metadata.labels ?? {})).to.equal(false);
        expect(selects(ruleSelector, buildPrometheusRule(serviceConfig({ alerts: { ruleLabels: { release: "kube-prometheus-stack" } } })).metadata.labels ?? {})).to.equal(true);
    });
});
