import * as semver from "../semver";
import { UserError } from "../../config/errors";
import { MigrationSummary, Release } from "../stack/history";
import { liveReleases } from "../stack/rollback-plan";

/**
 * Which release of the source stack a promotion copies, or a refusal naming the reason and the
 * fix. Pure: the source stack's releases of the service (its file's git history) in, the
 * release out. The cluster's word (the Canary) is asked by the command, only for the release
 * the source runs now.
 *
 * A release was backed out when a later release of the same stack has a lower version: a
 * `rollback: true` release, a `git revert` of the release commit, or a hand edit all look the
 * same in the stack file, and none of them is a release that passed.
 */

export interface PromotePlanInput {
    readonly service: string;
    readonly from: string;
    readonly to: string;
    /** Releases of the service in the source stack, oldest first. */
    readonly releases: readonly Release[];
    /** The service's version in the source stack's working file. */
    readonly sourceVersion: string;
    /** The version to promote (--version); undefined: the one the source runs. */
    readonly version?: string;
    /** The service's version in the target stack now. */
    readonly targetVersion: string;
}

export interface PromotePlan {
    readonly release: Release;
    /** The source runs this release now (so the cluster's Canary speaks for it). */
    readonly current: boolean;
}

const short = (sha: string) => sha.slice(0, 7);
const when = (r: Release) => `${short(r.commit)}, ${r.date.slice(0, 10)}`;

/** Same phase, command and image: the same schema change (prepare carried the block over). */
export function sameChange(a: MigrationSummary | undefined, b: MigrationSummary | undefined): boolean {
    if (a === undefined || b === undefined) return a === b;
    return a.phase === b.phase && a.image === b.image && JSON.stringify(a.command) === JSON.stringify(b.command);
}

export function planPromotion(input: PromotePlanInput): PromotePlan {
    const { service, from, to, releases } = input;
    const last = releases[releases.length - 1];
    const version = input.version ?? input.sourceVersion;
    if (last === undefined) {
        throw new UserError(`${service} ${version} was never released on ${from}: Pulumi.${from}.yaml has no commit that released ${service}; release it there first (commit the stack file, pulumi up --stack ${from})`, "ENOTRELEASED");
    }
    if (input.version === undefined && input.sourceVersion !== last.version) {
        throw new UserError(
            `${service} ${input.sourceVersion} was never released on ${from}: Pulumi.${from}.yaml has it uncommitted (the last release there is ${last.version}, ${when(last)}); commit it and pulumi up --stack ${from}, let its canary pass, then promote`,
            "ENOTRELEASED",
        );
    }
    const index = findLastIndex(releases, (r) => r.version === version && !r.rollback);
    if (index < 0) {
        const rollbackOnly = releases.some((r) => r.version === version);
        const shipped = [...new Set(releases.filter((r) => !r.rollback).map((r) => r.version))].slice(-8).join(", ");
        throw new UserError(
            rollbackOnly
                ? `${from} runs ${service} ${version} as a rollback release (rollback: true): the version it rolled back from failed there, and ${version} has no release of its own in ${from}'s history to promote`
                : `${service} ${version} was never released on ${from} (its releases there: ${shipped || "none"}); release it there first, or promote one of those with --version`,
            "ENOTRELEASED",
        );
    }
    const release = releases[index];
    if (input.version === undefined && last.rollback) {
        throw new UserError(
            `${from} runs a rollback of ${service} (to ${last.version} from ${last.previousVersion ?? "a later version"}, ${when(last)}): the release it rolled back failed there, so there is nothing new to promote; fix it and release again on ${from}`,
            "EROLLEDBACK",
        );
    }
    const backedOut = releases.slice(index + 1).find((r) => semver.compare(r.version, release.version) < 0);
    if (backedOut !== undefined) {
        const how = backedOut.rollback ? "rolled back" : /^Revert\b/.test(backedOut.subject) ? "reverted" : "replaced by a lower version";
        throw new UserError(
            `${service} ${release.version} did not succeed on ${from}: it was ${how} to ${backedOut.version} (${when(backedOut)}: ${backedOut.subject}); a release that ${from} backed out must not reach ${to}`,
            "EROLLEDBACK",
        );
    }
    const order = semver.compare(release.version, input.targetVersion);
    if (order <= 0) {
        throw new UserError(
            order === 0
                ? `${to} runs ${service} ${input.targetVersion} already; nothing to promote`
                : `${service} ${release.version} on ${from} is older than ${input.targetVersion}, which ${to} runs; promotion only moves forward (going back is releasectl rollback ${service} --to ${release.version} --stack ${to})`,
            "ENOTNEWER",
        );
    }
    // Schema changes in effect on the source between the target's version and this one: the
    // target must run them in the same order, one release at a time.
    const live = liveReleases(releases.slice(0, index + 1));
    let previous: Release | undefined;
    for (const r of live) {
        const between = semver.compare(r.version, input.targetVersion) > 0 && semver.compare(r.version, release.version) < 0;
        if (between && r.migration !== undefined && !sameChange(r.migration, previous?.migration)) {
            throw new UserError(
                `${service} ${release.version} would skip a migration: on ${from}, ${r.version} (${when(r)}) ran its own ${r.migration.phase ?? ""} migration before ${release.version}, and ${to} (at ${input.targetVersion}) has not run it; ` +
                    `promote in order: releasectl promote ${service} --from ${from} --to ${to} --version ${r.version} first`,
                "EMIGRATIONORDER",
            );
        }
        previous = r;
    }
    return { release, current: index === releases.length - 1 };
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
    for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i;
    return -1;
}
