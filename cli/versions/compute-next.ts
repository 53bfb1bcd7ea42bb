// The version-computing operation: reads the repository's tags and commits and computes a
// service's or repository's next version (computeNext), plus the request it takes and the
// options every command that computes a version shares. Layer: cli/versions/ (below the
// commands, which parse flags and print; ship/ and changelog/ call it too). Imports only
// lower layers: config/, cli/git, cli/paths and cli/versions/.
import * as path from "path";
import * as semver from "../semver";
import { UserError } from "../../config/errors";
import { isSemVer } from "../../config/versions";
import { repoDir } from "../paths";
import { topRelative } from "./version-line";
import { ConventionalCommit, parseConventionalCommit } from "./conventional-commits";
import { git, hasCommits, logCommits, reachableTags, repoRoot, resolveCommit, tagExists } from "../git";
import { Bump, checkInitialVersion, commitBump, DEFAULT_INITIAL_VERSION, NextVersion, nextVersion } from "./next-version";
/** The options `next`, `prepare <service> auto` and `tag` share. */
export const VERSION_OPTIONS = {
    repo: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    "tag-prefix": { type: "string" },
    prerelease: { type: "string" },
    build: { type: "string" },
    strict: { type: "boolean" },
    "initial-version": { type: "string" },
} as const;

export interface NextRequest {
    /** A folder inside the repository. */
    readonly repo: string;
    readonly from?: string;
    readonly to?: string;
    readonly tagPrefix?: string;
    readonly strict?: boolean;
    readonly prerelease?: string;
    readonly build?: string;
    readonly initialVersion?: string;
    /** Only commits that change these paths (git pathspecs, from the repository's top) count. */
    readonly paths?: readonly string[];
    /** Tried in order when tagPrefix is not given (default: "v", then tags without prefix). */
    readonly defaultPrefixes?: readonly string[];
    /** How the user sets the prefix, for messages (default: --tag-prefix). */
    readonly tagPrefixOption?: string;
    /**
     * No release tag on the line (and no --from): count from the version this gives (the
     * service's current one), with the commits after `commit` (all when undefined).
     */
    readonly fallback?: () => { readonly version: string; readonly commit?: string; readonly note: string };
    /** Commits whose conventional scope names only these (the stack's other services) are not this line's. */
    readonly otherScopes?: readonly string[];
    readonly env?: NodeJS.ProcessEnv;
}

export interface UsedCommit {
    readonly sha: string;
    readonly header: string;
    readonly parsed: ConventionalCommit;
    readonly bump?: Bump;
}

export interface NextResult extends NextVersion {
    readonly tagPrefix: string;
    /** The tag the range starts from (undefined: no release tag yet). */
    readonly previousTag?: string;
    readonly previousVersion?: string;
    /** The newest release tag of the line (a prerelease, too) reachable from the end of the range. */
    readonly newestTag?: string;
    /** The revision range read, as git would write it. */
    readonly range: string;
    /** The path filter (empty: the whole repository). */
    readonly paths: readonly string[];
    readonly commits: readonly UsedCommit[];
    /** Merge commits in the range: read through the commits they merge, not their own message. */
    readonly mergeCommits: readonly string[];
    /** Commits left out because the range also reverts them, and their reverts. */
    readonly revertedCommits: readonly string[];
    /** Set when the tag for the computed version exists already (on another branch). */
    readonly existingTag?: string;
}

/** Values of VERSION_OPTIONS as parsed, turned into a request. */
export function nextRequest(values: Record<string, string | boolean | string[] | undefined>, cwd: string, env: NodeJS.ProcessEnv): NextRequest {
    const str = (k: string) => values[k] as string | undefined;
    const initial = str("initial-version");
    if (initial !== undefined) checkInitialVersion(initial);
    const repo = repoDir(values as Record<string, string | boolean | undefined>, cwd);
    const given = (values.path as string[] | undefined) ?? [];
    // --path is read from the current folder, as git reads paths; next gives git paths from the top.
    const top = given.length === 0 ? undefined : repoRoot(repo, env);
    const paths = given.map((p) => topRelative(top!, path.resolve(cwd, p), `--path ${p}`));
    return {
        repo,
        paths: paths.length === 0 ? undefined : paths,
        from: str("from"),
        to: str("to"),
        tagPrefix: str("tag-prefix"),
        strict: values.strict === true,
        prerelease: str("prerelease"),
        build: str("build"),
        initialVersion: str("initial-version"),
        env,
    };
}

