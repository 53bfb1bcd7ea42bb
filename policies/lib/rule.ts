import type { Settings, SettingKey } from "../settings";

/**
 * The rule model shared by both runners. A rule is a plain function over resources as CrossGuard
 * presents them (type token and props); `policies.ts` wraps it for `pulumi preview`, and
 * `releasectl check` runs it on rendered manifests. Nothing here may import @pulumi/policy or
 * @pulumi/pulumi: the command line loads these files and must stay fast.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
export type Severity = "low" | "medium" | "high" | "critical";

/** A resource as a rule sees it, the same in the engine and offline. */
export interface RuleResource {
    /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
    readonly type: string;
    /** The manifest fields (apiVersion, kind, metadata, spec...). During preview some may be unknown. */
    readonly props: Readonly<Record<string, unknown>>;
    readonly urn: string;
    /** Pulumi resource name (the last part of the URN). */
    readonly name: string;
    /** URNs of the resources this one depends on (stack rules only; empty for resource rules). */
    readonly dependencies: readonly string[];
}

export interface RuleContext {
    /** Stack name, taken from the URN (the engine gives policies no other way to know it). */
    readonly stack: string;
    /** Pulumi Cloud stack tags; empty offline. */
    readonly stackTags: ReadonlyMap<string, string>;
    /** The rule's settings with every default applied. */
    readonly settings: Settings;
    /** The clock, injectable so freeze windows can be tested. */
    readonly now: Date;
}

export interface Violation {
    readonly message: string;
    /** Stack rules name the resource at fault; resource rules leave it to the runner. */
    readonly urn?: string;
}

export type RuleResult =
    | { readonly kind: "not-applicable"; readonly reason: string }
    | { readonly kind: "checked"; readonly violations: readonly Violation[] };

export interface ComplianceFramework {
    readonly name: string;
    readonly version: string;
    readonly reference: string;
    readonly specification: string;
}

interface RuleMetadata {
    /** kebab-case, starting with the resource it judges. */
    readonly name: string;
    /** States the rule. */
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity: Severity;
    readonly remediationSteps: string;
    /** Pack settings the rule reads; they become its `configSchema`. */
    readonly settings: readonly SettingKey[];
    readonly framework?: ComplianceFramework;
}

export interface ResourceRule extends RuleMetadata {
    readonly scope: "resource";
    /** `group/Kind` pairs the rule applies to (`apps/Deployment`, `flagger.app/Canary`, `core/Pod`). */
    readonly kinds: readonly string[];
    validate(resource: RuleResource, ctx: RuleContext): RuleResult;
}

export interface StackRule extends RuleMetadata {
    readonly scope: "stack";
    validate(resources: readonly RuleResource[], ctx: RuleContext): RuleResult;
}

export type Rule = ResourceRule | StackRule;

export function notApplicable(reason: string): RuleResult {
    return { kind: "not-applicable", reason };
}

export function checked(violations: readonly (Violation | string)[]): RuleResult {
    return { kind: "checked", violations: violations.map((v) => (typeof v === "string" ? { message: v } : v)) };
}
