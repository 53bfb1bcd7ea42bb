import { expect } from "chai";
import { changed, exampleObject } from "./fixtures";
import { runResource } from "./runtime";

const ANALYSIS = ["spec", "analysis"];
const canary = () => exampleObject("Canary");
const messages = (o: { violations: readonly { message: string }[] }) => o.violations.map((v) => v.message);

describe("canary-thresholds-strict", () => {
    it("passes the default 99 % and 500 ms", async () => {
        expect(await runResource("canary-thresholds-strict", canary())).to.deep.equal({ violations: [] });
    });

    it("fails a success-rate threshold of 95", async () => {
        const outcome = await runResource("canary-thresholds-strict", changed(canary(), [...ANALYSIS, "metrics", 0, "thresholdRange", "min"], 95));
        expect(messages(outcome)[0]).to.include("success rate of 95 %, below the required 99 %").and.include("canary.successRateMin");
    });

    it("fails a latency limit above 500 ms", async () => {
        const outcome = await runResource("canary-thresholds-strict", changed(canary(), [...ANALYSIS, "metrics", 1, "thresholdRange", "max"], 800));
        expect(messages(outcome)[0]).to.include("up to 800 ms, above the allowed 500 ms");
    });

    it("fails an analysis without a latency metric", async () => {
        const outcome = await runResource("canary-thresholds-strict", changed(canary(), [...ANALYSIS, "metrics", 1], undefined));
        expect(messages(outcome)[0]).to.include("no latency gate (metrics: request-success-rate)");
    });

    it("fails a Canary without analysis", async () => {
        const outcome = await runResource("canary-thresholds-strict", changed(canary(), ANALYSIS, undefined));
        expect(messages(outcome)[0]).to.include("no spec.analysis");
    });

    it("follows the limits of the pack config", async () => {
        const outcome = await runResource("canary-thresholds-strict", canary(), { config: { successRateMin: 99.9 } });
        expect(messages(outcome)[0]).to.include("below the required 99.9 %");
    });

    it("reads blue/green error-rate templates as 100 minus the success rate", async () => {
        const blueGreen = changed(canary(), [...ANALYSIS, "metrics"], [
            { name: "error-rate", templateRef: { name: "checkout-error-rate" }, thresholdRange: { max: 5 } },
            { name: "latency", templateRef: { name: "checkout-latency" }, thresholdRange: { max: 500 } },
        ]);
        expect(messages(await runResource("canary-thresholds-strict", blueGreen))[0]).to.include("success rate of 95 %");
    });
});

describe("canary-skip-analysis-only-for-rollback", () => {
    it("passes a Canary that analyses", async () => {
        expect(await runResource("canary-skip-analysis-only-for-rollback", canary())).to.deep.equal({ violations: [] });
    });

    it("fails skipAnalysis on a release that is not a rollback", async () => {
        const outcome = await runResource("canary-skip-analysis-only-for-rollback", changed(canary(), ["spec", "skipAnalysis"], true));
        expect(messages(outcome)[0]).to.include("spec.skipAnalysis is true but the release is not a rollback");
    });

    it("lets a rollback skip the analysis", async () => {
        const rollback = changed(changed(canary(), ["spec", "skipAnalysis"], true), ["metadata", "annotations", "releasectl.dev/rollback"], "true");
        expect(await runResource("canary-skip-analysis-only-for-rollback", rollback)).to.deep.equal({ violations: [] });
    });
});

describe("canary-smoke-test-before-traffic", () => {
    it("passes a Canary with a pre-rollout webhook", async () => {
        expect(await runResource("canary-smoke-test-before-traffic", canary())).to.deep.equal({ violations: [] });
    });

    it("fails a Canary whose smoke test runs during the rollout instead of before it", async () => {
        const outcome = await runResource("canary-smoke-test-before-traffic", changed(canary(), [...ANALYSIS, "webhooks", 0, "type"], "rollout"));
        expect(messages(outcome)[0]).to.include("no pre-rollout webhook");
    });
});

describe("canary-alerts-configured", () => {
    it("passes a Canary that alerts its AlertProvider", async () => {
        expect(await runResource("canary-alerts-configured", canary())).to.deep.equal({ violations: [] });
    });

    it("fails a Canary without alerts", async () => {
        const outcome = await runResource("canary-alerts-configured", changed(canary(), [...ANALYSIS, "alerts"], undefined));
        expect(messages(outcome)[0]).to.include("sends no alerts").and.include("nobody hears");
    });
});

describe("canary-announces-outcome", () => {
    it("passes an info-severity alert", async () => {
        expect(await runResource("canary-announces-outcome", canary())).to.deep.equal({ violations: [] });
    });

    it("flags alerts that only report failures", async () => {
        const outcome = await runResource("canary-announces-outcome", changed(canary(), [...ANALYSIS, "alerts", 0, "severity"], "error"));
        expect(messages(outcome)[0]).to.include("nothing announces the release");
    });
});

describe("canary-max-weight-multiple-of-step", () => {
    it("passes 50 in steps of 10", async () => {
        expect(await runResource("canary-max-weight-multiple-of-step", canary())).to.deep.equal({ violations: [] });
    });

    it("flags 50 in steps of 15", async () => {
        const outcome = await runResource("canary-max-weight-multiple-of-step", changed(canary(), [...ANALYSIS, "stepWeight"], 15));
        expect(messages(outcome)[0]).to.include("maxWeight 50 is not a multiple of stepWeight 15").and.include("45 → 50");
    });

    it("does not apply to blue/green iterations", async () => {
        const outcome = await runResource("canary-max-weight-multiple-of-step", changed(canary(), [...ANALYSIS, "stepWeight"], undefined));
        expect(outcome.notApplicable).to.include("blue/green");
    });
});
