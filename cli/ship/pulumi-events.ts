/**
 * The pulumi CLI's engine events, as `--event-log <file>` writes them (one JSON object a line,
 * `apitype.EngineEvent` of pulumi/pulumi sdk/go/common/apitype/events.go), and what ship reads
 * from them: the change to each resource, the policy violations, the errors and the summary.
 * The human output is for people; this is the contract.
 */

/** The fields of `apitype.EngineEvent` ship reads (exactly one of the `*Event` fields is set). */
export interface EngineEvent {
    readonly sequence?: number;
    readonly timestamp?: number;
    readonly cancelEvent?: Record<string, never>;
    readonly preludeEvent?: { readonly config?: Record<string, string> };
    readonly summaryEvent?: {
        readonly maybeCorrupt?: boolean;
        readonly durationSeconds?: number;
        readonly resourceChanges?: Record<string, number>;
        readonly PolicyPacks?: Record<string, string>;
        readonly isPreview?: boolean;
        readonly result?: "succeeded" | "failed" | "canceled";
    };
    readonly resourcePreEvent?: { readonly metadata: StepMetadata; readonly planning?: boolean };
    readonly resOutputsEvent?: { readonly metadata: StepMetadata; readonly planning?: boolean };
    readonly resOpFailedEvent?: { readonly metadata: StepMetadata; readonly status?: number; readonly steps?: number };
    readonly diagnosticEvent?: {
        readonly urn?: string;
        readonly prefix?: string;
        readonly message: string;
        readonly color?: string;
        /** "debug", "info", "info#err", "warning" or "error". */
        readonly severity: string;
        readonly ephemeral?: boolean;
    };
    readonly policyEvent?: {
        readonly resourceUrn?: string;
        readonly message: string;
        readonly color?: string;
        readonly policyName: string;
        readonly policyPackName: string;
        readonly policyPackVersion?: string;
        readonly policyPackVersionTag?: string;
        /** "advisory"/"warning", "mandatory", "remediate" or "disabled"/"none". */
        readonly enforcementLevel: string;
        readonly severity?: string;
        /** The exceptions that matched: an excepted violation does not fail the operation. */
        readonly exceptions?: readonly { readonly id: string; readonly reason: string }[];
    };
    readonly errorEvent?: { readonly error: string };
}

interface StepMetadata {
    /** "same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced", "read", ... */
    readonly op: string;
    readonly urn: string;
    readonly type: string;
}

/** A resource named as pulumi's own output names it: its type and its name. */
export interface ResourceName {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
}

export interface ResourceChange extends ResourceName {
    readonly op: string;
}

export interface PolicyViolation {
    readonly policy: string;
    readonly pack: string;
    readonly packVersion?: string;
    readonly enforcement: string;
    readonly severity?: string;
    /** Undefined for a stack policy. */
    readonly resource?: ResourceName;
    /** The policy's description, then what it found (as the pack wrote it). */
    readonly message: string;
}

export interface EngineError {
    /** Undefined for an error of the whole operation. */
    readonly resource?: ResourceName;
    readonly message: string;
}

/** What one preview or update reported, read from its events. */
export interface EngineReport {
    /** Each resource the operation changes (or would change), once, in the order reported. */
    readonly changes: readonly ResourceChange[];
    /** Violations that fail the operation: mandatory and not excepted. */
    readonly violations: readonly PolicyViolation[];
    /** Every other violation (advisory, or excepted). */
    readonly advisories: readonly PolicyViolation[];
    readonly errors: readonly EngineError[];
    readonly warnings: readonly EngineError[];
    readonly summary?: {
        readonly result?: string;
        readonly isPreview: boolean;
        readonly durationSeconds?: number;
        /** Resources by operation, as pulumi counts them ("same" too). */
        readonly changes: Readonly<Record<string, number>>;
    };
    /** The log ends with the engine's cancelEvent, which closes every operation, done or not. */
    readonly complete: boolean;
}

/** The event log's text as events: a line that is not JSON (a log cut short) is left out. */
export function parseEventLog(text: string): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        try {
            const event = JSON.parse(line);
            if (event !== null && typeof event === "object") events.push(event as EngineEvent);
        } catch {
            // the last line of a log whose writer was killed
        }
    }
    return events;
}

