import { PHASES } from "../../policies/checklist";
import { ChecklistReport, State } from "./run";

/** How `releasectl check` prints its report: a checklist for people, JSON for CI. */

export interface ReportHeader {
    readonly stack: string;
    readonly environment: string;
    readonly services: readonly { readonly name: string; readonly version: string; readonly rollback: boolean }[];
    readonly config?: string;
    /** Set when the clock was overridden (RELEASECTL_NOW), so the output says so. */
    readonly clock?: string;
    readonly now: Date;
}

const STATE_WIDTH = "not applicable".length;

export function formatText(report: ChecklistReport, header: ReportHeader): string {
    const ruleWidth = Math.max(...report.items.flatMap((i) => i.checks.map((c) => c.rule.length)), 10);
    const lines: string[] = [];
    const services = header.services.map((s) => `${s.name} ${s.version}${s.rollback ? " (rollback)" : ""}`).join(", ");
    lines.push(`releasectl check: stack ${header.stack} (environment ${header.environment}): ${services}`);
    if (header.config) lines.push(`pack config: ${header.config}`);
    if (header.clock) lines.push(`clock: ${header.now.toISOString()} (${header.clock})`);
    for (const { phase, title } of PHASES) {
        lines.push("", title);
        for (const item of report.items.filter((i) => i.phase === phase)) {
            lines.push(`  ${item.item}`);
            if (item.checks.length === 0) {
                lines.push(`    ${pad("not applicable", STATE_WIDTH)}  ${pad("(at runtime)", ruleWidth)}  ${item.runtime ?? ""}`);
                continue;
            }
            for (const check of item.checks) {
                const detail = check.state === "not applicable" || check.state === "passed" ? check.detail ?? "" : `${check.enforcementLevel}, ${check.severity} severity`;
                lines.push(`    ${pad(check.state, STATE_WIDTH)}  ${pad(check.rule, ruleWidth)}  ${detail}`.trimEnd());
                for (const f of check.findings) lines.push(`        ${f.resource ? `${f.resource}: ` : ""}${f.message}`);
            }
        }
    }
    const c = report.counts;
    lines.push(
        "",
        `${report.passed ? "Ready to release" : "Not ready to release"}: ${c.passed} passed, ${c.failed} failed, ${c.advisory} advisory, ${c["not applicable"]} not applicable.` +
            (report.passed ? "" : " Fix the failed rules above (each line says why and what to do), then run releasectl check again."),
    );
    return `${lines.join("\n")}\n`;
}

export function formatJson(report: ChecklistReport, header: ReportHeader): string {
    return `${JSON.stringify(reportJson(report, header), null, 2)}\n`;
}

/** The JSON report as data (`check --stack <environment>` puts one per stack in an array). */
export function reportJson(report: ChecklistReport, header: ReportHeader) {
    return {
        stack: header.stack,
        environment: header.environment,
        services: header.services,
        config: header.config ?? null,
        now: header.now.toISOString(),
        result: report.passed ? "passed" : "failed",
        counts: {
            passed: report.counts.passed,
            failed: report.counts.failed,
            advisory: report.counts.advisory,
            notApplicable: report.counts["not applicable"],
        },
        items: report.items.map((i) => ({
            phase: i.phase,
            item: i.item,
            runtime: i.runtime ?? null,
            checks: i.checks.map((c) => ({
                rule: c.rule,
                kind: c.kind,
                state: c.state as State,
                enforcementLevel: c.enforcementLevel,
                severity: c.severity,
                description: c.description,
                detail: c.detail ?? null,
                remediationSteps: c.remediationSteps,
                findings: c.findings.map((f) => ({ resource: f.resource ?? null, message: f.message })),
            })),
        })),
    };
}

function pad(text: string, width: number): string {
    return text.padEnd(width);
}
