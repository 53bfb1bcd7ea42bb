import { expect } from "chai";
import { ValidateFunction } from "ajv";
import { ReleaseObject } from "../../builders/types";
import { loadStack } from "../../config/load";
import { ReleaseConfig } from "../../config/types";
import { allProvidersValues, parse, releaseConfig } from "../helpers/fixtures";
import { allObjects, Doc, doc, objectOfKind } from "../helpers/manifests";
import { REPO } from "../helpers/project";
import { describeErrors, flaggerValidators, modelClasses, modelKey } from "../helpers/schemas";

type Models = Awaited<ReturnType<typeof modelClasses>>;

const FLAGGER_KINDS = ["Canary", "AlertProvider", "MetricTemplate"];

/** Validates one object against its real schema; returns the problems (empty when valid). */
function problems(object: ReleaseObject, models: Models, flagger: Record<string, ValidateFunction>): string[] {
    const { manifest } = object;
    if (manifest.apiVersion === "flagger.app/v1beta1") {
        const validate = flagger[manifest.kind];
        if (!validate) return [`no CRD schema for ${manifest.kind}`];
        return validate(manifest) ? [] : describeErrors(validate.errors);
    }
    const Model = models[modelKey(manifest)];
    if (!Model) return [`no kubernetes-models class for ${modelKey(manifest)}`];
    try {
        new Model(manifest).validate();
        return [];
    } catch (e) {
        return [(e as Error).message];
    }
}

describe("emitted objects against real schemas", () => {
    let models: Models;
    let flagger: Record<string, ValidateFunction>;

    before(async () => {
        models = await modelClasses();
        flagger = flaggerValidators();
    });

    const stacks: [string, () => ReleaseConfig][] = [
        ["the example production stack", () => loadStack(REPO, "production")],
        ["a stack with all four canary providers", () => parse(allProvidersValues())],
    ];

    for (const [title, stack] of stacks) {
        describe(title, () => {
            it("validates every object", () => {
                const objects = allObjects(stack());
                const failures = objects.flatMap((o) => problems(o, models, flagger).map((p) => `${o.manifest.kind}/${o.manifest.metadata.name}: ${p}`));
                expect(failures).to.deep.equal([]);
            });

            it("checks built-in kinds with kubernetes-models and Flagger kinds with the CRD", () => {
                const objects = allObjects(stack());
                const unchecked = objects.filter((o) => !(FLAGGER_KINDS.includes(o.manifest.kind) ? flagger[o.manifest.kind] : models[modelKey(o.manifest)]));
                expect(unchecked.map((o) => o.manifest.kind)).to.deep.equal([]);
            });
        });
    }

    it("renders every kind the issue names for the example stack", () => {
        const kinds = new Set(allObjects(loadStack(REPO, "production")).map((o) => o.manifest.kind));
        expect([...kinds].sort()).to.deep.equal(["AlertProvider", "Canary", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job", "PrometheusRule", "Secret"]);
    });

    it("renders MetricTemplates for the blue/green service", () => {
        const kinds = allObjects(parse(allProvidersValues())).map((o) => o.manifest.kind);
        expect(kinds.filter((k) => k === "MetricTemplate")).to.have.length(2);
    });

    describe("the validators catch broken objects", () => {
        const canary = (): Doc => JSON.parse(JSON.stringify(objectOfKind(releaseConfig(), "Canary").manifest));

        it("rejects a Canary without targetRef", () => {
            const broken = canary();
            delete broken.spec.targetRef;
            expect(flagger.Canary(broken)).to.equal(false);
            expect(describeErrors(flagger.Canary.errors)).to.include("/spec must have required property 'targetRef'");
        });

        it("rejects a Canary whose threshold is text", () => {
            const broken = canary();
            broken.spec.analysis.threshold = "five";
            expect(flagger.Canary(broken)).to.equal(false);
            expect(describeErrors(flagger.Canary.errors)).to.include("/spec/analysis/threshold must be number");
        });

        it("rejects a Canary interval in hours", () => {
            const broken = canary();
            broken.spec.analysis.interval = "1h";
            expect(flagger.Canary(broken)).to.equal(false);
        });

        it("rejects a Canary with both iterations and stepWeight", () => {
            const broken = canary();
            broken.spec.analysis.iterations = 10;
            expect(flagger.Canary(broken)).to.equal(false);
        });

        it("rejects a misspelt field the API server would prune", () => {
            const broken = canary();
            broken.spec.analysis.maxWieght = 50;
            expect(flagger.Canary(broken)).to.equal(false);
            expect(describeErrors(flagger.Canary.errors)).to.include("/spec/analysis must NOT have additional properties (maxWieght)");
        });

        it("rejects a service targetPort that is neither a number nor a name", () => {
            const broken = canary();
            broken.spec.service.targetPort = { port: 8080 };
            expect(flagger.Canary(broken)).to.equal(false);
        });

        it("rejects an AlertProvider of an unknown type", () => {
            const provider = doc(JSON.parse(JSON.stringify(objectOfKind(releaseConfig(), "AlertProvider").manifest)));
            provider.spec.type = "email";
            expect(flagger.AlertProvider(provider)).to.equal(false);
        });

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
