import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { GitRepo } from "./git-fixture";
import { checkoutAt, edited, PRODUCTION, PROJECT_YAML, projectRepo, STACK_FILE, storefrontPart } from "./project-fixture";
import { runCli } from "./run-cli";

const DOWNGRADE_LINE = '        downgradeCommand: ["/app/migrate", "down", "--to", "2.4.0"]\n';

/** The example stack with checkout at `version` and its migration declared as given. */
function release(version: string, previous: string, migration: { phase?: "expand" | "contract"; downgradeTo?: string | null } = {}): string {
    let text = checkoutAt(version, previous);
    if (migration.downgradeTo !== undefined) {
        const line = migration.downgradeTo === null ? "" : `        downgradeCommand: ["/app/migrate", "down", "--to", "${migration.downgradeTo}"]\n`;
        text = edited(text, [[DOWNGRADE_LINE, line]]);
    }
    if (migration.phase !== undefined) text = edited(text, [["        phase: expand\n", `        phase: ${migration.phase}\n`]]);
    return text;
}

/** Adds `rollback: true` after checkout's previousVersion, as a rollback writes it. */
function markedRollback(text: string, previous: string): string {
    return edited(text, [[`      previousVersion: ${previous}\n`, `      previousVersion: ${previous}\n      rollback: true\n`]]);
}

