/**
 * Safe reads of Kubernetes manifests as CrossGuard hands them over: plain data, possibly wrapped
 * in the engine's unknown-checking proxy. Every read goes through one property access at a time,
 * so an unknown value surfaces as the engine's own error at the exact path (the pack wrapper turns
 * that into a violation; see policies.ts) instead of being mistaken for "missing".
 */

export type Obj = Readonly<Record<string, unknown>>;

export function asObject(value: unknown): Obj | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
    return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** `get(o, "spec", "template", "spec")`: undefined as soon as a step is missing. */
export function get(value: unknown, ...path: readonly string[]): unknown {
    let node = value;
    for (const key of path) {
        const o = asObject(node);
        if (!o) return undefined;
        node = o[key];
    }
    return node;
}

export interface TypeToken {
    readonly group: string;
    readonly version: string;
    readonly kind: string;
    /** `group/Kind`. */
    readonly groupKind: string;
}

/** A stack has a handful of distinct type tokens and thousands of resources: parse each once. */
const parsedTokens = new Map<string, TypeToken | undefined>();
const TOKEN = /^kubernetes:(?:([^/:]+)\/)?([^/:]+):([A-Za-z0-9]+)$/;

/** `kubernetes:apps/v1:Deployment` → group `apps`, version `v1`, kind `Deployment`; core is `core`. */
export function parseTypeToken(type: string): TypeToken | undefined {
    if (parsedTokens.has(type)) return parsedTokens.get(type);
    const m = TOKEN.exec(type);
    const token = m ? { group: m[1] ?? "core", version: m[2], kind: m[3], groupKind: `${m[1] ?? "core"}/${m[3]}` } : undefined;
    if (parsedTokens.size < 10_000) parsedTokens.set(type, token);
    return token;
}

/** `group/Kind` of a type token, version-agnostic (`apps/v1beta2` and `apps/v1` are both `apps`). */
export function groupKind(type: string): string | undefined {
    return parseTypeToken(type)?.groupKind;
}

export function kindOf(type: string): string {
    return parseTypeToken(type)?.kind ?? type;
}

/** Reads one annotation without touching the others (an unknown sibling must not matter). */
export function annotation(props: Obj, key: string): string | undefined {
    return asString(get(props, "metadata", "annotations", key));
}

export function label(props: Obj, key: string): string | undefined {
    return asString(get(props, "metadata", "labels", key));
}

export function metadataName(props: Obj): string | undefined {
    return asString(get(props, "metadata", "name"));
}

export function metadataNamespace(props: Obj): string | undefined {
    return asString(get(props, "metadata", "namespace"));
}

/** `Deployment shop/checkout`, for messages. */
export function describe(type: string, props: Obj, fallbackName: string): string {
    const ns = metadataNamespace(props);
    const name = metadataName(props) ?? fallbackName;
    return `${kindOf(type)} ${ns ? `${ns}/` : ""}${name}`;
}

/** Kinds that carry a pod template, and where it sits. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
    "apps/Deployment": ["spec", "template", "spec"],
    "apps/StatefulSet": ["spec", "template", "spec"],
    "apps/DaemonSet": ["spec", "template", "spec"],
    "apps/ReplicaSet": ["spec", "template", "spec"],
    "extensions/Deployment": ["spec", "template", "spec"],
    "extensions/DaemonSet": ["spec", "template", "spec"],
    "extensions/ReplicaSet": ["spec", "template", "spec"],
    "batch/Job": ["spec", "template", "spec"],
    "batch/CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    "core/ReplicationController": ["spec", "template", "spec"],
    "core/Pod": ["spec"],
};

export const WORKLOAD_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);
/** Workloads that serve: they need probes, and a change to them is a release. */
export const SERVING_KINDS: readonly string[] = [
    "apps/Deployment",
    "apps/StatefulSet",
    "apps/DaemonSet",
    "extensions/Deployment",
    "extensions/DaemonSet",
];
export const JOB_KINDS: readonly string[] = ["batch/Job", "batch/CronJob"];

export function podSpecOf(type: string, props: Obj): Obj | undefined {
    const gk = groupKind(type);
    const path = gk ? POD_SPEC_PATHS[gk] : undefined;
    return path ? asObject(get(props, ...path)) : undefined;
}

/** The Job spec of a Job or of a CronJob's template. */
export function jobSpecOf(type: string, props: Obj): Obj | undefined {
    const gk = groupKind(type);
    if (gk === "batch/Job") return asObject(get(props, "spec"));
    if (gk === "batch/CronJob") return asObject(get(props, "spec", "jobTemplate", "spec"));
    return undefined;
}

export interface ContainerRef {
    readonly name: string;
    readonly init: boolean;
    readonly container: Obj;
}

/** Containers then init containers, each with its name for messages. */
export function containersOf(podSpec: Obj, opts: { init: boolean } = { init: true }): ContainerRef[] {
    const refs: ContainerRef[] = [];
    const collect = (key: string, init: boolean) => {
        asArray(podSpec[key]).forEach((c, i) => {
            const container = asObject(c);
            if (container) refs.push({ name: asString(container.name) ?? `#${i + 1}`, init, container });
        });
    };
    collect("containers", false);
    if (opts.init) collect("initContainers", true);
    return refs;
}

export function containerLabel(ref: ContainerRef): string {
    return `${ref.init ? "init container" : "container"} ${ref.name}`;
}

/** Pulumi URNs end with `::<name>`; the stack is the third field. */
export function stackOfUrn(urn: string): string {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m ? m[1] : "";
}
