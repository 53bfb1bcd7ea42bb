import * as semver from "../semver";
import { UserError } from "../../config/errors";
import { isSemVer } from "../../config/versions";
import { ConventionalCommit } from "./conventional-commits";
import { versionProblem } from "./version-arg";

/**
 * The next version from conventional commits: a pure function, so every rule is tested without
 * git. The command (`releasectl next`) only gathers the commits and the last tag.
 */

export type Bump = "major" | "minor" | "patch";

export interface VersionedCommit {
    readonly sha: string;
    readonly commit: ConventionalCommit;
}

export interface NextVersionOptions {
    /**
     * `true`: the conventional-commits presets (`fix`/`perf` → patch, `feat` → minor, breaking →
     * major, nothing else releases). `false` (default): anything that is not feat or breaking is
     * a patch, the rule this project's users asked for.
     */
    readonly strict?: boolean;
    /** Prerelease identifier (`beta`, `rc`): the result is `<release>-<id>.<n>`. */
    readonly prerelease?: string;
    /** Build metadata appended as `+<build>` (semver's inc drops it, so it is added here). */
    readonly build?: string;
    /** The first version when there is no earlier one. */
    readonly initialVersion?: string;
}

export interface CommitEffect {
    readonly sha: string;
    readonly bump?: Bump;
}

export interface NextVersion {
    /** undefined: nothing in the commits calls for a release (strict mode, or no commits). */
    readonly version?: string;
    readonly bump: Bump | "initial" | "prerelease" | "none";
    /** One sentence saying why, naming the commit that decided it. */
    readonly reason: string;
    readonly effects: readonly CommitEffect[];
}

/** The first release of a repository without tags: production software is 1.0.0 (semver FAQ). */
export const DEFAULT_INITIAL_VERSION = "1.0.0";

const ORDER: Record<Bump, number> = { patch: 1, minor: 2, major: 3 };

/** What one commit asks for under the chosen rules. */
export function commitBump(commit: ConventionalCommit, strict: boolean): Bump | undefined {
    if (commit.breaking) return "major";
    if (commit.type === "feat") return "minor";
    if (!strict) return "patch";
    return commit.type === "fix" || commit.type === "perf" ? "patch" : undefined;
}

/**
 * The next version after `current` (undefined: no earlier release) given the commits since it.
 *
 * - While the major version is 0, a breaking change bumps the minor version (0.x releases may
 *   break, semver §4); 1.0.0 is released on purpose, never by a commit message.
 * - `current` a prerelease (`1.3.0-beta.2`): a bump that stays within its release (`1.3.0`)
 *   finishes it (`1.3.0`), or with `prerelease` continues the line (`1.3.0-beta.3`, or
 *   `1.3.0-rc.1` for a new identifier); a bigger bump (breaking on a minor line) starts a new
 *   line (`2.0.0-beta.1`).
 * - Prerelease numbers start at 1.
 */
export function nextVersion(current: string | undefined, commits: readonly VersionedCommit[], options: NextVersionOptions = {}): NextVersion {
    const strict = options.strict ?? false;
    if (options.prerelease !== undefined) checkPrereleaseId(options.prerelease);
    if (options.build !== undefined) checkBuild(options.build);
    if (options.initialVersion !== undefined) checkInitialVersion(options.initialVersion);
    const effects = commits.map((c) => ({ sha: c.sha, bump: commitBump(c.commit, strict) }));
    const deciding = decidingCommit(commits, effects);

    if (commits.length === 0) {
        return { bump: "none", effects, reason: current === undefined ? "no commits" : `no commits since ${current}` };
    }
    if (deciding === undefined) {
        return {
            bump: "none",
            effects,
            reason: `no fix, perf, feat or breaking commit since ${current ?? "the first commit"} (--strict releases nothing for ${describeTypes(commits)})`,
        };
    }

    if (current === undefined) {
        const initial = options.initialVersion ?? DEFAULT_INITIAL_VERSION;
        checkInitialVersion(initial);
        const base = stripBuild(initial);
        const version = options.prerelease === undefined ? base : `${base}-${options.prerelease}.1`;
        return {
            version: withBuild(version, options.build),
            bump: "initial",
            effects,
            reason: `no earlier release tag: the first release is ${base}`,
        };
    }

    if (!isSemVer(current)) throw new UserError(`${JSON.stringify(current)}: the current version is not SemVer; fix the tag or pass --from`, "EBADVERSION");
    let bump = deciding.bump;
    let zeroNote = "";
    if (bump === "major" && semver.major(current) === 0) {
        bump = "minor";
        zeroNote = " (major version 0: a breaking change bumps the minor version)";
    }
    const why = `${bump}${zeroNote}: ${describeCommit(deciding.commit)} (${commits.length} commit${commits.length === 1 ? "" : "s"}: ${countKinds(commits)})`;
    const released = semver.inc(stripBuild(current), bump);
    if (released === null) throw new Error(`semver.inc(${current}, ${bump}) failed`);

    if (options.prerelease === undefined) {
        return { version: withBuild(released, options.build), bump, effects, reason: why };
    }
    const id = options.prerelease;
    const currentPre = semver.prerelease(current);
    const currentRelease = `${semver.major(current)}.${semver.minor(current)}.${semver.patch(current)}`;
    let version: string;
    if (currentPre !== null && released === currentRelease) {
        // Same release line: continue it (same identifier), or switch identifier (restarts at 1).
        const [lineId, n] = currentPre;
        const continues = String(lineId) === id && currentPre.length === 2 && typeof n === "number";
        version = continues ? `${released}-${id}.${(n as number) + 1}` : `${released}-${id}.1`;
        if (semver.compare(version, current) <= 0) {
            throw new UserError(
                `--prerelease ${id}: ${version} would not come after ${current} (prerelease identifiers sort alphabetically); choose an identifier that sorts after "${lineId}" or release ${released}`,
                "EUSAGE",
            );
        }
        return { version: withBuild(version, options.build), bump: "prerelease", effects, reason: `continues the ${released} prerelease line; ${why}` };
    }
    version = `${released}-${id}.1`;
    return { version: withBuild(version, options.build), bump, effects, reason: why };
}

