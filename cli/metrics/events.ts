import * as semver from "../semver";
import { fileHistory, readBlobs, repoRoot } from "../git";
import { Release, releasesFrom, snapshotOf, versionReader } from "../stack/history";

/**
 * The release events of every service of one stack, read from the stack file's history with
 * two git processes (one `git log --raw`, one `git cat-file --batch`) whatever the number of
 * services or releases.
 *
 * An event is a commit on HEAD's first-parent line that changed the service's version. It is a
 * restore (a rollback) when it is marked `rollback: true`, when it is a `git revert` (subject
 * `Revert "..."`), or when its version is lower than the one before it; any other event is a
 * release.
 */

export type EventKind = "release" | "rollback";

export interface ReleaseEvent {
    readonly kind: EventKind;
    readonly version: string;
    readonly commit: string;
    /** Committer time of the commit, seconds since the epoch. */
    readonly time: number;
    readonly subject: string;
}

export function classify(releases: readonly Release[]): ReleaseEvent[] {
    const events: ReleaseEvent[] = [];
    let previous: Release | undefined;
    for (const r of releases) {
        const lower = previous !== undefined && semver.valid(r.version) && semver.valid(previous.version) && semver.compare(r.version, previous.version) < 0;
        const kind: EventKind = r.rollback || /^Revert "/.test(r.subject) || lower ? "rollback" : "release";
        events.push({ kind, version: r.version, commit: r.commit, time: Date.parse(r.date) / 1000, subject: r.subject });
        previous = r;
    }
    return events;
}

/** Events per service of `Pulumi.<stack>.yaml` (services as named now). */
export function stackEvents(projectDir: string, stack: string, project: string, services: readonly string[], env?: NodeJS.ProcessEnv): Map<string, ReleaseEvent[]> {
    const file = `Pulumi.${stack}.yaml`;
    const out = new Map<string, ReleaseEvent[]>(services.map((s) => [s, []]));
    let commits;
    try {
        commits = fileHistory(projectDir, file, env);
    } catch {
        return out;
    }
    const repo = repoRoot(projectDir, env);
    const blobs = readBlobs(repo, commits.map((c) => c.blob).filter((b): b is string => b !== undefined), env);
    // as history reads it: js-yaml for a short history, the incremental reader for a long one
    const reader = versionReader(commits.length);
    const perService = new Map(services.map((s) => [s, [] as { commit: (typeof commits)[number]; snapshot?: ReturnType<typeof snapshotOf> }[]]));
    for (const commit of commits) {
        const content = commit.blob === undefined ? undefined : blobs.get(commit.blob);
        if (content === undefined) {
            for (const list of perService.values()) list.push({ commit });
            continue;
        }
        const read = reader.read(content.toString("utf8"));
        if (!read.ok) continue; // never deployed
        for (const [service, list] of perService) list.push({ commit, snapshot: snapshotOf(read.data, project, service) });
    }
    for (const [service, list] of perService) out.set(service, classify(releasesFrom(list)));
    return out;
}
