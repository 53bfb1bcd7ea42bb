import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { FakeKubeApi, canaryObject } from "../helpers/fake-kube-api";
import { ANSWERS } from "../helpers/fake-pulumi";
import { edited } from "../cli/project-fixture";
import { CliRun, runCli } from "../cli/run-cli";
import { checkoutAt, checkoutIn, expectSecretNotPrinted, FAST, makeWorld, markedRollback, NS, PRODUCTION, SECRET_TOKEN, STACK_FILE, Webhook, withContract, World } from "./fixture";

/** Where pulumi logs its engine events for ship: a new temporary file each run. */
const LOG = "<event log>";
const PLAN = "<update plan>";
const PREVIEW = ["preview", "--stack", "production", "--policy-pack", "policies", "--save-plan", PLAN, "--event-log", LOG, "--non-interactive"];
const UP = ["up", "--stack", "production", "--policy-pack", "policies", "--yes", "--plan", PLAN, "--skip-preview", "--event-log", LOG, "--non-interactive"];
const logNamed = (args: readonly string[]) => args.map((a, i) => (args[i - 1] === "--event-log" ? LOG : args[i - 1] === "--save-plan" || args[i - 1] === "--plan" ? PLAN : a));
/** checkout back at 2.4.1 with the rollback mark, as the rollback path commits it. */
const ROLLED_BACK = markedRollback(checkoutAt("2.4.1", "2.5.0"), "2.5.0");

