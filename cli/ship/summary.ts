import { ShipOutcome } from "./run";
import { formatElapsed } from "./progress";

/** The last words of a run: what happened, what production runs, what to do next. */
export function summaryText(o: ShipOutcome): string {
    const lines: string[] = [""];
    const took = formatElapsed(o.elapsedMs);
    switch (o.result) {
        case "released":
            lines.push(`released ${o.service} ${o.version} to ${o.stack} in ${took} (was ${o.previousVersion})${o.tag ? `: tag ${o.tag}` : ""}`);
            break;
        case "not released":
            lines.push(`not released: ${o.service} ${o.version} stopped at ${o.failedStep}: ${o.reason}`);
            for (const d of o.details) lines.push(`  ✗ ${d}`);
            break;
        case "rolled back":
            lines.push(`ROLLED BACK: ${o.service} ${o.version} failed at ${o.failedStep}: ${o.reason}`);
            lines.push(`production: ${o.production}; ${o.stackFile}`);
            break;
        case "rollback failed":
            lines.push(`ROLLBACK FAILED: production needs a person now`);
            lines.push(`  what failed: ${o.service} ${o.version} at ${o.failedStep}: ${o.reason}`);
            lines.push(`  production:  ${o.production}`);
            lines.push(`  stack file:  ${o.stackFile}`);
            break;
    }
    if (o.manual.length > 0) {
        lines.push(o.result === "rollback failed" ? "  run, in order:" : "run:");
        for (const m of o.manual) lines.push(`    $ ${m}`);
    }
    const announced = o.announcements.release ?? o.announcements.rollback;
    if (announced !== undefined) lines.push(`announcement: ${announced}`);
    for (const w of o.warnings) lines.push(`warning: ${w}`);
    if (o.push) lines.push(`not pushed: ${o.push}`);
    return `${lines.join("\n")}\n`;
}

/** The final JSON line of `--json`. */
export function summaryJson(o: ShipOutcome): string {
    return `${JSON.stringify({
        event: "summary",
        result: o.result,
        exitCode: o.exitCode,
        service: o.service,
        stack: o.stack,
        version: o.version,
        previousVersion: o.previousVersion,
        failedStep: o.failedStep ?? null,
        reason: o.reason ?? null,
        production: o.production ?? null,
        stackFile: o.stackFile ?? null,
        commits: o.commits,
        tag: o.tag ?? null,
        announcements: o.announcements,
        manual: o.manual,
        details: o.details,
        warnings: o.warnings,
        push: o.push ?? null,
        elapsedMs: o.elapsedMs,
        steps: o.steps.map((s) => ({ step: s.id, title: s.title, state: s.state, elapsedMs: s.elapsedMs ?? null, detail: s.detail ?? null })),
    })}\n`;
}
