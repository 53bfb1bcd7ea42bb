import { isDeepStrictEqual } from "util";
import { UserError } from "../../config/errors";
import { jsYamlValues, yamlValues } from "../../config/yaml-values";
import { findPair, lineDocument, OMap, ONode, OPair, OScalar } from "../../config/yaml-outline";

/**
 * Edits of a stack file (`Pulumi.<stack>.yaml`) that change only the bytes they must. The
 * file's outline (outline.ts) gives every node's source range; edits splice new text into those
 * ranges of the original string, so comments, key order, quoting, blank lines and `secure:`
 * ciphertexts elsewhere stay byte for byte. Every edit re-parses its result and checks that the
 * data changed exactly as intended, so a surprise in the source can never produce a wrong file.
 * Pure: text in, text out.
 *
 * The outline of a file in plain block style is read line by line (config/yaml-outline.ts);
 * any other file is parsed with the `yaml` library (outline-yaml.ts, loaded only then), which
 * also words the errors of a malformed file. The data is the loader's (config/yaml-values.ts).
 */

export interface ServiceLocation {
    /** Pulumi project name: the config namespace (`releasectl`). */
    readonly project: string;
    readonly service: string;
    /** Shown in messages. */
    readonly file: string;
}

export type ScalarValue = string | boolean;

/** A text's outline and data, shared: read them, never change them. */
export interface ParsedStack {
    /** The root map; undefined when the document is not a map. */
    readonly root: OMap | undefined;
    readonly data: unknown;
}

export interface Located {
    readonly doc: ParsedStack;
    readonly pair: OPair;
    readonly map: OMap;
}

/**
 * Texts parsed last, newest last. An edit parses its input, its result and both again to
 * verify, and the next edit's input is the last one's result: without this, one release's
 * edits parse the same few texts a dozen times.
 */
const parsed: { text: string; doc: ParsedStack | Error }[] = [];
const PARSED_KEPT = 4;

function parseCached(text: string): ParsedStack | Error {
    const i = parsed.findIndex((p) => p.text === text);
    if (i >= 0) {
        const [hit] = parsed.splice(i, 1);
        parsed.push(hit);
        return hit.doc;
    }
    const doc = parseText(text);
    parsed.push({ text, doc });
    if (parsed.length > PARSED_KEPT) parsed.shift();
    return doc;
}

/** Whether plain block-style files are read line by line (tests turn it off to compare both sources). */
let readLines = true;

/** For tests: read every file with `yaml`, as files outside plain block style are. Returns the previous setting. */
export function useLineOutline(enabled: boolean): boolean {
    const was = readLines;
    readLines = enabled;
    parsed.length = 0;
    return was;
}

function parseText(text: string): ParsedStack | Error {
    if (readLines) {
        const lines = lineDocument(text);
        if (lines !== undefined) return lines;
    }
    // the line reader has had its say (or is switched off): js-yaml's data, yaml's outline
    const values = jsYamlValues(text);
    const { outlineOf, parseYamlDocument } = require("./outline-yaml") as typeof import("./outline-yaml");
    const doc = parseYamlDocument(text);
    if (doc.errors.length > 0) return doc.errors[0];
    return { root: outlineOf(doc), data: values.ok ? values.data : doc.toJS() };
}

/** The file's outline and data (shared: read them, never change them); a UserError when it is not valid YAML. */
export function parseStrict(text: string, file: string): ParsedStack {
    const doc = parseCached(text);
    if (doc instanceof Error) throw new UserError(`${file}: malformed YAML: ${doc.message.split("\n")[0]}; fix the syntax first`, "EYAML");
    return doc;
}

/** The value at `path` of parsed data, or undefined. */
export function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
    let v = data;
    for (const k of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<string | number, unknown>)[k];
    }
    return v;
}

function servicesKey(project: string): string {
    return `${project}:services`;
}

/** The service's map in the file's outline (with the parsed file and its pair); a UserError when there is none. */
export function locate(text: string, loc: ServiceLocation): Located {
    const doc = parseStrict(text, loc.file);
    const config = doc.root && findPair(doc.root, "config")?.value;
    const services = config?.kind === "map" ? findPair(config, servicesKey(loc.project))?.value : undefined;
    if (services?.kind !== "map") throw new UserError(`${loc.file}: config.${servicesKey(loc.project)} is missing or not a map; declare the services there`, "ECONFIG");
    const pair = findPair(services, loc.service);
    if (!pair || pair.value?.kind !== "map") {
        throw new UserError(`${loc.file}: ${servicesKey(loc.project)} has no service "${loc.service}" (or it is not a map)`, "ENOSERVICE");
    }
    return { doc, pair, map: pair.value };
}

