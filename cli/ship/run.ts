import { ClusterState, interpret, progressLine, StatusContext } from "../cluster/canary-status";
import { ChecklistReport } from "../checklist/run";
import { RollbackOutcome } from "../operations/rollback";
import { NotificationConfig } from "../../config/types";
import { addressKey, ShipRelease } from "./decide";
import { ChangelogChange, ShipGit } from "./git-steps";
import { firstLine, reasonOf, StepFailure } from "./messages";
import { MonitorResult } from "./prometheus";
import { Progress, StepView } from "./progress";
import { PulumiResult } from "./pulumi-cli";
import { RELEASE_STEPS, ROLLBACK_STEPS } from "./steps";

/**
 * One run of ship: its edges, what it has done so far (commits, tag, announcements, warnings),
 * the steps as the person sees them, and the primitives the step machine (orchestrate.ts) and
 * the rollback path (rollback-path.ts) are made of: run a step, skip it, fail it, finish.
 */

export interface ShipDeps {
    readonly progress: Progress;
    readonly git: ShipGit;
    /** `events: true` (preview, up): the result carries the engine's events, which say why it failed. */
    /** `env`: variables added to the command's environment. */
    readonly pulumi: (
        args: readonly string[],
        opts?: { onLine?: (line: string) => void; secret?: boolean; events?: boolean; env?: Readonly<Record<string, string>> },
    ) => Promise<PulumiResult>;
    readonly readCluster: () => Promise<ClusterState>;
    readonly precheck: () => ChecklistReport;
    /** `releasectl rollback <service> --to <version>`: writes the stack file, or throws why not. */
    readonly rollback: (to: string) => Promise<RollbackOutcome>;
    readonly announce: (target: NotificationConfig, address: string, text: string) => Promise<void>;
    /** Asked before the first change; absent: no question (--yes). */
    readonly confirm?: (question: string) => Promise<boolean>;
    readonly sleep: (ms: number) => Promise<void>;
    readonly now: () => number;
    /**
     * Whether the person asked to stop (Ctrl-C). Before the first change the release stops;
     * while the canary or the monitoring is watched it fails and rolls back. The rollback
     * itself is not interrupted by it.
     */
    readonly interrupted?: () => boolean;
}

export interface ShipFacts {
    /** The cluster before the release (for a Failed phase left over from an earlier release). */
    readonly baseline: ClusterState;
    /** Who runs the release (git's author identity), for the announcements. */
    readonly author: string;
}

export type ShipResult = "released" | "not released" | "rolled back" | "rollback failed";

export interface ShipOutcome {
    readonly result: ShipResult;
    readonly exitCode: 0 | 1;
    readonly service: string;
    readonly stack: string;
    readonly version: string;
    readonly previousVersion: string;
    /** The step that failed the release (undefined when released). */
    readonly failedStep?: string;
    readonly reason?: string;
    readonly commits: { release?: string; revert?: string; rollback?: string };
    readonly tag?: string;
    readonly announcements: { release?: string; rollback?: string };
    /** What the cluster showed last, in one line. */
    readonly production?: string;
    /** What the stack file (committed) says now. */
    readonly stackFile?: string;
    /** Commands a person must run now (a rollback that did not complete). */
    readonly manual: readonly string[];
    /** What the failed step found, line by line (the failed checks of the pre-check). */
    readonly details: readonly string[];
    readonly warnings: readonly string[];
    readonly steps: readonly StepView[];
    readonly elapsedMs: number;
    /** How to publish what ship committed and tagged (it never pushes). */
    readonly push?: string;
}

export type Ending = Pick<ShipOutcome, "result" | "exitCode" | "failedStep" | "reason" | "production" | "stackFile"> & { manual?: readonly string[] };

/** The outcome's announcement when the service has no notification target. */
export const NOT_SENT = "not sent: the service has no notification target";

/** The release's steps as the run shows them, all pending. */
export function pendingSteps(): StepView[] {
    return RELEASE_STEPS.map((s) => ({ id: s.id, title: s.title, state: "pending" }));
}

export class ShipRun {
    private readonly started: number;
    readonly warnings: string[] = [];
    readonly commits: { release?: string; revert?: string; rollback?: string } = {};
    readonly announcements: { release?: string; rollback?: string } = {};
    tag?: string;
    /** The changelog entry the prepare step wrote (committed with the stack file). */
    changelog?: ChangelogChange;
    monitorResult?: MonitorResult;
    details: string[] = [];

    constructor(
        readonly r: ShipRelease,
        readonly facts: ShipFacts,
        readonly deps: ShipDeps,
        private readonly steps: StepView[],
    ) {
        this.started = deps.now();
    }

    // ---- steps ------------------------------------------------------------------------------

    /** Runs a step: running → done with the detail it returns, or failed with the error's reason. */
    async step(id: string, body: (note: (line: string) => void) => Promise<string>): Promise<void> {
        const step = this.find(id);
        step.state = "running";
        step.startedAt = this.deps.now();
        this.deps.progress.update(step);
        const note = (line: string) => this.deps.progress.note(step, line);
        try {
            const detail = await body(note);
            step.state = "done";
            step.detail = detail;
        } catch (e) {
            step.state = "failed";
            step.detail = reasonOf(e);
            throw e;
        } finally {
            step.elapsedMs = this.deps.now() - step.startedAt;
            this.deps.progress.update(step);
        }
    }

    fail(id: string, detail: string): void {
        const step = this.find(id);
        step.state = "failed";
        step.detail = detail;
        this.deps.progress.update(step);
    }

    skip(id: string, detail?: string): void {
        const step = this.find(id);
        step.state = "skipped";
        step.detail = detail;
        this.deps.progress.update(step);
    }

