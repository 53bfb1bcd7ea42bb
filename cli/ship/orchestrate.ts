import { ClusterState, interpret, progressLine, StatusContext } from "../cluster/canary-status";
import { ChecklistReport } from "../checklist/run";
import { RollbackOutcome } from "../operations/rollback";
import { shellLine } from "../shell-line";
import { NotificationConfig } from "../../config/types";
import { UserError } from "../../config/errors";
import { watchCanary, waitForPrevious } from "./cluster-watch";
import { announcementNotes } from "../changelog/notes";
import { ChangelogChange, ShipGit } from "./git-steps";
import { countsLine, failedChecks } from "./precheck";
import { describeSample, monitor, MonitorResult, Sample } from "./prometheus";
import { Progress, StepView } from "./progress";
import { pulumiFailure, PulumiResult } from "./pulumi-cli";
import { violationLine } from "./pulumi-events";
import { addressKey, ShipRelease } from "./decide";
import { formatDuration } from "./timing";

/**
 * The release as a step machine: pre-check, prepare (commit), preview, apply, canary, monitor,
 * tag, announce; on a failure from apply on, the rollback path: roll the configuration back
 * (commit), apply it, wait until the previous version serves, announce. Every edge (git, pulumi,
 * the cluster, Prometheus, the webhook, the clock) is injected, so the machine is the same in
 * tests and in production. Once the first change is made it never throws: every failure ends in
 * an outcome that says what production runs and what, if anything, a person must do.
 */

export interface ShipDeps {
    readonly progress: Progress;
    readonly git: ShipGit;
    /** `events: true` (preview, up): the result carries the engine's events, which say why it failed. */
    readonly pulumi: (args: readonly string[], opts?: { onLine?: (line: string) => void; secret?: boolean; events?: boolean }) => Promise<PulumiResult>;
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

export const RELEASE_STEPS: readonly { id: string; title: string }[] = [
    { id: "precheck", title: "pre-check" },
    { id: "prepare", title: "prepare" },
    { id: "preview", title: "preview" },
    { id: "apply", title: "apply" },
    { id: "canary", title: "canary" },
    { id: "monitor", title: "monitor" },
    { id: "tag", title: "tag" },
    { id: "announce", title: "announce" },
];

const ROLLBACK_STEPS: readonly { id: string; title: string }[] = [
    { id: "rollback", title: "rollback: configuration" },
    { id: "reapply", title: "rollback: apply" },
    { id: "restore", title: "rollback: previous version serves" },
    { id: "announce-rollback", title: "rollback: announce" },
];

/** A failure of one step, with a short form for commit subjects. */
class StepFailure extends Error {
    constructor(
        readonly reason: string,
        readonly short: string,
    ) {
        super(reason);
    }
}

export async function ship(release: ShipRelease, facts: ShipFacts, deps: ShipDeps, steps: StepView[] = RELEASE_STEPS.map((s) => ({ ...s, state: "pending" }))): Promise<ShipOutcome> {
    return new Ship(release, facts, deps, steps).run();
}

class Ship {
    private readonly started: number;
    private readonly warnings: string[] = [];
    private readonly commits: { release?: string; revert?: string; rollback?: string } = {};
    private readonly announcements: { release?: string; rollback?: string } = {};
    private tag?: string;
    /** The changelog entry the prepare step wrote (committed with the stack file). */
    private changelog?: ChangelogChange;
    private monitorResult?: MonitorResult;
    private details: string[] = [];

    constructor(
        private readonly r: ShipRelease,
        private readonly facts: ShipFacts,
        private readonly deps: ShipDeps,
        private readonly steps: StepView[],
    ) {
        this.started = deps.now();
    }

