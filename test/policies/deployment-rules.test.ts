import { expect } from "chai";
import { changed, exampleObject } from "./fixtures";
import { runResource } from "./runtime";

const ANN = ["metadata", "annotations"];
const deployment = () => exampleObject("Deployment");
const messages = (o: { violations: readonly { message: string }[] }) => o.violations.map((v) => v.message);

describe("deployment-version-semver", () => {
    it("passes a SemVer version and previous version", async () => {
        expect(await runResource("deployment-version-semver", deployment())).to.deep.equal({ violations: [] });
    });

    it("fails a version that is not SemVer, naming it", async () => {
        const outcome = await runResource("deployment-version-semver", changed(deployment(), [...ANN, "releasectl.dev/version"], "v2.4"));
        expect(messages(outcome)).to.have.length(1);
        expect(messages(outcome)[0]).to.include('"v2.4"').and.include("not SemVer 2.0");
    });

    it("fails a previous version that is not SemVer", async () => {
        const outcome = await runResource("deployment-version-semver", changed(deployment(), [...ANN, "releasectl.dev/previous-version"], "last-friday"));
        expect(messages(outcome)[0]).to.include("releasectl.dev/previous-version").and.include('"last-friday"');
    });

    it("does not apply to a Deployment that is not a releasectl release", async () => {
        const outcome = await runResource("deployment-version-semver", changed(deployment(), [...ANN, "releasectl.dev/version"], undefined));
        expect(outcome.notApplicable).to.include("releasectl.dev/version");
    });
});

describe("deployment-image-tag-matches-version", () => {
    it("passes the image tagged with the version", async () => {
        expect(await runResource("deployment-image-tag-matches-version", deployment())).to.deep.equal({ violations: [] });
    });

    it("fails an image tagged with another version, naming both", async () => {
        const outcome = await runResource(
            "deployment-image-tag-matches-version",
            changed(deployment(), ["spec", "template", "spec", "containers", 0, "image"], "registry.example.com/shop/checkout:2.4.0"),
        );
        expect(messages(outcome)[0]).to.include("checkout:2.4.0").and.include("releasectl.dev/version=2.4.1").and.include("image tagged 2.4.1");
    });

    it("expects build metadata joined with an underscore in the tag", async () => {
        const withBuild = changed(deployment(), [...ANN, "releasectl.dev/version"], "2.4.1+build.7");
        const outcome = await runResource("deployment-image-tag-matches-version", withBuild);
        expect(messages(outcome)[0]).to.include("image tagged 2.4.1_build.7");
    });
});

describe("deployment-no-prerelease-in-production", () => {
    it("passes a final version in production", async () => {
        expect(await runResource("deployment-no-prerelease-in-production", deployment())).to.deep.equal({ violations: [] });
    });

    it("fails a prerelease in production, saying why the stack is production", async () => {
        const outcome = await runResource("deployment-no-prerelease-in-production", changed(deployment(), [...ANN, "releasectl.dev/version"], "2.5.0-rc.1"));
        expect(messages(outcome)[0]).to.include("2.5.0-rc.1 is a prerelease").and.include("stack production is listed in productionStacks");
    });

    it("allows a prerelease on a stack that is not production", async () => {
        const staging = { ...changed(deployment(), [...ANN, "releasectl.dev/version"], "2.5.0-rc.1"), urn: "urn:pulumi:staging::releasectl::x$kubernetes:apps/v1:Deployment::checkout-deployment" };
        const outcome = await runResource("deployment-no-prerelease-in-production", changed(staging, [...ANN, "releasectl.dev/environment"], "staging"));
        expect(outcome.notApplicable).to.include("stack staging (environment staging) is not production");
    });

    it("treats a stack as production by the environment recorded on the Deployment", async () => {
        const prod = { ...changed(deployment(), [...ANN, "releasectl.dev/version"], "2.5.0-rc.1"), urn: "urn:pulumi:eu-live::releasectl::x$kubernetes:apps/v1:Deployment::checkout-deployment" };
        const outcome = await runResource("deployment-no-prerelease-in-production", prod);
        expect(messages(outcome)[0]).to.include("environment production is listed in productionEnvironments");
    });

    it("treats a stack as production by its environment stack tag", async () => {
        const tagged = { ...changed(deployment(), [...ANN, "releasectl.dev/environment"], "live"), urn: "urn:pulumi:eu-live::releasectl::x$kubernetes:apps/v1:Deployment::checkout-deployment" };
        const outcome = await runResource("deployment-no-prerelease-in-production", changed(tagged, [...ANN, "releasectl.dev/version"], "2.5.0-rc.1"), {
            stackTags: { environment: "production" },
        });
        expect(messages(outcome)[0]).to.include("stack tag environment=production");
    });

    it("follows the production stacks of the pack config", async () => {
        const outcome = await runResource("deployment-no-prerelease-in-production", changed(deployment(), [...ANN, "releasectl.dev/version"], "2.5.0-rc.1"), {
            config: { productionStacks: ["prod"], productionEnvironments: ["prod"] },
        });
        expect(outcome.notApplicable).to.include("productionStacks: prod");
    });
});

