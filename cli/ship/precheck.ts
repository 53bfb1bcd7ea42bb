import { UserError } from "../../config/errors";
import { ReleaseConfig } from "../../config/types";
import { ChecklistReport, runChecklist } from "../checklist/run";
import { ChecklistConfig } from "../checklist/pack-config";
import { readRepository } from "../checklist/repository-state";
import { Repository } from "../checklist/repository-checks";
import { releaseResources } from "../checklist/resources";
import { renderReleases } from "../operations/render";

/**
 * Step 1: `releasectl check` for the new version, before anything is written. The stack file
 * edit is applied in memory (`config` is parsed from the edited text), so the checklist judges
 * exactly what step 2 will commit, with the same rules and repository checks.
 */
export function precheck(input: {
    readonly config: ReleaseConfig;
    readonly service: string;
    readonly dir: string;
    /** Absolute path of the stack file. */
    readonly stackFile: string;
    readonly packConfig: ChecklistConfig;
    readonly env: NodeJS.ProcessEnv;
}): ChecklistReport {
    const releases = renderReleases(input.config, input.service);
    const state = readRepository(input.dir, input.env);
    const repository: Repository = "reason" in state ? { kind: "unavailable", reason: state.reason } : { kind: "repository", state };
    return runChecklist({
        stack: input.config.stack,
        resources: releaseResources(input.config, releases),
        config: input.packConfig,
        now: clock(input.env),
        repository: {
            repository,
            config: input.config,
            services: input.config.services.filter((s) => s.name === input.service),
            projectDir: input.dir,
            stackFile: input.stackFile,
            branchOverride: input.env.RELEASECTL_BRANCH || undefined,
        },
    });
}

/** `RELEASECTL_NOW` replaces the clock, as in `releasectl check` (rehearsing a freeze window). */
function clock(env: NodeJS.ProcessEnv): Date {
    const text = env.RELEASECTL_NOW;
    if (text === undefined || text === "") return new Date();
    const t = Date.parse(text);
    if (Number.isNaN(t) || !/[zZ]|[+-]\d\d:?\d\d$/.test(text)) {
        throw new UserError(`RELEASECTL_NOW=${JSON.stringify(text)}: not an ISO 8601 instant with offset, e.g. 2025-12-24T18:00:00Z; unset it to use the real clock`, "EUSAGE");
    }
    return new Date(t);
}

/** `30 passed, 0 failed, 1 advisory, 2 not applicable`. */
export function countsLine(report: ChecklistReport): string {
    const c = report.counts;
    return `${c.passed} passed, ${c.failed} failed, ${c.advisory} advisory, ${c["not applicable"]} not applicable`;
}

/** One line per failed mandatory check: the rule and what it found. */
export function failedChecks(report: ChecklistReport): string[] {
    const lines: string[] = [];
    for (const item of report.items) {
        for (const check of item.checks) {
            if (check.state !== "failed") continue;
            const findings = check.findings.length === 0 ? [check.description] : check.findings.map((f) => `${f.resource ? `${f.resource}: ` : ""}${f.message}`);
            for (const f of findings) lines.push(`${check.rule}: ${f}`);
        }
    }
    return lines;
}
