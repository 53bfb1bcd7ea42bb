import { UserError } from "../../config/errors";
import { ReleaseConfig, ServiceConfig } from "../../config/types";
import { computeNext, latestTag, NextRequest } from "./compute-next";
import { readServiceHistory } from "../stack/history";
import { defaultTagPrefix, lineRequest, serviceLine } from "./version-line";
import { versionProblem } from "./version-arg";

export interface VersionChoice {
    readonly version: string;
    /** For `auto`: how it was computed, naming the commit that decided it. */
    readonly reason?: string;
    /** For `auto`: the prefix of the line's tags. */
    readonly tagPrefix?: string;
}

export interface AutoOptions {
    readonly tagPrefix?: string;
    readonly strict?: boolean;
    readonly prerelease?: string;
    readonly build?: string;
}

export interface ServiceLineContext {
    readonly dir: string;
    readonly stack: string;
    readonly project: string;
    readonly config: ReleaseConfig;
    readonly service: ServiceConfig;
    readonly env: NodeJS.ProcessEnv;
}

/**
 * The `next` request for a service's version line: its repository, paths and tag prefix (from
 * the stack file; `--tag-prefix`, `--path` and `--repo` given on the command line win). A line
 * without release tags has its releases only in the stack file, so there the base is the
 * service's current version and the commits are those since the commit that released it (next
 * alone would start at 1.0.0, behind a service already at 2.4.1).
 */
export function serviceNextRequest(ctx: ServiceLineContext, given: AutoOptions & { paths?: readonly string[]; repo?: string; from?: string; to?: string; initialVersion?: string }): NextRequest {
    const line = serviceLine(ctx.dir, ctx.config, ctx.service, ctx.env);
    const fields = lineRequest(line, { tagPrefix: given.tagPrefix, paths: given.paths });
    const ownRepo = given.repo === undefined && ctx.service.commits.repository === undefined;
    return {
        ...fields,
        repo: given.repo ?? fields.repo,
        from: given.from,
        to: given.to,
        strict: given.strict,
        prerelease: given.prerelease,
        build: given.build,
        initialVersion: given.initialVersion,
        env: ctx.env,
        // --repo: that repository's own tags, or its first version (--initial-version), as next reads it
        fallback: given.repo !== undefined ? undefined : () => {
            if (!ownRepo) {
                const where = ctx.service.commits.repository;
                throw new UserError(
                    `${where}: no release tag of ${ctx.service.name} (${defaultTagPrefix(line)}<version>) in the service's repository, so which commits are new is unknown; tag the commit of its current release there (git -C ${where} tag ${defaultTagPrefix(line)}${ctx.service.version} <commit>) or name the version`,
                    "ENORELEASE",
                );
            }
            const history = readServiceHistory(ctx.dir, ctx.stack, ctx.project, ctx.service.name, ctx.env);
            const released = history.releases[history.releases.length - 1];
            // A repository tagged v<version> before it held several services (or before releasectl
            // tagged per service): those tags name no service now, so say whose they could be.
            const repoWide = line.tagPrefix === undefined && !line.defaultPrefixes.includes("v") ? latestTag(line.repo, "HEAD", "v", ctx.env) : undefined;
            const hint = repoWide
                ? `; the repository's ${repoWide.tag} is no service's tag in a stack of several services (theirs are ${defaultTagPrefix(line)}<version>): if the v<version> tags are ${ctx.service.name}'s, set ${ctx.config.project}:services.${ctx.service.name}.tagPrefix: v`
                : "";
            return {
                version: ctx.service.version,
                commit: released?.commit,
                note:
                    (released === undefined
                        ? `(no release tag ${defaultTagPrefix(line)}<version>: counted from ${ctx.service.name}'s version ${ctx.service.version}`
                        : `(no release tag ${defaultTagPrefix(line)}<version>: commits since ${released.commit.slice(0, 7)}, which released ${ctx.service.name} ${ctx.service.version}`) +
                    `${hint})`,
            };
        },
    };
}

/**
 * The version to release (`ship` and `prepare`). `auto` follows `releasectl <service> next`: the
 * commits of the service's line since its newest release tag decide the bump.
 */
export function chooseVersion(requested: string, ctx: ServiceLineContext & { auto: AutoOptions }): VersionChoice {
    if (requested !== "auto") {
        const bad = versionProblem(requested);
        if (bad !== undefined) {
            const hint = bad.bare !== undefined ? `; drop the leading v: ${bad.bare}` : "; use e.g. 2.5.0, 2.5.0-rc.1 or auto";
            throw new UserError(`version ${JSON.stringify(requested)}: ${bad.problem}${hint}`, "EBADVERSION");
        }
        return { version: requested };
    }
    const result = computeNext(serviceNextRequest(ctx, ctx.auto));
    if (result.version === undefined) throw nothingToRelease(result.reason);
    const since = result.previousTag !== undefined ? ` (since tag ${result.previousTag})` : "";
    return { version: result.version, reason: `${result.reason}${since}`, tagPrefix: result.tagPrefix };
}

// in version-line.ts, which history loads without the version computation
export { serviceTagPrefix } from "./version-line";

function nothingToRelease(reason: string): UserError {
    return new UserError(`auto: nothing to release: ${reason}; name the version instead`, "ENORELEASE");
}
