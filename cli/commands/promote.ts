import * as path from "path";
import { UserError } from "../../config/errors";
import { loadStack, stackFilePath } from "../../config/load";
import { ReleaseConfig } from "../../config/types";
import { versionProblem } from "../versions/version-arg";
import { parseCommandArgs } from "../args";
import { Command, CommandContext, UsageError } from "../context";
import { interpret } from "../cluster/canary-status";
import { connect } from "../cluster/kube-client";
import { changedPaths } from "../git";
import { findService, projectDir, resolveStack } from "../project";
import { copyServiceKey, setServiceMap } from "../promote/copy-keys";
import { planPromotion, PromotePlan } from "../promote/plan";
import { parseStackText, projectName } from "../stack/config";
import { readService, ServiceLocation } from "../stack/edit";
import { readServiceHistory, releaseText } from "../stack/history";
import { updateFileLocked } from "../stack/lock";
import { readStackText } from "../stack/stack-text";
import { lockTimeout } from "../stack/lock";
import { prepareEdit } from "../stack/prepare-edit";
import { filePatch, keyDiff } from "../stack/service-diff";

const USAGE = "releasectl promote <service> --from STACK --to STACK [--version V] [--dry-run] [--no-cluster] [--context C]";

/** The schema change a release declares; the rest of migration (database, retries) is the target's own. */
const MIGRATION_KEYS = ["command", "downgradeCommand", "phase", "image", "backupCommand"] as const;

export interface PromoteRequest {
    readonly dir: string;
    readonly from: string;
    readonly to: string;
    readonly service: string;
    readonly version?: string;
    readonly dryRun?: boolean;
    /** Skip asking the source's cluster for its Canary. */
    readonly noCluster?: boolean;
    /** kube context of the source's cluster (default: the source stack's kubeContext). */
    readonly context?: string;
    readonly lockTimeoutMs?: number;
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
}

export interface PromoteOutcome {
    readonly plan: PromotePlan;
    readonly before: string;
    readonly after: string;
    readonly written: boolean;
    readonly shown: string;
    readonly fromVersion: string;
    /** What the cluster said (or why it was not asked). */
    readonly cluster: string;
    readonly notes: readonly string[];
    readonly serviceBefore: unknown;
    readonly serviceAfter: unknown;
}

/** Asks the source's cluster whether its Canary for the release succeeded; refuses when it did not. */
async function checkCanary(req: PromoteRequest, source: ReleaseConfig, version: string): Promise<string> {
    if (req.noCluster) return "cluster not asked (--no-cluster)";
    const service = findService(source, req.service);
    let state;
    let where: string;
    try {
        const cluster = await connect(req.env, req.context ?? source.kubeContext);
        where = cluster.where;
        state = await cluster.read({ namespace: service.namespace, name: service.name });
    } catch (e) {
        if (e instanceof UserError) return `cluster of ${req.from} not reachable, its Canary was not checked (${e.message.split(";")[0]}); the git history alone says ${version} succeeded there`;
        throw e;
    }
    const view = interpret(state, { service: service.name, stack: req.from, stackVersion: version, threshold: service.canary.threshold });
    if (view.verdict !== "succeeded" || (view.primaryVersion !== undefined && view.primaryVersion !== version)) {
        throw new UserError(
            `${req.service} ${version} did not succeed on ${req.from}: its Canary in ${where} is ${view.phase}` +
                (view.primaryVersion !== undefined ? ` and the primary serves ${view.primaryVersion}` : "") +
                `: ${view.summary}; promote once it has Succeeded (releasectl status ${req.service} --stack ${req.from})`,
            "ECANARY",
        );
    }
    return `Canary ${req.service} in ${where} (${req.from}): Succeeded, primary serves ${view.primaryVersion ?? version}`;
}

