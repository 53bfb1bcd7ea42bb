import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";
import { fileHistory, FileCommit, isTracked, readBlobs, repoState } from "../git";
import { decodeStackBytes } from "./stack-text";
import { yamlValues } from "../../config/yaml-values";
import type { ReadResult } from "./yaml-incremental";

/**
 * The releases of one service, read from the git history of its stack file. A release is a
 * commit (on HEAD's first-parent line) in which the service's `version` differs from the commit
 * before; the release lasts until the next one. Reading costs two git processes whatever the
 * length of the history: one `git log --raw` for the commits and blob ids, one
 * `git cat-file --batch` for the contents.
 */

/** What a release declared about its schema change. */
export interface MigrationSummary {
    readonly phase?: string;
    readonly command?: readonly string[];
    readonly downgradeCommand?: readonly string[];
    readonly image?: string;
}

export interface Release {
    readonly version: string;
    /** The commit that made this version current. */
    readonly commit: string;
    readonly date: string;
    readonly author: string;
    readonly email: string;
    readonly subject: string;
    /** Marked `rollback: true` (re-applied an earlier version). */
    readonly rollback: boolean;
    readonly previousVersion?: string;
    readonly image?: string;
    /** The migration the release shipped with (its first commit); a later downgrade fix is kept. */
    readonly migration?: MigrationSummary;
    /** The last commit while this release was current: the configuration a rollback restores. */
    readonly configCommit: string;
    readonly configBlob: string;
    /** The stack file as the release was made (its first commit), in `blobs`. */
    readonly blob: string;
}

export interface ServiceHistory {
    /** Stack file path relative to the project directory. */
    readonly file: string;
    readonly repo: string;
    /** Oldest first. */
    readonly releases: readonly Release[];
    /** Commits whose stack file was not valid YAML: skipped, they never deployed. */
    readonly unreadable: readonly { readonly commit: string; readonly error: string }[];
    /** Commits that changed the stack file. */
    readonly commits: number;
    readonly blobs: ReadonlyMap<string, Buffer>;
}

interface Snapshot {
    readonly version?: string;
    readonly previousVersion?: string;
    readonly rollback: boolean;
    readonly image?: string;
    readonly migration?: MigrationSummary;
}

const asString = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

function asCommand(v: unknown): readonly string[] | undefined {
    if (typeof v === "string" && v.trim() !== "") return ["sh", "-c", v];
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) return v as string[];
    return undefined;
}

/** The few fields history needs, copied out of the (shared, mutable) parsed data. */
export function snapshotOf(data: unknown, project: string, service: string): Snapshot | undefined {
    const config = (data as { config?: unknown } | null)?.config;
    const services = config && typeof config === "object" ? (config as Record<string, unknown>)[`${project}:services`] : undefined;
    const s = services && typeof services === "object" ? (services as Record<string, unknown>)[service] : undefined;
    if (!s || typeof s !== "object" || Array.isArray(s)) return undefined;
    const svc = s as Record<string, unknown>;
    const m = svc.migration && typeof svc.migration === "object" && !Array.isArray(svc.migration) ? (svc.migration as Record<string, unknown>) : undefined;
    return {
        version: asString(svc.version),
        previousVersion: asString(svc.previousVersion),
        rollback: svc.rollback === true,
        image: asString(svc.image),
        migration: m && {
            phase: asString(m.phase),
            command: asCommand(m.command),
            downgradeCommand: asCommand(m.downgradeCommand),
            image: asString(m.image),
        },
    };
}

/** Same phase, command and image: the same schema change, perhaps with a fixed downgrade. */
function sameChange(a: MigrationSummary, b: MigrationSummary | undefined): boolean {
    return b !== undefined && a.phase === b.phase && a.image === b.image && JSON.stringify(a.command) === JSON.stringify(b.command);
}

/** Turns the per-commit snapshots (oldest first) into releases. Pure. */
export function releasesFrom(commits: readonly { commit: FileCommit; snapshot?: Snapshot }[]): Release[] {
    const releases: Release[] = [];
    let current: { start: FileCommit; first: Snapshot; last: { commit: FileCommit; snapshot: Snapshot } } | undefined;
    const close = () => {
        if (!current) return;
        const { start, first, last } = current;
        releases.push({
            version: first.version!,
            commit: start.sha,
            date: start.date,
            author: start.author,
            email: start.email,
            subject: start.subject,
            rollback: first.rollback,
            previousVersion: first.previousVersion,
            image: last.snapshot.image,
            // The schema change a release made is the one it shipped with: a migration block
            // committed later (say, staged for the next version before its version bump) does
            // not belong to it. Only a corrected downgrade command is taken from later commits.
            migration: first.migration && {
                ...first.migration,
                downgradeCommand: sameChange(first.migration, last.snapshot.migration) ? last.snapshot.migration!.downgradeCommand : first.migration.downgradeCommand,
            },
            configCommit: last.commit.sha,
            configBlob: last.commit.blob!,
            blob: start.blob!,
        });
        current = undefined;
    };
    for (const { commit, snapshot } of commits) {
        const version = snapshot?.version;
        if (version === undefined || snapshot === undefined) {
            close();
            continue;
        }
        if (current && current.first.version === version) {
            current.last = { commit, snapshot };
            continue;
        }
        close();
        current = { start: commit, first: snapshot, last: { commit, snapshot } };
    }
    close();
    return releases;
}

/** The stack file's history read once for several services: its commits, their contents, each service's snapshot per commit. */
export interface StackFileHistory {
    readonly file: string;
    readonly repo: string;
    readonly commits: readonly FileCommit[];
    readonly blobs: ReadonlyMap<string, Buffer>;
    /** Per commit: why it is not valid YAML, or each requested service's snapshot (taken as read: the reader patches its data in place). */
    readonly documents: readonly { readonly commit: FileCommit; readonly error?: string; readonly snapshots?: ReadonlyMap<string, Snapshot | undefined> }[];
}

