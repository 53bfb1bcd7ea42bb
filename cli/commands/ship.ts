import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { UserError } from "../../config/errors";
import { TARGET_FILE_ENV, TargetFile } from "../../config/target-file";
import { parseCommandArgs } from "../args";
import { Command, CommandContext, UsageError } from "../context";
import { announce } from "../ship/announce";
import { rememberGitReads } from "../git";
import { shipGit } from "../ship/git-steps";
import { pendingSteps, ship as runShip, ShipDeps } from "../ship/orchestrate";
import { planText, shipPlan } from "../ship/plan";
import { precheck } from "../ship/precheck";
import { FAILURE_HELP, RELEASE_STEPS } from "../ship/steps";
import { checkEnvironment } from "../ship/preflight";
import { jsonProgress, liveProgress, plainProgress, Progress, StepView } from "../ship/progress";
import { findPulumi, runPulumi } from "../ship/pulumi-cli";
import { decideRelease, ShipRelease } from "../ship/decide";
import { acquireShipLock } from "../ship/ship-lock";
import { summaryJson, summaryText } from "../ship/summary";
import { DEFAULTS } from "../ship/timing";
import { isSemVer } from "../../config/versions";
import { projectDir, resolveStack } from "../project";
import { refuseComputeOptions } from "../versions/compute-next";
import { performPromotion } from "../operations/promote";
import { performRollback } from "../operations/rollback";

// One line: it ends the message of every usage error (and the JSON error event's message).
const USAGE = "releasectl ship <service> <version|auto> [--stack S] [--dry-run] [--yes] [--watch-timeout D] [--monitor D] [--json] (or: releasectl ship <service> [<version>] --from STACK --stack S ...)";

/** ship's positional count: the version may be left out with --from (the source's release). */
function values0(argv: readonly string[]): number {
    return argv.some((a) => a === "--from" || a.startsWith("--from=")) ? 1 : 2;
}

/** ship --from: the promotion, planned and checked now (dry run); ship writes and commits it as its prepare step. */
async function promotionFor(ctx: CommandContext, service: string, version: string | undefined, values: { from?: string; stack?: string; cwd?: string; context?: string; "no-cluster"?: boolean }) {
    const dir = projectDir(ctx, values.cwd);
    const to = resolveStack(dir, values.stack, ctx.env, service);
    const from = resolveStack(dir, values.from, ctx.env, service);
    const outcome = await performPromotion({ dir, from, to, service, version, dryRun: true, noCluster: values["no-cluster"], cwd: ctx.cwd, env: ctx.env });
    const release = outcome.plan.release;
    return {
        version: release.version,
        from,
        reason: `promoted from ${from} (its release ${release.commit.slice(0, 7)}, configuration ${release.configCommit.slice(0, 7)}; ${outcome.cluster})`,
        edit: (before: string) => {
            if (before !== outcome.before) throw new UserError(`${outcome.shown}: changed while the promotion was being planned; run again`, "ECHANGED");
            return outcome.after;
        },
    };
}

/** The steps in --help, numbered, from the table the run walks. */
function stepsHelp(): string {
    return RELEASE_STEPS.map((s, i) => s.help.map((line, j) => (j === 0 ? `  ${i + 1} ${s.title.padEnd(12)}${line}` : `${" ".repeat(16)}${line}`)).join("\n")).join("\n");
}

/** What a failure does in --help, by kind, naming the table's steps of each kind. */
function failuresHelp(): string {
    const kinds = [...new Set(RELEASE_STEPS.map((s) => s.onFailure))];
    return kinds
        .map((kind) => {
            const names = RELEASE_STEPS.filter((s) => s.onFailure === kind)
                .map((s) => s.title)
                .join(", ");
            const [first, ...rest] = FAILURE_HELP[kind];
            const head = names.length < 21 ? `  ${names.padEnd(21)}${first}` : `  ${names}\n${" ".repeat(23)}${first}`;
            return [head, ...rest.map((l) => `${" ".repeat(23)}${l}`)].join("\n");
        })
        .join("\n");
}

