import { expect } from "chai";
import { ValidateFunction } from "ajv";
import { ReleaseObject } from "../../builders/types";
import { loadStack } from "../../config/load";
import { ReleaseConfig } from "../../config/types";
import { allProvidersValues, parse, releaseConfig } from "../helpers/fixtures";
import { allObjects, Doc, doc, objectOfKind } from "../helpers/manifests";
import { REPO } from "../helpers/project";
import { describeErrors, flaggerValidators, modelClasses, modelKey, prometheusRuleValidator, requireCrds } from "../helpers/schemas";

type Models = Awaited<ReturnType<typeof modelClasses>>;

/** Validators compiled from the upstream CRDs (npm run crds fetches them). */
interface Crds {
    readonly flagger: Record<string, ValidateFunction>;
    readonly prometheusRule: ValidateFunction;
}

const FLAGGER_KINDS = ["Canary", "AlertProvider", "MetricTemplate"];
const PROMETHEUS_RULE = "monitoring.coreos.com/v1/PrometheusRule";

/**
 * Validates one object against its real schemas; returns the problems (empty when valid).
 * Flagger kinds go through the Flagger CRD, PrometheusRule through both the prometheus-operator
 * CRD and kubernetes-models, the built-in kinds through kubernetes-models.
 */
function problems(object: ReleaseObject, models: Models, crds: Crds): string[] {
    const { manifest } = object;
    if (manifest.apiVersion === "flagger.app/v1beta1") {
        const validate = crds.flagger[manifest.kind];
        if (!validate) return [`no CRD schema for ${manifest.kind}`];
        return validate(manifest) ? [] : describeErrors(validate.errors);
    }
    const found: string[] = [];
    if (modelKey(manifest) === PROMETHEUS_RULE && !crds.prometheusRule(manifest)) {
        found.push(...describeErrors(crds.prometheusRule.errors).map((p) => `CRD: ${p}`));
    }
    const Model = models[modelKey(manifest)];
    if (!Model) return [...found, `no kubernetes-models class for ${modelKey(manifest)}`];
    try {
        new Model(manifest).validate();
    } catch (e) {
        found.push((e as Error).message);
    }
    return found;
}