describe("releasectl rollback", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = projectRepo(); // checkout 2.4.1, as in the example stack
    });
    afterEach(() => repo.remove());

    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });
    const ship = (text: string, message: string) => repo.commit(message, { [STACK_FILE]: text });

    it("brings back, after prepare, the service's part byte for byte with comments and secure values", async () => {
        expect((await cli("prepare", "checkout", "2.4.2")).code).to.equal(0);
        repo.commit("release checkout 2.4.2", { [STACK_FILE]: repo.read(STACK_FILE) });
        const run = await cli("rollback", "checkout");
        expect(run.code, run.stderr).to.equal(0);
        expect(repo.read(STACK_FILE)).to.equal(markedRollback(checkoutAt("2.4.1", "2.4.2"), "2.4.2"));
    });

    it("prints what changed and the command to run next", async () => {
        ship(release("2.4.2", "2.4.1"), "release 2.4.2");
        const run = await cli("rollback", "checkout");
        expect(run.stdout).to.include("rollback checkout 2.4.2 → 2.4.1 in Pulumi.production.yaml: restoring the configuration of 2.4.1 (");
        expect(run.stdout).to.include("changes to checkout:\n  version: 2.4.2 → 2.4.1\n  previousVersion: 2.4.1 → 2.4.2\n  rollback: (unset) → true\n");
        expect(run.stdout).to.match(/\nnext: git commit -m "rollback checkout to 2\.4\.1" Pulumi\.production\.yaml && pulumi up --stack production/);
    });

    it("restores the whole service configuration of the target, comments included", async () => {
        const tuned = edited(release("2.4.2", "2.4.1"), [
            ["        threshold: 5\n", "        threshold: 2\n"],
            ["    # Checkout owns the orders schema: every release ships a migration Job first.\n", "    # Checkout owns the orders schema: every release ships a migration Job first.\n"],
            ["        successRateMin: 99\n", ""],
        ]);
        ship(tuned, "release 2.4.2 with a tighter canary");
        await cli("rollback", "checkout");
        expect(repo.read(STACK_FILE)).to.equal(markedRollback(checkoutAt("2.4.1", "2.4.2"), "2.4.2"));
    });

    it("keeps the current secure value when the target's differs, and restores it with --include-secrets", async () => {
        const rotated = edited(release("2.4.2", "2.4.1"), [["EShCy/Aty7M8j9wIO23i0pXMKJprdMVhm", "ROTATED7M8j9wIO23i0pXMKJprdMVhm"]]);
        ship(rotated, "release 2.4.2, rotated database password");
        const kept = await cli("rollback", "checkout", "--dry-run");
        expect(kept.stdout).to.include("migration.databaseUrl: kept the current secret");
        expect((await cli("rollback", "checkout")).code).to.equal(0);
        expect(repo.read(STACK_FILE)).to.include("ROTATED7M8j9wIO23i0pXMKJprdMVhm");
        repo.git("checkout", "--", STACK_FILE);
        expect((await cli("rollback", "checkout", "--include-secrets")).code).to.equal(0);
        expect(repo.read(STACK_FILE)).to.equal(markedRollback(checkoutAt("2.4.1", "2.4.2"), "2.4.2"));
    });

    it("leaves the other services and the rest of the file byte for byte", async () => {
        ship(release("2.4.2", "2.4.1"), "release 2.4.2");
        await cli("rollback", "checkout");
        const after = repo.read(STACK_FILE);
        expect(storefrontPart(after)).to.equal(storefrontPart(PRODUCTION));
        expect(after.slice(0, after.indexOf("    checkout:"))).to.equal(PRODUCTION.slice(0, PRODUCTION.indexOf("    checkout:")));
    });

    it("rolls back to an older release with --to", async () => {
        ship(release("2.4.2", "2.4.1"), "release 2.4.2");
        ship(release("2.5.0", "2.4.2", { downgradeTo: "2.4.2" }), "release 2.5.0");
        const run = await cli("rollback", "checkout", "--to", "2.4.1");
        expect(run.code, run.stderr).to.equal(0);
        expect(repo.read(STACK_FILE)).to.equal(markedRollback(checkoutAt("2.4.1", "2.5.0"), "2.5.0"));
    });

    it("goes further back when rolling back a rollback, never forward to the bad version", async () => {
        repo.commit("release checkout 2.4.0", { [STACK_FILE]: release("2.4.0", "2.3.9") });
        ship(release("2.4.1", "2.4.0"), "release 2.4.1");
        ship(release("2.4.2", "2.4.1"), "release 2.4.2");
        ship(markedRollback(release("2.4.1", "2.4.2"), "2.4.2"), "rollback checkout to 2.4.1");
        const run = await cli("rollback", "checkout", "--dry-run");
        expect(run.stdout).to.match(/^rollback checkout 2\.4\.1 → 2\.4\.0/);
    });

    it("refuses a target that never shipped, listing the versions that did", async () => {
        ship(release("2.4.2", "2.4.1"), "release 2.4.2");
        const run = await cli("rollback", "checkout", "--to", "2.3.0");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.equal(
            "releasectl rollback: --to 2.3.0: checkout 2.3.0 never shipped in stack production (no commit of Pulumi.production.yaml set it); versions that shipped: 2.4.2, 2.4.1\n",
        );
    });

    it("refuses a target newer than the current release", async () => {
        ship(release("2.4.2", "2.4.1"), "release 2.4.2");
        ship(markedRollback(release("2.4.1", "2.4.2"), "2.4.2"), "rollback");
        const run = await cli("rollback", "checkout", "--to", "2.4.2");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/newer than the current 2\.4\.1; a rollback only goes back\. To release 2\.4\.2 again: releasectl prepare checkout 2\.4\.2/);
    });

    it("refuses to roll back across a contract migration without a downgrade, naming it and the fix, and changes nothing", async () => {
        ship(release("2.5.0", "2.4.1", { phase: "contract", downgradeTo: null }), "release 2.5.0: drop orders.legacy_total");
        const current = release("2.6.0", "2.5.0", { downgradeTo: "2.5.0" });
        ship(current, "release 2.6.0");
        const run = await cli("rollback", "checkout", "--to", "2.4.1");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(
            /refusing to roll checkout back from 2\.6\.0 to 2\.4\.1: release 2\.5\.0 \([0-9a-f]{7}\) ran a contract migration without a downgradeCommand, so the schema 2\.4\.1 needs is gone\. Fix: roll back no further than 2\.5\.0: releasectl rollback checkout --to 2\.5\.0 --stack production; or roll forward/,
        );
        expect(repo.read(STACK_FILE)).to.equal(current);
    });

    it("rolls back across contract migrations with downgrades, listing them newest first before pulumi up", async () => {
        ship(release("2.5.0", "2.4.1", { phase: "contract", downgradeTo: "2.4.1" }), "release 2.5.0");
        ship(release("2.6.0", "2.5.0", { phase: "contract", downgradeTo: "2.5.0" }), "release 2.6.0");
        const run = await cli("rollback", "checkout", "--to", "2.4.1");
        expect(run.code, run.stderr).to.equal(0);
        const steps = run.stdout.split("\n");
        const first = steps.findIndex((l) => l.includes("1. undo 2.6.0 (contract"));
        const second = steps.findIndex((l) => l.includes("2. undo 2.5.0 (contract"));
        const next = steps.findIndex((l) => l.includes("pulumi up --stack production"));
        expect(steps[first]).to.include("/app/migrate down --to 2.5.0   [image registry.example.com/shop/checkout:2.6.0]");
        expect(steps[second]).to.include("/app/migrate down --to 2.4.1");
        expect(first).to.be.greaterThan(0);
        expect(second).to.be.greaterThan(first);
        expect(next).to.be.greaterThan(second);
        expect(steps[next]).to.match(/run the downgrades above, then git commit/);
    });

    it("keeps the newer schema across an expand migration and says so", async () => {
        ship(release("2.5.0", "2.4.1", { downgradeTo: "2.4.1" }), "release 2.5.0");
        const run = await cli("rollback", "checkout");
        expect(run.stdout).to.include("schema: 2.5.0 ran an expand migration: its schema stays (2.4.1 works with it); no downgrade runs");
        expect(run.stdout).to.not.match(/\d\. undo/);
    });

    it("does not run a contract downgrade that a later release only carried over", async () => {
        ship(release("2.5.0", "2.4.1", { phase: "contract", downgradeTo: "2.4.1" }), "release 2.5.0");
        ship(release("2.5.1", "2.5.0", { phase: "contract", downgradeTo: "2.4.1" }), "release 2.5.1 (migration block unchanged)");
        const run = await cli("rollback", "checkout");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.include("schema: 2.5.1 declares the same migration as 2.5.0 (carried over unchanged)");
        expect(run.stdout).to.not.match(/\d\. undo/);
    });

    it("asks for the downgrade of a contract migration committed before its version bump", async () => {
        ship(release("2.4.1", "2.4.0", { phase: "contract", downgradeTo: "2.4.1" }), "stage the 2.5.0 migration: drop orders.legacy_total");
        ship(release("2.5.0", "2.4.1", { phase: "contract", downgradeTo: "2.4.1" }), "release 2.5.0");
        const run = await cli("rollback", "checkout");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.include("1. undo 2.5.0 (contract");
        expect(run.stdout).to.include("/app/migrate down --to 2.4.1");
    });

    it("does not ask again for a downgrade an earlier rollback already crossed", async () => {
        repo.commit("release checkout 2.4.0", { [STACK_FILE]: release("2.4.0", "2.3.9") });
        ship(release("2.4.1", "2.4.0"), "release 2.4.1");
        ship(release("2.5.0", "2.4.1", { phase: "contract", downgradeTo: "2.4.1" }), "release 2.5.0");
        ship(markedRollback(release("2.4.1", "2.5.0"), "2.5.0"), "rollback checkout to 2.4.1 (downgrade run)");
        const run = await cli("rollback", "checkout", "--to", "2.4.0");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.not.include("undo 2.5.0");
    });

    it("refuses uncommitted changes to the stack file and changes nothing", async () => {
        ship(release("2.4.2", "2.4.1"), "release 2.4.2");
        const dirty = `${release("2.4.2", "2.4.1")}# work in progress\n`;
        repo.write(STACK_FILE, dirty);
        const run = await cli("rollback", "checkout");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/Pulumi\.production\.yaml: has uncommitted changes; commit them/);
        expect(repo.read(STACK_FILE)).to.equal(dirty);
    });

    it("refuses a project that is not in a git repository", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-nogit-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROJECT_YAML);
            fs.writeFileSync(path.join(dir, STACK_FILE), PRODUCTION);
            const run = await runCli(["rollback", "checkout"], { cwd: dir, env: { ...repo.env, GIT_CEILING_DIRECTORIES: path.dirname(dir) } });
            expect(run.code).to.equal(2);
            expect(run.stderr).to.match(/not a git repository/);
            expect(fs.readFileSync(path.join(dir, STACK_FILE), "utf8")).to.equal(PRODUCTION);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses when there is no earlier release", async () => {
        const run = await cli("rollback", "checkout");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/checkout has no release before 2\.4\.1 in its git history/);
    });

    it("prints the plan and the file diff with --dry-run and writes nothing", async () => {
        const current = release("2.4.2", "2.4.1");
        ship(current, "release 2.4.2");
        const run = await cli("rollback", "checkout", "--dry-run");
        expect(run.stdout).to.include("(dry run: nothing written)");
        expect(run.stdout).to.include("+      rollback: true\n");
        expect(repo.read(STACK_FILE)).to.equal(current);
    });

    it("writes a file the Canary reads as a rollback: render shows skipAnalysis", async () => {
        ship(release("2.4.2", "2.4.1"), "release 2.4.2");
        await cli("rollback", "checkout");
        expect(parse(repo.read(STACK_FILE)).config["releasectl:services"].checkout.rollback).to.equal(true);
        const rendered = await cli("render", "--service", "checkout");
        expect(rendered.stdout).to.include("skipAnalysis: true");
    });
});