    /** Marks every step not run yet as skipped (quietly: the summary lists them). */
    skipRest(): void {
        for (const s of this.steps) if (s.state === "pending") s.state = "skipped";
    }

    /** Appends a step the release did not show (the revert, the rollback path). */
    addStep(def: { id: string; title: string }): void {
        this.steps.push({ id: def.id, title: def.title, state: "pending" });
    }

    /** Appends the rollback path's steps, as the table has them. */
    addRollbackSteps(): void {
        for (const s of ROLLBACK_STEPS) this.addStep(s);
    }

    private find(id: string): StepView {
        const step = this.steps.find((s) => s.id === id);
        if (!step) throw new Error(`no step ${id}`);
        return step;
    }

    warn(line: string): void {
        this.warnings.push(line);
        this.deps.progress.warn(line);
    }

    finish(o: Ending): ShipOutcome {
        this.skipRest();
        this.deps.progress.finish();
        const r = this.r;
        const branch = safe(() => this.deps.git.branch());
        const pushed = [this.commits.release, this.commits.revert, this.commits.rollback].some((c) => c !== undefined);
        const push = pushed ? `git push origin ${branch ?? "HEAD"}${this.tag ? ` ${this.tag}` : ""}` : undefined;
        return {
            ...o,
            manual: o.manual ?? [],
            details: [...this.details],
            service: r.service.name,
            stack: r.stack,
            version: r.version,
            previousVersion: r.from,
            commits: { ...this.commits },
            tag: this.tag,
            announcements: { ...this.announcements },
            warnings: [...this.warnings],
            steps: this.steps.map((s) => ({ ...s })),
            elapsedMs: this.deps.now() - this.started,
            push,
        };
    }

    // ---- the changelog ---------------------------------------------------------------------

    /**
     * The release's changelog entry undone (the file as before the release, byte for byte), for a
     * commit that undoes the release commit: the path to commit with the stack file, or undefined
     * (no entry was written, or the file changed since: then it stays, with a warning).
     */
    undoChangelog(note: (line: string) => void): string | undefined {
        const change = this.changelog;
        if (change === undefined) return undefined;
        try {
            this.deps.git.restoreChangelog(change);
            note(`${change.path}: back to before the release, byte for byte`);
            return change.path;
        } catch (e) {
            this.warn(`${change.path} keeps the entry of ${this.r.service.name} ${this.r.version}: ${firstLine(e)}`);
            return undefined;
        }
    }

    /** After a failed prepare commit: the changelog as before, for the reason (never throws). */
    restoreChangelog(): string {
        const change = this.changelog;
        if (change === undefined) return "";
        try {
            this.deps.git.restoreChangelog(change);
            this.changelog = undefined;
            return ` and so is ${change.path}`;
        } catch (e) {
            return `; ${change.path} keeps the entry (${firstLine(e)})`;
        }
    }

    // ---- edges -----------------------------------------------------------------------------

    /** The waits of the release steps: a Ctrl-C ends them as a failure, which rolls back. */
    readonly releaseSleep = async (ms: number): Promise<void> => {
        if (this.deps.interrupted?.()) throw new StepFailure("interrupted (Ctrl-C)", "interrupted");
        await this.deps.sleep(ms);
        if (this.deps.interrupted?.()) throw new StepFailure("interrupted (Ctrl-C)", "interrupted");
    };

    /**
     * The announcement, as a step (`why`: the table's reason to skip it): its failure is a
     * warning, the release or rollback stands. What happened, for the outcome.
     */
    async announceStep(id: "announce" | "announce-rollback", why: string | undefined, text: string, loud = false): Promise<string> {
        const target = this.r.notification;
        if (why !== undefined || target === undefined) {
            this.skip(id, why);
            return NOT_SENT;
        }
        try {
            await this.step(id, async () => {
                const key = addressKey(this.r.project, target.name);
                const answer = await this.deps.pulumi(["config", "get", "--path", key, "--stack", this.r.stack], { secret: true });
                if (answer.code !== 0) {
                    const reason = answer.stderr.split("\n").find((l) => l.trim() !== "")?.trim() ?? `exit code ${answer.code}`;
                    throw new StepFailure(`pulumi config get ${key} failed: ${reason}`, "no webhook");
                }
                try {
                    await this.deps.announce(target, answer.stdout.trim(), text);
                } catch (e) {
                    // announce() names the config key, never the address.
                    throw new StepFailure(firstLine(e), "announcement failed");
                }
                return `sent to ${target.name} (${target.type}${target.channel ? ` ${target.channel}` : ""})`;
            });
            return "sent";
        } catch (e) {
            const message = `announcement to ${target.name} not sent: ${reasonOf(e)}`;
            this.warn(loud ? `${message}; tell the team yourself` : `${message}; the ${id === "announce" ? "release" : "rollback"} itself stands`);
            return `failed: ${reasonOf(e)}`;
        }
    }

    /** One look at the cluster, in words, for the report (never throws). */
    async look(): Promise<string> {
        try {
            const view = interpret(await this.deps.readCluster(), this.statusContext(this.r.from));
            return `${progressLine(view)}; users are served by the primary, ${view.primaryVersion ?? "unknown version"}`;
        } catch (e) {
            return `unknown (the cluster could not be read: ${firstLine(e)})`;
        }
    }

    statusContext(version: string): StatusContext {
        return { service: this.r.service.name, stack: this.r.stack, stackVersion: version, threshold: this.r.next.canary.threshold };
    }

    watchDeps(note: (line: string) => void) {
        return { read: this.deps.readCluster, sleep: this.deps.sleep, now: this.deps.now, onChange: note };
    }
}

function safe<T>(fn: () => T): T | undefined {
    try {
        return fn();
    } catch {
        return undefined;
    }
}