const command: Command = {
    name: "ship",
    summary: "the whole release in one command (check, commit, pulumi preview and up, canary, monitor, tag, announce), rolled back on failure",
    help: `Usage: ${USAGE}

Releases one service, every step in order, stopping at the first failure and putting production
back by itself:

${stepsHelp()}

On failure:
${failuresHelp()}
  Ctrl-C               before the first change: stops, nothing changed; during preview or
                       apply pulumi cancels and the step fails as above; while the canary or
                       the monitoring is watched: rolls back. A second Ctrl-C leaves at once.

Before anything changes (exit 2, nothing written): the service, stack and version are valid
(auto: the commits since the last release tag, as releasectl next; without release tags, since
the commit that released the current version), the version moves forward and its tag does not
exist, the stack file has no uncommitted changes, the policy pack exists, pulumi is found
($PULUMI_BINARY, else pulumi on PATH), git knows who you are, the cluster answers and no canary
of the service is under way, and Prometheus answers (unless --monitor 0).

Secrets: the webhook address is read with pulumi config get and only ever sent to the webhook;
it is never printed, also not on failure.

Options:
  --stack NAME            stack (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml)
  --dry-run               print the plan (every command and query, the rollback path) and change
                          nothing; works without pulumi or a cluster (says what a real run would
                          stop at). Exit 0, or 1 when the pre-check fails.
  --yes, -y               do not ask for confirmation (required when not on a terminal,
                          and with --json)
  --json                  JSON lines: one event per step change, then a summary object
  --watch-timeout D       give the canary at most D (default: Flagger's progress deadline + the
                          canary's intervals: start, steps, threshold, promotion; 22m for the
                          example's checkout)
  --monitor D             monitoring window after promotion (default ${DEFAULTS.monitor}; 0 skips it)
  --monitor-interval D    time between monitoring queries (default: the canary interval)
  --interval D            time between looks at the cluster (default ${DEFAULTS.interval})
  --rollback-timeout D    how long the previous version may take to serve again (default ${DEFAULTS.rollbackTimeout})
  --prometheus-url URL    Prometheus HTTP API (default: the stack's releasectl:prometheusUrl)
  --context NAME          kube context (default: the stack's releasectl:kubeContext)
  --policy-pack DIR       policy pack folder, relative to the project (default: policies)
  --policy-pack-config F  pack config for the pre-check and pulumi (--policy-pack-config)
  --no-changelog          do not write the changelog entry (the notes still make the tag
                          message and the announcements)
  --target                preview and apply only this service's resources (pulumi --target with
                          their URNs: the release's objects and those it replaces), with the
                          program declaring this service alone. About as fast in a large stack as
                          in a small one, at a price: drift in the rest of the stack (another
                          service's edited but unapplied configuration, a resource changed by
                          hand) stays unseen and unapplied, and stack-wide policies judge only
                          what is applied. The rollback still applies the whole stack. Run a
                          full pulumi up (or ship without it) before the next full release.
  --tag-prefix P, --strict, --prerelease ID, --build META
                          as in releasectl next, for auto (the tag is <prefix><version>);
                          --strict, --prerelease and --build with an explicit version are
                          refused: write 2.5.0-rc.1 instead of 2.5.0 --prerelease rc
  --cwd DIR               project directory (default: the nearest folder holding Pulumi.yaml)
  --debug                 show stack traces on errors

Exit codes: 0 released; 1 not released (pre-check, preview) or rolled back, or the rollback
failed (the output says what to do); 2 bad input, nothing changed.

Examples:
  releasectl ship checkout auto --dry-run
  releasectl ship checkout 2.5.0 --stack production
  releasectl ship checkout auto --yes --json > ship.jsonl        # CI
  releasectl ship checkout 2.5.0 --target --yes                   # a large stack: checkout's resources only
  kubectl -n monitoring port-forward svc/prometheus-operated 9090 &
  releasectl ship storefront 1.13.0 --prometheus-url http://127.0.0.1:9090 --monitor 10m`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "ship",
            ctx.argv,
            {
                stack: { type: "string" },
                "dry-run": { type: "boolean" },
                yes: { type: "boolean", short: "y" },
                json: { type: "boolean" },
                "watch-timeout": { type: "string" },
                monitor: { type: "string" },
                "monitor-interval": { type: "string" },
                interval: { type: "string" },
                "rollback-timeout": { type: "string" },
                "prometheus-url": { type: "string" },
                context: { type: "string" },
                "policy-pack": { type: "string" },
                "policy-pack-config": { type: "string" },
                "tag-prefix": { type: "string" },
                strict: { type: "boolean" },
                prerelease: { type: "string" },
                build: { type: "string" },
                from: { type: "string" },
                "no-cluster": { type: "boolean" },
                "no-changelog": { type: "boolean" },
                target: { type: "boolean" },
            },
            { min: values0(ctx.argv), max: 2, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        if (values.from === undefined && positionals.length < 2) {
            throw new UsageError(`releasectl ship: expected 2 argument(s), got ${positionals.length}; usage: ${USAGE}`, "ship");
        }
        if (values.from === undefined && values["no-cluster"]) throw new UsageError("releasectl ship: --no-cluster goes with --from (it skips asking the source stack's cluster)", "ship");
        if (values.from !== undefined && positionals[1] === "auto") {
            throw new UsageError(`releasectl ship: with --from the version is the one ${values.from} runs; drop auto (or name one of ${values.from}'s releases)`, "ship");
        }
        if (isSemVer(positionals[1])) {
            refuseComputeOptions(values, positionals[1], ["prerelease", "build", "strict"], {
                explicit: (v) => `releasectl ship ${positionals[0]} ${v}`,
                computed: `releasectl ship ${positionals[0]} auto`,
            });
        }
        const promotion = values.from === undefined ? undefined : await promotionFor(ctx, positionals[0], positionals[1], values);
        const decide = () => decideRelease(ctx, {
            promotion,
            service: positionals[0],
            version: positionals[1],
            cwd: values.cwd,
            stack: values.stack,
            policyPack: values["policy-pack"],
            policyPackConfig: values["policy-pack-config"],
            prometheusUrl: values["prometheus-url"],
            context: values.context,
            timing: {
                interval: values.interval,
                watchTimeout: values["watch-timeout"],
                monitor: values.monitor,
                monitorInterval: values["monitor-interval"],
                rollbackTimeout: values["rollback-timeout"],
            },
            auto: { tagPrefix: values["tag-prefix"], strict: values.strict, prerelease: values.prerelease, build: values.build },
            noChangelog: values["no-changelog"],
            target: values.target,
            // a folder of its own, made when the release starts (mkdir fails if it exists)
            planFile: path.join(os.tmpdir(), values["dry-run"] ? "releasectl-ship-XXXXXXXX" : `releasectl-ship-${(require("crypto") as typeof import("crypto")).randomBytes(4).toString("hex")}`, "plan.json"),
        });
        const checkOf = (release: ShipRelease) => () => precheck({ config: release.nextConfig, service: release.service.name, dir: release.dir, stackFile: release.file, packConfig: release.packConfig, env: ctx.env });
        const whereOf = (release: ShipRelease) => (cluster: string) => `namespace ${release.service.namespace}, ${cluster}`;

        // Deciding (and the whole dry run) only reads: the same git query twice is one process (cli/git.ts).
        if (values["dry-run"]) {
            return rememberGitReads(() => {
                const release = decide();
                const warnings: string[] = [];
                try {
                    findPulumi(ctx.env);
                } catch (e) {
                    if (!(e instanceof UserError)) throw e;
                    warnings.push(`${e.message} — a real run stops there, before changing anything (exit 2)`);
                }
                const plan = shipPlan(release, checkOf(release)(), warnings);
                ctx.stdout.write(values.json ? `${JSON.stringify({ event: "plan", ...plan })}\n` : planText(plan, whereOf(release)(`kube context ${release.kubeContext ?? "(the current one)"}`)));
                return plan.precheck.passed ? 0 : 1;
            });
        }
        const release = rememberGitReads(decide);
        const check = checkOf(release);
        const where = whereOf(release);

        const tty = isTerminal(ctx.stdout) && !values.json;
        const interactive = tty && process.stdin.isTTY === true;
        if (!values.yes && !interactive) {
            const why = values.json ? "--json cannot ask for confirmation" : "not on a terminal, so nobody can confirm the release";
            throw new UsageError(`releasectl ship: ${why}: pass --yes to release non-interactively (or --dry-run to see the plan)`, "ship");
        }
        const environment = await checkEnvironment(release, ctx.env);
        const lock = await acquireShipLock(release.dir, release.stack, ctx.env);
        // Ctrl-C must not leave a half-done release behind: the first one stops the release (or
        // rolls it back once production changed; pulumi, in the same process group, cancels its
        // own update), a second one leaves at once, saying what to check.
        let interrupts = 0;
        const onInterrupt = () => {
            interrupts++;
            if (interrupts === 1) {
                ctx.stderr.write(`\nreleasectl ship: interrupted: stopping the release (rolling back if production changed); Ctrl-C again to leave at once\n`);
                return;
            }
            ctx.stderr.write(
                `\nreleasectl ship: interrupted twice: leaving now; production may be mid-release: releasectl status ${release.service.name} --stack ${release.stack}, git log -3 ${release.fileName}, releasectl rollback ${release.service.name} --stack ${release.stack}\n`,
            );
            lock.release();
            fs.rmSync(path.dirname(release.planFile), { recursive: true, force: true });
            process.exit(130);
        };
        process.on("SIGINT", onInterrupt);
        try {
            fs.mkdirSync(path.dirname(release.planFile), { mode: 0o700 });
            if (release.targetFile !== undefined) {
                const target: TargetFile = { stack: release.stack, services: [release.service.name] };
                fs.writeFileSync(release.targetFile, JSON.stringify(target) + "\n", { mode: 0o600 });
            }
            const steps: StepView[] = pendingSteps();
            const progress: Progress = values.json ? jsonProgress(ctx.stdout) : tty ? liveProgress(ctx.stdout, steps) : plainProgress(ctx.stdout);
            if (!values.json) {
                ctx.stdout.write(`releasectl ship: ${release.service.name} ${release.from} → ${release.version} to stack ${release.stack} (${where(environment.cluster.where)})\n`);
                if (release.versionReason) ctx.stdout.write(`version: auto → ${release.version}: ${release.versionReason}\n`);
            }
            const deps: ShipDeps = {
                progress,
                git: shipGit(release.dir, release.file, release.fileName, ctx.env),
                // RELEASECTL_TARGET_FILE only where the release passes it (its preview and up), never inherited
                pulumi: (args, opts) => runPulumi(environment.pulumi, args, { ...opts, cwd: release.dir, env: { ...ctx.env, [TARGET_FILE_ENV]: undefined, ...opts?.env } }),
                readCluster: () => environment.cluster.read(environment.target),
                precheck: check,
                rollback: (to) => performRollback({ dir: release.dir, stack: release.stack, service: release.service.name, to, shown: release.shown, env: ctx.env }),
                announce: (target, address, text) => announce(target, address, text),
                confirm: values.yes ? undefined : (question) => confirm(ctx, question),
                sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
                now: Date.now,
                interrupted: () => interrupts > 0,
            };
            const outcome = await runShip(release, { baseline: environment.baseline, author: environment.author }, deps, steps);
            ctx.stdout.write(values.json ? summaryJson(outcome) : summaryText(outcome));
            return outcome.exitCode;
        } finally {
            process.removeListener("SIGINT", onInterrupt);
            lock.release();
            fs.rmSync(path.dirname(release.planFile), { recursive: true, force: true });
        }
    },
};

