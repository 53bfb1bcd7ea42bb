import { groupKind, label, metadataName, metadataNamespace } from "./manifest";
import { RuleResource } from "./rule";

/**
 * Helpers for stack rules: resources by kind, and dependencies followed by URN. Stacks of
 * hundreds of services must stay linear, so lookups go through maps built once per validation.
 */

export function ofKind(resources: readonly RuleResource[], gk: string): RuleResource[] {
    return resources.filter((r) => groupKind(r.type) === gk);
}

/** Namespace as written; an object without one lands in the provider's default namespace. */
export function namespaceOf(r: RuleResource): string {
    return metadataNamespace(r.props) ?? "";
}

/** The service a release object belongs to: its app.kubernetes.io/instance label, else its name. */
export function serviceOf(r: RuleResource): string | undefined {
    return label(r.props, "app.kubernetes.io/instance") ?? metadataName(r.props);
}

/** A key joining parts that cannot contain a NUL. */
export function key(...parts: readonly (string | undefined)[]): string {
    return parts.map((p) => p ?? "").join("\0");
}

/** Answers "does A depend on B, directly or through other resources?" for one stack. */
export function dependencyGraph(resources: readonly RuleResource[]): (from: RuleResource, to: RuleResource) => boolean {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const closures = new Map<string, Set<string>>();
    const closure = (start: RuleResource): Set<string> => {
        const cached = closures.get(start.urn);
        if (cached) return cached;
        const seen = new Set<string>();
        const queue = [...start.dependencies];
        while (queue.length > 0) {
            const urn = queue.pop()!;
            if (seen.has(urn)) continue;
            seen.add(urn);
            queue.push(...(byUrn.get(urn)?.dependencies ?? []));
        }
        closures.set(start.urn, seen);
        return seen;
    };
    return (from, to) => closure(from).has(to.urn);
}

export function describeResource(r: RuleResource): string {
    const ns = namespaceOf(r);
    return `${r.type.split(":").pop()} ${ns ? `${ns}/` : ""}${metadataName(r.props) ?? r.name}`;
}