/** The data of a node, a fresh copy. */
function dataOf(doc: ParsedStack, node: ONode): unknown {
    return structuredClone(valueAt(doc.data, node.path));
}

function lineStart(text: string, pos: number): number {
    return text.lastIndexOf("\n", pos - 1) + 1;
}

/** Position just after the newline that ends the line holding `pos` (or the end of text). */
function afterLineEnd(text: string, pos: number): number {
    const eol = text.indexOf("\n", pos);
    return eol < 0 ? text.length : eol + 1;
}

function splice(text: string, start: number, end: number, insert: string): string {
    return text.slice(0, start) + insert + text.slice(end);
}

/** A plain scalar when it reads back as the same string, else the quoting `like` uses, else double quotes. */
export function renderScalar(value: ScalarValue, like?: OScalar): string {
    if (typeof value === "boolean") return String(value);
    const style = like?.style ?? "PLAIN";
    if (style === "QUOTE_SINGLE" && !value.includes("\n")) return `'${value.replace(/'/g, "''")}'`;
    if (style === "PLAIN" && plainReadsBack(value)) return value;
    return JSON.stringify(value);
}

/** Whether `value` written plain after a key reads back as the same string. */
export function plainReadsBack(value: string): boolean {
    if (value === "" || /[\n\r]/.test(value) || value !== value.trim()) return false;
    const read = yamlValues(`k: ${value}\n`);
    return read.ok && read.data !== null && typeof read.data === "object" && (read.data as { k?: unknown }).k === value;
}

/** The service's data, a fresh copy; a UserError when the file has no such service. */
export function serviceValue(text: string, loc: ServiceLocation): Record<string, unknown> {
    const { doc, map } = locate(text, loc);
    return dataOf(doc, map) as Record<string, unknown>;
}

/** The whole data of the file with one service taken out: what must not change. */
export function dataWithoutService(text: string, loc: ServiceLocation): unknown {
    const doc = parseCached(text);
    if (doc instanceof Error) throw doc;
    // a fresh copy: the service is deleted from it
    const data = structuredClone(doc.data) as { config: Record<string, Record<string, unknown>> };
    delete data.config[servicesKey(loc.project)][loc.service];
    return data;
}

/** Fails loudly when an edit changed anything but what it meant to. */
function verify(before: string, after: string, loc: ServiceLocation, expected: Record<string, unknown>, what: string): string {
    const got = serviceValue(after, loc);
    if (!isDeepStrictEqual(got, expected) || !isDeepStrictEqual(dataWithoutService(before, loc), dataWithoutService(after, loc))) {
        throw new Error(`${loc.file}: editing ${what} of service ${loc.service} did not give the intended data; nothing was written (please report this file's shape)`);
    }
    return after;
}

/**
 * Sets `key` of the service to `value`. An existing scalar keeps its quoting and any comment on
 * its line; a missing key is inserted on its own line right after `after` (same indentation),
 * or at the end of the service when `after` is missing.
 */
export function setServiceKey(text: string, loc: ServiceLocation, key: string, value: ScalarValue, opts: { after?: string } = {}): string {
    const { doc, map } = locate(text, loc);
    const expected = { ...(dataOf(doc, map) as Record<string, unknown>), [key]: value };
    const pair = findPair(map, key);
    let result: string;
    if (pair) {
        const node = pair.value;
        if (node?.kind === "scalar" && valueAt(doc.data, node.path) === value) return text;
        if (node?.kind !== "scalar") {
            throw new UserError(`${loc.file}: ${servicesKey(loc.project)}.${loc.service}.${key} is not a single value; make it one (e.g. ${key}: ${renderScalar(value)})`, "ECONFIG");
        }
        const [start, end] = node.range;
        const rendered = renderScalar(value, node);
        // `key:` with no value: the value goes after the colon.
        result = start === end ? splice(text, start, end, ` ${rendered}`) : splice(text, start, end, rendered);
    } else {
        const anchor = opts.after === undefined ? undefined : findPair(map, opts.after);
        const like = anchor?.value?.kind === "scalar" ? anchor.value : undefined;
        const rendered = renderScalar(value, typeof value === "string" ? like : undefined);
        result = insertPair(text, map, anchor, `${key}: ${rendered}`);
    }
    return verify(text, result, loc, expected, key);
}

