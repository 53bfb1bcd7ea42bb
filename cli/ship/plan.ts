import { ChecklistReport } from "../checklist/run";
import { ShipRelease } from "./decide";
import { countsLine, failedChecks } from "./precheck";
import { failureWords, planWords, RELEASE_STEPS, ROLLBACK_STEPS } from "./steps";

/**
 * What `releasectl ship --dry-run` prints: every step of the release with the exact commands and
 * queries it would run, the time limits, and the rollback path with what a person runs when it
 * stops. Rendered from the step tables the run walks (steps.ts) and the rollback decided with
 * the release (rollback-decision.ts). Pure: the decided release and the pre-check's report in,
 * the plan out.
 */

export interface PlanStep {
    readonly id: string;
    readonly title: string;
    /** What the step does, in one or more lines. */
    readonly what: readonly string[];
    /** Commands it runs, as a person would type them. */
    readonly commands: readonly string[];
    /** What happens when it fails. */
    readonly onFailure?: string;
    /** What a person runs when it fails (the rollback path). */
    readonly recovery?: readonly string[];
}

export interface ShipPlan {
    readonly service: string;
    readonly stack: string;
    readonly from: string;
    readonly version: string;
    readonly versionReason?: string;
    readonly promotedFrom?: string;
    readonly precheck: { readonly passed: boolean; readonly counts: string; readonly failed: readonly string[] };
    readonly steps: readonly PlanStep[];
    readonly rollback: readonly PlanStep[];
    /** The first step whose failure rolls back (`4 (apply)`). */
    readonly rollbackFrom: string;
    readonly queries: readonly { readonly signal: string; readonly expr: string; readonly threshold: number; readonly unit: string }[];
    /** The changelog entry the prepare step writes (as releasectl prepare), committed with the stack file. */
    readonly changelog: { readonly file?: string; readonly what: string };
    /** The annotated tag's message (the release notes). */
    readonly tagMessage: string;
    /** This machine's shortcomings a real run would stop at (a missing pulumi). */
    readonly warnings: readonly string[];
}

export function shipPlan(r: ShipRelease, report: ChecklistReport, warnings: readonly string[]): ShipPlan {
    const words = planWords(r);
    const steps: PlanStep[] = RELEASE_STEPS.map((def) => {
        const plan = def.plan(r, words, def.skipped?.(r));
        const onFailure = failureWords(def, plan);
        return { id: def.id, title: def.planTitle ?? def.title, what: plan.what, commands: plan.commands, ...(onFailure === undefined ? {} : { onFailure }) };
    });
    const rollback: PlanStep[] = ROLLBACK_STEPS.map((def) => {
        const plan = def.plan(r, words, def.skipped?.(r));
        return {
            id: def.id,
            title: def.planTitle ?? def.title,
            what: plan.what,
            commands: plan.commands,
            ...(typeof plan.onFailure === "string" ? { onFailure: plan.onFailure } : {}),
            ...(plan.recovery === undefined ? {} : { recovery: plan.recovery }),
        };
    });
    const first = RELEASE_STEPS.findIndex((s) => s.onFailure === "roll back");
    const log = r.changelog;
    return {
        service: r.service.name,
        stack: r.stack,
        from: r.from,
        version: r.version,
        versionReason: r.versionReason,
        promotedFrom: r.promotedFrom,
        precheck: { passed: report.passed, counts: countsLine(report), failed: failedChecks(report) },
        steps,
        rollback,
        rollbackFrom: `${first + 1} (${RELEASE_STEPS[first].planTitle ?? RELEASE_STEPS[first].title})`,
        queries: r.signals.map((s) => ({ signal: s.name, expr: s.expr, threshold: s.threshold, unit: s.unit })),
        changelog: log.kind === "entry" ? { file: log.path, what: words.changelog.join("\n") } : { what: log.why },
        tagMessage: r.tagMessage,
        warnings,
    };
}

export function planText(plan: ShipPlan, where: string): string {
    const lines: string[] = [];
    lines.push(`plan: release ${plan.service} ${plan.from} → ${plan.version} to stack ${plan.stack} (${where})`);
    if (plan.versionReason) lines.push(`version: ${plan.promotedFrom !== undefined ? `from stack ${plan.promotedFrom}` : "auto"} → ${plan.version}: ${plan.versionReason}`);
    const section = (steps: readonly PlanStep[], label: (i: number) => string) => {
        const width = Math.max(...steps.map((s) => s.title.length));
        steps.forEach((step, i) => {
            const head = `${label(i)} ${step.title.padEnd(width)}  `;
            const indent = " ".repeat(head.length);
            const what = step.what.length > 0 ? step.what : [""];
            lines.push(`${head}${what[0]}`.trimEnd());
            for (const w of what.slice(1)) lines.push(`${indent}${w}`.trimEnd());
            if (step.id === "precheck") {
                lines.push(`${indent}now: ${plan.precheck.passed ? "passes" : "FAILS, the release would stop here"} (${plan.precheck.counts})`);
                for (const f of plan.precheck.failed) lines.push(`${indent}  ✗ ${f}`);
            }
            for (const c of step.commands) lines.push(`${indent}$ ${c}`);
            if (step.onFailure) lines.push(`${indent}on failure: ${step.onFailure}${step.recovery ? ":" : ""}`);
            for (const c of step.recovery ?? []) lines.push(`${indent}  $ ${c}`);
        });
    };
    lines.push("");
    section(plan.steps, (i) => `${i + 1}.`);
    lines.push("", `rollback path, on a failure from step ${plan.rollbackFrom} on:`);
    section(plan.rollback, (i) => `R${i + 1}.`);
    if (plan.warnings.length > 0) {
        lines.push("");
        for (const w of plan.warnings) lines.push(`warning: ${w}`);
    }
    lines.push("", "(dry run: nothing written, committed or applied; no pulumi, cluster or Prometheus call was made)");
    return `${lines.join("\n")}\n`;
}