/**
 * Reads every committed version of `Pulumi.<stack>.yaml` in `projectDir` once, for the releases
 * of each of `services` (`serviceHistoryOf`).
 * A UserError when the folder is not in a git repository or the stack file was never committed.
 */
export function readStackFileHistory(projectDir: string, stack: string, project: string, services: readonly string[], env?: NodeJS.ProcessEnv): StackFileHistory {
    const file = `Pulumi.${stack}.yaml`;
    refuseLinkedHistory(path.join(projectDir, file), file);
    const { root: repo, head } = repoState(projectDir, env);
    const uncommitted = () => new UserError(`${path.join(projectDir, file)}: not committed to git yet, so it has no release history; commit it (git add ${file} && git commit) first`, "ENOHISTORY");
    if (head === undefined) throw uncommitted();
    const commits = fileHistory(projectDir, file, env);
    // No commit changed it: tracked (staged, not yet committed) has an empty history, untracked none.
    if (commits.length === 0 && !isTracked(projectDir, file, env)) throw uncommitted();
    const blobs = readBlobs(repo, commits.map((c) => c.blob).filter((b): b is string => b !== undefined), env);
    const reader = versionReader(commits.length);
    const documents = commits.map((commit) => {
        if (commit.blob === undefined) return { commit };
        const content = blobs.get(commit.blob);
        if (content === undefined) return { commit };
        const read = reader.read(content.toString("utf8"));
        if (!read.ok) return { commit, error: read.error };
        return { commit, snapshots: new Map(services.map((service) => [service, snapshotOf(read.data, project, service)])) };
    });
    return { file, repo, commits, blobs, documents };
}

/**
 * Versions up to which each is parsed on its own with the fast reader (js-yaml, which every
 * command has loaded already); longer histories go through `IncrementalYaml`, whose `yaml`
 * library costs ~15-20 ms to load and ~0.7 ms per full parse but patches each following version
 * in microseconds. Measured here (the example stack, N versions differing in one version line,
 * load included): the fast reader is cheaper up to a few dozen versions, the incremental reader
 * from about a hundred on (1,000 versions: 0.45-0.8 s against 0.08-0.16 s).
 */
export const FAST_READER_MAX_VERSIONS = 50;

export function versionReader(versions: number): { read(text: string): ReadResult } {
    if (versions > FAST_READER_MAX_VERSIONS) {
        const { IncrementalYaml } = require("./yaml-incremental") as typeof import("./yaml-incremental");
        return new IncrementalYaml();
    }
    return {
        read(text: string): ReadResult {
            const read = yamlValues(text);
            if (read.ok) return { ok: true, data: read.data ?? null, full: true };
            return { ok: false, error: read.line === undefined ? read.reason : `line ${read.line}, column ${read.column}: ${read.reason}` };
        },
    };
}

/** The releases of `service` (one of those the history was read for) in a stack file's history. */
export function serviceHistoryOf(history: StackFileHistory, service: string): ServiceHistory {
    const unreadable: { commit: string; error: string }[] = [];
    const snapshots = history.documents.map((d) => {
        if (d.error !== undefined) {
            unreadable.push({ commit: d.commit.sha, error: d.error });
            return { commit: d.commit };
        }
        if (!d.snapshots) return { commit: d.commit };
        return { commit: d.commit, snapshot: d.snapshots.get(service) };
    });
    // An unreadable commit is skipped, not a gap: the release before it continues.
    const skipped = new Set(unreadable.map((u) => u.commit));
    const readable = snapshots.filter((s) => !skipped.has(s.commit.sha));
    return { file: history.file, repo: history.repo, releases: releasesFrom(readable), unreadable, commits: history.commits.length, blobs: history.blobs };
}

/**
 * Reads the releases of `service` from the history of `Pulumi.<stack>.yaml` in `projectDir`.
 * A UserError when the folder is not in a git repository or the stack file was never committed.
 */
export function readServiceHistory(projectDir: string, stack: string, project: string, service: string, env?: NodeJS.ProcessEnv): ServiceHistory {
    return serviceHistoryOf(readStackFileHistory(projectDir, stack, project, [service], env), service);
}

/**
 * A stack file that is a symbolic link has no release history of its own: git records the
 * link, and the commits that changed the stack are the target's (perhaps in another
 * repository), so every history-based answer (rollback target, uncommitted changes, the
 * release commit) would be wrong. Refused, with the fix. prepare and render follow the link.
 */
export function refuseLinkedHistory(file: string, shown: string): void {
    let target: string;
    try {
        if (!fs.lstatSync(file).isSymbolicLink()) return;
        target = fs.readlinkSync(file);
    } catch {
        return;
    }
    throw new UserError(
        `${shown}: a symbolic link (to ${target}); git records the link, not the stack file, so its history holds no releases to read or commit: replace the link by the file itself (cp --remove-destination "$(readlink -f ${shown})" ${shown}) and commit it, or run releasectl where the file itself is committed`,
        "ELINKEDHISTORY",
    );
}

/** The stack file's text in a release's configuration commit. */
export function releaseText(history: ServiceHistory, release: Release): string {
    const blob = history.blobs.get(release.configBlob);
    if (blob === undefined) throw new Error(`blob ${release.configBlob} of ${history.file} at ${release.configCommit} was not read`);
    // decoded as the working file is (stack-text.ts), so bytes that are not UTF-8 come back unchanged
    return decodeStackBytes(blob);
}

/** Versions that shipped, newest first, each once. */
export function shippedVersions(releases: readonly Release[]): string[] {
    return [...new Set([...releases].reverse().map((r) => r.version))];
}
