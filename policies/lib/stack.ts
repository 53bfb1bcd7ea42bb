import { groupKind, label, metadataName, metadataNamespace } from "./manifest";
import { RuleResource } from "./rule";

/** Helpers for stack rules: find resources by kind and follow dependencies by URN. */

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

/** Whether `from` depends on `to`, directly or through other resources of the stack. */
export function dependsOn(resources: readonly RuleResource[], from: RuleResource, to: RuleResource): boolean {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const queue = [...from.dependencies];
    while (queue.length > 0) {
        const urn = queue.pop()!;
        if (urn === to.urn) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        queue.push(...(byUrn.get(urn)?.dependencies ?? []));
    }
    return false;
}

export function describeResource(r: RuleResource): string {
    const ns = namespaceOf(r);
    return `${r.type.split(":").pop()} ${ns ? `${ns}/` : ""}${metadataName(r.props) ?? r.name}`;
}
