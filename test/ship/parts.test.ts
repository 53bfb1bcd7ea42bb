import * as fs from "fs";
import { expect } from "chai";
import * as path from "path";
import * as os from "os";
import { pulumiFailure, PulumiResult, runPulumi } from "../../cli/ship/pulumi-cli";
import { changeCounts, EngineReport, parseEventLog, readEvents, violationLine } from "../../cli/ship/pulumi-events";
import { defaultWatchTimeout, formatDuration, shipTiming } from "../../cli/ship/timing";
import { loadStack } from "../../config/load";
import { ServiceConfig } from "../../config/types";
import { ANSWERS, FakeAnswer, installFakePulumi } from "../helpers/fake-pulumi";

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

/** The report of a captured event log (test/ship/fixtures/*.events.jsonl: e2e/engine/bin/pulumi 3.274.1, render mode). */
const captured = (name: string): EngineReport => readEvents(parseEventLog(fs.readFileSync(path.join(__dirname, "fixtures", `${name}.events.jsonl`), "utf8")));
/** What the stand-in's answer gives ship: the result with its events. */
const asResult = (a: FakeAnswer): PulumiResult => ({ code: a.code, stdout: "", stderr: a.output, events: a.events });

describe("reading pulumi's engine events", () => {
    it("reads a preview's policy violation from what the real engine logged: policy, pack, resource, message, and the summary", () => {
        const report = captured("preview-policy-violation");
        expect(report.violations.map((v) => ({ policy: v.policy, pack: v.pack, packVersion: v.packVersion, severity: v.severity, resource: `${v.resource?.type} ${v.resource?.name}` }))).to.deep.equal([
            { policy: "deployment-no-prerelease-in-production", pack: "releasectl-checklist", packVersion: "0.1.0", severity: "high", resource: "kubernetes:apps/v1:Deployment checkout-deployment" },
        ]);
        expect(report.violations[0].message).to.equal(
            "Production stacks release only final versions, never prereleases such as 2.5.0-rc.1.\nversion 2.5.0-rc.1 is a prerelease, and stack production is listed in productionStacks: prereleases have not been declared ready and carry no compatibility promise. Release the final version instead.",
        );
        expect(report.advisories).to.deep.equal([]);
        expect(report.errors).to.deep.equal([{ resource: undefined, message: "preview failed" }]);
        expect(report.summary).to.deep.equal({ result: "failed", isPreview: true, durationSeconds: 5, changes: { create: 22 } });
        expect(report.changes).to.have.length(22);
        expect(report.changes.find((c) => c.name === "checkout-migrate-2.5.0-rc.1")).to.deep.include({ op: "create", type: "kubernetes:batch/v1:Job" });
        expect(report.complete).to.equal(true);
        expect(pulumiFailure({ code: 255, stdout: "", stderr: "", events: parseEventLog(fs.readFileSync(path.join(__dirname, "fixtures", "preview-policy-violation.events.jsonl"), "utf8")) }).policies).to.deep.equal([
            "deployment-no-prerelease-in-production",
        ]);
    });

    it("reads the violations that fail pulumi up's own preview, each once, in order, with the counts it would have changed", () => {
        const report = captured("up-policy-violation");
        expect(report.violations.map((v) => `${v.policy} ${v.severity}`)).to.deep.equal(["deployment-security-scan-recorded critical", "deployment-performance-report-recorded medium"]);
        expect(violationLine(report.violations[0])).to.match(
            /^deployment-security-scan-recorded on kubernetes:apps\/v1:Deployment \(checkout-deployment\): A production release records evidence that the security scan passed \(releasectl\.dev\/evidence-security-scan\)\. the evidence .* names 2\.4\.1, the version this release replaces, not 2\.5\.0/,
        );
        expect(report.summary).to.deep.include({ result: "failed", isPreview: true, changes: { create: 1, delete: 1, same: 13, update: 8 } });
        expect(changeCounts(report)).to.equal("1 to create, 8 to update, 1 to delete, 13 unchanged");
        expect(report.changes.map((c) => `${c.op} ${c.name}`)).to.include.members(["create checkout-migrate-2.5.0", "delete checkout-migrate-2.4.1", "update checkout-deployment", "update checkout-canary"]);
        expect(report.warnings.map((w) => w.message)).to.include("rendered YAML will contain a secret value in plaintext");
    });

    it("names each resource that failed an update and what its provider said, without the bare 'update failed'", () => {
        const events = parseEventLog(fs.readFileSync(path.join(__dirname, "fixtures", "up-provider-error.events.jsonl"), "utf8"));
        const failure = pulumiFailure({ code: 255, stdout: "", stderr: "error: update failed\n", events });
        expect(failure.policies).to.deep.equal([]);
        expect(failure.report.errors.map((e) => e.resource?.name)).to.deep.equal(["checkout-alert-rules", "checkout-webhook-secret", "checkout-database-secret", "checkout-disruption-budget", undefined]);
        expect(failure.summary).to.match(/^kubernetes:monitoring\.coreos\.com\/v1:PrometheusRule \(checkout-alert-rules\): failed to write YAML file: .*: not a directory; kubernetes:core\/v1:Secret \(checkout-webhook-secret\): .*; and 1 more$/);
        expect(failure.summary).not.to.include("update failed");
        expect(failure.report.summary).to.deep.include({ result: "failed", isPreview: false, changes: { same: 12 } });
    });

    it("reads a successful update: every change, no violation, no error", () => {
        const report = captured("up-ok");
        expect(report.violations).to.deep.equal([]);
        expect(report.errors).to.deep.equal([]);
        expect(changeCounts(report)).to.equal("22 created");
        expect(new Set(report.changes.map((c) => c.op))).to.deep.equal(new Set(["create"]));
    });

    it("tells a policy violation from other errors in the stand-in's events, as in the real ones", () => {
        expect(pulumiFailure(asResult(ANSWERS.policyViolation("canary-thresholds-strict"))).policies).to.deep.equal(["canary-thresholds-strict"]);
        expect(pulumiFailure(asResult(ANSWERS.migrationFailed))).to.deep.include({ policies: [], summary: "kubernetes:batch/v1:Job (checkout-migrate-2.5.0): 1 error occurred: * Job has failed: BackoffLimitExceeded" });
        expect(changeCounts(readEvents(ANSWERS.previewOk.events!))).to.equal("3 to update, 16 unchanged");
    });

    it("falls back to the error lines pulumi printed when its engine never ran (no event log)", () => {
        const { code, output } = ANSWERS.updateConflict;
        expect(pulumiFailure({ code, stdout: "", stderr: output }).summary).to.equal("error: [409] Conflict: Another update is currently in progress.");
        expect(pulumiFailure({ code: 255, stdout: "", stderr: "error: preview failed\n", events: [] }).summary).to.equal("error: preview failed");
    });

    it("skips a line cut short at the end of a log", () => {
        expect(parseEventLog('{"sequence":1,"cancelEvent":{}}\n{"sequence":2,"summ')).to.deep.equal([{ sequence: 1, cancelEvent: {} }]);
    });

    it("runs the CLI with --event-log (and the debug switch it needs) only when events are asked for, and cleans up the log", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-events-test-"));
        try {
            const fake = installFakePulumi(dir, { preview: [ANSWERS.policyViolation("canary-thresholds-strict")] });
            const binary = path.join(fake.binDir, "pulumi");
            const lines: string[] = [];
            const result = await runPulumi(binary, ["preview", "--stack", "production"], { cwd: dir, env: { PATH: process.env.PATH }, onLine: (l) => lines.push(l), events: true });
            expect(result.code).to.equal(255);
            expect(lines).to.include("        - [mandatory] [severity: high]  canary-thresholds-strict  (kubernetes:flagger.app/v1beta1:Canary: checkout-canary)");
            expect(result.events?.map((e) => e.sequence)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
            expect(pulumiFailure(result).policies).to.deep.equal(["canary-thresholds-strict"]);
            const args = fake.calls()[0].args;
            const log = args[args.indexOf("--event-log") + 1];
            expect(args.filter((a) => a !== log)).to.deep.equal(["preview", "--stack", "production", "--event-log", "--non-interactive"]);
            expect(fs.existsSync(path.dirname(log))).to.equal(false);
            const plain = await runPulumi(binary, ["config", "get", "x", "--stack", "production"], { cwd: dir, env: { PATH: process.env.PATH } });
            expect(plain.events).to.equal(undefined);
            expect(fake.calls()[1].args).to.deep.equal(["config", "get", "x", "--stack", "production", "--non-interactive"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