describe("deployment-version-moves-forward", () => {
    it("passes a version newer than the previous one", async () => {
        expect(await runResource("deployment-version-moves-forward", deployment())).to.deep.equal({ violations: [] });
    });

    it("fails a version older than the previous one when not a rollback", async () => {
        const outcome = await runResource("deployment-version-moves-forward", changed(deployment(), [...ANN, "releasectl.dev/previous-version"], "2.10.0"));
        expect(messages(outcome)[0]).to.include("2.4.1 is older than the version it replaces (2.10.0)").and.include("releasectl rollback");
    });

    it("fails the same version as the previous one", async () => {
        const outcome = await runResource("deployment-version-moves-forward", changed(deployment(), [...ANN, "releasectl.dev/previous-version"], "2.4.1"));
        expect(messages(outcome)[0]).to.include("is the same as the version it replaces");
    });

    it("lets a rollback go back", async () => {
        const back = changed(deployment(), [...ANN, "releasectl.dev/previous-version"], "2.10.0");
        expect(await runResource("deployment-version-moves-forward", changed(back, [...ANN, "releasectl.dev/rollback"], "true"))).to.deep.equal({ violations: [] });
    });

    it("orders a prerelease before its final version", async () => {
        const outcome = await runResource("deployment-version-moves-forward", changed(deployment(), [...ANN, "releasectl.dev/version"], "2.4.0-rc.1"));
        expect(messages(outcome)[0]).to.include("2.4.0-rc.1 is older");
    });
});

describe("deployment-rollback-plan-recorded", () => {
    it("passes a release that records its previous version and keeps ReplicaSets", async () => {
        expect(await runResource("deployment-rollback-plan-recorded", deployment())).to.deep.equal({ violations: [] });
    });

    it("fails a release without a previous version", async () => {
        const outcome = await runResource("deployment-rollback-plan-recorded", changed(deployment(), [...ANN, "releasectl.dev/previous-version"], undefined));
        expect(messages(outcome)[0]).to.include("records no releasectl.dev/previous-version").and.include("releasectl prepare");
    });

    it("passes a declared first release, which has no previous version to record", async () => {
        const first = changed(changed(deployment(), [...ANN, "releasectl.dev/previous-version"], undefined), [...ANN, "releasectl.dev/first-release"], "true");
        expect(await runResource("deployment-rollback-plan-recorded", first)).to.deep.equal({ violations: [] });
    });

    it("fails a revisionHistoryLimit of 0", async () => {
        const outcome = await runResource("deployment-rollback-plan-recorded", changed(deployment(), ["spec", "revisionHistoryLimit"], 0));
        expect(messages(outcome)[0]).to.include("spec.revisionHistoryLimit is 0");
    });
});

const EVIDENCE = [
    ["deployment-ci-run-recorded", "ci-run", "evidence.ciRun", "all CI checks passed"],
    ["deployment-review-recorded", "review", "evidence.review", "the code review is done"],
    ["deployment-security-scan-recorded", "security-scan", "evidence.securityScan", "the security scan passed"],
    ["deployment-performance-report-recorded", "performance-report", "evidence.performanceReport", "the performance tests passed"],
] as const;

for (const [rule, key, configKey, proves] of EVIDENCE) {
    describe(rule, () => {
        it("passes a production release that records the evidence", async () => {
            expect(await runResource(rule, deployment())).to.deep.equal({ violations: [] });
        });

        it("fails a production release without the evidence, naming the stack file key", async () => {
            const outcome = await runResource(rule, changed(deployment(), [...ANN, `releasectl.dev/evidence-${key}`], undefined));
            expect(messages(outcome)[0]).to.include(`no evidence that ${proves}`).and.include(configKey);
        });

        it("fails a link that names only the version being replaced, and lets a rollback through with it", async () => {
            // The failed 2.6.0 release's links stay in the file when it is rolled back to 2.5.0.
            const base = changed(changed(changed(deployment(), [...ANN, "releasectl.dev/version"], "2.5.0"), [...ANN, "releasectl.dev/previous-version"], "2.6.0"), ["spec", "template", "spec", "containers", 0, "image"], "registry.example.com/shop/checkout:2.5.0");
            const stale = changed(base, [...ANN, `releasectl.dev/evidence-${key}`], `https://evidence.example.com/checkout-2.6.0`);
            const release = await runResource(rule, changed(stale, [...ANN, "releasectl.dev/rollback"], "false"));
            expect(messages(release)[0]).to.include("names 2.6.0, the version this release replaces, not 2.5.0");
            const rollback = await runResource(rule, changed(stale, [...ANN, "releasectl.dev/rollback"], "true"));
            expect(rollback).to.deep.equal({ violations: [] });
        });

        it("does not require the evidence outside production", async () => {
            const dev = { ...changed(deployment(), [...ANN, `releasectl.dev/evidence-${key}`], undefined), urn: "urn:pulumi:dev::releasectl::x$kubernetes:apps/v1:Deployment::checkout-deployment" };
            const outcome = await runResource(rule, changed(dev, [...ANN, "releasectl.dev/environment"], "dev"));
            expect(outcome.notApplicable).to.include("is not production");
        });
    });
}
