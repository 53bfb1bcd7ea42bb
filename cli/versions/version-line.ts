import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";
import { ReleaseConfig, ServiceConfig } from "../../config/types";
import { isSemVer } from "../../config/versions";
import { reachableTags, realOr, repoRoot } from "../git";
import { NextRequest } from "./compute-next";

/**
 * A service's version line: the repository its commits live in, the paths inside it that are the
 * service (a monorepo), and how its releases are tagged. The stack file declares it
 * (services.<name>.commits, services.<name>.tagPrefix); the loader fills the defaults, this turns
 * it into what `releasectl next` reads.
 */
export interface VersionLine {
    readonly service: string;
    /** The repository's top folder. */
    readonly repo: string;
    /** Pathspecs from the repository's top; empty: the whole repository. */
    readonly paths: readonly string[];
    /** Set in the stack file (only this prefix), or a default (the first of `defaultPrefixes` that has tags). */
    readonly tagPrefix?: string;
    readonly defaultPrefixes: readonly string[];
    /** Where the prefix is set, for messages. */
    readonly tagPrefixOption: string;
    /** Conventional scopes of the stack's other services: their commits are not this one's (same repository, no path). */
    readonly otherScopes: readonly string[];
}

export function serviceLine(dir: string, config: ReleaseConfig, service: ServiceConfig, env?: NodeJS.ProcessEnv): VersionLine {
    const at = `${config.project}:services.${service.name}`;
    const commits = service.commits;
    let repo: string;
    if (commits.repository !== undefined) {
        const folder = path.resolve(dir, commits.repository);
        if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
            throw new UserError(`${config.source}: ${at}.commits.repository = ${JSON.stringify(commits.repository)}: ${folder} is no folder; clone the service's repository there or fix the path (relative to ${dir})`, "ECONFIG");
        }
        repo = repoRoot(folder, env);
    } else {
        repo = repoRoot(dir, env);
    }
    const base = commits.repository !== undefined ? path.resolve(dir, commits.repository) : dir;
    const paths = commits.paths.map((p) => topRelative(repo, path.resolve(base, p), `${at}.commits.path = ${JSON.stringify(p)}`));
    const sameRepo = commits.repository === undefined;
    const multi = config.services.length > 1;
    return {
        service: service.name,
        repo,
        paths,
        tagPrefix: service.tagPrefix,
        defaultPrefixes: multi && sameRepo ? [`${service.name}-v`, `${service.name}@`] : ["v", ""],
        tagPrefixOption: `${at}.tagPrefix (or --tag-prefix)`,
        otherScopes: multi && sameRepo && paths.length === 0 ? config.services.filter((s) => s !== service).map((s) => s.name) : [],
    };
}

/** The fields of a `next` request that the line decides; `--tag-prefix` and `--path` given on the command line win. */
export function lineRequest(line: VersionLine, given: { tagPrefix?: string; paths?: readonly string[] }): Pick<NextRequest, "repo" | "paths" | "tagPrefix" | "defaultPrefixes" | "tagPrefixOption" | "otherScopes"> {
    return {
        repo: line.repo,
        paths: given.paths !== undefined && given.paths.length > 0 ? given.paths : line.paths,
        tagPrefix: given.tagPrefix ?? line.tagPrefix,
        defaultPrefixes: line.defaultPrefixes,
        tagPrefixOption: given.tagPrefix !== undefined ? "--tag-prefix" : line.tagPrefixOption,
        otherScopes: given.paths !== undefined && given.paths.length > 0 ? [] : line.otherScopes,
    };
}

/** The tag prefix a line uses when nothing is tagged yet (what `tag` and `ship` create). */
export function defaultTagPrefix(line: VersionLine): string {
    return line.tagPrefix ?? line.defaultPrefixes[0];
}

/** `target` as a path from the repository's top, refusing one outside it. */
export function topRelative(repo: string, target: string, what: string): string {
    const rel = path.relative(realOr(repo), realOr(target));
    if (rel.startsWith("..") || path.isAbsolute(rel)) {
        throw new UserError(`${what}: ${target} is outside the repository ${repo}; give a path inside it (or the service's own repository as commits.repository)`, "EBADPATH");
    }
    return rel === "" ? "." : rel.split(path.sep).join("/");
}

/**
 * The prefix of the service's release tags: the one set, else the default that has a release
 * tag reachable from HEAD on its line, else the first default. (`ctx` is an auto-version
 * ServiceLineContext; only what the line needs is asked for.)
 */
export function serviceTagPrefix(ctx: { readonly dir: string; readonly config: ReleaseConfig; readonly service: ServiceConfig; readonly env: NodeJS.ProcessEnv }, given?: string): string {
    if (given !== undefined) return given;
    const line = serviceLine(ctx.dir, ctx.config, ctx.service, ctx.env);
    if (line.tagPrefix !== undefined) return line.tagPrefix;
    const tags = reachableTags(line.repo, "HEAD", "", ctx.env);
    return line.defaultPrefixes.find((p) => tags.some((t) => t.startsWith(p) && isSemVer(t.slice(p.length)))) ?? line.defaultPrefixes[0];
}
