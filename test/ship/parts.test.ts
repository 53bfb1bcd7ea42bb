import * as fs from "fs";
import { expect } from "chai";
import * as path from "path";
import { failureSummary, policyViolations } from "../../cli/ship/pulumi-cli";
import { defaultWatchTimeout, formatDuration, shipTiming } from "../../cli/ship/timing";
import { loadStack } from "../../config/load";
import { ServiceConfig } from "../../config/types";
import { ANSWERS } from "../helpers/fake-pulumi";

const EXAMPLE = loadStack(path.join(__dirname, "..", ".."), "production");
const checkout = EXAMPLE.services.find((s) => s.name === "checkout")!;
const withCanary = (s: ServiceConfig, canary: Partial<ServiceConfig["canary"]>): ServiceConfig => ({ ...s, canary: { ...s.canary, ...canary } });

describe("ship's time limits", () => {
    it("gives the example's checkout canary 22 minutes by default, and says why", () => {
        const timeout = defaultWatchTimeout(checkout);
        expect(formatDuration(timeout.ms)).to.equal("22m");
        expect(timeout.why).to.equal("progress deadline 600s + interval 1m × (1 to start + 5 steps of 10% to 50% + threshold 5 + 1 to promote)");
    });

    it("counts blue/green iterations instead of traffic steps", () => {
        const blueGreen = withCanary(checkout, { provider: "kubernetes", iterations: 10, interval: "30s", intervalSeconds: 30, threshold: 2 });
        expect(defaultWatchTimeout(blueGreen).ms).to.equal((600 + 30 * (1 + 10 + 2 + 1)) * 1000);
    });

    it("monitors every canary interval for 5 minutes unless told otherwise", () => {
        const timing = shipTiming({}, checkout);
        expect(timing).to.deep.include({ pollIntervalMs: 5000, monitorWindowMs: 300_000, monitorIntervalMs: 60_000, rollbackTimeoutMs: 600_000 });
    });

    it("skips monitoring with --monitor 0", () => {
        expect(shipTiming({ monitor: "0" }, checkout).monitorWindowMs).to.equal(0);
    });

    it("refuses a duration it cannot read, naming the option", () => {
        expect(() => shipTiming({ watchTimeout: "ten minutes" }, checkout)).to.throw('--watch-timeout "ten minutes": not a duration; use e.g. 30s, 5m or 1h30m');
    });

    it("refuses 0 where a step cannot be skipped", () => {
        expect(() => shipTiming({ interval: "0" }, checkout)).to.throw('--interval "0": not a duration');
    });
});

describe("reading pulumi's output", () => {
    it("finds the violated policy in the current layout (under the pack's line)", () => {
        expect(policyViolations(ANSWERS.policyViolation("canary-thresholds-strict").output)).to.deep.equal(["canary-thresholds-strict"]);
    });

    it("finds the violated policy in what the real engine printed (pulumi 3.274, e2e/engine)", () => {
        const output = fs.readFileSync(path.join(__dirname, "fixtures", "preview-policy-violation.txt"), "utf8");
        expect(policyViolations(output)).to.deep.equal(["deployment-no-prerelease-in-production"]);
    });

    it("finds violated policies in the older flat layout, each once", () => {
        const output =
            "Policy Violations:\n" +
            "    [mandatory]  releasectl-checklist@v0.1.0  workload-image-not-latest  (kubernetes:apps/v1:Deployment: checkout)\n" +
            "    [mandatory]  releasectl-checklist@v0.1.0  workload-image-not-latest  (kubernetes:batch/v1:Job: checkout-migrate)\n" +
            "    [advisory]  releasectl-checklist@v0.1.0  repository-changelog-entry  (pulumi:pulumi:Stack: shop-production)\n";
        expect(policyViolations(output)).to.deep.equal(["workload-image-not-latest"]);
    });

    it("keeps the lines that explain a failed update, without the progress noise", () => {
        const { code, output } = ANSWERS.migrationFailed;
        expect(failureSummary({ code, stdout: "", stderr: output })).to.equal("error: 1 error occurred:; * Job has failed: BackoffLimitExceeded; error: update failed");
    });
});
