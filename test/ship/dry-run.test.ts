import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { signalsFor } from "../../cli/ship/prometheus";
import { RELEASE_STEPS } from "../../cli/ship/steps";
import { loadStack } from "../../config/load";
import { FakeKubeApi } from "../helpers/fake-kube-api";
import { runCli } from "../cli/run-cli";
import { makeWorld, PRODUCTION, Webhook, World } from "./fixture";

describe("releasectl ship --dry-run", function () {
    this.timeout(30_000);
    let api: FakeKubeApi;
    let hook: Webhook;
    let world: World;

    before(async () => {
        api = await FakeKubeApi.start();
        hook = await Webhook.start();
    });
    after(async () => {
        await api.close();
        await hook.close();
    });
    beforeEach(() => {
        world = makeWorld({ api, hook });
    });
    afterEach(() => world.remove());

    /** Nothing written, committed or run: only reading. */
    const expectUntouched = (w: World, head: string) => {
        expect(w.calls()).to.deep.equal([]);
        expect(api.requests).to.deep.equal([]);
        expect(hook.received).to.deep.equal([]);
        expect(w.repo.head()).to.equal(head);
        expect(w.repo.git("status", "--porcelain", "--untracked-files=all")).to.equal("");
        expect(w.stackFile()).to.equal(PRODUCTION);
        expect(fs.readdirSync(path.join(w.repo.dir, ".git")).filter((f) => f.includes("lock"))).to.deep.equal([]);
    };

    it("prints every command, query and time limit of the release and changes nothing", async () => {
        const head = world.repo.head();
        const run = await world.ship("checkout", "auto", "--dry-run");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^plan: release checkout 2\.4\.1 → 2\.5\.0 to stack production \(namespace shop, kube context prod-eu-west-1\)\n/);
        expect(run.stdout).to.match(/^version: auto → 2\.5\.0: minor: feat commit [0-9a-f]{7} "feat: one-page checkout" \(1 commit: 1 feat\) \(since tag checkout-v2\.4\.1\)$/m);
        expect(run.stdout).to.include("now: passes (34 passed, 0 failed, 1 advisory, 3 not applicable)");
        // prepare writes the changelog entry too (as releasectl prepare), committed with the stack file
        expect(run.stdout).to.include("$ git commit -m 'release checkout 2.5.0' -- Pulumi.production.yaml CHANGELOG.md\n");
        const feat = world.repo.git("rev-parse", "--short=7", "HEAD").trim();
        expect(run.stdout).to.match(new RegExp(`\n {14}CHANGELOG\\.md: would be created with the entry:\n {16}## checkout 2\\.5\\.0 \\(\\d{4}-\\d\\d-\\d\\d\\)\n {16}### Features\n {16}- one-page checkout \\(${feat}\\)\n {14}and commit those files alone`));
        expect(run.stdout).to.include("restores Pulumi.production.yaml and CHANGELOG.md byte for byte");
        // the tag's message: the notes of checkout's own commits
        const at = " ".repeat(16);
        expect(run.stdout).to.include(`with the message:\n${at}release checkout-v2.5.0\n\n${at}Changes since checkout-v2.4.1:\n\n${at}Features:\n${at}- one-page checkout (${feat})\n`);
        const plan = path.join(os.tmpdir(), "releasectl-ship-XXXXXXXX", "plan.json");
        expect(run.stdout).to.include(`$ pulumi preview --stack production --policy-pack policies --save-plan ${plan} --non-interactive\n`);
        expect(run.stdout).to.include(`$ pulumi up --stack production --policy-pack policies --yes --plan ${plan} --skip-preview --non-interactive\n`);
        expect(run.stdout).to.include("the preview's update plan, without a second preview: the engine refuses any change the preview did not show");
        expect(run.stdout).to.include("at most 22m (progress deadline 600s + interval 1m × (1 to start + 5 steps of 10% to 50% + threshold 5 + 1 to promote))");
        expect(run.stdout).to.include("5m after promotion, every 1m (the canary interval of checkout), the alert rules' expressions against Prometheus at http://prometheus-operated.monitoring:9090");
        expectUntouched(world, head);
    });

    it("--target limits the preview and the apply to the service's resources, and says what that leaves unseen", async () => {
        const run = await world.ship("checkout", "2.5.0", "--dry-run", "--target");
        expect(run.code, run.stderr).to.equal(0);
        const preview = run.stdout.split("\n").find((l) => l.trim().startsWith("$ pulumi preview"))!;
        const up = run.stdout.split("\n").find((l) => l.trim().startsWith("$ pulumi up") && l.includes("--plan"))!;
        for (const line of [preview, up]) {
            expect(line).to.include(" --target urn:pulumi:production::releasectl::releasectl:index:ServiceRelease::checkout ");
            expect(line).to.include(" --target 'urn:pulumi:production::releasectl::releasectl:index:ServiceRelease$kubernetes:apps/v1:Deployment::checkout-deployment' ");
            expect(line).to.not.include("storefront");
        }
        expect(run.stdout).to.match(/--target: limited to checkout's \d+ resources \(preview and apply\); the program declares only checkout and the rest of the stack is neither previewed nor applied, drift there stays unseen/);
        // the rollback applies the whole stack
        const rollback = run.stdout.slice(run.stdout.indexOf("rollback path"));
        expect(rollback).to.include("$ pulumi up --stack production --policy-pack policies --yes --non-interactive\n");
    });

    it("prints each monitoring query with its threshold: the alert rules' own expressions", async () => {
        const run = await world.ship("checkout", "2.5.0", "--dry-run");
        const [errorRate, latency] = signalsFor(loadStack(world.repo.dir, "production").services[0]);
        expect(run.stdout).to.include(`  error rate > 1%:  ${errorRate.expr}\n`);
        expect(run.stdout).to.include(`  p99 latency > 500ms:  ${latency.expr}\n`);
    });

    it("prints the rollback path: the configuration of the previous release, pulumi up, the wait", async () => {
        const run = await world.ship("checkout", "2.5.0", "--dry-run");
        const rollback = run.stdout.slice(run.stdout.indexOf("rollback path, on a failure from step 4 (apply) on:"));
        expect(rollback).to.include("$ releasectl rollback checkout --to 2.4.1 --stack production\n");
        expect(rollback).to.include('$ git commit -m "rollback checkout to 2.4.1: <reason>" -- Pulumi.production.yaml CHANGELOG.md\n');
        expect(rollback).to.include("CHANGELOG.md back to before the release (the entry of 2.5.0 goes with it, byte for byte)");
        expect(rollback).to.include("$ pulumi up --stack production --policy-pack policies --yes --non-interactive\n");
        expect(rollback).to.include("until shop/checkout-primary runs 2.4.1 and is rolled out, and no canary moves traffic to 2.5.0; at most 10m");
        expect(run.stdout).to.include("on failure: stop: nothing was applied, so there is nothing to roll back: a new commit");
    });

    it("works without pulumi, saying a real run would stop there", async () => {
        const head = world.repo.head();
        const run = await runCli(["ship", "checkout", "auto", "--dry-run"], { cwd: world.repo.dir, env: { ...world.env, PATH: process.env.PATH } });
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include(
            "warning: the pulumi CLI is not on PATH and PULUMI_BINARY is not set; install it (https://www.pulumi.com/docs/install/) or set PULUMI_BINARY=/path/to/pulumi — a real run stops there, before changing anything (exit 2)\n",
        );
        expectUntouched(world, head);
    });

    it("exits 1 when the pre-check would stop the release, naming the failed rule", async () => {
        world.repo.git("checkout", "-q", "-b", "experiment");
        const run = await world.ship("checkout", "2.5.0", "--dry-run");
        expect(run.code).to.equal(1);
        expect(run.stdout).to.include("now: FAILS, the release would stop here (33 passed, 1 failed, 1 advisory, 3 not applicable)");
        expect(run.stdout).to.include("✗ repository-branch-allowed: branch experiment is not allowed for stack production");
    });

    it("documents every option in --help", async () => {
        const run = await world.ship("--help");
        expect(run.code).to.equal(0);
        for (const option of ["--stack", "--dry-run", "--yes", "--json", "--watch-timeout", "--monitor", "--monitor-interval", "--interval", "--rollback-timeout", "--prometheus-url", "--context", "--policy-pack", "--policy-pack-config", "--tag-prefix"]) {
            expect(run.stdout).to.include(`  ${option}`);
        }
    });

    it("lists in --help the steps of the table the run walks, in order, and who fails how", async () => {
        const run = await world.ship("--help");
        const listed = run.stdout.split("\n").filter((l) => /^ {2}\d \S/.test(l));
        expect(listed.map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "))).to.deep.equal(RELEASE_STEPS.map((s, i) => `${i + 1} ${s.title}`));
        const failures = run.stdout.slice(run.stdout.indexOf("On failure:\n"));
        expect(failures).to.include("\n  pre-check, prepare   nothing changed; exit 1.\n");
        expect(failures).to.include("\n  apply, canary, monitor\n                       rollback: releasectl rollback to the previous version");
        expect(failures).to.include("\n  tag, announce        a warning: the release stands (exit 0).\n");
    });

    it("prints the plan as one JSON object with --json", async () => {
        const run = await world.ship("checkout", "2.5.0", "--dry-run", "--json");
        const lines = run.stdout.trimEnd().split("\n");
        expect(lines).to.have.length(1);
        const plan = JSON.parse(lines[0]);
        expect(plan.event).to.equal("plan");
        expect(plan.steps.map((s: { id: string }) => s.id)).to.deep.equal(["precheck", "prepare", "preview", "apply", "canary", "monitor", "tag", "announce"]);
        expect(plan.changelog.file).to.equal("CHANGELOG.md");
        expect(plan.changelog.what).to.match(/^CHANGELOG\.md: would be created with the entry:\n {2}## checkout 2\.5\.0 /);
        expect(plan.tagMessage).to.match(/^release checkout-v2\.5\.0\n\nChanges since checkout-v2\.4\.1:\n\nFeatures:\n- one-page checkout \([0-9a-f]{7}\)\n$/);
        expect(plan.queries.map((q: { signal: string; threshold: number }) => [q.signal, q.threshold])).to.deep.equal([
            ["error rate", 1],
            ["p99 latency", 500],
        ]);
    });
});
