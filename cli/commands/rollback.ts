import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";
import { loadStack, stackFilePath } from "../../config/load";
import { imageTagForVersion, isSemVer } from "../../config/versions";
import { parseCommandArgs } from "../args";
import { Command, CommandContext, UsageError } from "../context";
import { versionProblem } from "../versions/version-arg";
import { changedPaths, repoRoot } from "../git";
import { updateFileLocked } from "../stack/lock";
import { readStackText } from "../stack/stack-text";
import { findService, projectDir, resolveStack } from "../project";
import { CrossedMigration, planRollback, RollbackPlan } from "../stack/rollback-plan";
import { parseStackText, projectName } from "../stack/config";
import { readService, reapplyServiceBlock, ReapplyResult, ServiceLocation } from "../stack/edit";
import { readServiceHistory, Release, releaseText, ServiceHistory } from "../stack/history";
import { filePatch, lockTimeout } from "./prepare";

const USAGE = "releasectl rollback <service> [--to VERSION] [--stack S] [--include-secrets] [--dry-run]";

export interface RollbackRequest {
    readonly dir: string;
    readonly stack: string;
    readonly service: string;
    readonly to?: string;
    readonly includeSecrets?: boolean;
    readonly dryRun?: boolean;
    readonly lockTimeoutMs?: number;
    /** Path of the stack file as shown to the user. */
    readonly shown: string;
    readonly env: NodeJS.ProcessEnv;
}

export interface RollbackOutcome {
    readonly plan: RollbackPlan;
    readonly before: string;
    readonly after: string;
    readonly reapplied: ReapplyResult;
    readonly written: boolean;
    /** The service's data before and after (secure values as {secure: ...}). */
    readonly serviceBefore: unknown;
    readonly serviceAfter: unknown;
}

/**
 * Plans and (unless dryRun) writes a rollback. Shared by `rollback` and
 * `status --revert-on-failure`. Refuses uncommitted changes to the stack file: the history is
 * what a rollback reads, and the working file must be the last committed release.
 */
export async function performRollback(req: RollbackRequest): Promise<RollbackOutcome> {
    const file = stackFilePath(req.dir, req.stack);
    const name = path.basename(file);
    repoRoot(req.dir, req.env);
    if (changedPaths(req.dir, [name], req.env).length > 0) {
        throw new UserError(`${req.shown}: has uncommitted changes; commit them (git commit ${name}) or discard them (git restore ${name}) first: a rollback restores a committed release`, "EDIRTY");
    }
    const project = projectName(req.dir);
    const config = loadStack(req.dir, req.stack);
    const service = findService(config, req.service);
    const history = readServiceHistory(req.dir, req.stack, project, req.service, req.env);
    const plan = planRollback(history.releases, service.version, req.to, { service: req.service, stack: req.stack, file: req.shown });
    const loc: ServiceLocation = { project, service: req.service, file: req.shown };
    const committed = history.releases.length > 0 ? lastCommittedText(history) : undefined;

    const compute = (text: string) => {
        if (committed !== undefined && text !== committed) {
            throw new UserError(`${req.shown}: changed while the rollback was being planned (another prepare or rollback?); run again`, "ECHANGED");
        }
        const reapplied = reapplyServiceBlock(text, releaseText(history, plan.target), loc, {
            includeSecrets: req.includeSecrets,
            set: { previousVersion: plan.current.version, rollback: true },
        });
        try {
            parseStackText(req.dir, req.stack, reapplied.text, req.shown);
        } catch (e) {
            if (!(e instanceof UserError)) throw e;
            throw new UserError(
                `restoring ${req.service} ${plan.target.version} (from ${plan.target.configCommit.slice(0, 7)}) would give a stack file today's rules reject, so nothing was written: ${e.message}`,
                "EINVALIDRESTORE",
            );
        }
        return reapplied;
    };

    if (req.dryRun) {
        const before = readStackText(file);
        const reapplied = compute(before);
        return { plan, before, after: reapplied.text, reapplied, written: false, serviceBefore: readService(before, loc), serviceAfter: readService(reapplied.text, loc) };
    }
    let reapplied: ReapplyResult | undefined;
    const { before, after } = await updateFileLocked(
        file,
        (text) => {
            reapplied = compute(text);
            return reapplied.text;
        },
        { timeoutMs: req.lockTimeoutMs },
    );
    return { plan, before, after, reapplied: reapplied!, written: true, serviceBefore: readService(before, loc), serviceAfter: readService(after, loc) };
}

