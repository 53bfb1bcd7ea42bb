import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { loadStack } from "../../config/load";
import { canaryObject, deploymentObject, FakeKubeApi } from "../helpers/fake-kube-api";
import { GitRepo } from "./git-fixture";
import { edited, PRODUCTION, PROJECT_YAML, storefrontPart } from "./project-fixture";
import { runCli } from "./run-cli";

const STAGING = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.staging.yaml"), "utf8");
const PROD_FILE = "Pulumi.production.yaml";
const STAGING_FILE = "Pulumi.staging.yaml";
const STAGING_NS = "shop-staging";
const STAGING_CONTEXT = "staging-eu-west-1";

/** The example staging stack with checkout at another version (previousVersion and the version-named lines follow). */
function stagingAt(version: string, previous: string, extra: [string, string][] = []): string {
    return edited(STAGING, [
        ["      version: 2.5.0\n      previousVersion: 2.4.1\n", `      version: ${version}\n      previousVersion: ${previous}\n`],
        ...extra,
    ]);
}

/** What promoting the example's staging checkout (2.5.0) writes into the example production stack. */
function promotedProduction(commit: string): string {
    return edited(PRODUCTION, [
        ["      version: 2.4.1\n      previousVersion: 2.4.0\n", `      version: 2.5.0\n      previousVersion: 2.4.1\n      promotedFrom:\n        stack: staging\n        commit: ${commit}\n        version: 2.5.0\n`],
        ['        downgradeCommand: ["/app/migrate", "down", "--to", "2.4.0"]\n', '        downgradeCommand: ["/app/migrate", "down", "--to", "2.4.1"]\n'],
        ['        backupCommand: ["/app/backup", "--label", "pre-2.4.1"]\n', '        backupCommand: ["/app/backup", "--label", "pre-2.5.0"]\n'],
        ["runs/8812", "runs/8840"],
        ["pull/412", "pull/418"],
        ["reports/checkout-2.4.1\n", "reports/checkout-2.5.0\n"],
        ["reports/checkout-2.4.1\n", "reports/checkout-2.5.0\n"],
    ]);
}