/** Plans, checks and (unless dryRun) writes a promotion. Shared by `promote` and `ship --from`. */
export async function performPromotion(req: PromoteRequest): Promise<PromoteOutcome> {
    if (req.from === req.to) throw new UsageError(`releasectl promote: --from and --to name the same stack (${req.from}); promotion copies a release from one stack to another`, "promote");
    const fromFile = stackFilePath(req.dir, req.from);
    const toFile = stackFilePath(req.dir, req.to);
    const shown = path.relative(req.cwd, toFile) || toFile;
    const sourceShown = path.relative(req.cwd, fromFile) || fromFile;
    const project = projectName(req.dir);
    const source = loadStack(req.dir, req.from);
    const target = loadStack(req.dir, req.to);
    const sourceService = findService(source, req.service);
    const targetService = findService(target, req.service);
    const history = readServiceHistory(req.dir, req.from, project, req.service, req.env);
    const sourceDirty = changedPaths(req.dir, [path.basename(fromFile)], req.env).length > 0;
    const plan = planPromotion({
        service: req.service,
        from: req.from,
        to: req.to,
        releases: history.releases,
        sourceVersion: sourceService.version,
        version: req.version,
        targetVersion: targetService.version,
    });
    const { release } = plan;
    const cluster = plan.current && !sourceDirty ? await checkCanary(req, source, release.version) : plan.current ? "cluster not asked: the source's stack file has uncommitted changes" : `cluster not asked: ${req.from} runs a later release now, so its Canary says nothing about ${release.version}`;

    const sourceText = releaseText(history, release);
    const sourceLoc: ServiceLocation = { project, service: req.service, file: `${sourceShown} at ${release.configCommit.slice(0, 7)}` };
    const loc: ServiceLocation = { project, service: req.service, file: shown };
    const notes: string[] = [];
    const sourceData = readService(sourceText, sourceLoc) as Record<string, unknown> | undefined;
    if (sourceData === undefined) throw new UserError(`${sourceLoc.file}: has no service ${req.service}`, "ENOSERVICE");
    const sourceImage = String(sourceData.image ?? "");
    if (sourceImage !== targetService.image.repository) {
        notes.push(`image: ${req.to} pulls from ${targetService.image.repository}, ${req.from} from ${sourceImage}; the repository is ${req.to}'s own setting and stays (make sure it holds the same image)`);
    }
    let fromVersion = targetService.version;

    const compute = (text: string): string => {
        const current = readService(text, loc) as Record<string, unknown> | undefined;
        const hasSourceMigration = sourceData.migration !== undefined && sourceData.migration !== null;
        const hasTargetMigration = current?.migration !== undefined && current.migration !== null;
        if (hasSourceMigration && !hasTargetMigration) {
            throw new UserError(
                `${req.service} ${release.version} ships a migration on ${req.from}, and ${shown} declares none for ${req.service}: the migration needs ${req.to}'s own database address; add migration: {command, downgradeCommand, phase, databaseUrl} to ${req.service} in ${shown} (pulumi config set --secret --path 'releasectl:services.${req.service}.migration.databaseUrl' ... --stack ${req.to}), commit, and promote again`,
                "EMIGRATION",
            );
        }
        if (!hasSourceMigration && hasTargetMigration) {
            throw new UserError(
                `${req.service} ${release.version} has no migration on ${req.from}, but ${shown} declares one for ${req.service}: the two stacks disagree about the schema change; remove migration from ${req.service} in ${shown} (or declare it on ${req.from} and release it there), commit, and promote again`,
                "EMIGRATION",
            );
        }
        const prepared = prepareEdit(text, loc, release.version, req.to);
        fromVersion = prepared.from;
        let out = prepared.text;
        out = copyServiceKey(out, sourceText, loc, sourceLoc, ["imageDigest"], ["image"]);
        out = copyServiceKey(out, sourceText, loc, sourceLoc, ["evidence"], ["notification", "alerts"]);
        if (hasSourceMigration) {
            MIGRATION_KEYS.forEach((key, i) => {
                out = copyServiceKey(out, sourceText, loc, sourceLoc, ["migration", key], MIGRATION_KEYS.slice(0, i).reverse());
            });
        }
        out = setServiceMap(out, loc, "promotedFrom", { stack: req.from, commit: release.configCommit, version: release.version }, ["previousVersion", "version"]);
        try {
            parseStackText(req.dir, req.to, out, shown);
        } catch (e) {
            if (!(e instanceof UserError)) throw e;
            throw new UserError(`promoting ${req.service} ${release.version} from ${req.from} would give a stack file the loader rejects, so nothing was written: ${e.message}`, "EINVALIDPROMOTE");
        }
        return out;
    };

    if (req.dryRun) {
        const before = readStackText(toFile);
        const after = compute(before);
        return { plan, before, after, written: false, shown, fromVersion, cluster, notes, serviceBefore: readService(before, loc), serviceAfter: readService(after, loc) };
    }
    const { before, after } = await updateFileLocked(toFile, compute, { timeoutMs: req.lockTimeoutMs, shown });
    return { plan, before, after, written: true, shown, fromVersion, cluster, notes, serviceBefore: readService(before, loc), serviceAfter: readService(after, loc) };
}

export function promotionReport(outcome: PromoteOutcome, req: Pick<PromoteRequest, "service" | "from" | "to">): string {
    const { release } = outcome.plan;
    const lines = [
        `promote ${req.service} ${outcome.fromVersion} → ${release.version} in ${outcome.shown}: the release ${req.from} made at ${release.commit.slice(0, 7)} (${release.date.slice(0, 10)}, ${release.author}), configuration of ${release.configCommit.slice(0, 7)}`,
        `  ${outcome.cluster}`,
        `changes to ${req.service} in ${req.to}:`,
        ...keyDiff(outcome.serviceBefore, outcome.serviceAfter).map((l) => `  ${l}`),
        ...outcome.notes.map((n) => `note: ${n}`),
    ];
    const name = path.basename(outcome.shown);
    lines.push(
        `${outcome.written ? "next" : "(dry run: nothing written) then"}: releasectl check --stack ${req.to}; git commit -m "promote ${req.service} ${release.version} from ${req.from}" ${name}; pulumi up --stack ${req.to}   (or releasectl ship ${req.service} --from ${req.from} --stack ${req.to})`,
    );
    return `${lines.join("\n")}\n`;
}

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
            from: resolveStack(dir, values.from, ctx.env),
            to: resolveStack(dir, values.to, ctx.env),
            service: positionals[0],
            version: values.version,
            dryRun: values["dry-run"],
            noCluster: values["no-cluster"],
            context: values.context,
            lockTimeoutMs: lockTimeout(values["lock-timeout"]),
            cwd: ctx.cwd,
            env: ctx.env,
        };
        const outcome = await performPromotion(req);
        ctx.stdout.write(promotionReport(outcome, req));
        if (!outcome.written) ctx.stdout.write(filePatch(outcome.shown, outcome.before, outcome.after));
        return 0;
    },
};
