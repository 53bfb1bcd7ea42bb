import { ClusterState, interpret, progressLine, StatusContext, StatusView } from "../cluster/canary-status";
import { formatDuration } from "./timing";

/**
 * The two waits of a release, as pure loops over an injected `read`, `sleep` and `now`: the
 * canary of the new version until Flagger decides, and after a rollback, until the previous
 * version serves again. A failed read (API server restarting, a network blip) is reported and
 * retried: only the timeout ends a wait that cannot see the cluster.
 */

/** Canary phases in which Flagger is moving traffic: a release is under way. */
export const BUSY_PHASES: ReadonlySet<string> = new Set(["Progressing", "Promoting", "Finalising", "Waiting", "WaitingPromotion"]);

export interface WatchDeps {
    readonly read: () => Promise<ClusterState>;
    readonly sleep: (ms: number) => Promise<void>;
    readonly now: () => number;
    /** A new line whenever what the cluster shows changes. */
    readonly onChange: (line: string) => void;
}

export type WatchOutcome =
    | { readonly ok: true; readonly view: StatusView }
    | { readonly ok: false; readonly timedOut: boolean; readonly reason: string; readonly view?: StatusView };

/**
 * Follows the new version's canary until Succeeded (Initialized for a first release) or Failed.
 * A Failed phase that is still the one from before the release is Flagger not having noticed the
 * new revision yet, not a verdict: the same transition time as the baseline, or the same
 * lastAppliedSpec (Flagger rewrites the status, and its transition time, of a Failed Canary when
 * the Canary object changes, before it picks up the new pod template; seen on the real cluster,
 * where ship otherwise took the previous release's failure for the new one's).
 */
export async function watchCanary(deps: WatchDeps, opts: { status: StatusContext; baseline: ClusterState; intervalMs: number; timeoutMs: number }): Promise<WatchOutcome> {
    const deadline = deps.now() + opts.timeoutMs;
    const baseline = opts.baseline.canary?.status;
    const wasFailed = baseline?.phase === "Failed";
    const stillOld = (st: ClusterState["canary"]) =>
        wasFailed &&
        ((baseline?.lastTransitionTime !== undefined && st?.status?.lastTransitionTime === baseline.lastTransitionTime) ||
            (baseline?.lastAppliedSpec !== undefined && st?.status?.lastAppliedSpec === baseline.lastAppliedSpec));
    let last = "";
    let view: StatusView | undefined;
    let error: string | undefined;
    for (;;) {
        try {
            const state = await deps.read();
            view = interpret(state, opts.status);
            error = undefined;
            const line = progressLine(view);
            if (line !== last) deps.onChange(line);
            last = line;
            const old = view.verdict === "failed" && stillOld(state.canary);
            if (view.verdict === "succeeded") return { ok: true, view };
            if (view.verdict === "failed" && !old) {
                const said = view.message ? `: "${view.message}"` : "";
                return { ok: false, timedOut: false, reason: `Flagger failed the canary of ${opts.status.stackVersion} (${view.failedChecks} of ${view.threshold} checks failed)${said}`, view };
            }
        } catch (e) {
            error = (e as Error).message;
            deps.onChange(`cannot read the cluster: ${error}; retrying`);
            last = "";
        }
        if (deps.now() >= deadline) {
            const where = error !== undefined ? `the cluster could not be read: ${error}` : view?.summary ?? "no answer from the cluster";
            return { ok: false, timedOut: true, reason: `canary timed out after ${formatDuration(opts.timeoutMs)}: ${where}`, view };
        }
        await deps.sleep(opts.intervalMs);
    }
}

/**
 * Whether users are served by `previous` again: the primary Deployment (the one Flagger routes
 * users to) runs it and is rolled out, and the Canary is not moving traffic to the bad version.
 */
export function previousServes(view: StatusView, previous: string, bad: string): boolean {
    if (view.primaryVersion !== previous || !view.primaryRollout.startsWith("rolled out")) return false;
    return !(BUSY_PHASES.has(view.phase) && view.targetVersion === bad);
}

export async function waitForPrevious(deps: WatchDeps, opts: { status: StatusContext; bad: string; intervalMs: number; timeoutMs: number }): Promise<WatchOutcome> {
    const deadline = deps.now() + opts.timeoutMs;
    const previous = opts.status.stackVersion;
    let last = "";
    let view: StatusView | undefined;
    let error: string | undefined;
    for (;;) {
        try {
            view = interpret(await deps.read(), opts.status);
            error = undefined;
            const line = progressLine(view);
            if (line !== last) deps.onChange(line);
            last = line;
            if (previousServes(view, previous, opts.bad)) return { ok: true, view };
        } catch (e) {
            error = (e as Error).message;
            deps.onChange(`cannot read the cluster: ${error}; retrying`);
            last = "";
        }
        if (deps.now() >= deadline) {
            const seen = error !== undefined ? `the cluster could not be read: ${error}` : view === undefined ? "no answer from the cluster" : progressLine(view);
            return { ok: false, timedOut: true, reason: `${previous} does not serve yet after ${formatDuration(opts.timeoutMs)}: ${seen}`, view };
        }
        await deps.sleep(opts.intervalMs);
    }
}