/** The command; with --json, bad input is a JSON event on stdout as well (the line on stderr stays). */
export const ship: Command = {
    ...command,
    async run(ctx: CommandContext): Promise<number> {
        try {
            return await command.run(ctx);
        } catch (e) {
            if (wantsJson(ctx.argv)) ctx.stdout.write(errorEvent(e));
            throw e;
        }
    },
};

/** --json among the options (before a `--` that ends them), also when the command line does not parse. */
function wantsJson(argv: readonly string[]): boolean {
    const end = argv.indexOf("--");
    return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

/** The error as ship --json's last line: {"event":"error","exitCode":2,"code":...,"message":...}. */
function errorEvent(e: unknown): string {
    const user = e instanceof UserError;
    const message = user ? e.message.replace(/^releasectl \S+: /, "") : `internal error: ${(e as Error)?.message ?? String(e)}`;
    return `${JSON.stringify({ event: "error", exitCode: user ? e.exitCode : 70, code: user ? e.code : "EINTERNAL", message })}\n`;
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
    return (stream as NodeJS.WritableStream & { isTTY?: boolean }).isTTY === true;
}

/** A yes/no question on the terminal; anything but y/yes is no. */
async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
    const rl = readline.createInterface({ input: process.stdin, output: ctx.stdout });
    try {
        const answer = await new Promise<string>((resolve) => {
            rl.on("SIGINT", () => resolve("")); // Ctrl-C at the prompt is a no
            rl.question(`${question} [y/N] `, resolve);
        });
        return /^y(es)?$/i.test(answer.trim());
    } finally {
        rl.close();
    }
}