/** The stack file as of its last commit on HEAD's line (the working file must equal it). */
function lastCommittedText(history: ServiceHistory): string | undefined {
    const last = history.releases[history.releases.length - 1];
    // The last release's configuration commit is the newest commit that has the service; a
    // later commit without it would have ended that release.
    return releaseText(history, last);
}

/** Leaf values of a service map as dotted paths; secure values never show their ciphertext. */
export function flatten(value: unknown, prefix = ""): Map<string, string> {
    const out = new Map<string, string>();
    const visit = (v: unknown, at: string) => {
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
            const keys = Object.keys(v as object);
            if (keys.length === 1 && keys[0] === "secure") {
                out.set(at, `<secret ${shortHash(String((v as { secure: unknown }).secure))}>`);
                return;
            }
            for (const k of keys) visit((v as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
            return;
        }
        out.set(at, typeof v === "string" && /^[^\s"'{}[\],]+$/.test(v) ? v : JSON.stringify(v));
    };
    visit(value, prefix);
    return out;
}

function shortHash(text: string): string {
    let h = 0;
    for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
    return h.toString(16).padStart(8, "0").slice(0, 6);
}

/** `key: old → new` lines for every leaf that differs. */
export function keyDiff(before: unknown, after: unknown): string[] {
    const a = flatten(before);
    const b = flatten(after);
    const keys = [...new Set([...a.keys(), ...b.keys()])];
    return keys.filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? "(unset)"} → ${b.get(k) ?? "(unset)"}`);
}

/** An argv as a shell command line a person can paste. */
export function shellLine(argv: readonly string[]): string {
    return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

function migrationImage(release: Release): string | undefined {
    if (release.migration?.image) return release.migration.image;
    return release.image === undefined ? undefined : `${release.image}:${imageTagForVersion(release.version)}`;
}

function describeRelease(r: Release): string {
    return `${r.version} (${r.commit.slice(0, 7)}, ${r.date.slice(0, 10)}, ${r.author})`;
}

/** What the user reads: the change, the schema steps in order, and the command to run next. */
export function rollbackReport(outcome: RollbackOutcome, req: Pick<RollbackRequest, "service" | "stack" | "shown">): string {
    const { plan, reapplied } = outcome;
    const lines: string[] = [];
    lines.push(`rollback ${req.service} ${plan.current.version} → ${plan.target.version} in ${req.shown}: restoring the configuration of ${describeRelease(plan.target)}`);
    const changes = keyDiff(outcome.serviceBefore, outcome.serviceAfter);
    lines.push(`changes to ${req.service}:`);
    for (const change of changes) lines.push(`  ${change}`);
    for (const kept of reapplied.keptSecrets) {
        lines.push(`  ${kept}: kept the current secret (the one of ${plan.target.version} differs; --include-secrets restores it)`);
    }
    for (const restored of reapplied.restoredSecrets) lines.push(`  ${restored}: secret of ${plan.target.version} restored`);
    for (const c of plan.carriedOver) {
        lines.push(`schema: ${c.release.version} declares the same migration as ${c.from.version} (carried over unchanged): taken as no schema change of its own, nothing to undo for it`);
    }
    for (const kept of plan.keptExpands) {
        lines.push(`schema: ${kept.release.version} ran an expand migration: its schema stays (${plan.target.version} works with it); no downgrade runs`);
    }
    if (plan.downgrades.length > 0) {
        lines.push(`schema: BEFORE pulumi up, run these downgrades, in this order (${plan.target.version}'s code must not start on a schema it cannot read):`);
        plan.downgrades.forEach((d: CrossedMigration, i) => {
            const image = migrationImage(d.release);
            lines.push(`  ${i + 1}. undo ${d.release.version} (contract, ${d.release.commit.slice(0, 7)}): ${shellLine(d.downgradeCommand ?? [])}${image ? `   [image ${image}]` : ""}`);
        });
    }
    const target = outcome.serviceAfter as { migration?: { command?: unknown } } | undefined;
    if (target?.migration !== undefined) {
        lines.push(`note: a rollback release runs no migration Job: ${plan.target.version}'s code goes back on the schema as it is (its migration ${describeCommand(target.migration.command)} is not run again)`);
    }
    const name = path.basename(req.shown);
    const verb = outcome.written ? "next" : "(dry run: nothing written) then";
    const first = plan.downgrades.length > 0 ? "run the downgrades above, then " : "";
    lines.push(
        `${verb}: ${first}git commit -m "rollback ${req.service} to ${plan.target.version}" ${name} && pulumi up --stack ${req.stack}   (releasectl status ${req.service} --stack ${req.stack} --watch follows it)`,
    );
    return `${lines.join("\n")}\n`;
}

/**
 * `rollback checkout 2.4.1` (helm's habit: the revision as an argument) is refused with the
 * command to run instead; any other second argument is the usual count error.
 */
function refuseVersionArgument(service: string, extra: string, values: Record<string, string | boolean | undefined>): never {
    const version = versionProblem(extra)?.bare ?? extra;
    if (!isSemVer(version)) {
        throw new UsageError(`releasectl rollback: expected 1 argument(s), got 2; usage: ${USAGE}`, "rollback");
    }
    const rest = Object.entries(values).flatMap(([k, v]) => (k === "to" || v === undefined || v === false ? [] : v === true ? [`--${k}`] : [`--${k}`, v]));
    const twice = values.to !== undefined && values.to !== version ? ` (and --to ${values.to} too: give the version once)` : "";
    throw new UserError(`the version to roll back to goes after --to${twice}; use: releasectl ${shellLine(["rollback", service, "--to", version, ...rest])}`, "EUSAGE");
}

function describeCommand(command: unknown): string {
    if (Array.isArray(command)) return shellLine(command.map(String));
    return typeof command === "string" ? command : "its command";
}

export const rollback: Command = {
    name: "rollback",
    summary: "re-apply an earlier release of a service from the stack file's git history",
    help: `Usage: ${USAGE}

Finds, in the git history of Pulumi.<stack>.yaml, the configuration that shipped the target
release of the service (default: the newest earlier release with a lower version, usually
previousVersion), and writes that service's block back into the stack file, byte for byte with
its comments. It marks the release rollback: true (the Canary promotes it without analysis:
the fast path) and previousVersion: <the version rolled back from>. Other services, the rest of
the file and the current secure: values stay as they are (a rotated credential is not brought
back), unless --include-secrets.

Schema changes between the two releases (the design's expand/contract):
  expand     the newer schema stays; the older code works with it. Said, nothing to run.
  contract   needs its migration.downgradeCommand: the downgrades are printed, newest first,
             to run BEFORE pulumi up (the old code must not start on a schema it cannot read).
             Without a downgrade the rollback is refused, naming the release and the fix.

A release is a commit (on HEAD's first-parent line) that changed the service's version; the
configuration restored is the last committed one of that release. The stack file must have no
uncommitted changes. The result is validated before it is written; the write is atomic and
locked like prepare's.

Options:
  --to VERSION        the release to restore (must have shipped; the error lists those that did)
  --stack NAME        stack (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml)
  --include-secrets   restore the release's secure: values too
  --dry-run           print the plan and the file diff, write nothing
  --lock-timeout D    how long to wait for another run's lock (default 10s)
  --cwd DIR           project directory (default: the nearest folder holding Pulumi.yaml)
  --debug             show stack traces on errors

Examples:
  releasectl rollback checkout --stack production
  releasectl rollback checkout --to 2.3.0 --dry-run
  releasectl history checkout    # the releases you can roll back to`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "rollback",
            ctx.argv,
            { to: { type: "string" }, stack: { type: "string" }, "include-secrets": { type: "boolean" }, "dry-run": { type: "boolean" }, "lock-timeout": { type: "string" } },
            { min: 1, max: 2, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        if (positionals.length === 2) refuseVersionArgument(positionals[0], positionals[1], values);
        if (values.to !== undefined) {
            const bad = versionProblem(values.to);
            if (bad?.bare !== undefined) throw new UserError(`--to ${values.to}: a version, not a tag, is asked for: drop the leading v: use --to ${bad.bare}`, "EBADVERSION");
        }
        const dir = projectDir(ctx, values.cwd);
        const stack = resolveStack(dir, values.stack, ctx.env);
        const file = stackFilePath(dir, stack);
        const req: RollbackRequest = {
            dir,
            stack,
            service: positionals[0],
            to: values.to,
            includeSecrets: values["include-secrets"],
            dryRun: values["dry-run"],
            lockTimeoutMs: lockTimeout(values["lock-timeout"]),
            shown: path.relative(ctx.cwd, file) || file,
            env: ctx.env,
        };
        const outcome = await performRollback(req);
        ctx.stdout.write(rollbackReport(outcome, req));
        if (!outcome.written) ctx.stdout.write(filePatch(req.shown, outcome.before, outcome.after));
        return 0;
    },
};
