import * as semver from "../semver";
import { UserError } from "../../config/errors";
import { computeNext, latestTag, NextResult, UsedCommit } from "../versions/compute-next";
import { logCommits, resolveCommit, tagExists } from "../git";
import { readServiceHistory, Release, shippedVersions } from "../stack/history";
import { serviceNextRequest, ServiceLineContext, serviceTagPrefix } from "../versions/auto-version";
import { parseConventionalCommit } from "../versions/conventional-commits";

/**
 * The commits of one release of a service, for its notes. The range is the one `releasectl
 * next` (computeNext) reads, so the notes list exactly the commits that decided the version:
 *
 * - the coming release (prepare, ship, a prepared but uncommitted version): as `prepare auto`
 *   counts, the commits since the newest release tag, or without release tags since the commit
 *   that released the service's current version;
 * - a tagged version: from the release tag before it to its tag;
 * - a version the stack file's history released without a tag: to the commit that set it,
 *   from the newest release tag before it, or else from the commit of the release before.
 */

export interface ReleaseCommits {
    readonly commits: readonly UsedCommit[];
    /** The range read, as git writes it (`v2.4.1..HEAD`). */
    readonly range: string;
    readonly previousTag?: string;
}

export interface CommitsRequest {
    readonly dir: string;
    readonly stack: string;
    readonly project: string;
    readonly service: string;
    readonly tagPrefix?: string;
    readonly env?: NodeJS.ProcessEnv;
    /** The service's version line (its repository, paths, tag prefix), as prepare and ship auto read it. */
    readonly line?: ServiceLineContext;
}

/** The `next` request of the service's line (without the no-tag fallback), or of the project's repository. */
function lineRequest(req: CommitsRequest) {
    if (req.line === undefined) return { repo: req.dir, tagPrefix: req.tagPrefix, env: req.env };
    return { ...serviceNextRequest(req.line, { tagPrefix: req.tagPrefix }), fallback: undefined };
}

const fromNext = (r: NextResult): ReleaseCommits => ({ commits: r.commits, range: r.range, previousTag: r.previousTag });

/** The commits of the release being prepared now (what `prepare <service> auto` would count). */
export function comingCommits(req: CommitsRequest): ReleaseCommits {
    // exactly what prepare/ship auto count: the line's request with its no-tag fallback
    if (req.line !== undefined) return fromNext(computeNext(serviceNextRequest(req.line, { tagPrefix: req.tagPrefix })));
    const request = lineRequest(req);
    const tagged = computeNext(request);
    if (tagged.previousTag !== undefined) return fromNext(tagged);
    const released = lastRelease(req);
    return released === undefined ? fromNext(tagged) : fromNext(computeNext({ ...request, from: released.commit }));
}

function lastRelease(req: CommitsRequest): Release | undefined {
    const history = readServiceHistory(req.dir, req.stack, req.project, req.service, req.env);
    return history.releases[history.releases.length - 1];
}

/**
 * The commits of `version` of the service: coming (the version the working stack file names,
 * not released yet), tagged, or released by a commit of the stack file. A UserError naming the
 * versions that shipped when it is none of these.
 */
export function commitsOfVersion(req: CommitsRequest & { readonly version: string; readonly current: string }): ReleaseCommits {
    const prefix = req.line !== undefined ? serviceTagPrefix(req.line, req.tagPrefix) : (req.tagPrefix ?? "v");
    const request = { ...lineRequest(req), tagPrefix: prefix };
    const tag = `${prefix}${req.version}`;
    const history = readServiceHistory(req.dir, req.stack, req.project, req.service, req.env);
    const releases = history.releases.filter((r) => !r.rollback && r.version === req.version);
    const release = releases[0];
    if (tagExists(req.dir, tag, req.env)) {
        const parent = resolveCommit(req.dir, `${tag}^`, req.env);
        const before = parent === undefined ? undefined : latestTag(req.dir, parent, prefix, req.env);
        if (before !== undefined) return fromNext(computeNext({ ...request, from: before.tag, to: tag }));
        const prior = release === undefined ? undefined : releaseBefore(history.releases, release);
        if (prior !== undefined) return fromNext(computeNext({ ...request, from: prior.commit, to: tag }));
        return everything(req, tag);
    }
    if (release !== undefined) {
        const base = latestTag(req.dir, release.commit, prefix, req.env);
        if (base !== undefined) return fromNext(computeNext({ ...request, to: release.commit }));
        const prior = releaseBefore(history.releases, release);
        if (prior !== undefined) return fromNext(computeNext({ ...request, from: prior.commit, to: release.commit }));
        return everything(req, release.commit);
    }
    if (req.version === req.current || semver.gt(req.version, req.current)) return comingCommits(req);
    const shipped = shippedVersions(history.releases);
    throw new UserError(
        `--version ${req.version}: ${req.service} never released ${req.version} (no tag ${tag}, and no commit of ${history.file} sets it)` +
            (shipped.length ? `; released versions: ${shipped.slice(0, 10).join(", ")}${shipped.length > 10 ? ", …" : ""}` : "") +
            `; without --version the notes of ${req.service} ${req.current} are printed`,
        "ENOVERSION",
    );
}

/** The release (of another version) the stack file made before `release`. */
function releaseBefore(releases: readonly Release[], release: Release): Release | undefined {
    const i = releases.indexOf(release);
    for (let j = i - 1; j >= 0; j--) if (releases[j].version !== release.version) return releases[j];
    return undefined;
}

/** No release before it: every commit up to `to` (the repository's first release). */
function everything(req: CommitsRequest, to: string): ReleaseCommits {
    const commits = logCommits(req.dir, [to], req.env)
        .filter((c) => c.parents.length <= 1)
        .map((c) => ({ sha: c.sha, header: c.message.split("\n")[0], parsed: parseConventionalCommit(c.message) }));
    return { commits, range: to };
}
