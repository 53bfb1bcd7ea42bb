/** How the steps of a release are shown: a live task list on a terminal, plain lines elsewhere. */
export type StepState = "pending" | "running" | "done" | "failed" | "skipped";

export interface StepView {
    readonly id: string;
    readonly title: string;
    state: StepState;
    detail?: string;
    startedAt?: number;
    elapsedMs?: number;
}

export interface Progress {
    update(step: StepView): void;
    /** A line of output under the running step (pulumi's progress, canary weight...). */
    note(step: StepView, line: string): void;
    finish(): void;
}

const MARK: Record<StepState, string> = { pending: "·", running: "›", done: "✓", failed: "✗", skipped: "-" };

function elapsed(step: StepView, now: number): string {
    const ms = step.elapsedMs ?? (step.startedAt !== undefined ? now - step.startedAt : undefined);
    return ms === undefined ? "" : ` (${(ms / 1000).toFixed(1)}s)`;
}

/** Plain lines: one per state change, for logs and pipes. */
export function plainProgress(out: NodeJS.WritableStream, now: () => number = Date.now): Progress {
    return {
        update(step) {
            out.write(`${MARK[step.state]} ${step.title}: ${step.state}${elapsed(step, now())}${step.detail ? ` — ${step.detail}` : ""}\n`);
        },
        note(step, line) {
            out.write(`    ${line}\n`);
        },
        finish() {},
    };
}

/** JSON lines: one event per state change, for CI. */
export function jsonProgress(out: NodeJS.WritableStream, now: () => number = Date.now): Progress {
    return {
        update(step) {
            out.write(`${JSON.stringify({ step: step.id, state: step.state, elapsedMs: step.elapsedMs ?? (step.startedAt ? now() - step.startedAt : undefined), detail: step.detail })}\n`);
        },
        note(step, line) {
            out.write(`${JSON.stringify({ step: step.id, note: line })}\n`);
        },
        finish() {},
    };
}

/** A task list redrawn in place (ANSI), with the latest note under the running step. */
export function liveProgress(out: NodeJS.WritableStream & { columns?: number }, steps: readonly StepView[], now: () => number = Date.now): Progress {
    let drawn = 0;
    let lastNote = "";
    const draw = () => {
        const width = Math.max(40, (out.columns ?? 100) - 1);
        const lines = steps.map((s) => `${MARK[s.state]} ${s.title}${s.state === "running" || s.elapsedMs !== undefined ? elapsed(s, now()) : ""}${s.detail ? ` — ${s.detail}` : ""}`);
        if (lastNote && steps.some((s) => s.state === "running")) lines.push(`    ${lastNote}`);
        out.write(`${drawn > 0 ? `\x1b[${drawn}F` : ""}${lines.map((l) => `\x1b[2K${l.slice(0, width)}`).join("\n")}\n\x1b[J`);
        drawn = lines.length;
    };
    const timer = setInterval(draw, 500);
    timer.unref();
    return {
        update() {
            lastNote = "";
            draw();
        },
        note(_step, line) {
            lastNote = line.trim();
            draw();
        },
        finish() {
            clearInterval(timer);
            lastNote = "";
            draw();
        },
    };
}