    async run(): Promise<ShipOutcome> {
        const r = this.r;
        // 1. pre-check: nothing has changed yet.
        try {
            await this.step("precheck", async (note) => {
                const report = this.deps.precheck();
                if (!report.passed) {
                    this.details = failedChecks(report);
                    for (const line of this.details) note(line);
                    throw new StepFailure(`pre-check: ${report.counts.failed} mandatory check${report.counts.failed === 1 ? "" : "s"} failed (${countsLine(report)})`, "pre-check failed");
                }
                return countsLine(report);
            });
        } catch (e) {
            return this.notReleased("precheck", e, `nothing changed; see the failed checks above (releasectl check --stack ${r.stack} --service ${r.service.name} shows the whole checklist)`);
        }
        if (this.deps.confirm) {
            this.deps.progress.detach();
            const question = `release ${r.service.name} ${r.from} → ${r.version} to stack ${r.stack}: commit ${r.fileName}${r.changelog.kind === "entry" ? ` and ${r.changelog.shown}` : ""}, pulumi up, follow the canary${r.timing.monitorWindowMs > 0 ? ", monitor" : ""}. Go on?`;
            if (!(await this.deps.confirm(question))) {
                return this.finish({ result: "not released", exitCode: 1, failedStep: "confirm", reason: "not confirmed: nothing changed" });
            }
        }

        if (this.deps.interrupted?.()) {
            return this.finish({ result: "not released", exitCode: 1, failedStep: "confirm", reason: "interrupted (Ctrl-C) before anything changed" });
        }

        // 2. prepare: the stack file, the changelog entry (as releasectl prepare writes it) and their commit.
        try {
            await this.step("prepare", async (note) => {
                await this.deps.git.writeStackFile(r.before, r.after);
                let changelogLine: string | undefined;
                if (r.changelog.kind === "entry") {
                    try {
                        const written = await this.deps.git.writeChangelog(r.changelog.entry, r.changelog.path);
                        this.changelog = written.change;
                        changelogLine = written.line;
                        note(written.line);
                    } catch (e) {
                        await this.deps.git.writeStackFile(r.after, r.before);
                        throw new StepFailure(`changelog entry not written: ${firstLine(e)}; ${r.fileName} is restored`, "changelog not written");
                    }
                } else {
                    note(r.changelog.why);
                }
                const files = [r.fileName, ...(this.changelog ? [this.changelog.path] : [])];
                try {
                    this.commits.release = this.deps.git.commitStackFile(r.commitMessage, undefined, this.changelog ? [this.changelog.path] : []);
                } catch (e) {
                    await this.deps.git.writeStackFile(r.after, r.before);
                    const restored = this.restoreChangelog();
                    throw new StepFailure(`git commit failed: ${firstLine(e)}; ${r.fileName} is restored${restored}`, "git commit failed");
                }
                const entry = changelogLine === undefined ? "" : `; ${changelogLine}`;
                return `${r.fileName}: ${r.from} → ${r.version}${entry}; committed ${short(this.commits.release)} "${r.commitMessage}" (${files.join(", ")})`;
            });
        } catch (e) {
            return this.notReleased("prepare", e, "nothing was applied");
        }

        // 3. preview: a failure here has applied nothing, so the commit is reverted, not rolled back.
        try {
            await this.step("preview", async (note) => {
                const result = await this.deps.pulumi(r.pulumiArgs.preview, { onLine: note, events: true });
                if (result.code !== 0) {
                    const failure = pulumiFailure(result);
                    if (failure.policies.length > 0) {
                        // what each policy found, for the summary (pulumi's own lines went by above)
                        this.details = failure.report.violations.map(violationLine);
                        throw new StepFailure(`preview failed: ${policyReason(failure.policies)}`, "policy violation");
                    }
                    throw new StepFailure(`preview failed: ${failure.summary}`, "preview failed");
                }
                if (this.deps.interrupted?.()) throw new StepFailure("interrupted (Ctrl-C) before pulumi up", "interrupted");
                return "no policy violation";
            });
        } catch (e) {
            return this.revertPrepare(e);
        }

        // 4-6. apply, canary, monitor: production changes; any failure rolls back.
        try {
            await this.step("apply", async (note) => {
                const result = await this.deps.pulumi(r.pulumiArgs.up, { onLine: note, events: true });
                if (result.code !== 0) throw new StepFailure(`pulumi up failed: ${upFailure(result)}`, "pulumi up failed");
                return `applied ${r.version}`;
            });
        } catch (e) {
            return this.rollBack("apply", e);
        }
        try {
            await this.step("canary", async (note) => {
                const outcome = await watchCanary({ ...this.watchDeps(note), sleep: this.releaseSleep }, {
                    status: this.statusContext(r.version),
                    baseline: this.facts.baseline,
                    intervalMs: r.timing.pollIntervalMs,
                    timeoutMs: r.timing.watchTimeoutMs,
                });
                if (!outcome.ok) throw new StepFailure(outcome.reason, outcome.timedOut ? "canary timed out" : "canary failed");
                return outcome.view.summary;
            });
        } catch (e) {
            return this.rollBack("canary", e);
        }
        if (r.prometheus === undefined) {
            this.skip("monitor", "--monitor 0");
        } else {
            const prometheus = r.prometheus;
            try {
                await this.step("monitor", async (note) => {
                    const result = await monitor({
                        baseUrl: prometheus.url,
                        signals: r.signals,
                        windowMs: r.timing.monitorWindowMs,
                        intervalMs: r.timing.monitorIntervalMs,
                        maxConsecutiveErrors: 3,
                        onSample: (samples, round) => note(`round ${round}: ${samples.map(describeSample).join(", ")}`),
                        onError: (error, round) => note(`round ${round}: ${error.message}; retrying`),
                        sleep: this.releaseSleep,
                        now: this.deps.now,
                    });
                    this.monitorResult = result;
                    if (result.breach) {
                        throw new StepFailure(`monitoring: ${describeSample(result.breach)} in round ${result.rounds} of the ${formatDuration(r.timing.monitorWindowMs)} window`, `monitoring: ${result.breach.signal.name} ${describeValue(result.breach)}`);
                    }
                    if (!result.ok) throw new StepFailure(`monitoring failed: ${result.error ?? "unknown"}`, "monitoring failed");
                    return `${formatDuration(r.timing.monitorWindowMs)} clean, ${result.rounds} rounds: ${result.last.map(describeSample).join(", ")}`;
                });
            } catch (e) {
                return this.rollBack("monitor", e);
            }
        }

        // 7-8. the release is good: a failing tag or announcement is a warning, never a rollback.
        try {
            await this.step("tag", async () => {
                if (this.deps.git.tagExists(r.tagName)) throw new StepFailure(`tag ${r.tagName} exists already (created meanwhile?); not moved`, "tag exists");
                this.deps.git.tag(r.tagName, this.commits.release!, r.tagMessage);
                this.tag = r.tagName;
                return `${r.tagName} on ${short(this.commits.release)} (not pushed)`;
            });
        } catch (e) {
            this.warn(`tag not created: ${reasonOf(e)}; create it by hand: git tag -a ${r.tagName} ${short(this.commits.release)} -m "release ${r.tagName}"`);
        }
        const monitored = this.monitorResult ? `, ${formatDuration(r.timing.monitorWindowMs)} of monitoring clean (${this.monitorResult.last.map(describeSample).join(", ")})` : "";
        const text = `released ${r.service.name} ${r.version} to ${r.stack} (was ${r.from}), run by ${this.facts.author}: canary passed${monitored}.${this.tag ? ` Tag ${this.tag}.` : ""}${this.notesBlock()}`;
        this.announcements.release = await this.announceStep("announce", text);
        return this.finish({ result: "released", exitCode: 0, production: `${r.version} serves all traffic`, stackFile: `${r.fileName} names ${r.version} (release commit ${short(this.commits.release)})` });
    }

