import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";
import { parseStackText, stackFilePath } from "../../config/load";
import { NotificationConfig, ReleaseConfig, ServiceConfig } from "../../config/types";
import { ChecklistConfig, loadChecklistConfig } from "../checklist/pack-config";
import { DECLARATIONS } from "../checklist/run";
import { CommandContext } from "../context";
import { prepareEdit } from "../stack/prepare-edit";
import { tagMessage } from "../operations/tag";
import { ServiceNotes } from "../changelog/entry";
import { PreparedEntry, preparedEntry } from "../changelog/prepare-entry";
import { fileState, git, repoRoot, tagExists } from "../git";
import { checkPathValue, checkStackFileWritable } from "../paths";
import { findService, loadProjectStack } from "../project";
import { serviceTargets } from "./targets";
import { projectName } from "../stack/project-name";
import { readService } from "../stack/edit";
import { MigrationSummary, readServiceHistory, refuseLinkedHistory, snapshotOf } from "../stack/history";
import { readStackText } from "../stack/stack-text";
import { signalsFor, Signal } from "./prometheus";
import { decideRollback, ShipRollback } from "./rollback-decision";
import { shipTiming, ShipTiming, TimingOptions } from "./timing";
import { AutoOptions, chooseVersion, serviceTagPrefix } from "../versions/auto-version";

/**
 * Everything `releasectl ship` decides before it changes anything: the version, the stack file
 * before and after, the commands, the queries and the time limits. Built offline (no pulumi, no
 * cluster), so `--dry-run` prints exactly what a real run would do.
 */
export interface ShipRelease {
    readonly dir: string;
    readonly stack: string;
    /** Absolute path of the stack file. */
    readonly file: string;
    /** The stack file's name, as git commands in `dir` name it. */
    readonly fileName: string;
    /** The stack file as messages show it (relative to where releasectl runs). */
    readonly shown: string;
    readonly project: string;
    readonly config: ReleaseConfig;
    readonly nextConfig: ReleaseConfig;
    /** The service as it is now, and as it will be released. */
    readonly service: ServiceConfig;
    readonly next: ServiceConfig;
    readonly from: string;
    readonly version: string;
    readonly versionReason?: string;
    /** ship --from: the stack the version was promoted from (else the version was given or computed). */
    readonly promotedFrom?: string;
    readonly before: string;
    readonly after: string;
    readonly policyPack: string;
    readonly packConfig: ChecklistConfig;
    /**
     * The release's preview writes an update plan (`--save-plan`) and its `up` applies that plan
     * (`--plan`, without a second preview): the engine refuses any step the preview did not show,
     * so what was checked is what is applied. The rollback's `up` runs without a plan (its own
     * preview, then the update): a rollback must not depend on a file of the failed release.
     */
    readonly pulumiArgs: { readonly preview: readonly string[]; readonly up: readonly string[]; readonly rollbackUp: readonly string[] };
    /** Where the preview writes the update plan the release's `up` applies. */
    readonly planFile: string;
    /** --target: the URNs the release's preview and up are limited to (empty: the whole stack). */
    readonly targets: readonly string[];
    /**
     * --target: the file (beside the plan) that tells the program to declare only this service
     * (components/targetedServices.ts), passed as RELEASECTL_TARGET_FILE to the release's preview
     * and up, never to the rollback's up.
     */
    readonly targetFile?: string;
    readonly tagName: string;
    readonly tagPrefix: string;
    /** The annotated tag's message: the release notes, as releasectl tag <service> writes them. */
    readonly tagMessage: string;
    /**
     * The release's notes: its commits on the service's version line (repository, paths, tag
     * prefix), as prepare, releasectl changelog and releasectl tag read them. For the changelog
     * entry, the tag and the announcements; undefined when the history cannot be read.
     */
    readonly notes?: ServiceNotes;
    /** The changelog step of prepare: the entry to write and commit with the stack file, or why none. */
    readonly changelog: ShipChangelog;
    readonly notification?: NotificationConfig;
    readonly prometheus?: { readonly url: string; readonly source: string };
    readonly signals: readonly Signal[];
    readonly timing: ShipTiming;
    readonly kubeContext?: string;
    readonly commitMessage: string;
    /** The rollback path, decided now: the version it restores, the migration's downgrades, the commands of a person if it stops. */
    readonly rollback: ShipRollback;
}

export type ShipChangelog =
    | {
          readonly kind: "entry";
          readonly entry: Extract<PreparedEntry, { kind: "entry" }>;
          /** The changelog as git commands in `dir` name it. */
          readonly path: string;
          /** As messages show it. */
          readonly shown: string;
      }
    | { readonly kind: "none"; readonly why: string };

