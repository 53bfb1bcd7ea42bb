import { expect } from "chai";
import { GitRepo } from "./git-fixture";
import { edited, PRODUCTION, PROJECT_YAML, STACK_FILE } from "./project-fixture";
import { runCli } from "./run-cli";

const HOUR = 3600;
const DAY = 24 * HOUR;

/** The example stack with each service's code in its own folder, at the given versions. */
function stack(checkout: string, checkoutPrev: string, storefront: string, storefrontPrev: string, opts: { rollback?: boolean } = {}): string {
    return edited(PRODUCTION, [
        ["      image: registry.example.com/shop/checkout\n", "      image: registry.example.com/shop/checkout\n      commits:\n        path: services/checkout\n"],
        ["      image: registry.example.com/shop/storefront\n", "      image: registry.example.com/shop/storefront\n      commits:\n        path: services/storefront\n"],
        ["      version: 2.4.1\n      previousVersion: 2.4.0\n", `      version: ${checkout}\n      previousVersion: ${checkoutPrev}\n${opts.rollback ? "      rollback: true\n" : ""}`],
        ["      version: 1.12.0\n      previousVersion: 1.11.3\n", `      version: ${storefront}\n      previousVersion: ${storefrontPrev}\n`],
    ]);
}

interface Row {
    stack: string;
    service: string | null;
    deploymentFrequency: { releases: number; perWeek: number; weekly: number[] };
    leadTimeSeconds: { median: number | null; p90: number | null; samples: number };
    changeFailureRate: { failed: number; releases: number; rate: number | null };
    timeToRestoreSeconds: { median: number | null; samples: number };
    rollbacks: number;
}

/**
 * A month of one production stack, every date known (UTC); the window is 2026-03-01 to
 * 2026-03-29, four weeks from Sunday 1 March.
 *
 *   02-20 00:00  first release: checkout 2.4.1, storefront 1.12.0 (before the window; no lead time)
 *   03-02 09:00  code services/checkout/a
 *   03-03 09:00  code services/checkout/b
 *   03-04 09:00  release checkout 2.5.0        lead 03-02 09:00 → 48h          week 1
 *   03-04 10:30  rollback checkout to 2.4.1    (rollback: true) restores 2.5.0 after 1h30
 *   03-09 08:00  code services/checkout/c
 *   03-10 08:00  release checkout 2.5.1        lead 03-09 08:00 → 24h (a, b belong to 2.5.0)  week 2
 *   03-12 12:00  code services/storefront/x
 *   03-16 12:00  release storefront 1.13.0     lead 03-12 12:00 → 4d           week 3
 *   03-17 12:00  code services/checkout/d
 *   03-18 00:00  release checkout 2.6.0        lead 03-17 12:00 → 12h          week 3
 *   03-18 06:00  git revert of 2.6.0           restores 2.6.0 after 6h
 *   03-25 00:00  release storefront 1.13.1     configuration only: no lead time  week 4
 *   03-30 00:00  release checkout 2.6.1        after the window: not counted
 */
