import { isDeepStrictEqual } from "util";
import { UserError } from "../../config/errors";
import { dataWithoutService, locate, plainReadsBack, ServiceLocation, serviceValue, valueAt } from "../stack/edit";
import { findPair, OMap, ONode, OPair } from "../../config/yaml-outline";

/**
 * Byte-preserving copies of a service's keys from one stack file into another (promotion).
 * A key is copied as the lines it occupies in the source file (its comments on the same line
 * and its quoting included), re-indented to the target's indentation; a key the source lacks is
 * removed from the target; everything else in the target file stays byte for byte. Each edit is
 * verified by parsing: the service must hold exactly the intended data and the rest of the file
 * must not change, or nothing is written.
 */

type Path = readonly string[];

function serviceMap(text: string, loc: ServiceLocation): OMap {
    return locate(text, loc).map;
}

/** The map at `path` below the service (the service itself for []), or undefined. */
function mapAt(text: string, loc: ServiceLocation, path: Path): OMap | undefined {
    let map: OMap | undefined = serviceMap(text, loc);
    for (const key of path) {
        const value: ONode | null | undefined = map && findPair(map, key)?.value;
        map = value?.kind === "map" ? value : undefined;
    }
    return map;
}

const lineStart = (text: string, pos: number) => text.lastIndexOf("\n", pos - 1) + 1;
function afterLineEnd(text: string, pos: number): number {
    const eol = text.indexOf("\n", pos);
    return eol < 0 ? text.length : eol + 1;
}

/** The whole lines a pair occupies: from its key's line to the end of its value (trailing comment and newline included). */
function pairRegion(text: string, pair: OPair, file: string): { start: number; end: number; indent: number } {
    const keyStart = pair.key.range[0];
    const start = lineStart(text, keyStart);
    if (text.slice(start, keyStart).trim() !== "") throw new UserError(`${file}: ${String(pair.key.value)} does not start its own line; write the service as a block map`, "ECONFIG");
    const value = pair.value;
    const end0 = value?.range ? value.range[2] : pair.key.range[2];
    const end = end0 > 0 && text[end0 - 1] === "\n" ? end0 : afterLineEnd(text, end0);
    return { start, end, indent: keyStart - start };
}

function reindent(block: string, from: number, to: number): string {
    if (from === to) return block;
    return block
        .split("\n")
        .map((line) => {
            if (line.trim() === "") return line;
            if (to > from) return " ".repeat(to - from) + line;
            const cut = Math.min(from - to, line.length - line.trimStart().length);
            return line.slice(cut);
        })
        .join("\n");
}

function keyIndentOf(text: string, map: OMap): number {
    const first = map.items[0].key;
    return first.range[0] - lineStart(text, first.range[0]);
}

function withPath(value: Record<string, unknown>, path: Path, leaf: unknown): Record<string, unknown> {
    const copy = structuredClone(value);
    let v: Record<string, unknown> = copy;
    for (const k of path.slice(0, -1)) v = v[k] as Record<string, unknown>;
    const last = path[path.length - 1];
    if (leaf === undefined) delete v[last];
    else v[last] = structuredClone(leaf);
    return copy;
}

/**
 * Puts `lines` (a key and its value, indented from column 0) at `path` in the target's service:
 * in place of the key's lines when it is there, else after the pair `after` names (or at the
 * end of the parent map). `lines` undefined removes the key's lines.
 */
