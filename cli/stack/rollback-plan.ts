import * as semver from "../semver";
import { isDeepStrictEqual } from "util";
import { UserError } from "../../config/errors";
import { Release, shippedVersions } from "./history";

/**
 * Which release a rollback restores and which schema changes it crosses. Pure: releases in,
 * plan (or a refusal naming the reason and the fix) out.
 *
 * Schema model. The releases whose migrations are in effect form a stack: a release pushes
 * itself; a release of a lower version (a rollback) pops every release above its version,
 * because rolling back across them either ran their downgrade (contract) or deliberately kept
 * their additive schema (expand, which needs no downgrade ever). Rolling back from the current
 * release to version T crosses the releases on the stack above T, newest first:
 *
 * - `expand`: the schema stays; T's code works with it (that is what expand promises).
 * - `contract` with a `downgradeCommand`: T needs what the contract removed, so the downgrades
 *   run newest first, BEFORE `pulumi up` (T's code must never start against a schema it cannot
 *   read; the downgrade only re-adds, so the running newer code keeps working meanwhile).
 * - `contract` without a downgrade, or a migration whose phase is unknown: refused.
 *
 * A release whose migration block is identical to the one of the release before it carried the
 * block over unchanged (prepare only changes the version): it is taken as no schema change of
 * its own. Its downgrade, written for the earlier release, would undo too much: running it is
 * the worse mistake at 3 a.m. The report names these releases so the person can check.
 */

export interface CrossedMigration {
    readonly release: Release;
    readonly phase: string;
    readonly downgradeCommand?: readonly string[];
}

export interface RollbackPlan {
    readonly current: Release;
    readonly target: Release;
    /** Releases between target and current whose migrations are in effect, newest first. */
    readonly crossed: readonly CrossedMigration[];
    /** Downgrades to run before `pulumi up`, in order (newest release first). */
    readonly downgrades: readonly CrossedMigration[];
    /** Expand migrations whose schema stays. */
    readonly keptExpands: readonly CrossedMigration[];
    /** Crossed releases that repeated the previous release's migration block: no change of their own. */
    readonly carriedOver: readonly { readonly release: Release; readonly from: Release }[];
}

export interface PlanContext {
    readonly service: string;
    readonly stack: string;
    readonly file: string;
}

/** Releases whose schema changes are in effect after the given releases (oldest first). */
export function liveReleases(releases: readonly Release[]): Release[] {
    const live: Release[] = [];
    for (const release of releases) {
        while (live.length > 0 && semver.compare(live[live.length - 1].version, release.version) > 0) live.pop();
        const top = live[live.length - 1];
        if (top === undefined || semver.compare(top.version, release.version) !== 0) live.push(release);
    }
    return live;
}

export function planRollback(releases: readonly Release[], currentVersion: string, to: string | undefined, ctx: PlanContext): RollbackPlan {
    const valid = releases.filter((r) => semver.valid(r.version) !== null);
    const current = valid[valid.length - 1];
    if (current === undefined) {
        throw new UserError(`${ctx.file}: no release of ${ctx.service} in its git history; nothing to roll back to`, "ENOHISTORY");
    }
    if (current.version !== currentVersion) {
        throw new UserError(
            `${ctx.file}: ${ctx.service} is at ${currentVersion} but the last commit of the file says ${current.version}; commit the stack file first`,
            "EDIRTY",
        );
    }
    const target = chooseTarget(valid, current, to, ctx);
    const carriedOver: { release: Release; from: Release }[] = [];
    const crossed = liveReleases(valid)
        .filter((r) => semver.compare(r.version, target.version) > 0 && r.migration !== undefined)
        .filter((r) => {
            const before = valid[valid.indexOf(r) - 1];
            if (before === undefined || !isDeepStrictEqual(before.migration, r.migration)) return true;
            carriedOver.push({ release: r, from: before });
            return false;
        })
        .reverse()
        .map((release) => ({ release, phase: release.migration?.phase ?? "unknown", downgradeCommand: release.migration?.downgradeCommand }));
    carriedOver.reverse();

    for (const c of crossed) {
        if (c.phase === "expand") continue;
        if (c.phase !== "contract" || c.downgradeCommand === undefined) {
            const why =
                c.phase === "contract"
                    ? `ran a contract migration without a downgradeCommand, so the schema ${target.version} needs is gone`
                    : `ran a migration whose phase is ${JSON.stringify(c.phase)} (neither expand nor contract), so it may have removed what ${target.version} needs`;
            const fixes = [
                c.release === current ? `add migration.downgradeCommand to ${ctx.service} in ${ctx.file}, commit, and run again` : undefined,
                semver.compare(c.release.version, current.version) < 0 ? `roll back no further than ${c.release.version}: releasectl rollback ${ctx.service} --to ${c.release.version} --stack ${ctx.stack}` : undefined,
                `roll forward with a fix: releasectl prepare ${ctx.service} <version> --stack ${ctx.stack}`,
            ].filter((f) => f !== undefined);
            throw new UserError(
                `refusing to roll ${ctx.service} back from ${current.version} to ${target.version}: release ${c.release.version} (${c.release.commit.slice(0, 7)}) ${why}. Fix: ${fixes.join("; or ")}`,
                "ECONTRACT",
            );
        }
    }
    return {
        current,
        target,
        crossed,
        downgrades: crossed.filter((c) => c.phase === "contract"),
        keptExpands: crossed.filter((c) => c.phase === "expand"),
        carriedOver,
    };
}

function chooseTarget(releases: readonly Release[], current: Release, to: string | undefined, ctx: PlanContext): Release {
    if (to === undefined) {
        // The newest earlier release with a lower version: never "back" to a version that
        // replaced the current one (rolling back a rollback goes further back, not forward).
        const earlier = releases.slice(0, -1).filter((r) => semver.compare(r.version, current.version) < 0);
        const target = earlier[earlier.length - 1];
        if (target === undefined) {
            throw new UserError(`${ctx.file}: ${ctx.service} has no release before ${current.version} in its git history; nothing to roll back to`, "ENOHISTORY");
        }
        return latestOf(releases, target.version);
    }
    if (semver.valid(to) === null) {
        throw new UserError(`--to ${JSON.stringify(to)}: not a SemVer version; versions of ${ctx.service} that shipped: ${shippedVersions(releases).join(", ")}`, "EBADVERSION");
    }
    const matching = releases.filter((r) => r.version === to);
    if (matching.length === 0) {
        throw new UserError(
            `--to ${to}: ${ctx.service} ${to} never shipped in stack ${ctx.stack} (no commit of ${ctx.file} set it); versions that shipped: ${shippedVersions(releases).join(", ")}`,
            "ENOTSHIPPED",
        );
    }
    const order = semver.compare(to, current.version);
    if (order === 0) throw new UserError(`--to ${to}: ${ctx.service} is at ${current.version} already; nothing to roll back`, "ENOTBACK");
    if (order > 0) {
        throw new UserError(
            `--to ${to}: newer than the current ${current.version}; a rollback only goes back. To release ${to} again: releasectl prepare ${ctx.service} ${to} --stack ${ctx.stack}`,
            "ENOTBACK",
        );
    }
    return latestOf(releases, to);
}

/** The most recent release of a version (a version rolled back to later may be listed twice). */
function latestOf(releases: readonly Release[], version: string): Release {
    return [...releases].reverse().find((r) => r.version === version)!;
}
