import * as path from "path";
import { UserError } from "../../config/errors";
import { stackFilePath } from "../../config/load";
import { isSemVer } from "../../config/versions";
import { parseCommandArgs } from "../args";
import { Command, CommandContext, UsageError } from "../context";
import { performRollback, rollbackReport, RollbackRequest } from "../operations/rollback";
import { projectDir, resolveStack } from "../project";
import { shellLine } from "../shell-line";
import { lockTimeout } from "../stack/lock";
import { filePatch } from "../stack/service-diff";
import { versionProblem } from "../versions/version-arg";
import { rememberGitReads } from "../git";

const USAGE = "releasectl rollback <service> [--to VERSION] [--stack S] [--include-secrets] [--dry-run]";

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
        const stack = resolveStack(dir, values.stack, ctx.env, positionals[0]);
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
        // a dry run only reads: the same git query twice is one process (cli/git.ts)
        const outcome = await (req.dryRun ? rememberGitReads(() => performRollback(req)) : performRollback(req));
        ctx.stdout.write(rollbackReport(outcome, req));
        if (!outcome.written) ctx.stdout.write(filePatch(req.shown, outcome.before, outcome.after));
        return 0;
    },
};
