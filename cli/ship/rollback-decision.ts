import { UserError } from "../../config/errors";
import { shellLine } from "../shell-line";
import { MigrationSummary, Release } from "../stack/history";
import { planRollback } from "../stack/rollback-plan";

/**
 * Ship's rollback, decided once before anything changes: which version it restores, what the
 * release's migration means for it (a contract to undo by hand before pulumi up, an expand whose
 * schema stays, a block carried over that is no change of its own), whether it can be made at
 * all, and what a person runs when it stops at each point. The run (rollback-path.ts), the
 * `--dry-run` plan (steps.ts) and the summary (through the outcome's manual commands) read this
 * one object; nothing downstream re-derives it.
 *
 * The decision is the one `releasectl rollback` makes (cli/stack/rollback-plan.ts) right after
 * ship's release commit: the stack file's releases with this release appended as that commit
 * will record it (its migration block as the new stack file has it).
 */

export interface Downgrade {
    /** The release whose contract migration it undoes. */
    readonly version: string;
    readonly command: readonly string[];
}

export interface ShipRollback {
    /** The version the rollback restores: the one serving before the release. */
    readonly to: string;
    /** The release's migration as the rollback sees it (undefined: it has none). */
    readonly migration?: {
        readonly phase: string;
        /** Written for this release; false: carried over unchanged from `to`'s release, no schema change of its own. */
        readonly own: boolean;
    };
    /**
     * Contract migrations to undo, in order, BEFORE `pulumi up` (the code of `to` must not start
     * on a schema it cannot read): ship commits the rolled-back configuration and stops there,
     * for a person to run them (ship runs no database command).
     */
    readonly downgrades: readonly Downgrade[];
    /** Why no rollback can be made (the rollback planner refuses it): ship stops at its first step. */
    readonly refused?: string;
    /** What a person runs when the rollback stops, by where it stopped. */
    readonly recovery: RecoveryCommands;
}

export interface RecoveryCommands {
    /** The stack file could not be rolled back. */
    readonly rollback: readonly string[];
    /** It was rolled back in the working tree, but not committed (with the changelog, when ship took the entry back out). */
    commit(changelog: string | undefined): readonly string[];
    /** Committed, not applied: the downgrades come first. */
    readonly downgrade: readonly string[];
    /** Its `pulumi up` failed. */
    readonly reapply: readonly string[];
    /** Applied, but the previous version did not serve again in time. */
    readonly restore: readonly string[];
}

export interface RollbackInput {
    readonly service: string;
    readonly namespace: string;
    readonly stack: string;
    /** The stack file, as git commands in the project folder name it. */
    readonly fileName: string;
    /** As messages show it. */
    readonly shown: string;
    /** The version serving now, and the one being released. */
    readonly from: string;
    readonly version: string;
    /** `pulumi up`'s arguments (as ship runs it). */
    readonly upArgs: readonly string[];
    /** The stack file's releases, oldest first (readServiceHistory). */
    readonly releases: readonly Release[];
    /** The release's migration block as its commit records it (history.ts snapshotOf), if it has one. */
    readonly migration?: MigrationSummary;
}

/** Pure: the releases and the release in, the decision out (a refusal is part of it, not thrown). */
export function decideRollback(input: RollbackInput): ShipRollback {
    // The release as its commit will record it; not committed yet, so no commit id (only a
    // refusal's message shows one) and no blob (planRollback reads neither).
    const release = {
        version: input.version,
        commit: "pending",
        date: "",
        author: "",
        email: "",
        subject: `release ${input.service} ${input.version}`,
        rollback: false,
        previousVersion: input.from,
        migration: input.migration,
    } as Release;
    const phase = input.migration?.phase;
    let plan: ReturnType<typeof planRollback>;
    try {
        plan = planRollback([...input.releases, release], input.version, input.from, { service: input.service, stack: input.stack, file: input.shown });
    } catch (e) {
        if (!(e instanceof UserError)) throw e;
        return { to: input.from, migration: phase === undefined ? undefined : { phase, own: true }, downgrades: [], refused: e.message, recovery: recoveryCommands(input, input.from, []) };
    }
    const own = !plan.carriedOver.some((c) => c.release === release);
    const downgrades = plan.downgrades.map((d) => ({ version: d.release.version, command: d.downgradeCommand ?? [] }));
    const to = plan.target.version;
    return { to, migration: phase === undefined ? undefined : { phase, own }, downgrades, recovery: recoveryCommands(input, to, downgrades) };
}

function recoveryCommands(r: RollbackInput, to: string, downgrades: readonly Downgrade[]): RecoveryCommands {
    const up = shellLine(["pulumi", ...r.upArgs]);
    const status = `releasectl status ${r.service} --stack ${r.stack}`;
    return {
        rollback: [
            `${status}   # what serves now`,
            `releasectl history ${r.service} --stack ${r.stack}   # the releases to go back to`,
            `releasectl rollback ${r.service} --to <version> --stack ${r.stack} && git commit -m "rollback ${r.service}" ${r.fileName} && ${up}`,
        ],
        commit: (changelog) => [`git commit -m "rollback ${r.service} to ${to}" -- ${r.fileName}${changelog ? ` ${changelog}` : ""}`, up, `${status} --watch`],
        downgrade: [...downgrades.map((d) => `${shellLine(d.command)}   # undo the contract migration of ${d.version} (in the migration image), BEFORE pulumi up`), up, `${status} --watch`],
        reapply: [`${status}   # what serves now`, `${up}   # after fixing what pulumi reported; if a policy blocks the rollback: pulumi up --stack ${r.stack} --yes`, `${status} --watch`],
        restore: [
            `${status} --watch   # follow it`,
            `kubectl -n ${r.namespace} describe canary ${r.service}   # Flagger's events`,
            `kubectl -n ${r.namespace} rollout status deployment/${r.service}-primary`,
        ],
    };
}