    // ---- failure paths -------------------------------------------------------------------

    private notReleased(stepId: string, e: unknown, after: string): ShipOutcome {
        this.skipRest();
        return this.finish({ result: "not released", exitCode: 1, failedStep: stepId, reason: `${reasonOf(e)}; ${after}` });
    }

    /** Preview failed: nothing was applied, so the prepare commit is undone by a new commit. */
    private async revertPrepare(e: unknown): Promise<ShipOutcome> {
        const r = this.r;
        const reason = reasonOf(e);
        const step = this.addStep({ id: "revert", title: "revert the prepare commit" });
        this.skipRest();
        try {
            await this.step(step.id, async (note) => {
                await this.deps.git.writeStackFile(r.after, r.before);
                const changelog = this.undoChangelog(note);
                this.commits.revert = this.deps.git.commitStackFile(
                    `revert release ${r.service.name} ${r.version}: ${shortOf(e)}`,
                    `This reverts commit ${this.commits.release}.\n\n${reason}.\nNothing was applied: pulumi up did not run.`,
                    changelog === undefined ? [] : [changelog],
                );
                return `committed ${short(this.commits.revert)}: ${r.fileName} is back to ${r.from}${changelog === undefined ? "" : ` and ${changelog} to before the release`}, byte for byte`;
            });
        } catch (err) {
            return this.finish({
                result: "not released",
                exitCode: 1,
                failedStep: "preview",
                reason: `${reason}; nothing was applied, but reverting the prepare commit failed: ${reasonOf(err)}`,
                manual: [`git revert --no-edit ${short(this.commits.release)}   # ${r.fileName} back to ${r.from}${this.changelog ? `, ${this.changelog.path} without the entry` : ""}; production was not changed`],
            });
        }
        return this.finish({
            result: "not released",
            exitCode: 1,
            failedStep: "preview",
            reason: `${reason}; nothing was applied (pulumi up did not run) and the prepare commit is reverted`,
            production: `unchanged (${r.from})`,
            stackFile: `${r.fileName} names ${r.from} again (revert commit ${short(this.commits.revert)})`,
        });
    }

