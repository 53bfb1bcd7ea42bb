import {
    Policies,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
} from "@pulumi/policy";
import { configSchemaFor, readSettings } from "./settings";
import { groupKind, stackOfUrn } from "./lib/manifest";
import { ResourceRule, Rule, RuleContext, RuleResource, RuleResult, StackRule } from "./lib/rule";
import { RULES } from "./rules";

/**
 * The rules as CrossGuard policies. Tests import this module; only index.ts constructs the
 * PolicyPack (which starts a gRPC server).
 *
 * Unknown values: during `pulumi preview` a value computed from another resource is unknown, and
 * reading it throws UnknownValueError, which the engine would turn into a silent advisory. A
 * checklist must not pass by not looking, so the wrapper reports it as a violation at the rule's
 * own level, naming the path: the release is blocked until the value is known at preview (plain
 * values, as releasectl's builders produce) or the rule is relaxed in the pack config on purpose.
 */

export interface PolicyOptions {
    /** The clock for freeze windows; tests inject one. */
    readonly now?: () => Date;
}

const TAGS = ["kubernetes", "release"];

function metadata(rule: Rule) {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        severity: rule.severity,
        remediationSteps: rule.remediationSteps,
        tags: TAGS,
        ...(rule.framework ? { framework: { ...rule.framework } } : {}),
        ...(rule.settings.length > 0 ? { configSchema: configSchemaFor(rule.settings) } : {}),
    };
}

function isUnknown(e: unknown): e is Error {
    return e instanceof UnknownValueError;
}

function unknownMessage(rule: Rule, e: Error): string {
    return (
        `${rule.name} cannot judge this resource during preview: ${e.message}. ` +
        "The checklist does not pass what it cannot see; make the value known at preview (a plain value rather than another resource's output), " +
        `or set ${rule.name} to advisory in the pack config on purpose.`
    );
}

function report(result: RuleResult, notApplicable: (reason: string) => never, reportViolation: ReportViolation, defaultUrn?: string): void {
    if (result.kind === "not-applicable") notApplicable(result.reason);
    else for (const v of result.violations) reportViolation(v.message, v.urn ?? defaultUrn);
}

export function resourcePolicy(rule: ResourceRule, options: PolicyOptions = {}): ResourceValidationPolicy {
    const now = options.now ?? (() => new Date());
    return {
        ...metadata(rule),
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            const gk = groupKind(args.type);
            if (gk === undefined || !rule.kinds.includes(gk)) {
                args.notApplicable(`applies to ${rule.kinds.map((k) => k.split("/")[1]).filter((k, i, all) => all.indexOf(k) === i).join(", ")} only`);
            }
            const ctx: RuleContext = {
                stack: stackOfUrn(args.urn),
                stackTags: args.stackTags,
                settings: readSettings(rule, args.getConfig<Record<string, unknown>>()),
                now: now(),
            };
            const resource: RuleResource = { type: args.type, props: args.props, urn: args.urn, name: args.name, dependencies: [] };
            let result: RuleResult;
            try {
                result = rule.validate(resource, ctx);
            } catch (e) {
                if (!isUnknown(e)) throw e;
                reportViolation(unknownMessage(rule, e));
                return;
            }
            report(result, args.notApplicable, reportViolation);
        },
    };
}

export function stackPolicy(rule: StackRule, options: PolicyOptions = {}): StackValidationPolicy {
    const now = options.now ?? (() => new Date());
    return {
        ...metadata(rule),
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const resources: RuleResource[] = args.resources.map((r: PolicyResource) => ({
                type: r.type,
                props: r.props,
                urn: r.urn,
                name: r.name,
                dependencies: r.dependencies.map((d) => d.urn),
            }));
            const ctx: RuleContext = {
                stack: stackOfUrn(resources[0]?.urn ?? ""),
                stackTags: args.stackTags,
                settings: readSettings(rule, args.getConfig<Record<string, unknown>>()),
                now: now(),
            };
            let result: RuleResult;
            try {
                result = rule.validate(resources, ctx);
            } catch (e) {
                if (!isUnknown(e)) throw e;
                reportViolation(unknownMessage(rule, e));
                return;
            }
            report(result, args.notApplicable, reportViolation);
        },
    };
}

export function toPolicy(rule: Rule, options: PolicyOptions = {}): ResourceValidationPolicy | StackValidationPolicy {
    return rule.scope === "resource" ? resourcePolicy(rule, options) : stackPolicy(rule, options);
}

export function createPolicies(options: PolicyOptions = {}): Policies {
    return RULES.map((rule) => toPolicy(rule, options));
}

/** The pack's policies, on the real clock. */
export const policies: Policies = createPolicies();
