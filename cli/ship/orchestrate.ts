import { TARGET_FILE_ENV } from "../../config/target-file";
import { watchCanary } from "./cluster-watch";
import { ShipRelease } from "./decide";
import { breachFailure, confirmQuestion, firstLine, policyReason, reasonOf, releasedText, short, StepFailure, upFailure } from "./messages";
import { countsLine, failedChecks } from "./precheck";
import { describeSample, monitor } from "./prometheus";
import { StepView } from "./progress";
import { pulumiFailure } from "./pulumi-cli";
import { violationLine } from "./pulumi-events";
import { revertPrepare, rollBack } from "./rollback-path";
import { NOT_SENT, pendingSteps, ShipDeps, ShipFacts, ShipOutcome, ShipRun } from "./run";
import { ReleaseStepDef, ReleaseStepId, RELEASE_STEPS } from "./steps";
import { formatDuration } from "./timing";

export { pendingSteps, ShipDeps, ShipFacts, ShipOutcome, ShipResult } from "./run";

/**
 * The release as a step machine: it walks RELEASE_STEPS (steps.ts: pre-check, prepare, preview,
 * apply, canary, monitor, tag, announce), skipping what the table says this release skips and
 * doing on a failure what the table says: stop, revert the prepare commit, roll back
 * (rollback-path.ts: configuration, apply, the previous version serves, announce), or warn.
 * Every edge (git, pulumi, the cluster, Prometheus, the webhook, the clock) is injected, so the
 * machine is the same in tests and in production. Once the first change is made it never throws:
 * every failure ends in an outcome that says what production runs and what, if anything, a person
 * must do.
 */

export async function ship(release: ShipRelease, facts: ShipFacts, deps: ShipDeps, steps: StepView[] = pendingSteps()): Promise<ShipOutcome> {
    const run = new ShipRun(release, facts, deps, steps);
    for (const def of RELEASE_STEPS) {
        if (def.firstChange) {
            const stopped = await beforeFirstChange(run);
            if (stopped) return stopped;
        }
        const skipped = def.skipped?.(release);
        if (skipped !== undefined) {
            run.skip(def.id, skipped);
            SKIPPED[def.id]?.(run);
            continue;
        }
        try {
            await BODIES[def.id](run);
        } catch (e) {
            const ending = await onFailure(run, def, e);
            if (ending) return ending;
        }
    }
    const r = run.r;
    return run.finish({ result: "released", exitCode: 0, production: `${r.version} serves all traffic`, stackFile: `${r.fileName} names ${r.version} (release commit ${short(run.commits.release)})` });
}

/** What a failed step does, as the table says; undefined: the release goes on (a warning). */
async function onFailure(run: ShipRun, def: ReleaseStepDef, e: unknown): Promise<ShipOutcome | undefined> {
    switch (def.onFailure) {
        case "stop":
            run.skipRest();
            return run.finish({ result: "not released", exitCode: 1, failedStep: def.id, reason: `${reasonOf(e)}; ${def.stopped?.(run.r) ?? "nothing changed"}` });
        case "revert":
            return revertPrepare(run, e);
        case "roll back":
            return rollBack(run, def.id, e);
        case "warn":
            run.warn(warning(run, def.id, e));
            return undefined;
    }
}

/** The warning of a failed step whose failure leaves the release standing. */
function warning(run: ShipRun, id: ReleaseStepId, e: unknown): string {
    const r = run.r;
    if (id === "tag") return `tag not created: ${reasonOf(e)}; create it by hand: git tag -a ${r.tagName} ${short(run.commits.release)} -m "release ${r.tagName}"`;
    return `${id}: ${reasonOf(e)}; the release itself stands`;
}

/** The question (without --yes) and a Ctrl-C before anything changed: the outcome when the release stops there. */
async function beforeFirstChange(run: ShipRun): Promise<ShipOutcome | undefined> {
    const { deps } = run;
    if (deps.confirm) {
        deps.progress.detach();
        if (!(await deps.confirm(confirmQuestion(run.r)))) {
            return run.finish({ result: "not released", exitCode: 1, failedStep: "confirm", reason: "not confirmed: nothing changed" });
        }
    }
    if (deps.interrupted?.()) {
        return run.finish({ result: "not released", exitCode: 1, failedStep: "confirm", reason: "interrupted (Ctrl-C) before anything changed" });
    }
    return undefined;
}

type Body = (run: ShipRun) => Promise<void>;

/** What a step the release skips leaves in the outcome, besides the skipped step. */
const SKIPPED: { readonly [K in ReleaseStepId]?: (run: ShipRun) => void } = {
    announce: (run) => {
        run.announcements.release = NOT_SENT;
    },
};

