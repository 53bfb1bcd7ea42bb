import {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import { createPolicies } from "../../policies/policies";

/**
 * Runs the pack's policies the way the engine does (@pulumi/policy 1.21 server.js): props are a
 * fresh copy wrapped in unknownCheckingProxy, getConfig returns the configSchema defaults with the
 * given config on top, notApplicable throws, stackTags is a read-only map, an UnknownValueError is
 * downgraded to an advisory "can't run during preview" (recorded here as `downgraded` so tests can
 * prove it never happens), and stack policies get resources whose dependencies are resolved to
 * the resource objects by URN.
 */

export interface Outcome {
    readonly violations: readonly { readonly message: string; readonly urn?: string }[];
    readonly notApplicable?: string;
    /** Set when the engine would have silently downgraded the policy to advisory. */
    readonly downgraded?: string;
}

export interface RunOptions {
    /** The policy's pack config (as in a --policy-pack-config file), without defaults. */
    readonly config?: Record<string, unknown>;
    readonly stackTags?: Record<string, string>;
    readonly now?: Date;
}

export interface TestResource {
    readonly type: string;
    readonly props: Record<string, unknown>;
    readonly urn?: string;
    readonly name?: string;
    /** URNs. */
    readonly dependencies?: readonly string[];
}

class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "not applicable");
    }
}

export function urnFor(type: string, name: string, stack = "production"): string {
    return `urn:pulumi:${stack}::releasectl::releasectl:index:ServiceRelease$${type}::${name}`;
}

/** The pack's policy by name, on a fixed clock. */
export function policyNamed(name: string, now = new Date("2026-06-10T10:00:00Z")): ResourceValidationPolicy | StackValidationPolicy {
    const policy = createPolicies({ now: () => now }).find((p) => p.name === name);
    if (!policy) throw new Error(`no policy ${name}`);
    return policy;
}

/** What the engine hands getConfig(): schema defaults, then the configured properties. */
export function engineConfig(policy: { configSchema?: { properties: Record<string, { default?: unknown }> } }, config: Record<string, unknown> = {}) {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {})
            .filter(([, s]) => s.default !== undefined)
            .map(([k, s]) => [k, structuredClone(s.default)]),
    );
    const { enforcementLevel: _level, ...properties } = config;
    return { ...defaults, ...structuredClone(properties) };
}

function tags(stackTags: Record<string, string> = {}): ReadonlyMap<string, string> {
    return new Map(Object.entries(stackTags));
}

export async function runResource(policyName: string, resource: TestResource, options: RunOptions = {}): Promise<Outcome> {
    const policy = policyNamed(policyName, options.now) as ResourceValidationPolicy;
    if (typeof policy.validateResource !== "function") throw new Error(`${policyName} is not a resource policy`);
    const violations: { message: string; urn?: string }[] = [];
    const name = resource.name ?? "test-resource";
    const props = unknownCheckingProxy(structuredClone(resource.props));
    const args: ResourceValidationArgs = {
        type: resource.type,
        props,
        urn: resource.urn ?? urnFor(resource.type, name),
        name,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: tags(options.stackTags),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => engineConfig(policy, options.config) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await policy.validateResource(args, (message, urn) => violations.push({ message, urn }));
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.reason ?? "" };
        if (e instanceof UnknownValueError) return { violations, downgraded: (e as Error).message };
        throw e;
    }
    return { violations };
}

export async function runStack(policyName: string, resources: readonly TestResource[], options: RunOptions = {}): Promise<Outcome> {
    const policy = policyNamed(policyName, options.now) as StackValidationPolicy;
    if (typeof policy.validateStack !== "function") throw new Error(`${policyName} is not a stack policy`);
    const built: PolicyResource[] = resources.map((r) => {
        const name = r.name ?? "test-resource";
        return {
            type: r.type,
            props: unknownCheckingProxy(structuredClone(r.props)),
            urn: r.urn ?? urnFor(r.type, name),
            name,
            opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
    });
    const byUrn = new Map(built.map((b) => [b.urn, b]));
    resources.forEach((r, i) => {
        built[i].dependencies = (r.dependencies ?? []).map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
    });
    const violations: { message: string; urn?: string }[] = [];
    const args: StackValidationArgs = {
        resources: built,
        stackTags: tags(options.stackTags),
        getConfig: <T extends object>() => engineConfig(policy, options.config) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await policy.validateStack(args, (message, urn) => violations.push({ message, urn }));
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.reason ?? "" };
        if (e instanceof UnknownValueError) return { violations, downgraded: (e as Error).message };
        throw e;
    }
    return { violations };
}

/** The engine's sentinel for a string not known during preview. */
export const UNKNOWN_STRING: string = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;
export const UNKNOWN_OBJECT: string = (require("@pulumi/policy/proxy") as { unknownObjectValue: string }).unknownObjectValue;
