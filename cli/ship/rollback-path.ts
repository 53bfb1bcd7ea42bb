import { waitForPrevious } from "./cluster-watch";
import { reasonOf, rollbackFailedText, rolledBackText, short, shortOf, StepFailure, upFailure } from "./messages";
import { ShipOutcome, ShipRun } from "./run";
import { REVERT_STEP, ROLLBACK_STEPS } from "./steps";

/**
 * What ship does when a step fails after the prepare commit: the revert (preview failed, nothing
 * applied: a new commit undoes the prepare commit) and the rollback path (production may have
 * changed: ROLLBACK_STEPS in order). The rollback carries out the release's rollback decision
 * (`r.rollback`, rollback-decision.ts): the version it restores, the downgrades it stops for,
 * a refusal, and the commands a person runs where it stops. Neither throws.
 */

/** Preview failed: nothing was applied, so the prepare commit is undone by a new commit. */
export async function revertPrepare(run: ShipRun, e: unknown): Promise<ShipOutcome> {
    const { r, deps, commits } = run;
    const reason = reasonOf(e);
    run.addStep(REVERT_STEP);
    run.skipRest();
    try {
        await run.step(REVERT_STEP.id, async (note) => {
            await deps.git.writeStackFile(r.after, r.before);
            const changelog = run.undoChangelog(note);
            commits.revert = deps.git.commitStackFile(
                `revert release ${r.service.name} ${r.version}: ${shortOf(e)}`,
                `This reverts commit ${commits.release}.\n\n${reason}.\nNothing was applied: pulumi up did not run.`,
                changelog === undefined ? [] : [changelog],
            );
            return `committed ${short(commits.revert)}: ${r.fileName} is back to ${r.from}${changelog === undefined ? "" : ` and ${changelog} to before the release`}, byte for byte`;
        });
    } catch (err) {
        return run.finish({
            result: "not released",
            exitCode: 1,
            failedStep: "preview",
            reason: `${reason}; nothing was applied, but reverting the prepare commit failed: ${reasonOf(err)}`,
            manual: [`git revert --no-edit ${short(commits.release)}   # ${r.fileName} back to ${r.from}${run.changelog ? `, ${run.changelog.path} without the entry` : ""}; production was not changed`],
        });
    }
    return run.finish({
        result: "not released",
        exitCode: 1,
        failedStep: "preview",
        reason: `${reason}; nothing was applied (pulumi up did not run) and the prepare commit is reverted`,
        production: `unchanged (${r.from})`,
        stackFile: `${r.fileName} names ${r.from} again (revert commit ${short(commits.revert)})`,
    });
}

/** A failure once production may have changed: roll back and make sure the previous version serves. */
export async function rollBack(run: ShipRun, failedStep: string, e: unknown): Promise<ShipOutcome> {
    const { r, deps, commits, facts } = run;
    const plan = r.rollback;
    const to = plan.to;
    const reason = reasonOf(e);
    const shortReason = shortOf(e);
    run.skipRest();
    run.addRollbackSteps();
    const announce = ROLLBACK_STEPS.find((s) => s.id === "announce-rollback")!;
    const failed = async (why: string, manual: readonly string[], stackFile: string): Promise<ShipOutcome> => {
        run.skipRest();
        const production = await run.look();
        run.announcements.rollback = await run.announceStep("announce-rollback", announce.skipped?.(r), rollbackFailedText(r, facts.author, reason, why, production), true);
        return run.finish({ result: "rollback failed", exitCode: 1, failedStep, reason: `${reason}; rollback failed: ${why}`, production, stackFile, manual });
    };
    const names = (what: string) => `${r.fileName} names ${to} (rollback commit ${short(commits.rollback)})${what}`;

    // R1. the configuration of the previous release, committed.
    let written = false;
    let changelog: string | undefined;
    try {
        await run.step("rollback", async (note) => {
            if (plan.refused !== undefined) throw new StepFailure(plan.refused, "rollback refused");
            await deps.rollback(to);
            written = true;
            const subject = `rollback ${r.service.name} to ${to}: ${shortReason}`;
            // the entry of a release that did not stand goes with it (the version's next release writes it again)
            changelog = run.undoChangelog(note);
            commits.rollback = deps.git.commitStackFile(
                subject,
                `${reason}.\n\nReleased ${r.version} in ${commits.release}; rolled back automatically by releasectl ship.${changelog === undefined ? "" : `\n${changelog}: the entry of ${r.version} is removed.`}`,
                changelog === undefined ? [] : [changelog],
            );
            note(`committed ${short(commits.rollback)} "${subject}"`);
            return `${r.fileName}: ${r.version} → ${to}, rollback: true (Flagger promotes it without analysis)${changelog === undefined ? "" : `, ${changelog} without the entry of ${r.version}`}, committed ${short(commits.rollback)}`;
        });
    } catch (err) {
        if (!written) {
            return failed(`the stack file could not be rolled back: ${reasonOf(err)}`, plan.recovery.rollback, `${r.fileName} names ${r.version} (release commit ${short(commits.release)})`);
        }
        return failed(
            `the rolled-back stack file could not be committed: ${reasonOf(err)}`,
            plan.recovery.commit(changelog),
            `${r.fileName} names ${to} in the working tree, not committed${changelog ? ` (${changelog} without the entry of ${r.version}, not committed either)` : ""}`,
        );
    }

    // Before R2: a contract migration whose downgrade a person runs first (ship runs no database command).
    if (plan.downgrades.length > 0) {
        run.fail("reapply", `not applied: ${to}'s code must not start before the contract migration of ${plan.downgrades.map((d) => d.version).join(", ")} is undone`);
        return failed(`rolling back to ${to} crosses a contract migration, whose downgrade must run before pulumi up (ship does not run database commands)`, plan.recovery.downgrade, names(", not applied"));
    }

    // R2. apply it.
    try {
        await run.step("reapply", async (note) => {
            const result = await deps.pulumi(r.pulumiArgs.rollbackUp, { onLine: note, events: true });
            if (result.code !== 0) throw new StepFailure(`pulumi up failed: ${upFailure(result)}`, "pulumi up failed");
            return `applied ${to}`;
        });
    } catch (err) {
        return failed(`pulumi up of the rollback failed: ${reasonOf(err)}`, plan.recovery.reapply, names(", not applied"));
    }

    // R3. the previous version serves.
    try {
        await run.step("restore", async (note) => {
            const outcome = await waitForPrevious(run.watchDeps(note), {
                status: run.statusContext(to),
                bad: r.version,
                intervalMs: r.timing.pollIntervalMs,
                timeoutMs: r.timing.rollbackTimeoutMs,
            });
            if (!outcome.ok) throw new StepFailure(outcome.reason, "rollback timed out");
            return `${r.service.name}-primary runs ${to}, rolled out`;
        });
    } catch (err) {
        return failed(`${reasonOf(err)}`, plan.recovery.restore, names(", applied"));
    }

    // R4. tell the team.
    run.announcements.rollback = await run.announceStep("announce-rollback", announce.skipped?.(r), rolledBackText(r, facts.author, failedStep, reason));
    return run.finish({ result: "rolled back", exitCode: 1, failedStep, reason, production: `${to} serves again`, stackFile: names("") });
}