export interface ShipInput {
    readonly service: string;
    readonly version: string;
    readonly cwd?: string;
    readonly stack?: string;
    readonly policyPack?: string;
    readonly policyPackConfig?: string;
    readonly prometheusUrl?: string;
    readonly context?: string;
    readonly timing: TimingOptions;
    readonly auto: AutoOptions;
    /** --no-changelog: no changelog entry (the notes still make the tag message and announcements). */
    readonly noChangelog?: boolean;
    /** ship --from: the version and the stack file's new text come from a promotion (releasectl promote). */
    readonly promotion?: { readonly version: string; readonly reason: string; readonly from: string; readonly edit: (before: string) => string };
    /** Where the preview writes the update plan (a fresh temporary folder's file; --dry-run shows a placeholder). */
    readonly planFile: string;
    /** --target: preview and apply only this service's resources. */
    readonly target?: boolean;
}

/** Key of the notification target's webhook address, as `pulumi config get --path` names it. */
export function addressKey(project: string, target: string): string {
    return `${project}:notifications.${target}.address`;
}

/** Validates the input and decides the release; a UserError (exit 2) for anything wrong. Changes nothing. */
export function decideRelease(ctx: CommandContext, input: ShipInput): ShipRelease {
    const { dir, stack, config } = loadProjectStack(ctx, { cwd: input.cwd, stack: input.stack, service: input.service });
    const service = findService(config, input.service);
    const timing = shipTiming(input.timing, service);
    const file = stackFilePath(dir, stack);
    const fileName = path.basename(file);
    const shown = path.relative(ctx.cwd, file) || file;
    const project = projectName(dir);

    repoRoot(dir, ctx.env);
    refuseLinkedHistory(file, shown);
    const state = fileState(dir, fileName, ctx.env);
    if (!state.tracked) {
        throw new UserError(`${shown}: not committed to git; commit it first (git add ${fileName} && git commit): ship commits each release and a rollback restores committed releases`, "ENOHISTORY");
    }
    if (state.changed) {
        throw new UserError(
            `${shown}: has uncommitted changes; commit them (git commit ${fileName}) or discard them (git restore ${fileName}) first: ship commits only the version change, and a rollback restores committed releases`,
            "EDIRTY",
        );
    }

    const line = { dir, stack, project, config, service, env: ctx.env };
    const choice = input.promotion ? { version: input.promotion.version, reason: input.promotion.reason, tagPrefix: undefined } : chooseVersion(input.version, { ...line, auto: input.auto });
    const tagPrefix = choice.tagPrefix ?? serviceTagPrefix(line, input.auto.tagPrefix);
    checkStackFileWritable(file, shown);
    const before = readStackText(file);
    const after = input.promotion ? input.promotion.edit(before) : prepareEdit(before, { project, service: service.name, file: shown }, choice.version, stack).text;
    const nextConfig = parseStackText(dir, stack, after, shown);
    const next = findService(nextConfig, service.name);

    const tagName = `${tagPrefix}${choice.version}`;
    if (tagExists(dir, tagName, ctx.env)) {
        const at = git(dir, ["rev-list", "-n", "1", tagName], { env: ctx.env }).trim().slice(0, 7);
        throw new UserError(`tag ${tagName} exists already (on ${at}): ${choice.version} has shipped; releases are immutable: choose the next version (releasectl next)`, "ETAGEXISTS");
    }

    if (input.policyPack !== undefined) checkPathValue("policy-pack", input.policyPack);
    const policyPack = input.policyPack ?? "policies";
    if (!fs.existsSync(path.join(path.resolve(dir, policyPack), "PulumiPolicy.yaml"))) {
        throw new UserError(
            `--policy-pack ${policyPack}: no PulumiPolicy.yaml in ${path.resolve(dir, policyPack)}; ship runs pulumi preview and up with the project's policy pack: pass its folder (relative to ${dir})`,
            "ENOPOLICYPACK",
        );
    }
    let packConfig: ChecklistConfig;
    try {
        packConfig = loadChecklistConfig(input.policyPackConfig, ctx.cwd, DECLARATIONS);
    } catch (e) {
        if (e instanceof UserError) throw new UserError(e.message.replace(/^--config /, "--policy-pack-config "), e.code);
        throw e;
    }
    const targets = input.target ? serviceTargets(config, nextConfig, service.name) : [];
    const targetArgs = targets.flatMap((urn) => ["--target", urn]);
    const packArgs = ["--policy-pack", policyPack, ...(input.policyPackConfig === undefined ? [] : ["--policy-pack-config", path.resolve(ctx.cwd, input.policyPackConfig)])];

    const prometheus = timing.monitorWindowMs === 0 ? undefined : prometheusAddress(input.prometheusUrl, config, shown, stack);
    const { notes, changelog } = shipChangelog(ctx, { dir, stack, config, service: service.name, version: choice.version, policyPackConfig: input.policyPackConfig, off: input.noChangelog === true });
    return {
        dir,
        stack,
        file,
        fileName,
        shown,
        project,
        config,
        nextConfig,
        service,
        next,
        from: service.version,
        version: choice.version,
        versionReason: choice.reason,
        promotedFrom: input.promotion?.from,
        before,
        after,
        policyPack,
        packConfig,
        pulumiArgs: {
            preview: ["preview", "--stack", stack, ...packArgs, ...targetArgs, "--save-plan", input.planFile],
            up: ["up", "--stack", stack, ...packArgs, ...targetArgs, "--yes", "--plan", input.planFile, "--skip-preview"],
            rollbackUp: upArgs(stack, packArgs),
        },
        planFile: input.planFile,
        targets,
        targetFile: targets.length === 0 ? undefined : path.join(path.dirname(input.planFile), "targets.json"),
        tagName,
        tagPrefix,
        tagMessage: notes === undefined ? `release ${tagName}\n` : tagMessage(tagName, { commits: notes.commits.commits, previousTag: notes.commits.previousTag }),
        notes,
        changelog,
        notification: config.notifications[service.notification],
        prometheus,
        signals: signalsFor(next),
        timing,
        kubeContext: input.context ?? config.kubeContext,
        commitMessage: `release ${service.name} ${choice.version}${input.promotion ? ` (promoted from ${input.promotion.from})` : ""}`,
        rollback: decideRollback({
            service: service.name,
            namespace: service.namespace,
            stack,
            fileName,
            shown,
            from: service.version,
            version: choice.version,
            upArgs: upArgs(stack, packArgs),
            releases: readServiceHistory(dir, stack, project, service.name, ctx.env).releases,
            migration: releasedMigration(after, project, service.name, shown),
        }),
    };
}

