import { expect } from "chai";
import { namesVersion } from "../../policies/lib/evidence";
import { GitRepo } from "../cli/git-fixture";
import { edited, projectRepo, STACK_FILE } from "../cli/project-fixture";
import { runCli } from "../cli/run-cli";

/** checkout's evidence links of the example, renewed for `version`. */
function evidenceFor(text: string, version: string, run: string): string {
    return edited(text, [
        ["ciRun: https://ci.example.com/shop/checkout/runs/8812", `ciRun: https://ci.example.com/shop/checkout/runs/${run}`],
        ["review: https://git.example.com/shop/checkout/pull/412", `review: https://git.example.com/shop/checkout/pull/${run}`],
        ["reports/checkout-2.4.1\n", `reports/checkout-${version}\n`],
        ["reports/checkout-2.4.1\n", `reports/checkout-${version}\n`],
    ]);
}

const line = (stdout: string, rule: string) => stdout.split("\n").find((l) => l.includes(` ${rule}`))?.trim() ?? `(no line for ${rule})`;

describe("releases that were rolled back, and evidence for the version released (real git repositories)", () => {
    let repo: GitRepo;
    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: { ...repo.env, RELEASECTL_BRANCH: "main" } });
    beforeEach(() => {
        repo = projectRepo();
    });
    afterEach(() => repo.remove());

    /** checkout 2.5.0 released (with its own evidence) and committed. */
    async function release250(): Promise<void> {
        expect((await cli("prepare", "checkout", "2.5.0", "--no-changelog")).code).to.equal(0);
        repo.commit("release checkout 2.5.0", { [STACK_FILE]: evidenceFor(repo.read(STACK_FILE), "2.5.0", "9001") });
    }

    it("a version rolled back before fails the checklist in production when prepared again, until the release says why", async () => {
        await release250();
        const rollback = await cli("rollback", "checkout");
        expect(rollback.code, rollback.stderr).to.equal(0);
        const rolledBack = repo.commit("rollback checkout to 2.4.1", { [STACK_FILE]: repo.read(STACK_FILE) });
        expect((await cli("prepare", "checkout", "2.5.0", "--no-changelog")).code).to.equal(0);
        repo.write(STACK_FILE, evidenceFor(repo.read(STACK_FILE), "2.5.0", "9002"));
        const failed = await cli("check", "--service", "checkout");
        expect(failed.code).to.equal(1);
        expect(line(failed.stdout, "repository-version-not-rolled-back")).to.match(/^failed/);
        expect(failed.stdout).to.include(
            `checkout 2.5.0 was rolled back on 2026-01-01 (${rolledBack.slice(0, 7)} "rollback checkout to 2.4.1", back to 2.4.1), and stack production is listed in productionStacks: releasing it again ships the same image that failed`,
        );
        repo.write(
            STACK_FILE,
            edited(repo.read(STACK_FILE), [["      version: 2.5.0\n", '      version: 2.5.0\n      rerelease:\n        version: 2.5.0\n        reason: "the canary failed on a Prometheus outage (INC-231), not on 2.5.0"\n']]),
        );
        const passed = await cli("check", "--service", "checkout");
        expect(line(passed.stdout, "repository-version-not-rolled-back")).to.match(/^passed/);
        // the reason speaks for 2.5.0 only: preparing the next version removes it
        expect((await cli("prepare", "checkout", "2.5.1", "--no-changelog")).code).to.equal(0);
        expect(repo.read(STACK_FILE)).not.to.include("rerelease");
        expect(repo.read(STACK_FILE)).to.include("      version: 2.5.1\n      previousVersion: 2.5.0\n      port: 8080\n");
    });

    it("outside production a re-release is allowed, and the checklist says that it was rolled back", async () => {
        await release250();
        await cli("rollback", "checkout");
        repo.commit("rollback checkout to 2.4.1", { [STACK_FILE]: repo.read(STACK_FILE) });
        await cli("prepare", "checkout", "2.5.0", "--no-changelog");
        repo.write("pack.json", JSON.stringify({ "repository-version-not-rolled-back": { productionStacks: [], productionEnvironments: [] } }));
        const run = await cli("check", "--service", "checkout", "--config", "pack.json");
        expect(line(run.stdout, "repository-version-not-rolled-back")).to.match(/^not applicable\s+repository-version-not-rolled-back\s+stack production \(environment production\) is not production.*checkout 2\.5\.0 was rolled back on/);
    });

    it("the stack loader refuses a rerelease without a real reason, naming the key", async () => {
        repo.write(STACK_FILE, edited(repo.read(STACK_FILE), [["      version: 2.4.1\n", "      version: 2.4.1\n      rerelease:\n        version: 2.4.1\n        reason: ok\n"]]));
        const run = await cli("check", "--service", "checkout");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/releasectl:services\.checkout\.rerelease\.reason = "ok": is not allowed: must be a sentence saying why releasing this version again is safe now/);
        repo.write(STACK_FILE, edited(repo.read(STACK_FILE), [["        reason: ok\n", "        reasn: the outage\n"]]));
        const typo = await cli("check", "--service", "checkout");
        expect(typo.code).to.equal(2);
        expect(typo.stderr).to.match(/rerelease\.reasn/);
    });

    it("evidence carried over from the previous release fails; evidence renewed (or recorded before the version bump) passes", async () => {
        expect((await cli("prepare", "checkout", "2.5.0", "--no-changelog")).code).to.equal(0);
        const stale = await cli("check", "--service", "checkout");
        expect(stale.code).to.equal(1);
        expect(line(stale.stdout, "repository-evidence-renewed")).to.match(/^failed/);
        expect(stale.stdout).to.include("checkout 2.5.0: evidence.ciRun (https://ci.example.com/shop/checkout/runs/8812) is the link checkout 2.4.1 was released with");
        // the scan and report name 2.4.1: the pack rules (pulumi preview too) say so
        expect(stale.stdout).to.include("names 2.4.1, the version this release replaces, not 2.5.0");
        expect(line(stale.stdout, "deployment-security-scan-recorded")).to.match(/^failed/);

        repo.write(STACK_FILE, evidenceFor(repo.read(STACK_FILE), "2.5.0", "9001"));
        const renewed = await cli("check", "--service", "checkout");
        expect(line(renewed.stdout, "repository-evidence-renewed")).to.match(/^passed/);
        expect(line(renewed.stdout, "deployment-security-scan-recorded")).to.match(/^passed/);

        // evidence committed for the coming release before its version is set counts as its own
        repo.git("checkout", "--", STACK_FILE);
        repo.commit("evidence for checkout 2.5.0", { [STACK_FILE]: evidenceFor(repo.read(STACK_FILE), "2.5.0", "9001") });
        await cli("prepare", "checkout", "2.5.0", "--no-changelog");
        const early = await cli("check", "--service", "checkout");
        expect(line(early.stdout, "repository-evidence-renewed")).to.match(/^passed/);
    });

    it("names a version only as a whole version", () => {
        expect(namesVersion("https://scan.example.com/reports/checkout-2.4.1", "2.4.1")).to.equal(true);
        expect(namesVersion("https://x/v2.4.1/report", "2.4.1")).to.equal(true);
        expect(namesVersion("https://x/?version=2.4.1.", "2.4.1")).to.equal(true);
        expect(namesVersion("https://x/checkout-2.4.10", "2.4.1")).to.equal(false);
        expect(namesVersion("https://x/checkout-12.4.1", "2.4.1")).to.equal(false);
        expect(namesVersion("https://x/checkout-2.4.1-rc.1", "2.4.1")).to.equal(false);
    });
});