/**
 * Options that only shape a computed version. Given together with an explicit version they would
 * be ignored without a word (`tag 2.5.0 --prerelease rc` tagged v2.5.0), so they are refused,
 * saying how to write what was meant. `flags` are the ones the command would ignore.
 */
export function refuseComputeOptions(
    values: Record<string, string | boolean | undefined>,
    version: string,
    flags: readonly string[],
    forms: { explicit: (version: string) => string; computed: string },
): void {
    for (const flag of flags) {
        const value = values[flag];
        if (value === undefined || value === false) continue;
        const given = value === true ? `--${flag}` : `--${flag} ${value}`;
        const drop = `drop the version to compute it (${forms.computed} ${given})`;
        const release = version.replace(/[-+].*$/, "");
        const build = version.includes("+") ? version.slice(version.indexOf("+")) : "";
        const into =
            flag === "prerelease"
                ? `put the prerelease into the version (${forms.explicit(`${release}-${value}.1${build}`)}) or ${drop}`
                : flag === "build"
                  ? `put the build metadata into the version (${forms.explicit(`${version.replace(/\+.*$/, "")}+${value}`)}) or ${drop}`
                  : `drop ${`--${flag}`} or ${drop}`;
        throw new UserError(`${given} only applies when the version is computed, and ${version} is given: ${into}`, "EUSAGE");
    }
}