describe("releasectl metrics", () => {
    let repo: GitRepo;
    before(() => {
        repo = GitRepo.create();
        const at = (date: string) => repo.at(date);
        const code = (date: string, file: string) => at(date).commit(`feat: ${file}`, { [file]: `${file}\n` });
        const release = (date: string, message: string, text: string) => at(date).commit(message, { [STACK_FILE]: text });
        at("2026-02-20T00:00:00Z").commit("first release", { "Pulumi.yaml": PROJECT_YAML, [STACK_FILE]: stack("2.4.1", "2.4.0", "1.12.0", "1.11.3") });
        code("2026-03-02T09:00:00Z", "services/checkout/a");
        code("2026-03-03T09:00:00Z", "services/checkout/b");
        release("2026-03-04T09:00:00Z", "release checkout 2.5.0", stack("2.5.0", "2.4.1", "1.12.0", "1.11.3"));
        release("2026-03-04T10:30:00Z", "rollback checkout to 2.4.1", stack("2.4.1", "2.5.0", "1.12.0", "1.11.3", { rollback: true }));
        code("2026-03-09T08:00:00Z", "services/checkout/c");
        release("2026-03-10T08:00:00Z", "release checkout 2.5.1", stack("2.5.1", "2.4.1", "1.12.0", "1.11.3"));
        code("2026-03-12T12:00:00Z", "services/storefront/x");
        release("2026-03-16T12:00:00Z", "release storefront 1.13.0", stack("2.5.1", "2.4.1", "1.13.0", "1.12.0"));
        code("2026-03-17T12:00:00Z", "services/checkout/d");
        const bad = release("2026-03-18T00:00:00Z", "release checkout 2.6.0", stack("2.6.0", "2.5.1", "1.13.0", "1.12.0"));
        // git() commits at the clock, which at() sets a minute before the next commit() it names
        at("2026-03-18T06:01:00Z").git("revert", "--no-edit", bad);
        release("2026-03-25T00:00:00Z", "release storefront 1.13.1", stack("2.5.1", "2.4.1", "1.13.1", "1.13.0"));
        release("2026-03-30T00:00:00Z", "release checkout 2.6.1", stack("2.6.1", "2.5.1", "1.13.1", "1.13.0"));
    });
    after(() => repo.remove());

    const cli = (...args: string[]) => runCli(["metrics", "--since", "2026-03-01", "--until", "2026-03-29", ...args], { cwd: repo.dir, env: repo.env });
    const rows = async (...args: string[]): Promise<Row[]> => {
        const run = await cli("--json", ...args);
        expect(run.code, run.stderr).to.equal(0);
        return (JSON.parse(run.stdout) as { rows: Row[] }).rows;
    };

    it("computes checkout's four keys as counted by hand", async () => {
        const checkout = (await rows()).find((r) => r.service === "checkout")!;
        // 2.5.0, 2.5.1, 2.6.0 in four weeks; the rollback and the revert are not releases
        expect(checkout.deploymentFrequency).to.deep.equal({ releases: 3, perWeek: 0.75, weekly: [1, 1, 1, 0] });
        // lead times 48h, 24h, 12h: median 24h; p90 by nearest rank: ceil(0.9 × 3) = 3rd = 48h
        expect(checkout.leadTimeSeconds).to.deep.equal({ median: DAY, p90: 2 * DAY, samples: 3 });
        // 2.5.0 (rolled back) and 2.6.0 (reverted) of three
        expect(checkout.changeFailureRate).to.deep.equal({ failed: 2, releases: 3, rate: 0.6667 });
        // restores after 1h30 and 6h: median (5400 + 21600) / 2
        expect(checkout.timeToRestoreSeconds).to.deep.equal({ median: 13500, samples: 2 });
        expect(checkout.rollbacks).to.equal(2);
    });

    it("computes storefront's, leaving out a configuration-only release's lead time", async () => {
        const storefront = (await rows()).find((r) => r.service === "storefront")!;
        expect(storefront.deploymentFrequency).to.deep.equal({ releases: 2, perWeek: 0.5, weekly: [0, 0, 1, 1] });
        expect(storefront.leadTimeSeconds).to.deep.equal({ median: 4 * DAY, p90: 4 * DAY, samples: 1 });
        expect(storefront.changeFailureRate).to.deep.equal({ failed: 0, releases: 2, rate: 0 });
        expect(storefront.timeToRestoreSeconds).to.deep.equal({ median: null, samples: 0 });
    });

    it("computes the stack's keys over every service's samples", async () => {
        const all = (await rows()).find((r) => r.service === null)!;
        expect(all.stack).to.equal("production");
        expect(all.deploymentFrequency).to.deep.equal({ releases: 5, perWeek: 1.25, weekly: [1, 1, 2, 1] });
        // 12h, 24h, 48h, 4d: median (24h + 48h) / 2 = 36h; p90: ceil(3.6) = 4th = 4d
        expect(all.leadTimeSeconds).to.deep.equal({ median: 36 * HOUR, p90: 4 * DAY, samples: 4 });
        expect(all.changeFailureRate).to.deep.equal({ failed: 2, releases: 5, rate: 0.4 });
        expect(all.timeToRestoreSeconds).to.deep.equal({ median: 13500, samples: 2 });
    });

    it("prints a table with a weekly sparkline", async () => {
        const run = await cli("--stack", "production");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^DORA keys from the stack files' git history, 2026-03-01 to 2026-03-29 \(4 weeks; /);
        expect(run.stdout).to.match(/\nproduction\s+checkout\s+3\s+0\.75\s+1d \/ 2d\s+67% \(2\/3\)\s+3h 45m\s+2\s+███·\n/);
        expect(run.stdout).to.match(/\nproduction\s+storefront\s+2\s+0\.50\s+4d \/ 4d\s+0% \(0\/2\)\s+–\s+0\s+··██\n/);
        expect(run.stdout).to.match(/\nproduction\s+\(all\)\s+5\s+1\.25\s+1d 12h \/ 4d\s+40% \(2\/5\)\s+3h 45m\s+2\s+▄▄█▄\n/);
    });

    it("writes CSV, one row per service and one per stack", async () => {
        const run = await cli("--format", "csv", "checkout");
        expect(run.stdout).to.equal(
            "stack,service,releases,per_week,lead_time_median_s,lead_time_p90_s,lead_time_samples,failed,change_failure_rate,time_to_restore_median_s,restores,rollbacks,weekly\n" +
                "production,checkout,3,0.75,86400,172800,3,2,0.6667,13500,2,2,1 1 1 0\n" +
                "production,*,3,0.75,86400,172800,3,2,0.6667,13500,2,2,1 1 1 0\n",
        );
    });

    it("narrows the window with --since as a length back from --until", async () => {
        // 14d back from 03-29: 03-15 on: storefront 1.13.0, checkout 2.6.0 (reverted), storefront 1.13.1
        const run = await runCli(["metrics", "--json", "--since", "14d", "--until", "2026-03-29"], { cwd: repo.dir, env: repo.env });
        const all = (JSON.parse(run.stdout) as { rows: Row[] }).rows.find((r) => r.service === null)!;
        expect(all.deploymentFrequency).to.deep.equal({ releases: 3, perWeek: 1.5, weekly: [2, 1] });
        expect(all.changeFailureRate).to.deep.equal({ failed: 1, releases: 3, rate: 0.3333 });
        expect(all.timeToRestoreSeconds.median).to.equal(6 * HOUR);
    });

    it("refuses a bad window and an unknown service with exit 2", async () => {
        const bad = await runCli(["metrics", "--since", "last month"], { cwd: repo.dir, env: repo.env });
        expect(bad.code).to.equal(2);
        expect(bad.stderr).to.include('--since "last month": not a window; use a length back from now (90d, 12w, 36h) or a date');
        const unknown = await cli("chekout");
        expect(unknown.code).to.equal(2);
        expect(unknown.stderr).to.include('no service "chekout"').and.include("(did you mean checkout?)");
    });

    it("explains each derivation and the blind spots in --help", async () => {
        const run = await runCli(["metrics", "--help"], { cwd: repo.dir, env: repo.env });
        for (const text of ["deployment", "lead time", "change failure", "time to restore", "Where git cannot know", "hotfix"]) expect(run.stdout).to.include(text);
    });
});
