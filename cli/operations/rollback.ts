// The rollback operation: plans the restore of an earlier release of a service from the stack
// file's git history, writes it (locked, atomic, validated) unless a dry run, and says what it
// did (rollbackReport). Layer: cli/operations/, the domain operations the commands and ship/
// call. An operation imports only what lies below it (cli/stack/, cli/versions/, cli/changelog/,
// config/, cli/ root utilities), never cli/commands/ or cli/ship/.
import * as path from "path";
import { UserError } from "../../config/errors";
import { loadStack, parseStackText, stackFilePath } from "../../config/load";
import { imageTagForVersion } from "../../config/versions";
import { changedPaths, repoRoot } from "../git";
import { findService } from "../project";
import { shellLine } from "../shell-line";
import { projectName } from "../stack/project-name";
import { readService, reapplyServiceBlock, ReapplyResult, ServiceLocation } from "../stack/edit";
import { readServiceHistory, Release, releaseText, ServiceHistory } from "../stack/history";
import { CrossedMigration, planRollback, RollbackPlan } from "../stack/rollback-plan";
import { keyDiff } from "../stack/service-diff";
import { readStackText } from "../stack/stack-text";

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
    // the lock (and its atomic write) only for a real run: a dry run never writes
    const { updateFileLocked } = require("../stack/lock") as typeof import("../stack/lock");
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

function describeCommand(command: unknown): string {
    if (Array.isArray(command)) return shellLine(command.map(String));
    return typeof command === "string" ? command : "its command";
}
