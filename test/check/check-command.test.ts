import { expect } from "chai";
import { check, exampleProject, lineOf, Project } from "./project";

describe("releasectl check on the example project", () => {
    let project: Project;
    beforeEach(() => {
        project = exampleProject();
    });
    afterEach(() => project.remove());

    it("passes the example production stack, exit 0", async () => {
        const result = await check(project);
        expect(result.stderr).to.equal("");
        expect(result.code).to.equal(0);
        expect(result.stdout).to.include("releasectl check: stack production (environment production): checkout 2.4.1, storefront 1.12.0");
        expect(result.stdout).to.include("Ready to release: ");
        expect(lineOf(result.stdout, "workload-probes-defined")).to.match(/^passed/);
    });

    it("groups the checklist as pre-release, during and after the release", async () => {
        const { stdout } = await check(project);
        const order = ["Pre-release", "During the release", "After the release"].map((t) => stdout.indexOf(`\n${t}\n`));
        expect(order.every((i) => i > 0)).to.equal(true);
        expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
        expect(stdout.indexOf("smoke test")).to.be.greaterThan(order[1]);
    });

    it("fails, exit 1, naming the rule, for a success-rate threshold of 95", async () => {
        project.editStack("successRateMin: 99", "successRateMin: 95");
        const result = await check(project);
        expect(result.code).to.equal(1);
        expect(lineOf(result.stdout, "canary-thresholds-strict")).to.match(/^failed\s+canary-thresholds-strict\s+mandatory, high severity/);
        expect(result.stdout).to.include("checkout-canary (Canary shop/checkout): the analysis accepts a success rate of 95 %");
        expect(result.stdout).to.include("Not ready to release");
    });

    it("fails, exit 1, naming the rule, for a prerelease in production", async () => {
        project.editStack("version: 2.4.1", "version: 2.5.0-rc.1");
        const result = await check(project);
        expect(result.code).to.equal(1);
        expect(lineOf(result.stdout, "deployment-no-prerelease-in-production")).to.match(/^failed/);
        expect(result.stdout).to.include("version 2.5.0-rc.1 is a prerelease, and stack production is listed in productionStacks");
    });

    it("fails, exit 1, naming the rule, for a freeze window that covers now", async () => {
        project.commit("policy.json", JSON.stringify({ "workload-outside-freeze-window": { freezeWindows: [{ name: "year-end", start: "2026-12-21", end: "2027-01-04", timeZone: "Europe/Berlin" }] } }));
        const result = await check(project, ["--config", "policy.json"], { RELEASECTL_NOW: "2026-12-24T10:00:00Z" });
        expect(result.code).to.equal(1);
        expect(lineOf(result.stdout, "workload-outside-freeze-window")).to.match(/^failed/);
        expect(result.stdout).to.include('change freeze "year-end" is in effect until 2027-01-04 00:00 Europe/Berlin');
        expect(result.stdout).to.include("clock: 2026-12-24T10:00:00.000Z (RELEASECTL_NOW)");
    });

    it("passes the same freeze config once the window has ended", async () => {
        project.commit("policy.json", JSON.stringify({ "workload-outside-freeze-window": { freezeWindows: [{ name: "year-end", start: "2026-12-21", end: "2027-01-04", timeZone: "Europe/Berlin" }] } }));
        const result = await check(project, ["--config", "policy.json"], { RELEASECTL_NOW: "2027-01-04T10:00:00Z" });
        expect(result.code).to.equal(0);
    });

    it("refuses a migration without a downgrade as bad input (exit 2), pointing at the rule", async () => {
        project.editStack('        downgradeCommand: ["/app/migrate", "down", "--to", "2.4.0"]\n', "");
        const result = await check(project);
        expect(result.code).to.equal(2);
        expect(result.stdout).to.equal("");
        expect(result.stderr).to.include("releasectl:services.checkout.migration.downgradeCommand: is required").and.include("(checklist rule migration-reversible)");
    });

    it("reports an advisory rule without failing the check", async () => {
        project.editStack("stepWeight: 10\n        successRateMin", "stepWeight: 15\n        successRateMin");
        const result = await check(project);
        expect(result.code).to.equal(0);
        expect(lineOf(result.stdout, "canary-max-weight-multiple-of-step")).to.match(/^advisory\s+canary-max-weight-multiple-of-step\s+advisory, low severity/);
    });

    it("lets the pack config turn a mandatory rule into an advisory one", async () => {
        project.editStack("successRateMin: 99", "successRateMin: 95");
        project.commit("policy.json", JSON.stringify({ "canary-thresholds-strict": "advisory" }));
        const result = await check(project, ["--config", "policy.json"]);
        expect(result.code).to.equal(0);
        expect(lineOf(result.stdout, "canary-thresholds-strict")).to.match(/^advisory/);
    });

    it("shows a rule disabled in the pack config as not applicable", async () => {
        project.commit("policy.json", JSON.stringify({ "workload-probes-defined": { enforcementLevel: "disabled" } }));
        const result = await check(project, ["--config", "policy.json"]);
        expect(lineOf(result.stdout, "workload-probes-defined")).to.match(/^not applicable\s+workload-probes-defined\s+disabled in policy.json/);
    });

    it("applies the pack config's all level to every rule", async () => {
        project.editStack("successRateMin: 99", "successRateMin: 95");
        project.commit("policy.json", JSON.stringify({ all: "advisory" }));
        expect((await check(project, ["--config", "policy.json"])).code).to.equal(0);
    });

    it("checks only the named service with --service", async () => {
        project.editStack("successRateMin: 99", "successRateMin: 95");
        const result = await check(project, ["--service", "storefront"]);
        expect(result.code).to.equal(0);
        expect(result.stdout).to.include("): storefront 1.12.0\n");
    });

    it("prints a JSON report for CI with --json", async () => {
        project.editStack("successRateMin: 99", "successRateMin: 95");
        const result = await check(project, ["--json"]);
        expect(result.code).to.equal(1);
        const report = JSON.parse(result.stdout);
        expect(report).to.include({ stack: "production", result: "failed" });
        expect(report.counts.failed).to.equal(1);
        expect(report.items.map((i: { phase: string }) => i.phase)).to.include.members(["pre-release", "during", "post-release"]);
        const failed = report.items.flatMap((i: { checks: { state: string }[] }) => i.checks).filter((c: { state: string }) => c.state === "failed");
        expect(failed).to.have.length(1);
        expect(failed[0]).to.include({ rule: "canary-thresholds-strict", enforcementLevel: "mandatory", severity: "high" });
        expect(failed[0].findings[0]).to.include({ resource: "checkout-canary (Canary shop/checkout)" });
    });
});