describe("emitted objects against real schemas", () => {
    let models: Models;

    before(async () => {
        models = await modelClasses();
    });

    describe("with the upstream CRDs (Flagger v1.36.1, prometheus-operator v0.85.0)", () => {
        let crds: Crds;

        before(function () {
            const files = requireCrds(this);
            crds = { flagger: flaggerValidators(files.flagger), prometheusRule: prometheusRuleValidator(files.prometheusRule) };
        });

        const stacks: [string, () => ReleaseConfig][] = [
            ["the example production stack", () => loadStack(REPO, "production")],
            ["a stack with all four canary providers", () => parse(allProvidersValues())],
        ];

        for (const [title, stack] of stacks) {
            describe(title, () => {
                it("validates every object", () => {
                    const objects = allObjects(stack());
                    const failures = objects.flatMap((o) => problems(o, models, crds).map((p) => `${o.manifest.kind}/${o.manifest.metadata.name}: ${p}`));
                    expect(failures).to.deep.equal([]);
                });

                it("checks built-in kinds with kubernetes-models, Flagger kinds with the CRD, PrometheusRule with both", () => {
                    const objects = allObjects(stack());
                    const unchecked = objects.filter((o) => !(FLAGGER_KINDS.includes(o.manifest.kind) ? crds.flagger[o.manifest.kind] : models[modelKey(o.manifest)]));
                    expect(unchecked.map((o) => o.manifest.kind)).to.deep.equal([]);
                    expect(objects.filter((o) => modelKey(o.manifest) === PROMETHEUS_RULE)).to.not.be.empty;
                });
            });
        }

        describe("the CRD validators catch broken objects", () => {
            const canary = (): Doc => JSON.parse(JSON.stringify(objectOfKind(releaseConfig(), "Canary").manifest));
            const prometheusRule = (): Doc => JSON.parse(JSON.stringify(objectOfKind(releaseConfig(), "PrometheusRule").manifest));

            it("declares the three Flagger kinds", () => {
                expect(Object.keys(crds.flagger).sort()).to.deep.equal(["AlertProvider", "Canary", "MetricTemplate"]);
            });

            it("rejects a Canary without targetRef", () => {
                const broken = canary();
                delete broken.spec.targetRef;
                expect(crds.flagger.Canary(broken)).to.equal(false);
                expect(describeErrors(crds.flagger.Canary.errors)).to.include("/spec must have required property 'targetRef'");
            });

            it("rejects a Canary whose threshold is text", () => {
                const broken = canary();
                broken.spec.analysis.threshold = "five";
                expect(crds.flagger.Canary(broken)).to.equal(false);
                expect(describeErrors(crds.flagger.Canary.errors)).to.include("/spec/analysis/threshold must be number");
            });

            it("rejects a Canary interval in hours", () => {
                const broken = canary();
                broken.spec.analysis.interval = "1h";
                expect(crds.flagger.Canary(broken)).to.equal(false);
            });

            it("rejects a Canary with both iterations and stepWeight", () => {
                const broken = canary();
                broken.spec.analysis.iterations = 10;
                expect(crds.flagger.Canary(broken)).to.equal(false);
            });

            it("rejects a misspelt field the API server would prune", () => {
                const broken = canary();
                broken.spec.analysis.maxWieght = 50;
                expect(crds.flagger.Canary(broken)).to.equal(false);
                expect(describeErrors(crds.flagger.Canary.errors)).to.include("/spec/analysis must NOT have additional properties (maxWieght)");
            });

            it("rejects a service targetPort that is neither a number nor a name", () => {
                const broken = canary();
                broken.spec.service.targetPort = { port: 8080 };
                expect(crds.flagger.Canary(broken)).to.equal(false);
            });

            it("rejects an AlertProvider of an unknown type", () => {
                const provider = doc(JSON.parse(JSON.stringify(objectOfKind(releaseConfig(), "AlertProvider").manifest)));
                provider.spec.type = "email";
                expect(crds.flagger.AlertProvider(provider)).to.equal(false);
            });

            it("rejects a PrometheusRule with a malformed for duration", () => {
                const rule = prometheusRule();
                rule.spec.groups[0].rules[0].for = "5 minutes";
                expect(crds.prometheusRule(rule)).to.equal(false);
                expect(describeErrors(crds.prometheusRule.errors).join("\n")).to.match(/\/spec\/groups\/0\/rules\/0\/for must match pattern/);
            });

            it("rejects a PrometheusRule rule without expr", () => {
                const rule = prometheusRule();
                delete rule.spec.groups[0].rules[0].expr;
                expect(crds.prometheusRule(rule)).to.equal(false);
                expect(describeErrors(crds.prometheusRule.errors)).to.include("/spec/groups/0/rules/0 must have required property 'expr'");
            });

            it("rejects a misspelt PrometheusRule field the API server would prune", () => {
                const rule = prometheusRule();
                rule.spec.groups[0].rules[0].annotation = rule.spec.groups[0].rules[0].annotations;
                expect(crds.prometheusRule(rule)).to.equal(false);
                expect(describeErrors(crds.prometheusRule.errors)).to.include("/spec/groups/0/rules/0 must NOT have additional properties (annotation)");
            });

            it("reads the CRD's Go patterns: partial_response_strategy is case-insensitive abort or warn", () => {
                const rule = prometheusRule();
                rule.spec.groups[0].partial_response_strategy = "WARN";
                expect(crds.prometheusRule(rule), describeErrors(crds.prometheusRule.errors).join("; ")).to.equal(true);
                rule.spec.groups[0].partial_response_strategy = "ignore";
                expect(crds.prometheusRule(rule)).to.equal(false);
            });
        });
    });

    it("renders every kind the issue names for the example stack", () => {
        const kinds = new Set(allObjects(loadStack(REPO, "production")).map((o) => o.manifest.kind));
        expect([...kinds].sort()).to.deep.equal(["AlertProvider", "Canary", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job", "MetricTemplate", "PodDisruptionBudget", "PrometheusRule", "Secret"]);
    });

    it("renders MetricTemplates for the blue/green service (error rate, latency) and the nginx service (p99 latency)", () => {
        const templates = allObjects(parse(allProvidersValues())).filter((o) => o.manifest.kind === "MetricTemplate");
        expect(templates.map((o) => o.manifest.metadata.name).sort()).to.deep.equal(["batch-error-rate", "batch-latency", "edge-latency"]);
    });

    describe("kubernetes-models catches broken objects", () => {
        it("rejects a Deployment with replicas as text", () => {
            const deployment = doc(JSON.parse(JSON.stringify(objectOfKind(releaseConfig(), "Deployment").manifest)));
            deployment.spec.replicas = "three";
            expect(() => new models["apps/v1/Deployment"](deployment).validate()).to.throw(/replicas must be integer/);
        });

        it("rejects a PrometheusRule with a malformed for duration", () => {
            const rule = doc(JSON.parse(JSON.stringify(objectOfKind(releaseConfig(), "PrometheusRule").manifest)));
            rule.spec.groups[0].rules[0].for = "5 minutes";
            expect(() => new models["monitoring.coreos.com/v1/PrometheusRule"](rule).validate()).to.throw(/for must match pattern/);
        });
    });
});