/** Reads the tags and commits of the repository and computes the next version. */
export function computeNext(req: NextRequest): NextResult {
    const env = req.env;
    const root = repoRoot(req.repo, env);
    const given = req.tagPrefix;
    if (given !== undefined && /[\s~^:?*[\\]/.test(given)) throw new UserError(`--tag-prefix ${JSON.stringify(given)}: git tag names cannot hold spaces or ~^:?*[\\; use e.g. v or checkout-v`, "EUSAGE");
    if (!hasCommits(root, env)) throw new UserError(`${root}: the repository has no commits yet; commit your work, then run releasectl next`, "ENOCOMMITS");
    const to = req.to ?? "HEAD";
    if (resolveCommit(root, to, env) === undefined) throw new UserError(`--to ${to}: no such git revision in ${root}; use a branch, tag or commit that exists`, "EBADREF");
    if (req.from !== undefined && resolveCommit(root, req.from, env) === undefined) {
        throw new UserError(`--from ${req.from}: no such git revision in ${root}; use a branch, tag or commit that exists`, "EBADREF");
    }
    const paths = req.paths ?? [];

    // `--from <release tag>` with the prefix given (the changelog of a tagged release): that tag
    // is the base and, reachable from itself, settles the prefix; no other tag is needed.
    const fromName = req.from?.replace(/^refs\/tags\//, "");
    const fromRelease = req.tagPrefix !== undefined && fromName !== undefined && versionOfTag(fromName, req.tagPrefix) !== undefined && tagExists(root, fromName, env);
    // One `git tag --merged` (it costs ~40 ms on a large history): of --from when given, else of --to.
    const tagsAtStart = fromRelease ? [fromName!] : reachableTags(root, req.from ?? to, tagsPrefix(req), env);
    const prefix = linePrefix(tagsAtStart, req, req.from ?? to);
    // `--from <release tag>` is the base itself, even when another release tag names the same commit.
    const fromTag = fromName !== undefined ? versionOfTag(fromName, prefix) : undefined;
    const fromIsTag = fromRelease || (fromTag !== undefined && tagExists(root, fromName!, env));
    const candidates = fromIsTag ? [] : tagsAtStart;
    // A stable release counts from the last stable tag, the prereleases' commits included (as
    // semantic-release promotes a beta line); --prerelease continues from the newest tag of any kind.
    const newest = latestOf(candidates, prefix, false);
    const stable = req.prerelease === undefined ? latestOf(candidates, prefix, true) : newest;
    let base = fromIsTag ? { tag: req.from!.replace(/^refs\/tags\//, ""), version: fromTag! } : stable;
    let start = req.from ?? base?.tag;
    let fallback: ReturnType<NonNullable<NextRequest["fallback"]>> | undefined;
    if (base === undefined && req.from === undefined && req.fallback !== undefined) {
        // No release tag on the line: the caller knows the current version and where it was released.
        fallback = req.fallback();
        base = { tag: "", version: fallback.version };
        start = fallback.commit;
    }
    const range = start === undefined ? to : `${start}..${to}`;
    const log = logCommits(root, [range], env, paths);
    const mergeCommits = log.filter((c) => c.parents.length > 1).map((c) => c.sha);
    const parsedAll = log
        .filter((c) => c.parents.length <= 1)
        .map((c) => {
            const parsed = parseConventionalCommit(c.message);
            return { sha: c.sha, header: c.message.split(/\r?\n/)[0], parsed, bump: commitBump(parsed, req.strict ?? false), message: c.message };
        });
    const others = new Set(req.otherScopes ?? []);
    const ours = others.size === 0 ? parsedAll : parsedAll.filter((c) => !scopedElsewhere(c.parsed.scope, others));
    const { kept, reverted } = dropReverted(ours);
    const commits: UsedCommit[] = kept.map(({ message: _m, ...c }) => c);
    const result = nextVersion(
        base?.version,
        commits.map((c) => ({ sha: c.sha, commit: c.parsed })),
        { strict: req.strict, prerelease: req.prerelease, build: req.build, initialVersion: req.initialVersion },
    );
    let { version, reason } = result;
    let bump = result.bump;
    // A prerelease line above the stable base is finished, never undercut (2.0.0-rc.1 with only
    // feats since 1.4.0 releases 2.0.0, not 1.5.0).
    if (req.prerelease === undefined && !fromIsTag && newest !== undefined && stable !== newest && version !== undefined) {
        const release = `${semver.major(newest.version)}.${semver.minor(newest.version)}.${semver.patch(newest.version)}`;
        if (semver.lt(version.replace(/\+.*$/, ""), release)) {
            version = req.build === undefined ? release : `${release}+${req.build}`;
            reason = `finishes the prerelease ${newest.tag}; ${reason}`;
            bump = "prerelease";
        }
    }
    if (commits.length === 0 && mergeCommits.length > 0) {
        reason = `${reason} (only ${mergeCommits.length} merge commit${mergeCommits.length === 1 ? "" : "s"}, whose merged commits were released already)`;
    }
    if (reverted.length > 0) reason = `${reason}; ${reverted.length} commit${reverted.length === 1 ? "" : "s"} left out: reverted in the range (with ${reverted.length === 2 ? "its" : "their"} revert)`;
    if (paths.length > 0) reason = `${reason} [commits under ${paths.join(", ")}]`;
    if (ours.length < parsedAll.length) reason = `${reason}; ${parsedAll.length - ours.length} commit${parsedAll.length - ours.length === 1 ? "" : "s"} scoped to another service left out`;
    if (fallback !== undefined) reason = `${reason} ${fallback.note}`;
    const tagName = version === undefined ? undefined : `${prefix}${version}`;
    const reachable = (tag: string) => (req.from === undefined ? tagsAtStart.includes(tag) : isAncestor(root, tag, to, env));
    const existingTag = tagName !== undefined && tagExists(root, tagName, env) && !reachable(tagName) ? tagName : undefined;
    return {
        version,
        bump,
        reason,
        effects: result.effects,
        tagPrefix: prefix,
        previousTag: fallback !== undefined ? undefined : base?.tag,
        previousVersion: base?.version,
        newestTag: newest?.tag,
        range,
        paths,
        commits,
        mergeCommits,
        revertedCommits: reverted,
        existingTag,
    };
}

/** `feat(storefront)` in checkout's line: the scope (or every scope of `a,b`) is another service. */
function scopedElsewhere(scope: string | undefined, others: ReadonlySet<string>): boolean {
    if (scope === undefined) return false;
    const scopes = scope.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
    return scopes.length > 0 && scopes.every((s) => others.has(s));
}

function isAncestor(dir: string, ancestor: string, ref: string, env?: NodeJS.ProcessEnv): boolean {
    try {
        git(dir, ["merge-base", "--is-ancestor", ancestor, ref], { env });
        return true;
    } catch {
        return false;
    }
}

/**
 * What every tag computeNext reads from its listing starts with: the prefixes `linePrefix` may
 * look at (the given one, with the other of "v" and "" for those two, or the defaults), the
 * longest start they share.
 */
function tagsPrefix(req: NextRequest): string {
    const p = req.tagPrefix;
    const looked = p !== undefined ? (p === "v" || p === "" ? ["v", ""] : [p]) : (req.defaultPrefixes ?? ["v", ""]);
    let common = looked[0];
    for (const q of looked) while (!q.startsWith(common)) common = common.slice(0, -1);
    return common;
}

/** `tag` minus `prefix`, when that is a SemVer version. */
function versionOfTag(tag: string, prefix: string): string | undefined {
    if (!tag.startsWith(prefix)) return undefined;
    const version = tag.slice(prefix.length);
    return isSemVer(version) ? version : undefined;
}

function latestOf(tags: readonly string[], prefix: string, stableOnly: boolean): { tag: string; version: string } | undefined {
    let best: { tag: string; version: string } | undefined;
    for (const tag of tags) {
        const version = versionOfTag(tag, prefix);
        if (version === undefined || (stableOnly && semver.prerelease(version) !== null)) continue;
        if (best === undefined || semver.compareBuild(version, best.version) > 0) best = { tag, version };
    }
    return best;
}

/**
 * The tag prefix of the line. Given (--tag-prefix, or the service's tagPrefix): that one, but a
 * repository-wide "v" or "" with no such tag while the other exists is refused with the fix (the
 * answer would be a first release below the real one). Not given: the first of the defaults
 * (`v`, then none: tags such as 1.2.3) that has a release tag, else the first.
 */
function linePrefix(tags: readonly string[], req: NextRequest, to: string): string {
    const has = (p: string) => tags.some((t) => versionOfTag(t, p) !== undefined && (p !== "" || !/^v\d/.test(t)));
    if (req.tagPrefix !== undefined) {
        const p = req.tagPrefix;
        if (!has(p) && (p === "v" || p === "")) {
            const other = p === "v" ? "" : "v";
            if (has(other)) {
                const example = latestOf(tags, other, false)!.tag;
                const option = req.tagPrefixOption ?? "--tag-prefix";
                throw new UserError(
                    `no release tag ${p}<version> is reachable from ${to}, but ${example} is (tags ${other === "" ? "without" : "with"} a "v"): counting from nothing would release below it; use ${option} ${JSON.stringify(other)}${other === "" ? " for tags such as 1.2.3" : ""}`,
                    "ETAGPREFIX",
                );
            }
        }
        return p;
    }
    const defaults = req.defaultPrefixes ?? ["v", ""];
    return defaults.find(has) ?? defaults[0];
}

/**
 * Leaves out each commit reverted by a later `Revert "…"` commit in the same range, and that
 * revert ("This reverts commit <sha>."), as conventional-changelog's filter does: together they
 * change nothing. Newest first, so a revert of a revert brings the original back.
 */
function dropReverted<T extends { sha: string; message: string }>(commits: readonly T[]): { kept: T[]; reverted: string[] } {
    const dropped = new Set<string>();
    const reverted: string[] = [];
    for (const c of commits) {
        if (dropped.has(c.sha)) continue;
        const m = /^(?:Revert|revert:)\s[\s\S]*?This reverts commit ([0-9a-f]{7,40})\b/i.exec(c.message);
        if (!m) continue;
        const target = commits.find((o) => o.sha.startsWith(m[1].toLowerCase()) && o !== c && !dropped.has(o.sha));
        if (target === undefined) continue;
        dropped.add(c.sha);
        dropped.add(target.sha);
        reverted.push(target.sha, c.sha);
    }
    return { kept: commits.filter((c) => !dropped.has(c.sha)), reverted };
}

/** The highest SemVer tag `<prefix><version>` reachable from `ref`. */
export function latestTag(dir: string, ref: string, prefix: string, env?: NodeJS.ProcessEnv): { tag: string; version: string } | undefined {
    return latestOf(reachableTags(dir, ref, prefix, env), prefix, false);
}