    /** A failure once production may have changed: roll back and make sure the previous version serves. */
    private async rollBack(stepId: string, e: unknown): Promise<ShipOutcome> {
        const r = this.r;
        const reason = reasonOf(e);
        const shortReason = shortOf(e);
        this.skipRest();
        for (const s of ROLLBACK_STEPS) this.addStep(s);
        const upCommand = shellLine(["pulumi", ...r.pulumiArgs.up]);
        const status = `releasectl status ${r.service.name} --stack ${r.stack}`;
        const failed = async (why: string, manual: string[], stackFile: string): Promise<ShipOutcome> => {
            this.skipRest();
            const production = await this.look();
            const text = `ROLLBACK FAILED: ${r.service.name} ${r.version} failed in ${r.stack} (${reason}) and the automatic rollback to ${r.from} did not complete: ${why}. Production: ${production}. ${this.facts.author} is on it; see ${status}.${this.notesBlock(`What ${r.version} changes:`)}`;
            this.announcements.rollback = await this.announceStep("announce-rollback", text, true);
            return this.finish({ result: "rollback failed", exitCode: 1, failedStep: stepId, reason: `${reason}; rollback failed: ${why}`, production, stackFile, manual });
        };

        // R1. the configuration of the previous release, committed.
        const held: { outcome?: RollbackOutcome; changelog?: string } = {};
        try {
            await this.step("rollback", async (note) => {
                held.outcome = await this.deps.rollback(r.from);
                const to = held.outcome.plan.target.version;
                const subject = `rollback ${r.service.name} to ${to}: ${shortReason}`;
                // the entry of a release that did not stand goes with it (the version's next release writes it again)
                const changelog = this.undoChangelog(note);
                held.changelog = changelog;
                this.commits.rollback = this.deps.git.commitStackFile(
                    subject,
                    `${reason}.\n\nReleased ${r.version} in ${this.commits.release}; rolled back automatically by releasectl ship.${changelog === undefined ? "" : `\n${changelog}: the entry of ${r.version} is removed.`}`,
                    changelog === undefined ? [] : [changelog],
                );
                note(`committed ${short(this.commits.rollback)} "${subject}"`);
                return `${r.fileName}: ${r.version} → ${to}, rollback: true (Flagger promotes it without analysis)${changelog === undefined ? "" : `, ${changelog} without the entry of ${r.version}`}, committed ${short(this.commits.rollback)}`;
            });
        } catch (err) {
            if (held.outcome === undefined) {
                return failed(
                    `the stack file could not be rolled back: ${reasonOf(err)}`,
                    [
                        `${status}   # what serves now`,
                        `releasectl history ${r.service.name} --stack ${r.stack}   # the releases to go back to`,
                        `releasectl rollback ${r.service.name} --to <version> --stack ${r.stack} && git commit -m "rollback ${r.service.name}" ${r.fileName} && ${upCommand}`,
                    ],
                    `${r.fileName} names ${r.version} (release commit ${short(this.commits.release)})`,
                );
            }
            const to = held.outcome.plan.target.version;
            return failed(
                `the rolled-back stack file could not be committed: ${reasonOf(err)}`,
                [`git commit -m "rollback ${r.service.name} to ${to}" -- ${r.fileName}${held.changelog ? ` ${held.changelog}` : ""}`, upCommand, `${status} --watch`],
                `${r.fileName} names ${to} in the working tree, not committed${held.changelog ? ` (${held.changelog} without the entry of ${r.version}, not committed either)` : ""}`,
            );
        }
        const outcome = held.outcome!;
        const target = outcome.plan.target.version;
        const downgrades = outcome.plan.downgrades.map((d) => ({ version: d.release.version, command: d.downgradeCommand ?? [] }));
        const own = r.migration;
        if (own?.ownChange && own.phase === "contract" && !downgrades.some((d) => d.version === r.version)) {
            // The rollback plan takes a migration block carried in before the version change as the
            // previous release's; ship knows the block changed for this release, so it is undone too.
            downgrades.unshift({ version: r.version, command: own.downgradeCommand });
        }
        if (downgrades.length > 0) {
            const lines = downgrades.map((d) => `${shellLine(d.command)}   # undo the contract migration of ${d.version} (in the migration image), BEFORE pulumi up`);
            this.fail("reapply", `not applied: ${target}'s code must not start before the contract migration of ${downgrades.map((d) => d.version).join(", ")} is undone`);
            return failed(
                `rolling back to ${target} crosses a contract migration, whose downgrade must run before pulumi up (ship does not run database commands)`,
                [...lines, upCommand, `${status} --watch`],
                `${r.fileName} names ${target} (rollback commit ${short(this.commits.rollback)}), not applied`,
            );
        }

        // R2. apply it.
        try {
            await this.step("reapply", async (note) => {
                const result = await this.deps.pulumi(r.pulumiArgs.up, { onLine: note, events: true });
                if (result.code !== 0) throw new StepFailure(`pulumi up failed: ${upFailure(result)}`, "pulumi up failed");
                return `applied ${target}`;
            });
        } catch (err) {
            return failed(
                `pulumi up of the rollback failed: ${reasonOf(err)}`,
                [
                    `${status}   # what serves now`,
                    `${upCommand}   # after fixing what pulumi reported; if a policy blocks the rollback: pulumi up --stack ${r.stack} --yes`,
                    `${status} --watch`,
                ],
                `${r.fileName} names ${target} (rollback commit ${short(this.commits.rollback)}), not applied`,
            );
        }

        // R3. the previous version serves.
        try {
            await this.step("restore", async (note) => {
                const outcome = await waitForPrevious(this.watchDeps(note), {
                    status: this.statusContext(target),
                    bad: r.version,
                    intervalMs: r.timing.pollIntervalMs,
                    timeoutMs: r.timing.rollbackTimeoutMs,
                });
                if (!outcome.ok) throw new StepFailure(outcome.reason, "rollback timed out");
                return `${r.service.name}-primary runs ${target}, rolled out`;
            });
        } catch (err) {
            return failed(
                `${reasonOf(err)}`,
                [
                    `${status} --watch   # follow it`,
                    `kubectl -n ${r.service.namespace} describe canary ${r.service.name}   # Flagger's events`,
                    `kubectl -n ${r.service.namespace} rollout status deployment/${r.service.name}-primary`,
                ],
                `${r.fileName} names ${target} (rollback commit ${short(this.commits.rollback)}), applied`,
            );
        }

        // R4. tell the team.
        const text = `ROLLED BACK: ${r.service.name} ${r.version} in ${r.stack} failed at ${stepId} (${reason}); releasectl ship rolled it back to ${target}, which serves again. Run by ${this.facts.author}.${this.notesBlock(`Rolled back, what ${r.version} changes:`)}`;
        this.announcements.rollback = await this.announceStep("announce-rollback", text);
        return this.finish({
            result: "rolled back",
            exitCode: 1,
            failedStep: stepId,
            reason,
            production: `${target} serves again`,
            stackFile: `${r.fileName} names ${target} (rollback commit ${short(this.commits.rollback)})`,
        });
    }

