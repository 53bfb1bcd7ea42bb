import { Manifest } from "../builders/types";

/**
 * One YAML document per manifest, block style, keys in the builders' order.
 *
 * Written by hand because manifests are plain data (maps, lists, strings, numbers, booleans)
 * and the `yaml` package's general-purpose stringify took about 1.5 s for a 500-service stack,
 * most of `render`'s time. Strings are written plain only when every YAML 1.1 and 1.2 reader
 * (kubectl's included) reads them back as the same string; anything else is double-quoted with
 * JSON escapes, which YAML accepts as a double-quoted scalar.
 */
export function manifestToYaml(manifest: Manifest): string {
    const lines: string[] = [];
    emitMap(manifest as unknown as Record<string, unknown>, "", lines);
    return `${lines.join("\n")}\n`;
}

function emitMap(map: Record<string, unknown>, pad: string, lines: string[]): void {
    for (const key of Object.keys(map)) {
        const value = map[key];
        if (value === undefined) continue;
        const head = `${pad}${scalar(key)}:`;
        if (isNonEmptyMap(value)) {
            lines.push(head);
            emitMap(value, `${pad}  `, lines);
        } else if (Array.isArray(value) && value.length > 0) {
            lines.push(head);
            emitList(value, `${pad}  `, lines);
        } else {
            lines.push(`${head} ${inline(value)}`);
        }
    }
}

function emitList(list: readonly unknown[], pad: string, lines: string[]): void {
    for (const item of list) {
        if (isNonEmptyMap(item)) {
            // The first key goes on the dash's line; the rest align under it.
            const start = lines.length;
            emitMap(item, `${pad}  `, lines);
            lines[start] = `${pad}- ${lines[start].slice(pad.length + 2)}`;
        } else if (Array.isArray(item) && item.length > 0) {
            lines.push(`${pad}-`);
            emitList(item, `${pad}  `, lines);
        } else {
            lines.push(`${pad}- ${inline(item ?? null)}`);
        }
    }
}

function isNonEmptyMap(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).some((k) => (value as Record<string, unknown>)[k] !== undefined);
}

/** A scalar, an empty map or an empty list on one line. */
function inline(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "[]";
    switch (typeof value) {
        case "string":
            return scalar(value);
        case "number":
            if (!Number.isFinite(value)) throw new Error(`cannot write ${value} in a manifest`);
            return String(value);
        case "boolean":
            return String(value);
        case "object":
            return "{}";
        default:
            throw new Error(`cannot write a ${typeof value} in a manifest`);
    }
}

/** Printable ASCII that starts with a character no YAML indicator uses. */
const PLAIN = /^[A-Za-z0-9_/<(][\x20-\x7e]*$/;
/** Words YAML 1.1 or 1.2 read as booleans or null. */
const RESERVED = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;
/** Integers, floats, hex/octal/binary, sexagesimal and dates (YAML 1.1 timestamps). */
const NUMBER_LIKE = /^(?:[-+]?(?:\d[\d_]*)?(?:\.[\d_]*)?(?:[eE][-+]?\d+)?|[-+]?0[xXoObB][\dA-Fa-f_]+|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.[\d_]*)?|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;

/** Labels, names and images repeat across thousands of objects: decide each string once. */
const written = new Map<string, string>();

function scalar(text: string): string {
    let result = written.get(text);
    if (result === undefined) {
        result = quoteIfNeeded(text);
        written.set(text, result);
    }
    return result;
}

function quoteIfNeeded(text: string): string {
    const plain =
        PLAIN.test(text) &&
        !RESERVED.test(text) &&
        !NUMBER_LIKE.test(text) &&
        !text.endsWith(" ") &&
        !text.endsWith(":") &&
        !text.includes(": ") &&
        !text.includes(" #") &&
        !text.startsWith("<<");
    return plain ? text : JSON.stringify(text);
}