/**
 * Within a bump, how strongly a commit asks for it: a fix is the patch's reason before a perf, a
 * perf before other types (docs, chore), those before a non-conventional message.
 */
function strength(c: VersionedCommit, bump: Bump): number {
    if (bump !== "patch") return 0;
    const type = c.commit.type;
    return type === "fix" ? 3 : type === "perf" ? 2 : type !== undefined ? 1 : 0;
}

function decidingCommit(commits: readonly VersionedCommit[], effects: readonly CommitEffect[]): { bump: Bump; commit: VersionedCommit } | undefined {
    let best: { bump: Bump; commit: VersionedCommit; strength: number } | undefined;
    // Commits arrive newest first (git log order); the oldest, strongest commit of the highest
    // bump is the one that made the release necessary, so later ones of equal weight do not
    // replace it.
    commits.forEach((commit, i) => {
        const bump = effects[i].bump;
        if (bump === undefined) return;
        const s = strength(commit, bump);
        if (best === undefined || ORDER[bump] > ORDER[best.bump] || (ORDER[bump] === ORDER[best.bump] && s >= best.strength)) best = { bump, commit, strength: s };
    });
    return best;
}

/** `2 feat, 3 fix, 1 docs`: how many commits of each kind (breaking first, then by count). */
export function countKinds(commits: readonly VersionedCommit[]): string {
    const counts = new Map<string, number>();
    for (const c of commits) {
        const kind = c.commit.breaking ? "breaking" : (c.commit.type ?? "non-conventional");
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    const rank = (k: string) => (k === "breaking" ? 0 : k === "feat" ? 1 : k === "fix" ? 2 : k === "non-conventional" ? 4 : 3);
    return [...counts.entries()]
        .sort((a, b) => rank(a[0]) - rank(b[0]) || b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([k, n]) => `${n} ${k}`)
        .join(", ");
}

function describeCommit(c: VersionedCommit): string {
    const kind = c.commit.breaking ? "breaking change" : c.commit.type === undefined ? "non-conventional commit" : `${c.commit.type} commit`;
    const header = c.commit.type === undefined ? c.commit.subject : `${c.commit.type}${c.commit.scope ? `(${c.commit.scope})` : ""}: ${c.commit.subject}`;
    return `${kind} ${c.sha.slice(0, 7)} "${header}"`;
}

function describeTypes(commits: readonly VersionedCommit[]): string {
    const types = [...new Set(commits.map((c) => c.commit.type ?? "non-conventional"))];
    return types.join(", ");
}

/** SemVer prerelease identifier: alphanumerics and hyphens, not numeric (it names the line). */
export function checkPrereleaseId(id: string): void {
    if (!/^[0-9A-Za-z-]+$/.test(id) || /^\d+$/.test(id)) {
        throw new UserError(`--prerelease ${JSON.stringify(id)}: not a prerelease identifier; use letters, digits and - such as beta or rc`, "EUSAGE");
    }
}

/** Checked whether or not a release tag exists: a bad value must not wait for the day it is used. */
export function checkInitialVersion(version: string): void {
    const bad = versionProblem(version);
    if (bad === undefined) return;
    const fix = bad.bare !== undefined ? `drop the leading v: --initial-version ${bad.bare}` : "use e.g. 0.1.0 or 1.0.0";
    throw new UserError(`--initial-version ${JSON.stringify(version)}: ${bad.problem}; ${fix}`, "EUSAGE");
}

export function checkBuild(build: string): void {
    if (!/^[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*$/.test(build)) {
        throw new UserError(`--build ${JSON.stringify(build)}: not SemVer build metadata; use dot-separated letters, digits and -, e.g. build.7 or sha.1a2b3c4`, "EUSAGE");
    }
}

function stripBuild(version: string): string {
    const plus = version.indexOf("+");
    return plus < 0 ? version : version.slice(0, plus);
}

function withBuild(version: string, build: string | undefined): string {
    return build === undefined ? version : `${version}+${build}`;
}