    // ---- the changelog ---------------------------------------------------------------------

    /**
     * The release's changelog entry undone (the file as before the release, byte for byte), for a
     * commit that undoes the release commit: the path to commit with the stack file, or undefined
     * (no entry was written, or the file changed since: then it stays, with a warning).
     */
    private undoChangelog(note: (line: string) => void): string | undefined {
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
    private restoreChangelog(): string {
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

    /** The release notes for an announcement (blank line, optional title, the notes), or "". */
    private notesBlock(title?: string): string {
        const notes = this.r.notes;
        if (notes === undefined) return "";
        const more = `releasectl changelog ${this.r.service.name} --version ${this.r.version} --stack ${this.r.stack}`;
        return `\n\n${title === undefined ? "" : `${title}\n`}${announcementNotes(notes.notes, { more })}`.trimEnd();
    }

    // ---- edges -----------------------------------------------------------------------------

    /** The waits of the release steps: a Ctrl-C ends them as a failure, which rolls back. */
    private readonly releaseSleep = async (ms: number): Promise<void> => {
        if (this.deps.interrupted?.()) throw new StepFailure("interrupted (Ctrl-C)", "interrupted");
        await this.deps.sleep(ms);
        if (this.deps.interrupted?.()) throw new StepFailure("interrupted (Ctrl-C)", "interrupted");
    };

    /** The announcement, as a step: its failure is a warning (the release or rollback stands). */
    private async announceStep(id: string, text: string, loud = false): Promise<string> {
        const target = this.r.notification;
        if (target === undefined) {
            this.skip(id, "no notification target");
            return "not sent: the service has no notification target";
        }
        try {
            await this.step(id, async () => {
                const key = addressKey(this.r.project, target.name);
                const answer = await this.deps.pulumi(["config", "get", "--path", key, "--stack", this.r.stack], { secret: true });
                if (answer.code !== 0) {
                    const why = answer.stderr.split("\n").find((l) => l.trim() !== "")?.trim() ?? `exit code ${answer.code}`;
                    throw new StepFailure(`pulumi config get ${key} failed: ${why}`, "no webhook");
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
    private async look(): Promise<string> {
        try {
            const view = interpret(await this.deps.readCluster(), this.statusContext(this.r.from));
            return `${progressLine(view)}; users are served by the primary, ${view.primaryVersion ?? "unknown version"}`;
        } catch (e) {
            return `unknown (the cluster could not be read: ${firstLine(e)})`;
        }
    }

    private statusContext(version: string): StatusContext {
        return { service: this.r.service.name, stack: this.r.stack, stackVersion: version, threshold: this.r.next.canary.threshold };
    }

    private watchDeps(note: (line: string) => void) {
        return { read: this.deps.readCluster, sleep: this.deps.sleep, now: this.deps.now, onChange: note };
    }

    // ---- steps ------------------------------------------------------------------------------

    private find(id: string): StepView {
        const step = this.steps.find((s) => s.id === id);
        if (!step) throw new Error(`no step ${id}`);
        return step;
    }

    private addStep(def: { id: string; title: string }): StepView {
        const step: StepView = { ...def, state: "pending" };
        this.steps.push(step);
        return step;
    }

    /** Runs a step: running → done with the detail it returns, or failed with the error's reason. */
    private async step(id: string, body: (note: (line: string) => void) => Promise<string>): Promise<void> {
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

    private fail(id: string, detail: string): void {
        const step = this.find(id);
        step.state = "failed";
        step.detail = detail;
        this.deps.progress.update(step);
    }

    private skip(id: string, detail?: string): void {
        const step = this.find(id);
        step.state = "skipped";
        step.detail = detail;
        this.deps.progress.update(step);
    }

    /** Marks every step not run yet as skipped (quietly: the summary lists them). */
    private skipRest(): void {
        for (const s of this.steps) if (s.state === "pending") s.state = "skipped";
    }

    private warn(line: string): void {
        this.warnings.push(line);
        this.deps.progress.warn(line);
    }

    private finish(o: { result: ShipResult; exitCode: 0 | 1; failedStep?: string; reason?: string; production?: string; stackFile?: string; manual?: string[] }): ShipOutcome {
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
}

/** `policy violation canary-thresholds-strict`, `policy violations a, b`. */
function policyReason(policies: readonly string[]): string {
    return `policy violation${policies.length === 1 ? "" : "s"} ${policies.join(", ")}`;
}

/** Why `pulumi up` failed: the policies its own preview found violated, else its errors. */
function upFailure(result: PulumiResult): string {
    const failure = pulumiFailure(result);
    return failure.policies.length > 0 ? policyReason(failure.policies) : failure.summary;
}

function reasonOf(e: unknown): string {
    if (e instanceof StepFailure || e instanceof UserError) return e.message;
    return `internal error: ${firstLine(e)}`;
}

function shortOf(e: unknown): string {
    return e instanceof StepFailure ? e.short : "internal error";
}

function firstLine(e: unknown): string {
    return ((e as Error)?.message ?? String(e)).split("\n")[0];
}

function short(sha: string | undefined): string {
    return sha === undefined ? "?" : sha.slice(0, 7);
}

function describeValue(s: Sample): string {
    return describeSample(s).slice(s.signal.name.length + 1);
}

function safe<T>(fn: () => T): T | undefined {
    try {
        return fn();
    } catch {
        return undefined;
    }
}
