import { UserError } from "../../config/errors";
import { ServiceConfig } from "../../config/types";
import { computeNext } from "../commands/next";
import { readServiceHistory } from "../stack/history";
import { nextVersion } from "./next-version";
import { versionProblem } from "./version-arg";

export interface VersionChoice {
    readonly version: string;
    /** For `auto`: how it was computed, naming the commit that decided it. */
    readonly reason?: string;
}

export interface AutoOptions {
    readonly tagPrefix?: string;
    readonly strict?: boolean;
    readonly prerelease?: string;
    readonly build?: string;
}

/**
 * The version to release (`ship` and `prepare`). `auto` follows `releasectl next`: the commits since the newest release
 * tag decide the bump. A repository without release tags has its releases only in the stack
 * file, so there the base is the service's current version and the commits are those since the
 * commit that released it (next alone would start at 1.0.0, behind a service already at 2.4.1).
 */
export function chooseVersion(requested: string, ctx: { dir: string; stack: string; project: string; service: ServiceConfig; env: NodeJS.ProcessEnv; auto: AutoOptions }): VersionChoice {
    if (requested !== "auto") {
        const bad = versionProblem(requested);
        if (bad !== undefined) {
            const hint = bad.bare !== undefined ? `; drop the leading v: ${bad.bare}` : "; use e.g. 2.5.0, 2.5.0-rc.1 or auto";
            throw new UserError(`version ${JSON.stringify(requested)}: ${bad.problem}${hint}`, "EBADVERSION");
        }
        return { version: requested };
    }
    const request = { repo: ctx.dir, tagPrefix: ctx.auto.tagPrefix, strict: ctx.auto.strict, prerelease: ctx.auto.prerelease, build: ctx.auto.build, env: ctx.env };
    const tagged = computeNext(request);
    if (tagged.previousTag !== undefined) {
        if (tagged.version === undefined) throw nothingToRelease(tagged.reason);
        return { version: tagged.version, reason: `${tagged.reason} (since tag ${tagged.previousTag})` };
    }
    const history = readServiceHistory(ctx.dir, ctx.stack, ctx.project, ctx.service.name, ctx.env);
    const released = history.releases[history.releases.length - 1];
    const since = released === undefined ? tagged : computeNext({ ...request, from: released.commit });
    const result = nextVersion(
        ctx.service.version,
        since.commits.map((c) => ({ sha: c.sha, commit: c.parsed })),
        { strict: ctx.auto.strict, prerelease: ctx.auto.prerelease, build: ctx.auto.build },
    );
    const where = released === undefined ? "" : ` (no release tag: commits since ${released.commit.slice(0, 7)}, which released ${ctx.service.name} ${ctx.service.version})`;
    if (result.version === undefined) throw nothingToRelease(`${result.reason}${where}`);
    return { version: result.version, reason: `${result.reason}${where}` };
}

function nothingToRelease(reason: string): UserError {
    return new UserError(`auto: nothing to release: ${reason}; name the version instead`, "ENORELEASE");
}
