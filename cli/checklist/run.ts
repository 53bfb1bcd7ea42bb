import { CHECKLIST, Phase } from "../../policies/checklist";
import { groupKind } from "../../policies/lib/manifest";
import { EnforcementLevel, Rule, RuleContext, RuleResult, Severity } from "../../policies/lib/rule";
import { RULES } from "../../policies/rules";
import { ChecklistConfig, RuleDeclaration } from "./pack-config";
import { REPOSITORY_CHECKS, RepositoryInput, runRepositoryCheck } from "./repository-checks";
import { CheckedResource } from "./resources";

/**
 * The offline runner of `releasectl check`: every pack rule over the rendered resources, then the
 * repository checks, folded into the checklist's items. Pure apart from what RepositoryInput
 * carries; the command does the I/O.
 */

export type State = "passed" | "failed" | "advisory" | "not applicable";

export interface Finding {
    /** The resource at fault (`checkout-deployment (Deployment shop/checkout)`), when there is one. */
    readonly resource?: string;
    readonly message: string;
}

export interface CheckOutcome {
    readonly rule: string;
    readonly kind: "resource" | "stack" | "repository";
    readonly state: State;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity: Severity;
    readonly description: string;
    readonly remediationSteps: string;
    /** Why the rule did not apply, or what it checked. */
    readonly detail?: string;
    readonly findings: readonly Finding[];
}

export interface ItemOutcome {
    readonly phase: Phase;
    readonly item: string;
    readonly runtime?: string;
    readonly checks: readonly CheckOutcome[];
}

export interface ChecklistReport {
    readonly items: readonly ItemOutcome[];
    readonly counts: Readonly<Record<State, number>>;
    /** True when no mandatory check failed. */
    readonly passed: boolean;
}

/** Every rule and repository check `releasectl check --config` accepts. */
export const DECLARATIONS: readonly RuleDeclaration[] = [...RULES, ...REPOSITORY_CHECKS];

export interface ChecklistInput {
    readonly stack: string;
    readonly resources: readonly CheckedResource[];
    readonly config: ChecklistConfig;
    readonly now: Date;
    /** Without it, the repository checks are not run (tests of the pack rules alone). */
    readonly repository?: Omit<RepositoryInput, "settings">;
}

export function runChecklist(input: ChecklistInput): ChecklistReport {
    const outcomes = new Map<string, CheckOutcome>();
    const indexed: Indexed = {
        labelOf: new Map(input.resources.map((r) => [r.urn, r.label])),
        byKind: groupBy(input.resources, (r) => groupKind(r.type)),
    };
    for (const rule of RULES) outcomes.set(rule.name, runRule(rule, input, indexed));
    if (input.repository) {
        for (const check of REPOSITORY_CHECKS) {
            const level = input.config.levelOf(check.name);
            const meta = { rule: check.name, kind: "repository" as const, severity: check.severity, description: check.description, remediationSteps: check.remediationSteps };
            if (level === "disabled") {
                outcomes.set(check.name, { ...meta, enforcementLevel: level, state: "not applicable", detail: disabledDetail(input.config), findings: [] });
                continue;
            }
            const result = runRepositoryCheck(check, {
                ...input.repository,
                settings: input.config.settingsOf(check.name),
                changelogFile: input.config.settingsOf("repository-changelog-entry").changelogFile,
            });
            outcomes.set(check.name, { ...meta, ...fold(level, result, () => undefined) });
        }
    }
    const items: ItemOutcome[] = CHECKLIST.map((entry) => ({
        phase: entry.phase,
        item: entry.item,
        runtime: entry.runtime,
        checks: entry.rules.map((name) => outcomes.get(name)).filter((o): o is CheckOutcome => o !== undefined),
    }));
    const counts: Record<State, number> = { passed: 0, failed: 0, advisory: 0, "not applicable": 0 };
    for (const o of outcomes.values()) counts[o.state]++;
    return { items, counts, passed: counts.failed === 0 };
}

function disabledDetail(config: ChecklistConfig): string {
    return `disabled in ${config.source ?? "the pack config"}`;
}

/** Lookups shared by every rule of one run. */
interface Indexed {
    readonly labelOf: ReadonlyMap<string, string>;
    readonly byKind: ReadonlyMap<string | undefined, readonly CheckedResource[]>;
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
    const groups = new Map<K, T[]>();
    for (const item of items) {
        const k = keyOf(item);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
    }
    return groups;
}

function runRule(rule: Rule, input: ChecklistInput, indexed: Indexed): CheckOutcome {
    const level = input.config.levelOf(rule.name);
    const meta = { rule: rule.name, kind: rule.scope, severity: rule.severity, description: rule.description, remediationSteps: rule.remediationSteps };
    if (level === "disabled") return { ...meta, enforcementLevel: level, state: "not applicable", detail: disabledDetail(input.config), findings: [] };
    const ctx: RuleContext = { stack: input.stack, stackTags: new Map(), settings: input.config.settingsOf(rule.name), now: input.now };
    if (rule.scope === "stack") {
        return { ...meta, ...fold(level, rule.validate(input.resources, ctx), (urn) => (urn ? indexed.labelOf.get(urn) : undefined)) };
    }
    const findings: Finding[] = [];
    const reasons = new Set<string>();
    let judged = 0;
    for (const resource of rule.kinds.flatMap((k) => indexed.byKind.get(k) ?? [])) {
        const result = rule.validate(resource, ctx);
        if (result.kind === "not-applicable") {
            reasons.add(result.reason);
            continue;
        }
        judged++;
        for (const v of result.violations) findings.push({ resource: resource.label, message: v.message });
    }
    if (judged === 0) {
        const kinds = [...new Set(rule.kinds.map((k) => k.split("/")[1]))].join(", ");
        return { ...meta, enforcementLevel: level, state: "not applicable", detail: reasons.size ? [...reasons].join("; ") : `no ${kinds} in the release`, findings: [] };
    }
    return { ...meta, enforcementLevel: level, state: stateFor(level, findings.length), detail: `${judged} resource${judged === 1 ? "" : "s"} checked`, findings };
}

function fold(level: EnforcementLevel, result: RuleResult, labelOf: (urn?: string) => string | undefined) {
    if (result.kind === "not-applicable") return { enforcementLevel: level, state: "not applicable" as State, detail: result.reason, findings: [] };
    const findings = result.violations.map((v) => ({ resource: labelOf(v.urn), message: v.message }));
    return { enforcementLevel: level, state: stateFor(level, findings.length), findings };
}

/** Remediate counts as mandatory: the pack remediates nothing, and the engine treats it so for stack policies. */
function stateFor(level: EnforcementLevel, violations: number): State {
    if (violations === 0) return "passed";
    return level === "advisory" ? "advisory" : "failed";
}