function insertPair(text: string, map: OMap, anchor: OPair | undefined, pairText: string): string {
    if (map.flow) {
        const last = anchor ?? map.items[map.items.length - 1];
        const end = last?.value?.range?.[1];
        if (end === undefined) throw new UserError(`cannot add "${pairText}" to a flow map {...} without values; write the service as a block map`, "ECONFIG");
        return splice(text, end, end, `, ${pairText}`);
    }
    const first = map.items[0].key;
    const indent = first.range[0] - lineStart(text, first.range[0]);
    let at: number;
    if (anchor?.value?.kind === "scalar") {
        at = afterLineEnd(text, anchor.value.range[1]);
    } else {
        at = map.range[1];
        if (at > 0 && text[at - 1] !== "\n") at = afterLineEnd(text, at);
    }
    const needsNewline = at === text.length && !text.endsWith("\n") && text.length > 0;
    return splice(text, at, at, `${needsNewline ? "\n" : ""}${" ".repeat(indent)}${pairText}\n`);
}

/**
 * Removes `key` from the service when it sits alone on its line(s) in a block map; otherwise
 * sets it to `fallback` (a flow map would need its commas rewritten).
 */
export function removeServiceKey(text: string, loc: ServiceLocation, key: string, fallback: ScalarValue): string {
    const { doc, map } = locate(text, loc);
    const pair = findPair(map, key);
    if (!pair) return text;
    const keyNode = pair.key;
    const value = pair.value;
    const start = lineStart(text, keyNode.range[0]);
    const blockMap = value?.kind === "map" && !value.flow;
    const aloneOnLine = !map.flow && text.slice(start, keyNode.range[0]).trim() === "" && (value?.kind === "scalar" || blockMap);
    if (!aloneOnLine) return setServiceKey(text, loc, key, fallback);
    // a block map (rerelease: with its keys on the lines below) goes with all of its lines
    const valueEnd = blockMap ? value.range[1] : 0;
    const end = blockMap
        ? text[valueEnd - 1] === "\n" ? valueEnd : afterLineEnd(text, valueEnd)
        : afterLineEnd(text, Math.max(value!.range![2] - 1, value!.range![1]));
    const expected = { ...(dataOf(doc, map) as Record<string, unknown>) };
    delete expected[key];
    return verify(text, splice(text, start, end, ""), loc, expected, key);
}

/** The service's data (plain JSON, secure values as `{secure: ...}`), or undefined when absent. */
export function readService(text: string, loc: ServiceLocation): Record<string, unknown> | undefined {
    try {
        return serviceValue(text, loc);
    } catch (e) {
        if (e instanceof UserError && e.code === "ENOSERVICE") return undefined;
        throw e;
    }
}

// ---------------------------------------------------------------------------------------------
// Re-applying a service's block from another version of the file (rollback)

type Path = readonly (string | number)[];

/** Every `{secure: ...}` value under a node, with its path (from the node) and the ciphertext scalar. */
function secureScalars(node: ONode | null, path: Path = []): { path: Path; scalar: OScalar }[] {
    if (node?.kind === "map") {
        const items = node.items;
        if (items.length === 1 && items[0].key.value === "secure" && items[0].value?.kind === "scalar") {
            return [{ path, scalar: items[0].value }];
        }
        return items.flatMap((p) => (p.key.value !== undefined ? secureScalars(p.value, [...path, p.key.value]) : []));
    }
    if (node?.kind === "seq") return node.items.flatMap((item, i) => secureScalars(item, [...path, i]));
    return [];
}

function setPath(value: Record<string, unknown>, path: Path, leaf: unknown): void {
    let v: Record<string | number, unknown> = value;
    for (const k of path.slice(0, -1)) v = v[k] as Record<string | number, unknown>;
    v[path[path.length - 1]] = leaf;
}

/** Where a service's block begins and ends, and the indentation of its keys. */
function blockRegion(text: string, located: Located): { start: number; end: number; indent: number; flow: boolean } {
    const value = located.map;
    const [vStart, , vEnd] = value.range;
    if (value.flow) return { start: vStart, end: value.range[1], indent: 0, flow: true };
    const keyEnd = located.pair.key.range[1];
    const start = afterLineEnd(text, keyEnd);
    return { start: Math.min(start, vStart), end: vEnd, indent: vStart - lineStart(text, vStart), flow: false };
}

