import { UserError } from "./errors";
import { lineDocument } from "./yaml-outline";

/**
 * Texts read last and their values: a command reads Pulumi.yaml and its stack file several
 * times (the project name, the stack, the checklist), and the first parse of a process is the
 * slow one (~4 ms before the parser is compiled).
 */
const recent: { text: string; data: unknown }[] = [];
const RECENT_KEPT = 4;

/**
 * The value of a one-document YAML file (undefined when it is empty), or a UserError naming the
 * file, line and column. Stack files are read with js-yaml's core schema (YAML 1.2, like the
 * Pulumi CLI: no timestamps or yes/no booleans): it is about five times faster than the `yaml`
 * package, which matters for stacks of hundreds of services. A file in plain block style (every
 * stack file `pulumi config set` writes) is read line by line to the same data without loading
 * js-yaml at all (yaml-outline.ts): that saves a command ~8 ms.
 */
export function readYamlValues(text: string, file: string): unknown {
    const known = recent.find((r) => r.text === text);
    // a copy: callers may change what they get
    if (known !== undefined) return structuredClone(known.data);
    const read = yamlValues(text, file);
    if (read.ok) {
        recent.push({ text, data: read.data });
        if (recent.length > RECENT_KEPT) recent.shift();
        return structuredClone(read.data);
    }
    const at = read.line === undefined ? "" : `:${read.line}:${read.column}`;
    throw new UserError(`${file}${at}: ${read.message}`, "EYAML");
}

/**
 * The same reading, its problem as data: the history of a stack file skips an unreadable
 * version and says why (`line 3, column 1: ...`), where the loader stops.
 */
export function yamlValues(text: string, file = ""): YamlValues {
    const lines = lineDocument(text);
    if (lines !== undefined) return { ok: true, data: lines.data };
    return jsYamlValues(text, file);
}

export type YamlValues = { ok: true; data: unknown } | { ok: false; line?: number; column?: number; reason: string; message: string };

/** The same reading by js-yaml alone (for a text the line reader left, or to compare with it). */
export function jsYamlValues(text: string, file = ""): YamlValues {
    const { loadAll, YAMLException } = require("js-yaml") as typeof import("js-yaml");
    let documents: unknown[];
    try {
        documents = loadAll(text, { filename: file });
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        const mark = e.mark ? { line: e.mark.line + 1, column: e.mark.column + 1 } : {};
        return { ok: false, ...mark, reason: e.reason, message: `malformed YAML: ${e.reason}; fix the syntax and run again` };
    }
    if (documents.length > 1) {
        const reason = `holds ${documents.length} YAML documents (--- separators)`;
        return { ok: false, reason, message: `${reason}; a stack file is one document` };
    }
    return { ok: true, data: documents[0] };
}
