import * as path from "path";
import * as semver from "semver";
import { UserError } from "../../config/errors";
import { isSemVer } from "../../config/versions";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { repoDir } from "../paths";
import { ConventionalCommit, parseConventionalCommit } from "../versions/conventional-commits";
import { hasCommits, logCommits, reachableTags, repoRoot, resolveCommit, tagExists } from "../git";
import { Bump, checkInitialVersion, commitBump, DEFAULT_INITIAL_VERSION, NextVersion, nextVersion } from "../versions/next-version";

const USAGE = "releasectl next [--repo DIR] [--from REF] [--to REF] [--tag-prefix P] [--prerelease ID] [--build META] [--strict] [--json]";

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
    /** The revision range read, as git would write it. */
    readonly range: string;
    readonly commits: readonly UsedCommit[];
    /** Merge commits in the range: read through the commits they merge, not their own message. */
    readonly mergeCommits: readonly string[];
    /** Set when the tag for the computed version exists already (on another branch). */
    readonly existingTag?: string;
}

/** Values of VERSION_OPTIONS as parsed, turned into a request. */
export function nextRequest(values: Record<string, string | boolean | undefined>, cwd: string, env: NodeJS.ProcessEnv): NextRequest {
    const str = (k: string) => values[k] as string | undefined;
    const initial = str("initial-version");
    if (initial !== undefined) checkInitialVersion(initial);
    return {
        repo: repoDir(values, cwd),
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
    const prefix = req.tagPrefix ?? "v";
    if (/[\s~^:?*[\\]/.test(prefix)) throw new UserError(`--tag-prefix ${JSON.stringify(prefix)}: git tag names cannot hold spaces or ~^:?*[\\; use e.g. v or checkout-v`, "EUSAGE");
    if (!hasCommits(root, env)) throw new UserError(`${root}: the repository has no commits yet; commit your work, then run releasectl next`, "ENOCOMMITS");
    const to = req.to ?? "HEAD";
    if (resolveCommit(root, to, env) === undefined) throw new UserError(`--to ${to}: no such git revision in ${root}; use a branch, tag or commit that exists`, "EBADREF");
    if (req.from !== undefined && resolveCommit(root, req.from, env) === undefined) {
        throw new UserError(`--from ${req.from}: no such git revision in ${root}; use a branch, tag or commit that exists`, "EBADREF");
    }

    const base = latestTag(root, req.from ?? to, prefix, env);
    const start = req.from ?? base?.tag;
    const range = start === undefined ? to : `${start}..${to}`;
    const log = logCommits(root, [range], env);
    const mergeCommits = log.filter((c) => c.parents.length > 1).map((c) => c.sha);
    const commits = log
        .filter((c) => c.parents.length <= 1)
        .map((c) => {
            const parsed = parseConventionalCommit(c.message);
            return { sha: c.sha, header: c.message.split("\n")[0], parsed, bump: commitBump(parsed, req.strict ?? false) };
        });
    const result = nextVersion(
        base?.version,
        commits.map((c) => ({ sha: c.sha, commit: c.parsed })),
        { strict: req.strict, prerelease: req.prerelease, build: req.build, initialVersion: req.initialVersion },
    );
    const reason =
        commits.length === 0 && mergeCommits.length > 0
            ? `${result.reason} (only ${mergeCommits.length} merge commit${mergeCommits.length === 1 ? "" : "s"}, whose merged commits were released already)`
            : result.reason;
    const existingTag = result.version !== undefined && tagExists(root, `${prefix}${result.version}`, env) ? `${prefix}${result.version}` : undefined;
    return { ...result, reason, tagPrefix: prefix, previousTag: base?.tag, previousVersion: base?.version, range, commits, mergeCommits, existingTag };
}

/** The highest SemVer tag `<prefix><version>` reachable from `ref`. */
export function latestTag(dir: string, ref: string, prefix: string, env?: NodeJS.ProcessEnv): { tag: string; version: string } | undefined {
    let best: { tag: string; version: string } | undefined;
    for (const tag of reachableTags(dir, ref, prefix, env)) {
        const version = tag.slice(prefix.length);
        if (!isSemVer(version)) continue;
        if (best === undefined || semver.compareBuild(version, best.version) > 0) best = { tag, version };
    }
    return best;
}

export const next: Command = {
    name: "next",
    summary: "the next version from the conventional commits since the last release tag",
    help: `Usage: ${USAGE}

Prints the next version, computed from the commits since the newest release tag (the highest
SemVer tag <prefix><version> reachable from --to; default prefix "v"), and nothing else, so
scripts can use it: VERSION=$(releasectl next).

Rules (Conventional Commits):
  type!: ... or a BREAKING CHANGE: / BREAKING-CHANGE: footer   major
  feat: ...                                                    minor
  anything else (fix, chore, docs, non-conventional messages)  patch
  --strict: the conventional-commits presets instead: only fix and perf give a patch, and when
            no commit qualifies there is no release (see Exit status).
  0.x:      while the major version is 0 a breaking change bumps the minor version
            (0.4.2 + feat! → 0.5.0); release 1.0.0 on purpose: releasectl prepare <svc> 1.0.0.
  No tag:   a repository without release tags starts at 1.0.0 (software in production is
            1.0.0, says semver.org); choose another with --initial-version 0.1.0.
  Merges:   merge commits are skipped; the commits they bring in are read instead, so
            "Merge branch ..." never decides a bump by itself.
  Prerelease (--prerelease ID): 1.2.3 + feat → 1.3.0-ID.1; 1.3.0-beta.1 + fix or feat →
            1.3.0-beta.2 (the line continues); a new ID restarts at 1 (1.3.0-beta.2 with
            --prerelease rc → 1.3.0-rc.1); a bump beyond the line starts a new one
            (1.3.0-beta.2 + breaking → 2.0.0-beta.1). Without --prerelease a prerelease tag is
            finished: 1.3.0-rc.1 + fix → 1.3.0.
  Build metadata: --build META appends +META (1.3.0+build.7); it never counts for order.

Options:
  --repo DIR            repository to read (default: the current directory)
  --from REF            start of the range (default: the newest release tag)
  --to REF              end of the range (default: HEAD)
  --tag-prefix P        release tags are P<version> (default: v)
  --prerelease ID       compute a prerelease of the line ID (beta, rc, ...)
  --build META          append build metadata
  --strict              release only for fix, perf, feat and breaking changes
  --initial-version V   first version when there is no release tag (default: ${DEFAULT_INITIAL_VERSION})
  --json                print {version, bump, reason, previousTag, range, commits, mergeCommits}
  --debug               show stack traces on errors

Exit status: 0 with the version on stdout; 0 with nothing on stdout and the reason on stderr
when there is nothing to release (test with: [ -n "$VERSION" ]); 2 bad input (not a git
repository, unknown --from/--to, bad --prerelease or --build).

Examples:
  releasectl next                          # 2.5.0
  releasectl next --prerelease rc          # 2.5.0-rc.1
  releasectl next --strict --json
  releasectl next --repo ../checkout --from v2.4.0 --to main`,
    async run(ctx: CommandContext): Promise<number> {
        const { values } = parseCommandArgs("next", ctx.argv, { ...VERSION_OPTIONS, json: { type: "boolean" } }, { min: 0, max: 0, usage: USAGE });
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const result = computeNext(nextRequest(values, ctx.cwd, ctx.env));
        if (values.json) {
            ctx.stdout.write(`${JSON.stringify(nextJson(result), null, 2)}\n`);
        } else if (result.version !== undefined) {
            ctx.stdout.write(`${result.version}\n`);
        }
        if (result.version === undefined) {
            ctx.stderr.write(`releasectl next: nothing to release: ${result.reason}\n`);
        } else if (result.existingTag !== undefined) {
            ctx.stderr.write(`releasectl next: warning: tag ${result.existingTag} exists already (not reachable from ${values.to ?? "HEAD"}); releasectl tag will refuse it\n`);
        }
        return 0;
    },
};

export function nextJson(result: NextResult): Record<string, unknown> {
    return {
        version: result.version ?? null,
        tag: result.version === undefined ? null : `${result.tagPrefix}${result.version}`,
        bump: result.bump,
        reason: result.reason,
        previousTag: result.previousTag ?? null,
        previousVersion: result.previousVersion ?? null,
        range: result.range,
        commits: result.commits.map((c) => ({
            sha: c.sha,
            header: c.header,
            type: c.parsed.type ?? null,
            scope: c.parsed.scope ?? null,
            breaking: c.parsed.breaking,
            bump: c.bump ?? null,
        })),
        mergeCommits: result.mergeCommits,
    };
}