export function readEvents(events: readonly EngineEvent[]): EngineReport {
    const changes = new Map<string, ResourceChange>();
    const violations: PolicyViolation[] = [];
    const advisories: PolicyViolation[] = [];
    const errors: EngineError[] = [];
    const warnings: EngineError[] = [];
    let summary: EngineReport["summary"];
    let complete = false;
    const seen = new Set<string>();
    for (const e of [...events].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0))) {
        const step = e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata;
        if (step !== undefined && step.op !== "same" && step.urn) {
            // one entry a resource: a replacement's create and delete steps are one change
            if (!changes.has(step.urn)) changes.set(step.urn, { ...resourceOf(step.urn, step.type), op: step.op });
        }
        const policy = e.policyEvent;
        if (policy !== undefined) {
            const violation: PolicyViolation = {
                policy: policy.policyName,
                pack: policy.policyPackName,
                packVersion: policy.policyPackVersion || undefined,
                enforcement: policy.enforcementLevel,
                severity: policy.severity || undefined,
                resource: policy.resourceUrn ? resourceOf(policy.resourceUrn) : undefined,
                message: plain(policy.message),
            };
            // the engine reports a violation once a step, and the same again for up's own preview
            const key = `${violation.pack}\0${violation.policy}\0${policy.resourceUrn ?? ""}\0${violation.message}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const blocking = policy.enforcementLevel === "mandatory" && (policy.exceptions ?? []).length === 0;
            (blocking ? violations : advisories).push(violation);
        }
        const diagnostic = e.diagnosticEvent;
        if (diagnostic !== undefined && (diagnostic.severity === "error" || diagnostic.severity === "warning")) {
            const entry = { resource: diagnostic.urn ? resourceOf(diagnostic.urn) : undefined, message: plain(diagnostic.message) };
            (diagnostic.severity === "error" ? errors : warnings).push(entry);
        }
        if (e.errorEvent !== undefined) errors.push({ message: plain(e.errorEvent.error) });
        if (e.summaryEvent !== undefined) {
            summary = {
                result: e.summaryEvent.result,
                isPreview: e.summaryEvent.isPreview === true,
                durationSeconds: e.summaryEvent.durationSeconds,
                changes: { ...(e.summaryEvent.resourceChanges ?? {}) },
            };
        }
        if (e.cancelEvent !== undefined) complete = true;
    }
    return { changes: [...changes.values()], violations, advisories, errors, warnings, summary, complete };
}

/**
 * A URN's type and name: `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>` (the name may
 * hold `::`).
 */
export function resourceOf(urn: string, type?: string): ResourceName {
    const parts = urn.split("::");
    const qualified = parts[2] ?? "";
    return { urn, type: type ?? qualified.slice(qualified.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

/** `kubernetes:batch/v1:Job (checkout-migrate-2.5.0)`, as pulumi's diagnostics name a resource. */
export function describeResource(r: ResourceName): string {
    return `${r.type} (${r.name})`;
}

/**
 * Why the operation failed, in one line: the errors of resources first, then the operation's own,
 * without the bare "preview failed"/"update failed" that only repeats the exit code; undefined
 * when the events hold no other error.
 */
export function errorLine(report: EngineReport, max = 3): string | undefined {
    const ofResource = (e: EngineError) => e.resource !== undefined && e.resource.type !== "pulumi:pulumi:Stack";
    const said = report.errors.filter((e) => !/^(preview|update|refresh|destroy) failed$/.test(oneLine(e.message)));
    const lines = [...said.filter(ofResource), ...said.filter((e) => !ofResource(e))].map((e) => (ofResource(e) ? `${describeResource(e.resource!)}: ${oneLine(e.message)}` : oneLine(e.message)));
    const unique = [...new Set(lines)];
    if (unique.length === 0) return undefined;
    return unique.slice(0, max).join("; ") + (unique.length > max ? `; and ${unique.length - max} more` : "");
}

/** `policy on type (name): what it found`, a violation in one line. */
export function violationLine(v: PolicyViolation): string {
    const where = v.resource ? ` on ${describeResource(v.resource)}` : "";
    return `${v.policy}${where}: ${oneLine(v.message)}`;
}

/** The summary's counts in pulumi's words: `3 to update, 16 unchanged` (a preview), `3 updated, 16 unchanged`. */
export function changeCounts(report: EngineReport): string | undefined {
    const changes = report.summary?.changes;
    if (changes === undefined) return undefined;
    const preview = report.summary!.isPreview;
    const words: Record<string, [string, string]> = {
        create: ["to create", "created"],
        update: ["to update", "updated"],
        replace: ["to replace", "replaced"],
        delete: ["to delete", "deleted"],
        "create-replacement": ["to create (replacement)", "created (replacement)"],
        "delete-replaced": ["to delete (replaced)", "deleted (replaced)"],
        read: ["to read", "read"],
        import: ["to import", "imported"],
    };
    const parts: string[] = [];
    for (const [op, [future, past]] of Object.entries(words)) {
        const n = changes[op];
        if (n) parts.push(`${n} ${preview ? future : past}`);
    }
    if (changes.same) parts.push(`${changes.same} unchanged`);
    return parts.length === 0 ? "no changes" : parts.join(", ");
}

/** Without the color directives (`<{%reset%}>`) the engine leaves in when color is on. */
function plain(text: string): string {
    return text.replace(/<\{%[^%]*%\}>/g, "").trimEnd();
}

function oneLine(text: string): string {
    return text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .join(" ");
}