function placeLines(text: string, loc: ServiceLocation, path: Path, lines: string | undefined, after: readonly string[]): string {
    const parent = mapAt(text, loc, path.slice(0, -1));
    if (!parent) throw new Error(`${loc.file}: ${path.slice(0, -1).join(".")} of ${loc.service} is not a map`);
    if (parent.flow) throw new UserError(`${loc.file}: ${loc.service}.${path.slice(0, -1).join(".") || "(service)"} is a flow map {...}; write it as a block map to promote into it`, "ECONFIG");
    const indent = keyIndentOf(text, parent);
    const key = path[path.length - 1];
    const existing = findPair(parent, key);
    const insert = lines === undefined ? "" : reindent(lines, 0, indent);
    if (existing) {
        const region = pairRegion(text, existing, loc.file);
        return text.slice(0, region.start) + insert + text.slice(region.end);
    }
    if (lines === undefined) return text;
    const anchor = after.map((k) => findPair(parent, k)).find((p) => p !== undefined) ?? parent.items[parent.items.length - 1];
    const at = pairRegion(text, anchor, loc.file).end;
    const newline = at === text.length && !text.endsWith("\n") ? "\n" : "";
    return text.slice(0, at) + newline + insert + text.slice(at);
}

function verify(before: string, after: string, loc: ServiceLocation, expected: Record<string, unknown>, what: string): string {
    if (!isDeepStrictEqual(serviceValue(after, loc), expected) || !isDeepStrictEqual(dataWithoutService(before, loc), dataWithoutService(after, loc))) {
        throw new Error(`${loc.file}: copying ${what} of service ${loc.service} did not give the intended data; nothing was written (please report this file's shape)`);
    }
    return after;
}

function hasSecure(value: unknown): boolean {
    if (value === null || typeof value !== "object") return false;
    if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return true;
    return Object.values(value as object).some(hasSecure);
}

/**
 * Copies the value at `path` of the service from `source` (another stack file) into `target`:
 * the source's lines, re-indented; removed from the target when the source has none. `after`
 * names the keys (in order of preference) a key the target lacks is inserted after.
 */
export function copyServiceKey(target: string, source: string, loc: ServiceLocation, sourceLoc: ServiceLocation, path: Path, after: readonly string[] = []): string {
    const sourceParent = mapAt(source, sourceLoc, path.slice(0, -1));
    const sourcePair = sourceParent && findPair(sourceParent, path[path.length - 1]);
    const sourceValue = valueAt(serviceValue(source, sourceLoc), path);
    if (hasSecure(sourceValue)) {
        throw new UserError(`${sourceLoc.file}: ${sourceLoc.service}.${path.join(".")} holds a secure: value, encrypted for that stack only; it cannot be copied into ${loc.file}`, "ESECRET");
    }
    let lines: string | undefined;
    if (sourcePair) {
        const region = pairRegion(source, sourcePair, sourceLoc.file);
        lines = reindent(source.slice(region.start, region.end), region.indent, 0);
    }
    const expected = withPath(serviceValue(target, loc), path, sourceValue);
    return verify(target, placeLines(target, loc, path, lines, after), loc, expected, path.join("."));
}

/** A value written plain when it reads back as the same string, else double-quoted. */
function scalarText(value: string): string {
    if (value === "" || value !== value.trim() || /[\n\r#:]/.test(value)) return JSON.stringify(value);
    return plainReadsBack(value) ? value : JSON.stringify(value);
}

/** How far the service's nested maps indent their keys (2 when it has none). */
function nestedStep(text: string, service: OMap): number {
    const own = keyIndentOf(text, service);
    for (const pair of service.items) {
        if (pair.value?.kind === "map" && !pair.value.flow && pair.value.items.length > 0) return keyIndentOf(text, pair.value) - own;
    }
    return 2;
}

/** Sets a top-level key of the service to a small map of plain values, written as a block. */
export function setServiceMap(target: string, loc: ServiceLocation, key: string, value: Record<string, string>, after: readonly string[]): string {
    const step = nestedStep(target, serviceMap(target, loc));
    const lines = `${key}:\n${Object.entries(value)
        .map(([k, v]) => `${" ".repeat(step)}${k}: ${scalarText(v)}\n`)
        .join("")}`;
    const expected = withPath(serviceValue(target, loc), [key], value);
    return verify(target, placeLines(target, loc, [key], lines, after), loc, expected, key);
}
