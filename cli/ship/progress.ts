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
    /** Something the person should know that does not fail the step (announcement failed...). */
    warn(line: string): void;
    /** Before the caller writes to the terminal itself (a prompt): the next draw starts below it. */
    detach(): void;
    finish(): void;
}

const MARK: Record<StepState, string> = { pending: "·", running: "›", done: "✓", failed: "✗", skipped: "-" };

function elapsedMs(step: StepView, now: number): number | undefined {
    return step.elapsedMs ?? (step.startedAt !== undefined ? now - step.startedAt : undefined);
}

function elapsed(step: StepView, now: number): string {
    const ms = elapsedMs(step, now);
    return ms === undefined ? "" : ` (${formatElapsed(ms)})`;
}

/** `0.4s`, `42.0s`, `3m12s`: short enough for a task list, exact enough for a log. */
export function formatElapsed(ms: number): string {
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
    const s = Math.round(ms / 1000);
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** Plain lines: one per state change, for logs and pipes. */
export function plainProgress(out: NodeJS.WritableStream, now: () => number = Date.now): Progress {
    return {
        update(step) {
            out.write(`${MARK[step.state]} ${step.title}: ${step.state}${elapsed(step, now())}${step.detail ? ` — ${step.detail}` : ""}\n`);
        },
        note(_step, line) {
            if (line.trim() !== "") out.write(`    ${line}\n`);
        },
        warn(line) {
            out.write(`warning: ${line}\n`);
        },
        detach() {},
        finish() {},
    };
}

/** JSON lines: one event per state change, for CI. The command adds a final `summary` event. */
export function jsonProgress(out: NodeJS.WritableStream, now: () => number = Date.now): Progress {
    const write = (event: Record<string, unknown>) => out.write(`${JSON.stringify(event)}\n`);
    return {
        update(step) {
            write({ event: "step", step: step.id, title: step.title, state: step.state, elapsedMs: elapsedMs(step, now()), detail: step.detail });
        },
        note(step, line) {
            if (line.trim() !== "") write({ event: "note", step: step.id, line });
        },
        warn(line) {
            write({ event: "warning", message: line });
        },
        detach() {},
        finish() {},
    };
}

/**
 * A task list redrawn in place (ANSI), with the latest note under the running step. `steps` is
 * read at every draw, so steps appended later (the rollback path) appear as they are added.
 */
export function liveProgress(out: NodeJS.WritableStream & { columns?: number }, steps: readonly StepView[], now: () => number = Date.now): Progress {
    let drawn = 0;
    let lastNote = "";
    const warnings: string[] = [];
    const draw = () => {
        const width = Math.max(40, (out.columns ?? 100) - 1);
        const lines = steps.map((s) => `${MARK[s.state]} ${s.title}${s.state === "running" || s.elapsedMs !== undefined ? elapsed(s, now()) : ""}${s.detail ? ` — ${s.detail}` : ""}`);
        if (lastNote && steps.some((s) => s.state === "running")) lines.push(`    ${lastNote}`);
        for (const w of warnings) lines.push(`warning: ${w}`);
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
            if (line.trim() === "") return;
            lastNote = line.trim();
            draw();
        },
        warn(line) {
            warnings.push(line);
            draw();
        },
        detach() {
            drawn = 0;
        },
        finish() {
            clearInterval(timer);
            lastNote = "";
            draw();
        },
    };
}
