import * as semver from "semver";
import { UserError } from "../../config/errors";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { changedPaths, createAnnotatedTag, git, repoRoot, tagExists } from "../git";
import { versionProblem } from "../versions/version-arg";
import { computeNext, NextResult, nextRequest, refuseComputeOptions, VERSION_OPTIONS } from "./next";

const USAGE = "releasectl tag [VERSION] [--repo DIR] [--tag-prefix P] [--prerelease ID] [--build META] [--strict] [--dry-run]";

/** The annotated tag's message: a title line, then one line per commit since the last tag. */
export function tagMessage(tag: string, result: Pick<NextResult, "commits" | "previousTag">): string {
    const lines = result.commits.map((c) => `- ${c.header} (${c.sha.slice(0, 7)})`);
    const since = result.previousTag === undefined ? "Changes:" : `Changes since ${result.previousTag}:`;
    return lines.length === 0 ? `release ${tag}\n` : `release ${tag}\n\n${since}\n${lines.join("\n")}\n`;
}

export const tag: Command = {
    name: "tag",
    summary: "create the annotated release tag v<version> on HEAD (never pushes)",
    help: `Usage: ${USAGE}

Creates the annotated tag <prefix><VERSION> (default prefix "v") on HEAD, with the message
"release v<VERSION>" followed by one line per commit since the previous release tag. Without
VERSION it tags the version releasectl next computes, with the same options (--strict,
--prerelease, --build, --tag-prefix), so "releasectl next" and "releasectl tag" agree.

It refuses an existing tag (releases are immutable: choose the next version), a version that is
not after the newest release tag reachable from HEAD (tags only move forward; a hotfix branch
without the newer tags can still tag its own line) and a working tree with uncommitted changes
to tracked files (the tag would not contain them: commit first). It never pushes: push with
git push origin v<VERSION> when you are ready.

Options:
  --repo DIR        repository to tag (default: the current directory)
  --tag-prefix P    tag name prefix (default: v)
  --prerelease ID, --build META, --strict, --initial-version V
                    as in releasectl next, when VERSION is not given (with VERSION they
                    are refused: write the prerelease into it, e.g. 2.5.0-rc.1)
  --dry-run         print the tag and its message, create nothing
  --debug           show stack traces on errors

Examples:
  releasectl tag                 # tags the version releasectl next prints
  releasectl tag 2.5.0
  releasectl tag 2.5.0-rc.1 --dry-run`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "tag",
            ctx.argv,
            { ...VERSION_OPTIONS, "dry-run": { type: "boolean" } },
            { min: 0, max: 1, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const req = nextRequest(values, ctx.cwd, ctx.env);
        const prefix = req.tagPrefix ?? "v";
        const explicit = positionals[0];
        const bad = explicit === undefined ? undefined : versionProblem(explicit, prefix);
        if (bad !== undefined) {
            const hint = bad.bare !== undefined ? `; give the version without the "${prefix}" prefix: ${bad.bare}` : "; use e.g. 2.5.0 or 2.5.0-rc.1";
            throw new UserError(`version ${JSON.stringify(explicit)}: ${bad.problem}${hint}`, "EBADVERSION");
        }
        if (explicit !== undefined) {
            refuseComputeOptions(values, explicit, ["prerelease", "build", "strict", "initial-version"], { explicit: (v) => `releasectl tag ${v}`, computed: "releasectl tag" });
        }
        if (values.to !== undefined) {
            throw new UserError(`--to ${values.to}: releasectl tag always tags HEAD; check out the commit to tag (git switch --detach ${values.to}), then run releasectl tag without --to`, "EUSAGE");
        }
        const root = repoRoot(req.repo, ctx.env);
        const dirty = changedPaths(root, [], ctx.env);
        if (dirty.length > 0) {
            throw new UserError(
                `${root}: uncommitted changes to ${dirty.slice(0, 3).join(", ")}${dirty.length > 3 ? ` and ${dirty.length - 3} more` : ""}; commit them (or discard them) before tagging, so the tag holds what you release`,
                "EDIRTY",
            );
        }
        const result = computeNext({ ...req, repo: root });
        const version = explicit ?? result.version;
        if (version === undefined) {
            throw new UserError(`nothing to release: ${result.reason}; to tag anyway, name the version: releasectl tag <version>`, "ENORELEASE");
        }
        const name = `${prefix}${version}`;
        if (tagExists(root, name, ctx.env)) {
            const at = git(root, ["rev-list", "-n", "1", name], { env: ctx.env }).trim().slice(0, 7);
            throw new UserError(`tag ${name} exists already (on ${at}); releases are immutable: choose the next version (releasectl next)`, "ETAGEXISTS");
        }
        if (result.previousTag !== undefined && result.previousVersion !== undefined && semver.compare(version, result.previousVersion) <= 0) {
            const at = git(root, ["rev-list", "-n", "1", result.previousTag], { env: ctx.env }).trim().slice(0, 7);
            const same = semver.compare(version, result.previousVersion) === 0;
            throw new UserError(
                `version ${version} ${same ? "is not after" : "is below"} the newest release tag ${result.previousTag} (on ${at})${same ? ": it differs only in build metadata, which SemVer does not order" : ""}; release tags only move forward: choose a version after ${result.previousVersion} (releasectl next)`,
                "ENOTFORWARD",
            );
        }
        const message = tagMessage(name, result);
        const head = git(root, ["rev-parse", "--short=7", "HEAD"], { env: ctx.env }).trim();
        if (values["dry-run"]) {
            ctx.stdout.write(`would create tag ${name} on ${head} with the message:\n${message.replace(/^/gm, "  ")}(dry run: no tag created)\n`);
            return 0;
        }
        createAnnotatedTag(root, name, message, ctx.env);
        ctx.stdout.write(`created annotated tag ${name} on ${head} (${result.commits.length} commit${result.commits.length === 1 ? "" : "s"} since ${result.previousTag ?? "the first commit"}); not pushed: git push origin ${name}\n`);
        return 0;
    },
};