describe("releasectl check on bad input", () => {
    let project: Project;
    beforeEach(() => {
        project = exampleProject();
    });
    afterEach(() => project.remove());

    it("rejects an unknown rule in the pack config, listing the closest names first", async () => {
        project.commit("policy.json", JSON.stringify({ "workload-probe-defined": "advisory" }));
        const result = await check(project, ["--config", "policy.json"]);
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include("policy.json: workload-probe-defined: no such rule; rules: workload-probes-defined");
    });

    it("rejects an enforcement level that does not exist", async () => {
        project.commit("policy.json", JSON.stringify({ "workload-probes-defined": "strict" }));
        const result = await check(project, ["--config", "policy.json"]);
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include('workload-probes-defined = "strict": not an enforcement level');
    });

    it("rejects a bad setting, naming the file and the key", async () => {
        project.commit("policy.json", JSON.stringify({ "canary-thresholds-strict": { successRateMin: "high" } }));
        const result = await check(project, ["--config", "policy.json"]);
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include('policy.json: canary-thresholds-strict.successRateMin = "high": must be a number');
    });

    it("rejects a pack config that is not JSON", async () => {
        project.commit("policy.json", "successRateMin: 99");
        const result = await check(project, ["--config", "policy.json"]);
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include("policy.json: not valid JSON");
    });

    it("rejects a missing pack config file", async () => {
        const result = await check(project, ["--config", "nope.json"]);
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include("--config nope.json: no such file");
    });

    it("rejects a clock that is not an instant", async () => {
        const result = await check(project, [], { RELEASECTL_NOW: "tomorrow" });
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include('RELEASECTL_NOW="tomorrow": not an ISO 8601 instant');
    });

    it("rejects an unknown service", async () => {
        const result = await check(project, ["--service", "billing"]);
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include('has no service "billing"');
    });

    it("prints its help with examples", async () => {
        const result = await check(project, ["--help"]);
        expect(result.code).to.equal(0);
        expect(result.stdout).to.include("Examples:\n  releasectl check --stack production");
    });
});