describe("releasectl promote", () => {
    let repo: GitRepo;
    let api: FakeKubeApi | undefined;
    beforeEach(() => {
        repo = GitRepo.create();
        repo.commit("the shop: production at checkout 2.4.1", { "Pulumi.yaml": PROJECT_YAML, [PROD_FILE]: PRODUCTION, [STAGING_FILE]: stagingAt("2.4.1", "2.4.0") });
    });
    afterEach(async () => {
        repo.remove();
        await api?.close();
        api = undefined;
    });

    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });
    const promote = (...args: string[]) => cli("promote", "checkout", "--from", "staging", "--to", "production", ...args);
    const releaseStaging = (text: string, message: string) => repo.commit(message, { [STAGING_FILE]: text });

    /** A fake cluster for staging whose Canary is in `phase` with the primary serving `primary`. */
    async function stagingCluster(phase: string, primary: string): Promise<void> {
        api = await FakeKubeApi.start();
        repo.env.KUBECONFIG = api.writeKubeconfig(repo.root, STAGING_CONTEXT);
        api.setCanary(STAGING_NS, "checkout", canaryObject({ name: "checkout", namespace: STAGING_NS, phase }));
        api.setDeployment(STAGING_NS, "checkout-primary", deploymentObject({ name: "checkout-primary", namespace: STAGING_NS, version: primary }));
        api.setDeployment(STAGING_NS, "checkout", deploymentObject({ name: "checkout", namespace: STAGING_NS, version: "2.5.0", replicas: 0 }));
    }

    it("copies staging's release into production byte for byte, recording stack and commit", async () => {
        const commit = releaseStaging(STAGING, "release checkout 2.5.0 on staging");
        const run = await promote("--no-cluster");
        expect(run.code, run.stderr).to.equal(0);
        const after = repo.read(PROD_FILE);
        expect(after).to.equal(promotedProduction(commit));
        expect(storefrontPart(after)).to.equal(storefrontPart(PRODUCTION));
        // production's own settings stay: replicas, canary, the migration's database secret
        const config = loadStack(repo.dir, "production");
        const checkout = config.services.find((s) => s.name === "checkout")!;
        expect(checkout).to.deep.include({ version: "2.5.0", previousVersion: "2.4.1", promotedFrom: { stack: "staging", commit, version: "2.5.0" } });
        expect(checkout.replicas).to.deep.include({ min: 3, max: 12 });
        expect(checkout.canary).to.deep.include({ threshold: 5, stepWeight: 10 });
        expect(checkout.migration!.databaseUrl.ciphertext).to.match(/^v1:XPv0EJ7EtJZBRJOT:/);
        expect(run.stdout).to.include("promote checkout 2.4.1 → 2.5.0 in Pulumi.production.yaml: the release staging made at");
        expect(run.stdout).to.include(`promotedFrom.commit: (unset) → ${commit}`);
        expect(run.stdout).to.include('next: releasectl check --stack production; git commit -m "promote checkout 2.5.0 from staging" Pulumi.production.yaml; pulumi up --stack production');
    });

    it("writes nothing with --dry-run and prints the diff", async () => {
        releaseStaging(STAGING, "release checkout 2.5.0 on staging");
        const run = await promote("--no-cluster", "--dry-run");
        expect(run.code, run.stderr).to.equal(0);
        expect(repo.read(PROD_FILE)).to.equal(PRODUCTION);
        expect(run.stdout).to.include("+      version: 2.5.0\n").and.include("(dry run: nothing written)");
    });

    it("copies a pinned digest and removes one the source does not pin", async () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        releaseStaging(edited(STAGING, [["      image: registry.example.com/shop/checkout\n      version: 2.5.0\n", `      image: registry.example.com/shop/checkout\n      imageDigest: ${digest}\n      version: 2.5.0\n`]]), "release 2.5.0 pinned");
        expect((await promote("--no-cluster")).code).to.equal(0);
        expect(repo.read(PROD_FILE)).to.include(`      image: registry.example.com/shop/checkout\n      imageDigest: ${digest}\n      version: 2.5.0\n`);
        expect(loadStack(repo.dir, "production").services[0].image.digest).to.equal(digest);
    });

    it("asks staging's cluster and says its Canary Succeeded", async () => {
        releaseStaging(STAGING, "release checkout 2.5.0 on staging");
        await stagingCluster("Succeeded", "2.5.0");
        const run = await promote();
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/Canary checkout in context staging-eu-west-1 \(http:\/\/127\.0\.0\.1:\d+\) \(staging\): Succeeded, primary serves 2\.5\.0/);
    });

    it("says so, and goes on from the git history, when staging's cluster cannot be reached", async () => {
        releaseStaging(STAGING, "release checkout 2.5.0 on staging");
        const run = await promote();
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.include("cluster of staging not reachable, its Canary was not checked (no kubeconfig");
    });

    describe("refuses, with exit 2 and the reason, writing nothing", () => {
        const refused = async (args: string[], reason: RegExp) => {
            const run = await promote(...args);
            expect(run.code, run.stdout).to.equal(2);
            expect(run.stderr).to.match(reason);
            expect(repo.read(PROD_FILE)).to.equal(PRODUCTION);
            return run;
        };

        it("a version staging has only uncommitted (never released)", async () => {
            repo.write(STAGING_FILE, STAGING);
            await refused(["--no-cluster"], /checkout 2\.5\.0 was never released on staging: Pulumi\.staging\.yaml has it uncommitted \(the last release there is 2\.4\.1/);
        });

        it("a --version staging never ran", async () => {
            releaseStaging(STAGING, "release checkout 2.5.0 on staging");
            await refused(["--no-cluster", "--version", "2.4.9"], /checkout 2\.4\.9 was never released on staging \(its releases there: 2\.4\.1, 2\.5\.0\)/);
        });

        it("a release staging rolled back", async () => {
            releaseStaging(STAGING, "release checkout 2.5.0 on staging");
            releaseStaging(stagingAt("2.4.1", "2.5.0", [["      previousVersion: 2.5.0\n", "      previousVersion: 2.5.0\n      rollback: true\n"]]), "rollback checkout to 2.4.1");
            await refused(["--no-cluster"], /staging runs a rollback of checkout \(to 2\.4\.1 from 2\.5\.0/);
            await refused(["--no-cluster", "--version", "2.5.0"], /checkout 2\.5\.0 did not succeed on staging: it was rolled back to 2\.4\.1 \(\w{7}, [\d-]+: rollback checkout to 2\.4\.1\)/);
        });

        it("a release reverted with git revert on staging", async () => {
            const release = releaseStaging(STAGING, "release checkout 2.5.0 on staging");
            repo.git("revert", "--no-edit", release);
            releaseStaging(stagingAt("2.5.1", "2.4.1"), "release checkout 2.5.1 on staging");
            await refused(["--no-cluster", "--version", "2.5.0"], /checkout 2\.5\.0 did not succeed on staging: it was reverted to 2\.4\.1 \(\w{7}, [\d-]+: Revert "release checkout 2\.5\.0 on staging"\)/);
        });

        it("a release whose Canary on staging is not Succeeded", async () => {
            releaseStaging(STAGING, "release checkout 2.5.0 on staging");
            await stagingCluster("Failed", "2.4.1");
            await refused([], /checkout 2\.5\.0 did not succeed on staging: its Canary in context staging-eu-west-1 .* is Failed and the primary serves 2\.4\.1/);
        });

        it("a version older than production's, or the same", async () => {
            repo.commit("production at 2.6.0", { [PROD_FILE]: edited(PRODUCTION, [["      version: 2.4.1\n      previousVersion: 2.4.0\n", "      version: 2.6.0\n      previousVersion: 2.4.1\n"]]) });
            releaseStaging(STAGING, "release checkout 2.5.0 on staging");
            const before = repo.read(PROD_FILE);
            const run = await promote("--no-cluster");
            expect(run.code).to.equal(2);
            expect(run.stderr).to.include("checkout 2.5.0 on staging is older than 2.6.0, which production runs; promotion only moves forward");
            expect(repo.read(PROD_FILE)).to.equal(before);
            const same = await promote("--no-cluster", "--version", "2.4.1");
            expect(same.stderr).to.include("older than 2.6.0");
        });

        it("production running the version already", async () => {
            await refused(["--no-cluster"], /production runs checkout 2\.4\.1 already; nothing to promote/);
        });

        it("a migration production has not run in order", async () => {
            // 2.4.2 ran a migration of its own on staging (a new command), 2.5.0 another
            releaseStaging(stagingAt("2.4.2", "2.4.1", [['        command: ["/app/migrate", "up"]\n', '        command: ["/app/migrate", "up", "--to", "2.4.2"]\n']]), "release checkout 2.4.2 on staging");
            releaseStaging(stagingAt("2.5.0", "2.4.2", [['        command: ["/app/migrate", "up"]\n', '        command: ["/app/migrate", "up", "--to", "2.5.0"]\n']]), "release checkout 2.5.0 on staging");
            await refused(["--no-cluster"], /checkout 2\.5\.0 would skip a migration: on staging, 2\.4\.2 \(.*\) ran its own expand migration before 2\.5\.0, and production \(at 2\.4\.1\) has not run it; promote in order: releasectl promote checkout --from staging --to production --version 2\.4\.2 first/);
            // in order it goes
            expect((await promote("--no-cluster", "--version", "2.4.2")).code).to.equal(0);
            repo.commit("promote 2.4.2", { [PROD_FILE]: repo.read(PROD_FILE) });
            expect((await promote("--no-cluster")).code).to.equal(0);
            expect(repo.read(PROD_FILE)).to.include('        command: ["/app/migrate", "up", "--to", "2.5.0"]\n');
        });

        it("a migration staging declares and production does not", async () => {
            const noMigration = (text: string) => text.replace(/      migration:\n(?: {8}.*\n| {10}.*\n)+/, "");
            repo.commit("production checkout without migration", { [PROD_FILE]: noMigration(PRODUCTION) });
            releaseStaging(STAGING, "release checkout 2.5.0 on staging");
            const before = repo.read(PROD_FILE);
            const run = await promote("--no-cluster");
            expect(run.code).to.equal(2);
            expect(run.stderr).to.include("checkout 2.5.0 ships a migration on staging, and Pulumi.production.yaml declares none for checkout");
            expect(repo.read(PROD_FILE)).to.equal(before);
        });

        it("the same stack as source and target, or a missing --to", async () => {
            const same = await cli("promote", "checkout", "--from", "staging", "--to", "staging");
            expect(same.code).to.equal(2);
            expect(same.stderr).to.include("--from and --to name the same stack (staging)");
            const missing = await cli("promote", "checkout", "--from", "staging");
            expect(missing.code).to.equal(2);
            expect(missing.stderr).to.include("--to is required");
        });
    });

    it("ship --from staging plans the promotion as its prepare step, changing nothing on --dry-run", async () => {
        repo.commit("the policy pack", { "policies/PulumiPolicy.yaml": "runtime: nodejs\n" });
        const commit = releaseStaging(STAGING, "release checkout 2.5.0 on staging");
        const run = await cli("ship", "checkout", "--from", "staging", "--stack", "production", "--no-cluster", "--dry-run");
        expect(run.stdout, run.stderr).to.match(/^plan: release checkout 2\.4\.1 → 2\.5\.0 to stack production/);
        expect(run.stdout).to.include(`promoted from staging (its release ${commit.slice(0, 7)}`);
        // The version came from the promotion, not from commits: the plan says so, not "auto".
        expect(run.stdout).to.match(/^version: from stack staging → 2\.5\.0: /m);
        expect(run.stdout).to.include("$ git commit -m 'release checkout 2.5.0 (promoted from staging)' -- Pulumi.production.yaml CHANGELOG.md\n");
        expect(repo.read(PROD_FILE)).to.equal(PRODUCTION);
        const refused = await cli("ship", "checkout", "--from", "staging", "--stack", "production", "--no-cluster", "--version", "2.4.0");
        expect(refused.code).to.equal(2);
        const backedOut = await cli("ship", "checkout", "2.4.0", "--from", "staging", "--stack", "production", "--no-cluster", "--dry-run");
        expect(backedOut.code).to.equal(2);
        expect(backedOut.stderr).to.include("checkout 2.4.0 was never released on staging");
    });

    it("prepare drops provenance written for another version", async () => {
        const commit = releaseStaging(STAGING, "release checkout 2.5.0 on staging");
        expect((await promote("--no-cluster")).code).to.equal(0);
        repo.commit("promote checkout 2.5.0 from staging", { [PROD_FILE]: repo.read(PROD_FILE) });
        expect(repo.read(PROD_FILE)).to.include(commit);
        expect((await cli("prepare", "checkout", "2.5.1", "--stack", "production", "--no-changelog")).code).to.equal(0);
        expect(repo.read(PROD_FILE)).not.to.include("promotedFrom");
    });
});