describe("releasectl ship (stand-in pulumi, loopback Kubernetes API and webhook)", function () {
    this.timeout(30_000);
    let api: FakeKubeApi;
    let hook: Webhook;
    let world: World | undefined;

    before(async () => {
        api = await FakeKubeApi.start();
        hook = await Webhook.start();
    });
    after(async () => {
        await api.close();
        await hook.close();
    });
    beforeEach(() => hook.reset());
    afterEach(() => {
        world?.remove();
        world = undefined;
    });

    const setUp = (opts: Omit<Parameters<typeof makeWorld>[0], "api" | "hook"> = {}) => {
        world = makeWorld({ api, hook, ...opts });
        return world;
    };
    /** Runs ship; whatever happened, the webhook address read through pulumi config get was never printed. */
    const ship = async (w: World, ...args: string[]) => {
        const run = await w.ship("checkout", ...args);
        expectSecretNotPrinted(run);
        return run;
    };
    const ups = (w: World) => w.calls().filter((c) => c.args[0] === "up");
    const changelog = (w: World) => fs.readFileSync(path.join(w.repo.dir, "CHANGELOG.md"), "utf8");

    describe("a release that goes well", () => {
        it("commits the version, previews and applies with the policy pack, follows the canary, tags and announces", async () => {
            const w = setUp();
            const run = await ship(w, "auto", ...FAST);
            expect(run.code, run.stdout + run.stderr).to.equal(0);
            expect(w.calls().map((c) => logNamed(c.args))).to.deep.equal([
                PREVIEW,
                UP,
                ["config", "get", "--path", "releasectl:notifications.releases.address", "--stack", "production", "--non-interactive"],
            ]);
            // up applies the very plan the preview saved, in a folder of its own that is gone afterwards
            const [preview, up] = w.calls();
            const saved = preview.args[preview.args.indexOf("--save-plan") + 1];
            expect(up.plan).to.equal(saved);
            expect(path.basename(path.dirname(saved))).to.match(/^releasectl-ship-[0-9a-f]{8}$/);
            expect(fs.existsSync(path.dirname(saved))).to.equal(false);
            expect(checkoutIn(ups(w)[0].stackFile!)).to.deep.equal({ version: "2.5.0", rollback: false });
            expect(w.stackFile()).to.equal(checkoutAt("2.5.0", "2.4.1"));
            expect(w.log()[0]).to.equal("release checkout 2.5.0");
            // the release commit holds the stack file and the changelog entry (as prepare writes it), nothing else
            expect(w.repo.git("diff", "--name-only", "HEAD~1", "HEAD").trim().split("\n")).to.deep.equal(["CHANGELOG.md", STACK_FILE]);
            expect(w.repo.git("show", "--stat", "--format=%s", "HEAD")).to.match(/^release checkout 2\.5\.0\n\n CHANGELOG\.md +\| +\d+ \+{3,}\n Pulumi\.production\.yaml +\| +\d+ /);
            const feat = w.repo.git("rev-parse", "--short=7", "HEAD~1").trim();
            expect(changelog(w)).to.match(new RegExp(`^# Changelog\n\n## checkout 2\\.5\\.0 \\(\\d{4}-\\d\\d-\\d\\d\\)\n\n### Features\n\n- one-page checkout \\(${feat}\\)\n$`));
            expect(w.repo.git("status", "--porcelain", "--untracked-files=all")).to.equal("");
            expect(w.repo.git("cat-file", "-t", "checkout-v2.5.0").trim()).to.equal("tag");
            expect(w.repo.git("rev-parse", "checkout-v2.5.0^{commit}").trim()).to.equal(w.repo.head());
            expect(w.repo.git("tag", "--list", "--format=%(contents)", "checkout-v2.5.0")).to.match(
                /^release checkout-v2\.5\.0\n\nChanges since checkout-v2\.4\.1:\n\nFeatures:\n- one-page checkout \([0-9a-f]{7}\)\n/,
            );
            // the announcement carries the notes: those of the tag and of releasectl changelog --plain
            expect(hook.texts()).to.deep.equal([`released checkout 2.5.0 to production (was 2.4.1), run by Ada Release: canary passed. Tag checkout-v2.5.0.\n\nFeatures:\n- one-page checkout (${feat})`]);
            const plain = await runCli(["changelog", "checkout", "--plain"], { cwd: w.repo.dir, env: w.env });
            expect(plain.stdout).to.equal(`Features:\n- one-page checkout (${feat})\n`);
            expect(w.repo.git("tag", "--list", "--format=%(contents)", "checkout-v2.5.0")).to.equal(`release checkout-v2.5.0\n\nChanges since checkout-v2.4.1:\n\n${plain.stdout}\n`);
            expect(hook.received[0].path).to.equal(`/services/${SECRET_TOKEN}`);
            // releasectl history shows the tag ship created beside its release
            const history = JSON.parse((await runCli(["history", "checkout", "--json"], { cwd: w.repo.dir, env: w.env })).stdout);
            expect(history.slice(0, 2).map((r: { version: string; tag: string | null }) => [r.version, r.tag])).to.deep.equal([
                ["2.5.0", "checkout-v2.5.0"],
                ["2.4.1", "checkout-v2.4.1"],
            ]);
        });

        it("shows every step with its state and elapsed time, and what to push", async () => {
            const w = setUp();
            const run = await ship(w, "2.5.0", ...FAST);
            for (const step of ["pre-check", "prepare", "preview", "apply", "canary", "tag", "announce"]) {
                expect(run.stdout).to.match(new RegExp(`^✓ ${step}: done \\(\\d+\\.\\d+s\\)`, "m"));
            }
            expect(run.stdout).to.match(/^- monitor: skipped — --monitor 0$/m);
            expect(run.stdout).to.match(/^released checkout 2\.5\.0 to production in \d+\.\ds \(was 2\.4\.1\): tag checkout-v2\.5\.0$/m);
            expect(run.stdout).to.include("not pushed: git push origin main checkout-v2.5.0\n");
        });

        it("keeps the release when the announcement fails: a warning naming the config key, exit 0", async () => {
            const w = setUp();
            hook.status = 500;
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code).to.equal(0);
            expect(run.stdout).to.include(
                "warning: announcement to releases not sent: the releases webhook (releasectl:notifications.releases.address) answered HTTP 500; the release itself stands",
            );
            expect(w.repo.git("tag", "--list", "checkout-v2.5.0").trim()).to.equal("checkout-v2.5.0");
        });

        it("keeps the release when the webhook address cannot be read, without printing pulumi's answer", async () => {
            const w = setUp({ pulumi: { config: { "releasectl:notifications.releases.address": undefined as unknown as string } } });
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code).to.equal(0);
            expect(run.stdout).to.match(/warning: announcement to releases not sent: pulumi config get releasectl:notifications\.releases\.address failed: error: configuration key/);
            expect(hook.received).to.have.length(0);
        });
    });

    describe("a failure before anything is applied", () => {
        it("stops at a failed pre-check: no commit, no pulumi call, exit 1", async () => {
            const w = setUp();
            w.repo.git("checkout", "-q", "-b", "experiment");
            const head = w.repo.head();
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code).to.equal(1);
            expect(run.stdout).to.match(/^✗ pre-check: failed .*1 mandatory check failed/m);
            expect(run.stdout).to.include("repository-branch-allowed: branch experiment is not allowed for stack production");
            expect(w.calls()).to.deep.equal([]);
            expect(w.repo.head()).to.equal(head);
            expect(w.stackFile()).to.equal(PRODUCTION);
            expect(hook.received).to.have.length(0);
        });

        it("reverts the prepare commit on a policy violation at preview and never runs pulumi up", async () => {
            const w = setUp({ pulumi: { preview: [ANSWERS.policyViolation("canary-thresholds-strict")] } });
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code).to.equal(1);
            expect(w.commands()).to.deep.equal(["preview"]);
            expect(w.stackFile()).to.equal(PRODUCTION);
            expect(w.log().slice(0, 2)).to.deep.equal(["revert release checkout 2.5.0: policy violation", "release checkout 2.5.0"]);
            expect(w.repo.git("diff", "HEAD~2", "HEAD").trim()).to.equal("");
            expect(run.stdout).to.include("preview failed: policy violation canary-thresholds-strict; nothing was applied (pulumi up did not run) and the prepare commit is reverted");
            // what the policy found, from pulumi's policy event, under the summary
            expect(run.stdout).to.include("\n  ✗ canary-thresholds-strict on kubernetes:flagger.app/v1beta1:Canary (checkout-canary): The canary's success-rate minimum is below the pack's.\n");
            expect(w.repo.git("tag", "--list", "checkout-v2.5.0").trim()).to.equal("");
            expect(hook.received).to.have.length(0);
        });
    });

    describe("the changelog entry, the tag's notes and the announcement's", () => {
        /** A changelog whose bytes must survive: a byte-order mark, CRLF, a byte that is not UTF-8, a hand-written entry. */
        const OLD_CHANGELOG = Buffer.concat([
            Buffer.from("\ufeff# Changelog\r\n\r\n## checkout 2.4.1 (2026-01-10)\r\n\r\n- caf", "utf8"),
            Buffer.from([0xe9]),
            Buffer.from(" menu, written by hand  \r\n", "utf8"),
        ]);
        const withChangelog = (w: World) => {
            fs.writeFileSync(path.join(w.repo.dir, "CHANGELOG.md"), OLD_CHANGELOG);
            w.repo.git("add", "CHANGELOG.md");
            w.repo.git("commit", "-q", "-m", "chore: keep a changelog");
        };
        const changelogBytes = (w: World) => fs.readFileSync(path.join(w.repo.dir, "CHANGELOG.md"));

        it("inserts the entry into an existing changelog, every other byte kept, in the release commit", async () => {
            const w = setUp();
            withChangelog(w);
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code, run.stdout + run.stderr).to.equal(0);
            const text = changelogBytes(w);
            const at = text.indexOf("## checkout 2.4.1");
            expect(text.subarray(at).equals(OLD_CHANGELOG.subarray(OLD_CHANGELOG.indexOf("## checkout 2.4.1")))).to.equal(true);
            expect(text.subarray(0, at).toString("utf8")).to.match(/^\ufeff# Changelog\r\n\r\n## checkout 2\.5\.0 \(\d{4}-\d\d-\d\d\)\r\n\r\n### Features\r\n\r\n- one-page checkout \([0-9a-f]{7}\)\r\n\r\n$/);
            expect(w.repo.git("show", "--stat=200", "--format=%s", "HEAD").split("\n").filter((l) => l.includes("|")).map((l) => l.split("|")[0].trim())).to.deep.equal(["CHANGELOG.md", STACK_FILE]);
            expect(w.repo.git("status", "--porcelain", "--untracked-files=all")).to.equal("");
        });

        it("a failed preview leaves the tree clean, the changelog restored byte for byte by the revert commit", async () => {
            const w = setUp({ pulumi: { preview: [ANSWERS.policyViolation("canary-thresholds-strict")] } });
            withChangelog(w);
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code).to.equal(1);
            expect(w.log().slice(0, 2)).to.deep.equal(["revert release checkout 2.5.0: policy violation", "release checkout 2.5.0"]);
            expect(changelogBytes(w).equals(OLD_CHANGELOG)).to.equal(true);
            expect(w.stackFile()).to.equal(PRODUCTION);
            expect(w.repo.git("status", "--porcelain", "--untracked-files=all")).to.equal("");
            expect(w.repo.git("diff", "HEAD~2", "HEAD").trim()).to.equal("");
            // both commits hold both files: the release wrote the entry, the revert took it out
            for (const commit of ["HEAD", "HEAD~1"]) expect(w.repo.git("diff", "--name-only", `${commit}~1`, commit).trim().split("\n")).to.deep.equal(["CHANGELOG.md", STACK_FILE]);
            expect(run.stdout).to.include("Pulumi.production.yaml is back to 2.4.1 and CHANGELOG.md to before the release, byte for byte");
        });

        it("refuses uncommitted changes to the changelog (exit 2, nothing written)", async () => {
            const w = setUp();
            withChangelog(w);
            fs.appendFileSync(path.join(w.repo.dir, "CHANGELOG.md"), "draft\n");
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code).to.equal(2);
            expect(run.stderr).to.include("CHANGELOG.md: has uncommitted changes; commit them (git commit CHANGELOG.md) or discard them (git restore CHANGELOG.md) first, or pass --no-changelog");
            expect(w.commands()).to.deep.equal([]);
            expect(w.log()[0]).to.equal("chore: keep a changelog");
        });

        it("--no-changelog: no entry, the stack file alone in the release commit, the notes still in the tag and the announcement", async () => {
            const w = setUp();
            const run = await ship(w, "2.5.0", ...FAST, "--no-changelog");
            expect(run.code, run.stdout + run.stderr).to.equal(0);
            expect(fs.existsSync(path.join(w.repo.dir, "CHANGELOG.md"))).to.equal(false);
            expect(w.repo.git("diff", "--name-only", "HEAD~1", "HEAD").trim()).to.equal(STACK_FILE);
            expect(w.repo.git("tag", "--list", "--format=%(contents)", "checkout-v2.5.0")).to.include("Features:\n- one-page checkout (");
            expect(hook.texts()[0]).to.include("\n\nFeatures:\n- one-page checkout (");
        });

        it("in a path-filtered monorepo the tag, the entry and the announcement list only the service's commits", async () => {
            const w = setUp();
            w.repo.commit("checkout's commits live in services/checkout", { [STACK_FILE]: edited(PRODUCTION, [["    checkout:\n", "    checkout:\n      commits:\n        path: services/checkout\n"]]) });
            const own = w.repo.commit("feat(checkout): pay by invoice", { "services/checkout/invoice.ts": "export const invoice = true;\n" });
            w.repo.commit("feat(storefront): wish list", { "services/storefront/wishlist.ts": "export const wishlist = true;\n" });
            const fix = w.repo.commit("fix: rounding of totals", { "services/checkout/totals.ts": "export const round = Math.round;\n" });
            w.repo.commit("docs: the repository's readme", { "README.md": "# shop\n" });
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code, run.stdout + run.stderr).to.equal(0);
            const notes = `Features:\n- checkout: pay by invoice (${own.slice(0, 7)})\n\nBug fixes:\n- rounding of totals (${fix.slice(0, 7)})\n`;
            expect(w.repo.git("tag", "--list", "--format=%(contents)", "checkout-v2.5.0")).to.equal(`release checkout-v2.5.0\n\nChanges since checkout-v2.4.1:\n\n${notes}\n`);
            // the same notes as releasectl tag would write and releasectl changelog --plain prints
            const plain = await runCli(["changelog", "checkout", "--plain"], { cwd: w.repo.dir, env: w.env });
            expect(plain.stdout).to.equal(notes);
            expect(hook.texts()[0]).to.match(/^released checkout 2\.5\.0 to production \(was 2\.4\.1\)/);
            expect(hook.texts()[0].slice(hook.texts()[0].indexOf("\n\n") + 2)).to.equal(notes.trimEnd());
            const entry = changelog(w);
            expect(entry).to.include("### Features\n\n- **checkout:** pay by invoice (");
            expect(entry).to.include("### Bug fixes\n\n- rounding of totals (");
            for (const other of ["wish list", "readme", "one-page checkout"]) {
                expect(entry).not.to.include(other);
                expect(hook.texts()[0]).not.to.include(other);
            }
        });
    });

    describe("a failure once production changed: the rollback path", () => {
        /** The rollback was committed, applied by a second up with 2.4.1 marked rollback, and announced. */
        const expectRolledBack = (w: World, run: CliRun, subject: string) => {
            expect(run.code).to.equal(1);
            expect(w.stackFile()).to.equal(ROLLED_BACK);
            expect(w.log().slice(0, 2)).to.deep.equal([subject, "release checkout 2.5.0"]);
            const applied = ups(w);
            expect(checkoutIn(applied[applied.length - 1].stackFile!)).to.deep.equal({ version: "2.4.1", rollback: true });
            expect(w.repo.git("tag", "--list", "checkout-v2.5.0").trim()).to.equal("");
            expect(hook.texts()).to.have.length(1);
            const [first, ...notes] = hook.texts()[0].split("\n");
            expect(first).to.match(/^ROLLED BACK: checkout 2\.5\.0 in production failed at \w+ \(.+\); releasectl ship rolled it back to 2\.4\.1, which serves again\. Run by Ada Release\.$/);
            const feat = w.repo.git("rev-parse", "--short=7", "HEAD~2").trim();
            expect(w.repo.git("log", "-1", "--format=%s", feat).trim()).to.equal("feat: one-page checkout");
            expect(notes).to.deep.equal(["", "Rolled back, what 2.5.0 changes:", "Features:", `- one-page checkout (${feat})`]);
            // the rollback commit takes the release's changelog entry back out with the stack file: nothing left dirty
            expect(w.repo.git("diff", "--name-only", "HEAD~1", "HEAD").trim().split("\n")).to.deep.equal(["CHANGELOG.md", STACK_FILE]);
            expect(fs.existsSync(path.join(w.repo.dir, "CHANGELOG.md"))).to.equal(false);
            expect(w.repo.git("status", "--porcelain", "--untracked-files=all")).to.equal("");
            expect(run.stdout).to.include("production: 2.4.1 serves again; Pulumi.production.yaml names 2.4.1 (rollback commit ");
        };

        it("rolls back a failed migration (pulumi up failed)", async () => {
            const w = setUp({ pulumi: { up: [ANSWERS.migrationFailed, ANSWERS.upOk] } });
            const run = await ship(w, "2.5.0", ...FAST);
            expect(w.commands()).to.deep.equal(["preview", "up", "up", "config get"]);
            expectRolledBack(w, run, "rollback checkout to 2.4.1: pulumi up failed");
            expect(run.stdout).to.include("ROLLED BACK: checkout 2.5.0 failed at apply: pulumi up failed: ");
            expect(run.stdout).to.include("* Job has failed: BackoffLimitExceeded");
            // the failing resource, from the event log's error diagnostic
            expect(run.stdout).to.include("failed at apply: pulumi up failed: kubernetes:batch/v1:Job (checkout-migrate-2.5.0): 1 error occurred: * Job has failed: BackoffLimitExceeded\n");
        });

        it("--target: the release's preview and up tell the program to declare checkout alone; the rollback's up declares the whole stack", async () => {
            const w = setUp({ pulumi: { up: [ANSWERS.migrationFailed, ANSWERS.upOk] } });
            const run = await ship(w, "2.5.0", "--target", ...FAST);
            expect(w.commands()).to.deep.equal(["preview", "up", "up", "config get"]);
            expectRolledBack(w, run, "rollback checkout to 2.4.1: pulumi up failed");
            const [preview, up, rollback] = w.calls();
            for (const call of [preview, up]) {
                expect(call.args).to.include("--target");
                expect(call.targetFile?.content).to.equal('{"stack":"production","services":["checkout"]}\n');
                // beside the update plan, in the release's own folder
                expect(path.dirname(call.targetFile!.path)).to.equal(path.dirname(preview.args[preview.args.indexOf("--save-plan") + 1]));
            }
            expect(rollback.args).to.not.include("--target");
            expect(rollback.targetFile).to.equal(undefined);
            expect(fs.existsSync(preview.targetFile!.path)).to.equal(false);
        });

        it("a RELEASECTL_TARGET_FILE in ship's own environment never reaches pulumi", async () => {
            const w = setUp();
            const stale = path.join(w.repo.dir, "..", "stale-targets.json");
            fs.writeFileSync(stale, '{"stack":"production","services":["checkout"]}\n');
            const run = await runCli(["ship", "checkout", "2.5.0", ...FAST], { cwd: w.repo.dir, env: { ...w.env, RELEASECTL_TARGET_FILE: stale } });
            expect(run.code, run.stdout + run.stderr).to.equal(0);
            for (const call of w.calls()) expect(call.targetFile, call.args.join(" ")).to.equal(undefined);
        });

        it("rolls back when Flagger fails the canary", async () => {
            const w = setUp({ cluster: { release: "fail" } });
            const run = await ship(w, "2.5.0", ...FAST);
            expect(w.commands()).to.deep.equal(["preview", "up", "up", "config get"]);
            expectRolledBack(w, run, "rollback checkout to 2.4.1: canary failed");
            expect(hook.texts()[0]).to.include("failed at canary (Flagger failed the canary of 2.5.0 (5 of 5 checks failed)");
        });

        it("rolls back a canary that neither succeeds nor fails within --watch-timeout", async () => {
            const w = setUp({ cluster: { release: "hang" } });
            const run = await ship(w, "2.5.0", ...FAST, "--watch-timeout", "300ms");
            expectRolledBack(w, run, "rollback checkout to 2.4.1: canary timed out");
            expect(run.stdout).to.match(/canary timed out after 300ms: Flagger is analysing 2\.5\.0: 10% of traffic/);
        });

        it("says what production runs and the commands to finish when the rollback's pulumi up fails too", async () => {
            const w = setUp({ cluster: { release: "fail" }, pulumi: { up: [ANSWERS.upOk, ANSWERS.updateConflict] } });
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code).to.equal(1);
            expect(w.commands()).to.deep.equal(["preview", "up", "up", "config get"]);
            expect(w.stackFile()).to.equal(ROLLED_BACK);
            expect(w.log()[0]).to.equal("rollback checkout to 2.4.1: canary failed");
            expect(run.stdout).to.include("ROLLBACK FAILED: production needs a person now\n");
            expect(run.stdout).to.include("pulumi up of the rollback failed: pulumi up failed: error: [409] Conflict: Another update is currently in progress.");
            expect(run.stdout).to.match(/ {2}production: {2}Failed .*users are served by the primary, 2\.4\.1\n/);
            expect(run.stdout).to.include("  stack file:  Pulumi.production.yaml names 2.4.1 (rollback commit ");
            expect(run.stdout).to.include("    $ pulumi up --stack production --policy-pack policies --yes   # after fixing what pulumi reported");
            expect(hook.texts()[0]).to.match(/^ROLLBACK FAILED: checkout 2\.5\.0 failed in production/);
        });

        it("stops before pulumi up when the release's own contract migration must be undone first", async () => {
            const w = setUp({ cluster: { release: "fail" } });
            w.repo.commit("checkout: contract migration for 2.5.0", { [STACK_FILE]: withContract(PRODUCTION) });
            const run = await ship(w, "2.5.0", ...FAST);
            expect(run.code).to.equal(1);
            expect(w.commands()).to.deep.equal(["preview", "up", "config get"]);
            expect(w.stackFile()).to.equal(markedRollback(checkoutAt("2.4.1", "2.5.0", withContract(PRODUCTION)), "2.5.0"));
            expect(w.log()[0]).to.equal("rollback checkout to 2.4.1: canary failed");
            const manual = run.stdout.slice(run.stdout.indexOf("  run, in order:"));
            expect(manual.split("\n").slice(1, 4)).to.deep.equal([
                "    $ /app/migrate down --to 2.4.1   # undo the contract migration of 2.5.0 (in the migration image), BEFORE pulumi up",
                "    $ pulumi up --stack production --policy-pack policies --yes",
                "    $ releasectl status checkout --stack production --watch",
            ]);
            expect(hook.texts()[0]).to.match(/^ROLLBACK FAILED: /);
        });
    });

    describe("checks before anything changes (exit 2, nothing written)", () => {
        /** Exit 2 with one line naming the problem, and no commit, no file change, no pulumi call. */
        const expectRefused = async (w: World, run: CliRun, message: RegExp | string) => {
            expect(run.code, run.stdout + run.stderr).to.equal(2);
            if (typeof message === "string") expect(run.stderr).to.include(message);
            else expect(run.stderr).to.match(message);
            expect(w.commands()).to.deep.equal([]);
            expect(w.log()[0]).to.equal("feat: one-page checkout");
        };

        it("refuses without the pulumi CLI, before reading the cluster", async () => {
            const w = setUp();
            const run = await runCli(["ship", "checkout", "2.5.0", ...FAST], { cwd: w.repo.dir, env: { ...w.env, PATH: process.env.PATH } });
            expectSecretNotPrinted(run);
            await expectRefused(w, run, "the pulumi CLI is not on PATH and PULUMI_BINARY is not set; install it");
            expect(w.stackFile()).to.equal(PRODUCTION);
            expect(api.requests).to.have.length(0);
        });

        it("refuses to release without --yes when not on a terminal", async () => {
            const w = setUp();
            const run = await ship(w, "2.5.0");
            await expectRefused(w, run, "not on a terminal, so nobody can confirm the release: pass --yes to release non-interactively");
            expect(w.stackFile()).to.equal(PRODUCTION);
        });

        it("refuses uncommitted changes to the stack file", async () => {
            const w = setUp();
            fs.appendFileSync(path.join(w.repo.dir, STACK_FILE), "# local note\n");
            const run = await ship(w, "2.5.0", ...FAST);
            await expectRefused(w, run, "Pulumi.production.yaml: has uncommitted changes; commit them (git commit Pulumi.production.yaml) or discard them");
        });

        it("refuses a version that does not move forward", async () => {
            const w = setUp();
            const run = await ship(w, "2.4.0", ...FAST);
            await expectRefused(w, run, "checkout: 2.4.0 does not move forward from 2.4.1; going back is a rollback");
        });

        it("refuses a version whose tag exists", async () => {
            const w = setUp();
            w.repo.tag("checkout-v2.5.0");
            const run = await ship(w, "2.5.0", ...FAST);
            await expectRefused(w, run, /tag checkout-v2\.5\.0 exists already \(on [0-9a-f]{7}\): 2\.5\.0 has shipped/);
        });

        it("says how to configure Prometheus, or skip monitoring, when the stack has no address", async () => {
            const w = setUp();
            w.repo.commit("no prometheus", { [STACK_FILE]: edited(PRODUCTION, [["  releasectl:prometheusUrl: http://prometheus-operated.monitoring:9090\n", ""]]) });
            const run = await ship(w, "2.5.0", "--yes");
            expect(run.code).to.equal(2);
            expect(run.stderr).to.include(
                "releasectl:prometheusUrl is not set, and the monitor step queries Prometheus; set it (pulumi config set releasectl:prometheusUrl http://prometheus-operated.monitoring:9090 --stack production), pass --prometheus-url URL, or skip monitoring with --monitor 0",
            );
            expect(w.commands()).to.deep.equal([]);
        });

        it("refuses while a canary of the service is under way", async () => {
            const w = setUp();
            api.onRequest((req) =>
                req.path.endsWith("/canaries/checkout") ? { status: 200, body: canaryObject({ name: "checkout", namespace: NS, phase: "Progressing", weight: 20 }) } : undefined,
            );
            const run = await ship(w, "2.5.0", ...FAST);
            await expectRefused(w, run, "a canary of checkout ");
            expect(run.stderr).to.include("is under way in the cluster (Progressing, 20% of traffic); wait for it to end (releasectl status checkout --stack production --watch)");
        });
    });
});