/**
 * The notes of the release and prepare's changelog entry (prepare-entry.ts: the same commits, file
 * and entry). The changelog is committed with the stack file, so uncommitted changes to it are
 * refused as the stack file's are. Notes that cannot be made (no history, a service repository
 * without tags) leave the release as it was before changelogs: no entry, the plain tag message.
 */
function shipChangelog(
    ctx: CommandContext,
    at: { dir: string; stack: string; config: ReleaseConfig; service: string; version: string; policyPackConfig?: string; off: boolean },
): { notes?: ServiceNotes; changelog: ShipChangelog } {
    let entry: PreparedEntry;
    try {
        entry = preparedEntry(ctx, at);
    } catch (e) {
        if (!(e instanceof UserError) || e.code === "ECONFIG" || e.code === "EUSAGE") throw e;
        return { changelog: { kind: "none", why: `changelog: no entry written (${e.message.replace(/;.*$/, "")}): the entry lists the release's commits` } };
    }
    if (entry.kind === "skipped") return { changelog: { kind: "none", why: entry.why } };
    if (at.off) return { notes: entry.notes, changelog: { kind: "none", why: `changelog: no entry written (--no-changelog)` } };
    const gitPath = path.relative(at.dir, entry.file).split(path.sep).join("/");
    if (fs.existsSync(entry.file)) {
        const state = fileState(at.dir, gitPath, ctx.env);
        if (!state.tracked) {
            throw new UserError(
                `${entry.shown}: not committed to git; commit it first (git add ${gitPath} && git commit), or pass --no-changelog: ship commits the release's changelog entry with the version change`,
                "EDIRTY",
            );
        }
        if (state.changed) {
            throw new UserError(
                `${entry.shown}: has uncommitted changes; commit them (git commit ${gitPath}) or discard them (git restore ${gitPath}) first, or pass --no-changelog: ship commits the release's changelog entry with the version change, and undoes it byte for byte when the release is reverted`,
                "EDIRTY",
            );
        }
    }
    return { notes: entry.notes, changelog: { kind: "entry", entry, path: gitPath, shown: entry.shown } };
}

/** `pulumi up`'s arguments, as ship runs it (the release and its rollback). */
function upArgs(stack: string, packArgs: readonly string[]): string[] {
    return ["up", "--stack", stack, ...packArgs, "--yes"];
}

/** The release's migration block as its commit will record it in the history (undefined: none). */
function releasedMigration(after: string, project: string, service: string, shown: string): MigrationSummary | undefined {
    const block = readService(after, { project, service, file: shown });
    return snapshotOf({ config: { [`${project}:services`]: { [service]: block } } }, project, service)?.migration;
}

function prometheusAddress(option: string | undefined, config: ReleaseConfig, shown: string, stack: string): { url: string; source: string } {
    const url = option ?? config.prometheusUrl;
    if (url === undefined || url === "") {
        throw new UserError(
            `${shown}: releasectl:prometheusUrl is not set, and the monitor step queries Prometheus; set it (pulumi config set releasectl:prometheusUrl http://prometheus-operated.monitoring:9090 --stack ${stack}), pass --prometheus-url URL, or skip monitoring with --monitor 0`,
            "ENOPROMETHEUS",
        );
    }
    const source = option !== undefined ? "--prometheus-url" : `releasectl:prometheusUrl in ${shown}`;
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new UserError(`${source} = ${JSON.stringify(url)}: not a URL; use e.g. http://prometheus-operated.monitoring:9090`, "ENOPROMETHEUS");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        throw new UserError(`${source} = ${JSON.stringify(url)}: not an http(s) address; use e.g. http://prometheus-operated.monitoring:9090`, "ENOPROMETHEUS");
    }
    return { url, source };
}
