import { UserError } from "../../config/errors";
import { versionProblem } from "../versions/version-arg";
import { parseCommandArgs } from "../args";
import { Command, CommandContext, UsageError } from "../context";
import { projectDir, resolveStack } from "../project";
import { lockTimeout } from "../stack/lock";
import { filePatch } from "../stack/service-diff";
import { performPromotion, promotionReport, PromoteRequest } from "../operations/promote";
import { rememberGitReads } from "../git";

const USAGE = "releasectl promote <service> --from STACK --to STACK [--version V] [--dry-run] [--no-cluster] [--context C]";

export const promote: Command = {
    name: "promote",
    summary: "copy the release a stack runs (version, digest, migration, evidence) into another stack, recording where it came from",
    help: `Usage: ${USAGE}

Copies the release of one service that the --from stack runs into the --to stack, so what
reaches production is exactly what passed before it:

  copied     version, imageDigest (when pinned; removed when the source has none), the
             migration's schema change (command, downgradeCommand, phase, image,
             backupCommand) and evidence, as the lines the source's file has them
  recorded   previousVersion: the version the target ran (as prepare writes it), and
             promotedFrom: {stack, commit, version}: the source stack, the commit of its stack
             file whose configuration was copied, and the version; the checklist rule
             deployment-promoted-from-earlier-stack can require it (promotionSources)
  untouched  everything else of the target: image repository, replicas, resources, canary
             thresholds, alerts, env, notifications, the migration's databaseUrl and limits,
             every secure: value, comments and key order, byte for byte

Refused with exit 2 and the reason (nothing is written):
  never released   the version has no release commit in the source's stack file history
                   (uncommitted, or never there)
  backed out       a later release of the source has a lower version (rollback: true, a git
                   revert, or a hand edit), or the source runs a rollback release
  canary           the source's cluster is reachable and its Canary is not Succeeded, or the
                   primary serves another version (only asked for the release the source runs
                   now; an unreachable cluster is said, not refused; --no-cluster skips it)
  not newer        the version is not after the target's (going back is a rollback)
  migration order  a release between the target's version and this one ran its own migration
                   on the source: promote that one first (--version), so the target runs the
                   schema changes in the same order
  migration        one stack declares a migration for the service and the other does not

The result is validated as render validates a stack; the write is atomic and locked like
prepare's. A release is a commit of Pulumi.<from>.yaml that changed the service's version.

Options:
  --from STACK       the stack the release passed (e.g. staging)
  --to STACK         the stack to copy it into (e.g. production)
  --version V        promote this earlier release of the source instead of the one it runs now
  --dry-run          print the change as a diff, write nothing
  --no-cluster       do not ask the source's cluster for the Canary
  --context NAME     kube context of the source's cluster (default: its releasectl:kubeContext)
  --lock-timeout D   how long to wait for another run's lock (default 10s)
  --cwd DIR          project directory (default: the nearest folder holding Pulumi.yaml)
  --debug            show stack traces on errors

Examples:
  releasectl promote checkout --from staging --to production --dry-run
  releasectl promote checkout --from staging --to production
  releasectl promote checkout --from staging --to production --version 2.4.2
  releasectl ship checkout --from staging --stack production   # promotion as ship's prepare step`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "promote",
            ctx.argv,
            {
                from: { type: "string" },
                to: { type: "string" },
                version: { type: "string" },
                "dry-run": { type: "boolean" },
                "no-cluster": { type: "boolean" },
                context: { type: "string" },
                "lock-timeout": { type: "string" },
            },
            { min: 1, max: 1, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        if (values.from === undefined || values.to === undefined) {
            throw new UsageError(`releasectl promote: ${values.from === undefined ? "--from" : "--to"} is required: name the stack the release passed and the one to copy it into, e.g. --from staging --to production; usage: ${USAGE}`, "promote");
        }
        if (values.version !== undefined) {
            const bad = versionProblem(values.version);
            if (bad) throw new UserError(`--version ${values.version}: ${bad.problem}${bad.bare !== undefined ? `; drop the leading v: --version ${bad.bare}` : ""}`, "EBADVERSION");
        }
        const dir = projectDir(ctx, values.cwd);
        const req: PromoteRequest = {
            dir,
            from: resolveStack(dir, values.from, ctx.env, positionals[0]),
            to: resolveStack(dir, values.to, ctx.env, positionals[0]),
            service: positionals[0],
            version: values.version,
            dryRun: values["dry-run"],
            noCluster: values["no-cluster"],
            context: values.context,
            lockTimeoutMs: lockTimeout(values["lock-timeout"]),
            cwd: ctx.cwd,
            env: ctx.env,
        };
        // a dry run only reads: the same git query twice is one process (cli/git.ts)
        const outcome = await (req.dryRun ? rememberGitReads(() => performPromotion(req)) : performPromotion(req));
        ctx.stdout.write(promotionReport(outcome, req));
        if (!outcome.written) ctx.stdout.write(filePatch(outcome.shown, outcome.before, outcome.after));
        return 0;
    },
};