function reindent(block: string, from: number, to: number): string | undefined {
    if (from === to) return block;
    const lines = block.split("\n");
    const out: string[] = [];
    for (const line of lines) {
        if (line.trim() === "") out.push(line);
        else if (to > from) out.push(" ".repeat(to - from) + line);
        else if (line.startsWith(" ".repeat(from - to))) out.push(line.slice(from - to));
        else return undefined;
    }
    return out.join("\n");
}

export interface ReapplyResult {
    readonly text: string;
    /** Paths (dotted) of secure values that kept the current ciphertext though the old one differed. */
    readonly keptSecrets: readonly string[];
    /** Paths of secure values restored from the old block (with includeSecrets, or absent now). */
    readonly restoredSecrets: readonly string[];
}

/**
 * Replaces the service's block in `current` with its block from `old` (another version of the
 * same file), byte for byte, comments included. `secure:` values keep the current ciphertext at
 * the same path unless `includeSecrets`; then `set` keys are applied (inserted after `version`
 * when missing). Nothing outside the service's block changes.
 */
export function reapplyServiceBlock(
    current: string,
    old: string,
    loc: ServiceLocation,
    opts: { includeSecrets?: boolean; set?: Record<string, ScalarValue> } = {},
): ReapplyResult {
    const cur = locate(current, loc);
    let oldLocated: Located;
    try {
        oldLocated = locate(old, loc);
    } catch (e) {
        throw new UserError(`${loc.file}: the earlier version of the file has no usable block for service ${loc.service}: ${(e as Error).message}`, "EHISTORY");
    }
    const curRegion = blockRegion(current, cur);
    const oldRegion = blockRegion(old, oldLocated);
    if (curRegion.flow !== oldRegion.flow) {
        throw new UserError(`${loc.file}: service ${loc.service} is written as a ${curRegion.flow ? "flow map {...}" : "block map"} now and the other way in the release to restore; write it as a block map and commit first`, "ECONFIG");
    }
    const block = reindent(old.slice(oldRegion.start, oldRegion.end), oldRegion.indent, curRegion.indent);
    if (block === undefined) {
        throw new UserError(`${loc.file}: service ${loc.service}'s block in the release to restore cannot be re-indented to the current indentation; indent the file as before and commit first`, "ECONFIG");
    }
    let text = splice(current, curRegion.start, curRegion.end, block);

    const expected = dataOf(oldLocated.doc, oldLocated.map) as Record<string, unknown>;
    const currentData = dataOf(cur.doc, cur.map) as Record<string, unknown>;
    const keptSecrets: string[] = [];
    const restoredSecrets: string[] = [];
    // Swap ciphertexts last-first so earlier ranges stay valid.
    const placed = locate(text, loc);
    const replacements: { range: [number, number]; text: string }[] = [];
    for (const { path, scalar } of secureScalars(placed.map)) {
        const now = valueAt(currentData, path) as { secure?: unknown } | undefined;
        const nowCipher = now && typeof now === "object" && typeof now.secure === "string" ? now.secure : undefined;
        const placedCipher = valueAt(placed.doc.data, scalar.path);
        const dotted = path.join(".");
        if (opts.includeSecrets || nowCipher === undefined) {
            if (nowCipher !== placedCipher) restoredSecrets.push(dotted);
            continue;
        }
        if (nowCipher === placedCipher) continue;
        const source = findSecureScalarSource(current, cur.map, path);
        if (source === undefined) continue;
        replacements.push({ range: [scalar.range[0], scalar.range[1]], text: source });
        setPath(expected, [...path, "secure"], nowCipher);
        keptSecrets.push(dotted);
    }
    for (const r of replacements.sort((a, b) => b.range[0] - a.range[0])) text = splice(text, r.range[0], r.range[1], r.text);
    text = verify(current, text, loc, expected, "the block");

    let anchor = "version";
    for (const [key, value] of Object.entries(opts.set ?? {})) {
        text = setServiceKey(text, loc, key, value, { after: anchor });
        anchor = key;
    }
    return { text, keptSecrets, restoredSecrets };
}

function findSecureScalarSource(text: string, map: OMap, path: Path): string | undefined {
    for (const { path: p, scalar } of secureScalars(map)) {
        if (p.length === path.length && p.every((k, i) => k === path[i])) return text.slice(scalar.range[0], scalar.range[1]);
    }
    return undefined;
}
