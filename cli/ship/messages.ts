import { UserError } from "../../config/errors";
import { announcementNotes } from "../changelog/notes";
import { ShipRelease } from "./decide";
import { describeSample, MonitorResult, Sample } from "./prometheus";
import { pulumiFailure, PulumiResult } from "./pulumi-cli";
import { formatDuration } from "./timing";

/**
 * What ship says to people while it runs: the question before the first change, the failure
 * reasons (with a short form for commit subjects), and the announcements. The commands a person
 * runs when the rollback stops are part of the rollback decision (rollback-decision.ts).
 */

/** A failure of one step, with a short form for commit subjects. */
export class StepFailure extends Error {
    constructor(
        readonly reason: string,
        readonly short: string,
    ) {
        super(reason);
    }
}

/** Asked before the first change (without --yes). */
export function confirmQuestion(r: ShipRelease): string {
    return `release ${r.service.name} ${r.from} → ${r.version} to stack ${r.stack}: commit ${r.fileName}${r.changelog.kind === "entry" ? ` and ${r.changelog.shown}` : ""}, pulumi up, follow the canary${r.timing.monitorWindowMs > 0 ? ", monitor" : ""}. Go on?`;
}

/** The announcement of a release that stands. */
export function releasedText(r: ShipRelease, author: string, monitor: MonitorResult | undefined, tag: string | undefined): string {
    const monitored = monitor ? `, ${formatDuration(r.timing.monitorWindowMs)} of monitoring clean (${monitor.last.map(describeSample).join(", ")})` : "";
    return `released ${r.service.name} ${r.version} to ${r.stack} (was ${r.from}), run by ${author}: canary passed${monitored}.${tag ? ` Tag ${tag}.` : ""}${notesBlock(r)}`;
}

/** The announcement of a completed rollback. */
export function rolledBackText(r: ShipRelease, author: string, failedStep: string, reason: string): string {
    return `ROLLED BACK: ${r.service.name} ${r.version} in ${r.stack} failed at ${failedStep} (${reason}); releasectl ship rolled it back to ${r.rollback.to}, which serves again. Run by ${author}.${notesBlock(r, `Rolled back, what ${r.version} changes:`)}`;
}

/** The announcement of a rollback that did not complete: a person is on it. */
export function rollbackFailedText(r: ShipRelease, author: string, reason: string, why: string, production: string): string {
    return `ROLLBACK FAILED: ${r.service.name} ${r.version} failed in ${r.stack} (${reason}) and the automatic rollback to ${r.rollback.to} did not complete: ${why}. Production: ${production}. ${author} is on it; see releasectl status ${r.service.name} --stack ${r.stack}.${notesBlock(r, `What ${r.version} changes:`)}`;
}

/** The release notes for an announcement (blank line, optional title, the notes), or "". */
function notesBlock(r: ShipRelease, title?: string): string {
    const notes = r.notes;
    if (notes === undefined) return "";
    const more = `releasectl changelog ${r.service.name} --version ${r.version} --stack ${r.stack}`;
    return `\n\n${title === undefined ? "" : `${title}\n`}${announcementNotes(notes.notes, { more })}`.trimEnd();
}

/** The monitor step's breach: the reason, and the short form (`monitoring: error rate 5.2%`). */
export function breachFailure(r: ShipRelease, result: MonitorResult & { breach: Sample }): StepFailure {
    const b = result.breach;
    return new StepFailure(`monitoring: ${describeSample(b)} in round ${result.rounds} of the ${formatDuration(r.timing.monitorWindowMs)} window`, `monitoring: ${b.signal.name} ${describeSample(b).slice(b.signal.name.length + 1)}`);
}

/** `policy violation canary-thresholds-strict`, `policy violations a, b`. */
export function policyReason(policies: readonly string[]): string {
    return `policy violation${policies.length === 1 ? "" : "s"} ${policies.join(", ")}`;
}

/** Why `pulumi up` failed: the policies its own preview found violated, else its errors. */
export function upFailure(result: PulumiResult): string {
    const failure = pulumiFailure(result);
    return failure.policies.length > 0 ? policyReason(failure.policies) : failure.summary;
}

export function reasonOf(e: unknown): string {
    if (e instanceof StepFailure || e instanceof UserError) return e.message;
    return `internal error: ${firstLine(e)}`;
}

export function shortOf(e: unknown): string {
    return e instanceof StepFailure ? e.short : "internal error";
}

export function firstLine(e: unknown): string {
    return ((e as Error)?.message ?? String(e)).split("\n")[0];
}

/** A commit id as messages show it. */
export function short(sha: string | undefined): string {
    return sha === undefined ? "?" : sha.slice(0, 7);
}
