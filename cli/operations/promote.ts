// The promote operation: copies the release a stack runs into another stack (staging to
// production), recording where it came from, checked against the source cluster's canary
// unless told not to; promotionReport says what it did. Layer: cli/operations/, the domain
// operations the commands and ship/ call; imports only lower layers (cli/promote/, cli/stack/,
// cli/cluster/, config/, cli/ root utilities), never cli/commands/ or cli/ship/.
import * as path from "path";
import { UserError } from "../../config/errors";
import { loadStack, parseStackText, stackFilePath } from "../../config/load";
import { ReleaseConfig } from "../../config/types";
import { interpret } from "../cluster/canary-status";
import { connect } from "../cluster/kube-client";
import { changedPaths } from "../git";
import { UsageError } from "../context";
import { findService } from "../project";
import { copyServiceKey, setServiceMap } from "../promote/copy-keys";
import { planPromotion, PromotePlan } from "../promote/plan";
import { projectName } from "../stack/project-name";
import { readService, ServiceLocation } from "../stack/edit";
import { readServiceHistory, releaseText } from "../stack/history";
import { readStackText } from "../stack/stack-text";
import { prepareEdit } from "../stack/prepare-edit";
import { keyDiff } from "../stack/service-diff";


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
    const source = loadStack(req.dir, req.from, { cwd: req.cwd });
    const target = loadStack(req.dir, req.to, { cwd: req.cwd });
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
    // the lock (and its atomic write) only for a real run: a dry run never writes
    const { updateFileLocked } = require("../stack/lock") as typeof import("../stack/lock");
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
