// The tag operation: the annotated release tag's message (tagMessage, which ship writes too)
// and creating the tag v<version> on HEAD after the checks that keep release tags immutable
// and moving forward (clean tree, tag not taken, after the newest release tag). Layer:
// cli/operations/, the domain operations the commands and ship/ call; imports only lower
// layers (cli/versions/, cli/changelog/, cli/git), never cli/commands/ or cli/ship/.
import * as semver from "../semver";
import { UserError } from "../../config/errors";
import { notesFrom, notesText } from "../changelog/notes";
import { changedPaths, createAnnotatedTag, git, repoRoot, tagExists } from "../git";
import { computeNext, NextRequest, NextResult } from "../versions/compute-next";

/** The annotated tag's message: a title line, then one line per commit since the last tag. */
export function tagMessage(tag: string, result: Pick<NextResult, "commits" | "previousTag">): string {
    if (result.commits.length === 0) return `release ${tag}\n`;
    const since = result.previousTag === undefined ? "Changes:" : `Changes since ${result.previousTag}:`;
    // the release notes, as releasectl changelog --plain prints them and ship announces them
    return `release ${tag}\n\n${since}\n\n${notesText(notesFrom(result.commits))}`;
}

/** What `releasectl tag` asks for once its flags are read. */
export interface TagRequest {
    /** The version line's request (a service's, or the repository's). */
    readonly req: NextRequest;
    /** The version given on the command line. */
    readonly explicit?: string;
    /** Tagging a service's release: its name, the stack's version and the commit of its release before. */
    readonly stackVersion?: { readonly service: string; readonly version: string; readonly previousRelease?: string };
    readonly dryRun?: boolean;
    readonly env: NodeJS.ProcessEnv;
}

export interface TagOutcome {
    readonly name: string;
    readonly head: string;
    readonly message: string;
    readonly result: NextResult;
    readonly created: boolean;
}

/** Checks, computes and (unless dryRun) creates the annotated tag on HEAD; never pushes. */
export function createReleaseTag(request: TagRequest): TagOutcome {
    const { req, explicit, stackVersion } = request;
    const env = request.env;
    const root = repoRoot(req.repo, env);
    const dirty = changedPaths(root, [], env);
    if (dirty.length > 0) {
        throw new UserError(
            `${root}: uncommitted changes to ${dirty.slice(0, 3).join(", ")}${dirty.length > 3 ? ` and ${dirty.length - 3} more` : ""}; commit them (or discard them) before tagging, so the tag holds what you release`,
            "EDIRTY",
        );
    }
    let result = computeNext({ ...req, repo: root });
    if (stackVersion !== undefined && result.previousTag === undefined && stackVersion.previousRelease !== undefined) {
        // no tag on the line yet: the message lists the commits since the stack file's previous release
        result = { ...computeNext({ ...req, repo: root, from: stackVersion.previousRelease }), previousTag: undefined };
    }
    const prefix = result.tagPrefix;
    const version = explicit ?? stackVersion?.version ?? result.version;
    if (version === undefined) {
        throw new UserError(`nothing to release: ${result.reason}; to tag anyway, name the version: releasectl tag <version>`, "ENORELEASE");
    }
    const name = `${prefix}${version}`;
    if (tagExists(root, name, env)) {
        const at = git(root, ["rev-list", "-n", "1", name], { env }).trim().slice(0, 7);
        throw new UserError(`tag ${name} exists already (on ${at}); releases are immutable: choose the next version (releasectl next)`, "ETAGEXISTS");
    }
    const newest = result.newestTag;
    const newestVersion = newest?.slice(prefix.length);
    if (newest !== undefined && newestVersion !== undefined && semver.compare(version, newestVersion) <= 0) {
        const at = git(root, ["rev-list", "-n", "1", newest], { env }).trim().slice(0, 7);
        const same = semver.compare(version, newestVersion) === 0;
        throw new UserError(
            `version ${version} ${same ? "is not after" : "is below"} the newest release tag ${newest} (on ${at})${same ? ": it differs only in build metadata, which SemVer does not order" : ""}; release tags only move forward: choose a version after ${newestVersion} (releasectl next${stackVersion ? ` ${stackVersion.service}` : ""})`,
            "ENOTFORWARD",
        );
    }
    const message = tagMessage(name, result);
    const head = git(root, ["rev-parse", "--short=7", "HEAD"], { env }).trim();
    if (request.dryRun) return { name, head, message, result, created: false };
    createAnnotatedTag(root, name, message, env);
    return { name, head, message, result, created: true };
}