/** What each step of the table does in a real run. */
const BODIES: Record<ReleaseStepId, Body> = {
    // nothing has changed yet.
    precheck: (run) =>
        run.step("precheck", async (note) => {
            const report = run.deps.precheck();
            if (!report.passed) {
                run.details = failedChecks(report);
                for (const line of run.details) note(line);
                throw new StepFailure(`pre-check: ${report.counts.failed} mandatory check${report.counts.failed === 1 ? "" : "s"} failed (${countsLine(report)})`, "pre-check failed");
            }
            return countsLine(report);
        }),

    // the stack file, the changelog entry (as releasectl prepare writes it) and their commit.
    prepare: (run) =>
        run.step("prepare", async (note) => {
            const { r, deps, commits } = run;
            await deps.git.writeStackFile(r.before, r.after);
            let changelogLine: string | undefined;
            if (r.changelog.kind === "entry") {
                try {
                    const written = await deps.git.writeChangelog(r.changelog.entry, r.changelog.path);
                    run.changelog = written.change;
                    changelogLine = written.line;
                    note(written.line);
                } catch (e) {
                    await deps.git.writeStackFile(r.after, r.before);
                    throw new StepFailure(`changelog entry not written: ${firstLine(e)}; ${r.fileName} is restored`, "changelog not written");
                }
            } else {
                note(r.changelog.why);
            }
            const files = [r.fileName, ...(run.changelog ? [run.changelog.path] : [])];
            try {
                commits.release = deps.git.commitStackFile(r.commitMessage, undefined, run.changelog ? [run.changelog.path] : []);
            } catch (e) {
                await deps.git.writeStackFile(r.after, r.before);
                const restored = run.restoreChangelog();
                throw new StepFailure(`git commit failed: ${firstLine(e)}; ${r.fileName} is restored${restored}`, "git commit failed");
            }
            const entry = changelogLine === undefined ? "" : `; ${changelogLine}`;
            return `${r.fileName}: ${r.from} → ${r.version}${entry}; committed ${short(commits.release)} "${r.commitMessage}" (${files.join(", ")})`;
        }),

    // a failure here has applied nothing, so the commit is reverted, not rolled back.
    preview: (run) =>
        run.step("preview", async (note) => {
            const result = await run.deps.pulumi(run.r.pulumiArgs.preview, { onLine: note, events: true, env: programEnv(run.r) });
            if (result.code !== 0) {
                const failure = pulumiFailure(result);
                if (failure.policies.length > 0) {
                    // what each policy found, for the summary (pulumi's own lines went by above)
                    run.details = failure.report.violations.map(violationLine);
                    throw new StepFailure(`preview failed: ${policyReason(failure.policies)}`, "policy violation");
                }
                throw new StepFailure(`preview failed: ${failure.summary}`, "preview failed");
            }
            if (run.deps.interrupted?.()) throw new StepFailure("interrupted (Ctrl-C) before pulumi up", "interrupted");
            return "no policy violation";
        }),

    // apply, canary, monitor: production changes; any failure rolls back.
    apply: (run) =>
        run.step("apply", async (note) => {
            const result = await run.deps.pulumi(run.r.pulumiArgs.up, { onLine: note, events: true, env: programEnv(run.r) });
            if (result.code !== 0) throw new StepFailure(`pulumi up failed: ${upFailure(result)}`, "pulumi up failed");
            return `applied ${run.r.version}`;
        }),

    canary: (run) =>
        run.step("canary", async (note) => {
            const r = run.r;
            const outcome = await watchCanary({ ...run.watchDeps(note), sleep: run.releaseSleep }, {
                status: run.statusContext(r.version),
                baseline: run.facts.baseline,
                intervalMs: r.timing.pollIntervalMs,
                timeoutMs: r.timing.watchTimeoutMs,
            });
            if (!outcome.ok) throw new StepFailure(outcome.reason, outcome.timedOut ? "canary timed out" : "canary failed");
            return outcome.view.summary;
        }),

    monitor: (run) =>
        run.step("monitor", async (note) => {
            const r = run.r;
            const result = await monitor({
                baseUrl: r.prometheus!.url,
                signals: r.signals,
                windowMs: r.timing.monitorWindowMs,
                intervalMs: r.timing.monitorIntervalMs,
                maxConsecutiveErrors: 3,
                onSample: (samples, round) => note(`round ${round}: ${samples.map(describeSample).join(", ")}`),
                onError: (error, round) => note(`round ${round}: ${error.message}; retrying`),
                sleep: run.releaseSleep,
                now: run.deps.now,
            });
            run.monitorResult = result;
            if (result.breach) throw breachFailure(r, { ...result, breach: result.breach });
            if (!result.ok) throw new StepFailure(`monitoring failed: ${result.error ?? "unknown"}`, "monitoring failed");
            return `${formatDuration(r.timing.monitorWindowMs)} clean, ${result.rounds} rounds: ${result.last.map(describeSample).join(", ")}`;
        }),

    // the release is good: a failing tag or announcement is a warning, never a rollback.
    tag: (run) =>
        run.step("tag", async () => {
            const { r, deps, commits } = run;
            if (deps.git.tagExists(r.tagName)) throw new StepFailure(`tag ${r.tagName} exists already (created meanwhile?); not moved`, "tag exists");
            deps.git.tag(r.tagName, commits.release!, r.tagMessage);
            run.tag = r.tagName;
            return `${r.tagName} on ${short(commits.release)} (not pushed)`;
        }),

    // its failure is a warning inside announceStep (the same for the rollback's announcement).
    announce: async (run) => {
        run.announcements.release = await run.announceStep("announce", undefined, releasedText(run.r, run.facts.author, run.monitorResult, run.tag));
    },
};

/** The release's preview and up under --target: the program declares only the released service. */
function programEnv(r: ShipRelease): Record<string, string> | undefined {
    return r.targetFile === undefined ? undefined : { [TARGET_FILE_ENV]: r.targetFile };
}
