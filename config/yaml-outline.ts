/**
 * A stack file (or Pulumi.yaml) read line by line: its data, and its outline (its block maps,
 * their keys and the byte ranges of every value, as the stack editor, cli/stack/edit.ts and
 * promote's copy-keys.ts, needs them to splice text).
 *
 * `lineDocument` reads the plain block style every stack file is written in (`pulumi config
 * set` writes it, and so do people) without a YAML library: js-yaml costs a command ~8 ms to
 * load and warm up, the `yaml` library's 72 modules ~25 ms. That style: block maps, plain and
 * quoted one-line scalars, one-line flow lists of scalars, `{}`, block sequences of one-line
 * items (at the key's indentation, as pulumi writes them, or deeper), comments. Anything else
 * (flow maps with keys, block scalars, multi-line values, anchors, aliases, tags, quoted or
 * non-string keys, escapes JSON does not have, comments among a sequence's items, tabs, CR line
 * ends, control characters, surrogates, several documents) makes it give up: it returns
 * undefined, and the caller reads the text with js-yaml (config/yaml-values.ts) or `yaml`
 * (cli/stack/outline-yaml.ts).
 *
 * Where it answers, test/config/yaml-outline.test.ts checks on thousands of generated files
 * that the data is js-yaml's (core schema: YAML 1.2, as the loader reads stack files) and the
 * ranges are the `yaml` library's: `range` is [start, value end, node end], the node end taking
 * in what `yaml` takes in (a scalar's trailing comment and newline and the comments right below
 * it indented deeper than its key; the comments after a block map that ends, when the first of
 * them is indented at least as deep as the map's keys).
 */

export type Range = readonly [number, number, number];
export type Path = readonly (string | number)[];

export type ScalarStyle = "PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE" | "BLOCK";

export interface OScalar {
    readonly kind: "scalar";
    readonly style: ScalarStyle;
    readonly range: Range;
    readonly path: Path;
}

export interface OMap {
    readonly kind: "map";
    readonly flow: boolean;
    readonly range: Range;
    readonly items: readonly OPair[];
    readonly path: Path;
}

export interface OSeq {
    readonly kind: "seq";
    readonly flow: boolean;
    readonly range: Range;
    readonly items: readonly ONode[];
    readonly path: Path;
}

/** An alias (`*name`), or what the source could not place. */
export interface OOther {
    readonly kind: "other";
    readonly range?: Range;
    readonly path: Path;
}

export type ONode = OScalar | OMap | OSeq | OOther;

export interface OPair {
    /** The key's value when it is a string (`undefined` for any other key: no lookup matches it). */
    readonly key: { readonly value: string | undefined; readonly range: Range };
    /** null for a pair without a value node (`{a}` in a flow map). */
    readonly value: ONode | null;
}

interface Line {
    readonly start: number;
    /** Position of the line's newline (or the end of the text). */
    readonly end: number;
    readonly indent: number;
    readonly kind: "blank" | "comment" | "content";
}

const GIVE_UP = Symbol("outline: not plain block style");

function giveUp(): never {
    throw GIVE_UP;
}

/** Keys the editor can name: plain, and a string in YAML 1.2's core schema. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.\/-]*(?::[A-Za-z0-9_.\/-]+)*$/;
const NOT_STRING = /^(?:true|True|TRUE|false|False|FALSE|null|Null|NULL)$/;
/** First characters a plain value may not start with here (indicators, or styles the reader leaves to `yaml`). */
const PLAIN_FIRST = new Set(["&", "*", "!", "|", ">", "%", "@", "`", "{", "}", "[", "]", ",", "#", "?", ":", "-"]);

/** The outline of `text` when it is in plain block style, else undefined. */
export function lineOutline(text: string): OMap | undefined {
    return lineDocument(text)?.root;
}

/** Characters js-yaml refuses or treats specially, tabs, CR, line and paragraph separators, surrogates: left to it. */
const UNREAD = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\uFEFF\uFFFE\uFFFF\uD800-\uDFFF]/;

/** The data and outline of `text` when it is in plain block style, else undefined. */
export function lineDocument(text: string): { readonly root: OMap; readonly data: Record<string, unknown> } | undefined {
    if (UNREAD.test(text)) return undefined;
    try {
        return new LineReader(text).document();
    } catch (e) {
        if (e === GIVE_UP) return undefined;
        throw e;
    }
}

/** Deeper than this is left to js-yaml, whose limit (and message) applies. */
const MAX_DEPTH = 50;

class LineReader {
    /** The lines split so far: split as the reader gets to them, so a file it gives up on early costs little. */
    private readonly lines: Line[] = [];
    private scanned = 0;

    constructor(private readonly text: string) {}

    /** Line `i`, or undefined past the last. */
    private line(i: number): Line | undefined {
        const text = this.text;
        while (this.lines.length <= i && this.scanned < text.length) {
            const start = this.scanned;
            let end = text.indexOf("\n", start);
            if (end < 0) end = text.length;
            let indent = 0;
            while (start + indent < end && text.charCodeAt(start + indent) === 32) indent++;
            const first = text[start + indent];
            const kind = start + indent === end ? "blank" : first === "#" ? "comment" : "content";
            this.lines.push({ start, end, indent, kind });
            this.scanned = end + 1;
        }
        return this.lines[i];
    }

    document(): { root: OMap; data: Record<string, unknown> } {
        // several documents, directives: js-yaml's
        if (/^(?:---|\.\.\.|%)/m.test(this.text)) giveUp();
        const first = this.nextContent(0);
        if (first === undefined || this.line(first)!.indent !== 0) giveUp();
        const { map, next, data } = this.map(first, 0, []);
        if (this.line(next) !== undefined) giveUp();
        return { root: map, data };
    }

    private nextContent(from: number): number | undefined {
        for (let i = from; this.line(i) !== undefined; i++) if (this.lines[i].kind === "content") return i;
        return undefined;
    }

    /** After a value: where the line ends, newline included. */
    private lineEnd(line: Line): number {
        return line.end < this.text.length ? line.end + 1 : line.end;
    }

    /**
     * The block map whose keys start at line `from` with `indent` spaces. `next`: the first line
     * after it; `afterValues`: the first line after its last value (its trailing comments begin there).
     */
    private map(from: number, indent: number, path: Path): { map: OMap; next: number; afterValues: number; data: Record<string, unknown> } {
        if (path.length > MAX_DEPTH) giveUp();
        const items: OPair[] = [];
        const data: Record<string, unknown> = {};
        let i = from;
        // the first line after the last value, and whether that value was empty
        let afterValues = from;
        let lastEmpty = false;
        for (;;) {
            const line = this.line(i);
            if (line === undefined) break;
            if (line.kind !== "content") {
                i++;
                continue;
            }
            if (line.indent < indent) break;
            if (line.indent > indent) giveUp();
            const keyStart = line.start + line.indent;
            const colon = this.keyColon(keyStart, line.end);
            const keyText = this.text.slice(keyStart, colon);
            if (!PLAIN_KEY.test(keyText) || NOT_STRING.test(keyText) || keyText === "__proto__") giveUp();
            // a key given twice is an error yaml words best
            if (Object.prototype.hasOwnProperty.call(data, keyText)) giveUp();
            const key = { value: keyText, range: [keyStart, colon, colon] as Range };
            const childPath = [...path, keyText];
            let p = colon + 1;
            while (p < line.end && this.text.charCodeAt(p) === 32) p++;
            const j = this.nextContent(i + 1);
            if (p === line.end || this.text[p] === "#") {
                const below = j === undefined ? undefined : this.lines[j];
                // a block sequence (indented, or at the key's own indentation) or a nested map
                const dash = below !== undefined && below.indent >= line.indent && this.isItem(below);
                if (dash && p !== line.end) giveUp();
                const child = dash ? this.seq(j!, below.indent, childPath) : below !== undefined && below.indent > line.indent ? this.map(j!, below.indent, childPath) : undefined;
                if (child !== undefined) {
                    items.push({ key, value: "seq" in child ? child.seq : child.map });
                    data[keyText] = child.data;
                    i = child.next;
                    afterValues = child.afterValues;
                    lastEmpty = false;
                    continue;
                }
                // `key:` with nothing after it (a comment after it or on the next lines is ranged
                // oddly: leave it to yaml)
                const note = this.firstNonBlank(i + 1);
                if (p !== line.end || (note !== undefined && this.lines[note].kind === "comment")) giveUp();
                items.push({ key, value: { kind: "scalar", style: "PLAIN", range: [line.end, line.end, line.end], path: childPath } });
                data[keyText] = null;
                i++;
                afterValues = i;
                lastEmpty = true;
                continue;
            }
            if (j !== undefined && this.lines[j].indent > line.indent) giveUp();
            // comments right below, indented deeper than the key, belong to the value
            const taken = this.deeperComments(i, line.indent);
            const value = this.inlineValue(p, line, childPath, taken === i ? undefined : this.lineEnd(this.lines[taken]));
            items.push({ key, value: value.node });
            data[keyText] = value.data;
            i = taken + 1;
            afterValues = i;
            lastEmpty = false;
        }
        if (items.length === 0) giveUp();
        const last = items[items.length - 1].value!;
        const range = this.collectionRange(items[0].key.range[0], last, afterValues, i, indent, lastEmpty, path.length === 0);
        return { map: { kind: "map", flow: false, range, items, path }, next: i, afterValues, data };
    }

    /**
     * A block sequence whose dashes start at line `from` with `indent` spaces: items on one line
     * each (scalars, one-line flow lists, `{}`); anything nested gives up. It ends at a line
     * indented less, or at a key on its own indentation (the compact style pulumi writes).
     */
    private seq(from: number, indent: number, path: Path): { seq: OSeq; next: number; afterValues: number; data: unknown[] } {
        if (path.length > MAX_DEPTH) giveUp();
        const items: ONode[] = [];
        const data: unknown[] = [];
        let i = from;
        for (;;) {
            const line = this.line(i);
            if (line === undefined) break;
            // yaml ranges the comments among and after a sequence's items its own way: leave them to it
            if (line.kind === "comment") giveUp();
            if (line.kind === "blank") {
                i++;
                continue;
            }
            if (line.indent < indent) break;
            if (line.indent > indent) giveUp();
            if (!this.isItem(line)) break;
            let p = line.start + line.indent + 1;
            while (p < line.end && this.text.charCodeAt(p) === 32) p++;
            const j = this.nextContent(i + 1);
            // a nested, continued, empty or commented-out item
            if ((j !== undefined && this.lines[j].indent > line.indent) || p === line.end || this.text[p] === "#") giveUp();
            const value = this.inlineValue(p, line, [...path, items.length]);
            items.push(value.node);
            data.push(value.data);
            i++;
        }
        if (items.length === 0) giveUp();
        const first = this.lines[from];
        const last = items[items.length - 1];
        const valueEnd = last.range![2];
        return { seq: { kind: "seq", flow: false, range: [first.start + first.indent, valueEnd, valueEnd], items, path }, next: i, afterValues: i, data };
    }

    /** Whether a content line is a block sequence item (`- x`, or `-` alone). */
    private isItem(line: Line): boolean {
        const at = line.start + line.indent;
        return this.text[at] === "-" && (at + 1 === line.end || this.text[at + 1] === " ");
    }

    /**
     * A block collection's range: from `start` to its last value's end; a collection that ends
     * takes in the comments after it when the first is indented at least as deep as its items:
     * through the last of them and the next token's indentation. (The root map's comments after
     * it are the document's.)
     */
    private collectionRange(start: number, last: ONode, afterValues: number, next: number, indent: number, lastEmpty: boolean, root: boolean): Range {
        const valueEnd = last.range![2];
        const after = this.line(next) !== undefined ? next : undefined;
        // a collection that ends in a map that took the comments in has none left to take
        const absorbed = (last.kind === "map" || last.kind === "seq") && !last.flow && last.range[2] !== last.range[1];
        const firstNote = absorbed ? undefined : this.firstNonBlank(afterValues, after);
        if (firstNote === undefined || this.lines[firstNote].kind !== "comment" || root) return [start, valueEnd, valueEnd];
        if (lastEmpty) giveUp();
        if (this.lines[firstNote].indent < indent) return [start, valueEnd, valueEnd];
        return [start, valueEnd, after === undefined ? this.text.length : this.lines[after].start + this.lines[after].indent];
    }

    /**
     * The last line of the comments right below line `i` (blank lines between them included)
     * that are indented deeper than `indent`; `i` when there are none.
     */
    private deeperComments(i: number, indent: number): number {
        let last = i;
        for (let k = i + 1; ; k++) {
            const line = this.line(k);
            if (line === undefined) break;
            if (line.kind === "content") break;
            if (line.kind === "comment") {
                if (line.indent <= indent) break;
                last = k;
            }
        }
        return last;
    }

    /** The first line from `from` (before `to`, when given) that is not blank. */
    private firstNonBlank(from: number, to?: number): number | undefined {
        for (let i = from; (to === undefined || i < to) && this.line(i) !== undefined; i++) if (this.lines[i].kind !== "blank") return i;
        return undefined;
    }

    /** Position of the colon that ends a key starting at `start`. */
    private keyColon(start: number, end: number): number {
        for (let p = start; p < end; p++) {
            if (this.text[p] === ":" && (p + 1 === end || this.text[p + 1] === " ")) return p;
        }
        return giveUp();
    }

    private inlineValue(p: number, line: Line, path: Path, nodeEnd?: number): { node: ONode; data: unknown } {
        const text = this.text;
        const c = text[p];
        let end: number;
        let style: ScalarStyle = "PLAIN";
        let seq: { end: number; items: OScalar[]; data: unknown[] } | undefined;
        let emptyMap = false;
        let data: unknown;
        if (c === '"' || c === "'") {
            end = quotedEnd(text, p, line.end);
            style = c === '"' ? "QUOTE_DOUBLE" : "QUOTE_SINGLE";
            data = quotedValue(text.slice(p, end));
        } else if (c === "[") {
            seq = this.flowSeq(p, line.end, path);
            end = seq.end;
            data = seq.data;
        } else if (c === "{") {
            // only `{}`: a flow map with keys is left to yaml
            if (text[p + 1] !== "}") giveUp();
            end = p + 2;
            emptyMap = true;
            data = {};
        } else {
            if (PLAIN_FIRST.has(c) && !(c === "-" && p + 1 < line.end && text[p + 1] !== " ")) giveUp();
            // a comment starts at " #" on this line (searched within the line: the text may have none)
            const hash = text.slice(p, line.end).indexOf(" #");
            end = hash >= 0 ? p + hash : line.end;
            while (end > p && text.charCodeAt(end - 1) === 32) end--;
            const value = text.slice(p, end);
            if (value.includes(": ") || value.endsWith(":")) giveUp();
            data = plainValue(value);
        }
        const rest = text.slice(end, line.end);
        if (rest !== "" && !/^ +(?:#.*)?$/.test(rest)) giveUp();
        const range: Range = [p, end, nodeEnd ?? this.lineEnd(line)];
        if (seq !== undefined) return { node: { kind: "seq", flow: true, range, items: seq.items, path }, data };
        if (emptyMap) return { node: { kind: "map", flow: true, range, items: [], path }, data };
        return { node: { kind: "scalar", style, range, path }, data };
    }

    /**
     * A one-line flow sequence of scalars (`[a, "b", 'c']`): its end and its items' ranges, or
     * give up.
     */
    private flowSeq(p: number, lineEnd: number, path: Path): { end: number; items: OScalar[]; data: unknown[] } {
        const text = this.text;
        const items: OScalar[] = [];
        const data: unknown[] = [];
        let q = p + 1;
        const spaces = () => {
            while (q < lineEnd && text.charCodeAt(q) === 32) q++;
        };
        spaces();
        if (text[q] === "]") return { end: q + 1, items, data };
        for (;;) {
            spaces();
            if (q >= lineEnd) giveUp();
            const start = q;
            const c = text[q];
            let style: ScalarStyle = "PLAIN";
            let end: number;
            if (c === '"' || c === "'") {
                end = q = quotedEnd(text, q, lineEnd);
                style = c === '"' ? "QUOTE_DOUBLE" : "QUOTE_SINGLE";
                data.push(quotedValue(text.slice(start, end)));
            } else {
                if (PLAIN_FIRST.has(c) && !(c === "-" && q + 1 < lineEnd && !" ,]".includes(text[q + 1]))) giveUp();
                while (q < lineEnd && text[q] !== "," && text[q] !== "]") {
                    const d = text[q];
                    if (d === "[" || d === "{" || d === "}" || d === "#") giveUp();
                    if (d === ":" && (q + 1 >= lineEnd || " ,]".includes(text[q + 1]))) giveUp();
                    q++;
                }
                end = q;
                while (end > start && text.charCodeAt(end - 1) === 32) end--;
                data.push(plainValue(text.slice(start, end)));
            }
            spaces();
            if (q >= lineEnd || (text[q] !== "," && text[q] !== "]")) giveUp();
            items.push({ kind: "scalar", style, range: [start, end, q], path: [...path, items.length] });
            if (text[q] === "]") return { end: q + 1, items, data };
            q++;
            spaces();
            // an empty item or a trailing comma: leave it to yaml
            if (text[q] === "," || text[q] === "]") giveUp();
        }
    }
}

/** The end of a one-line quoted scalar starting at `p` (after its closing quote), or give up. */
function quotedEnd(text: string, p: number, lineEnd: number): number {
    let q = p + 1;
    if (text[p] === '"') {
        while (q < lineEnd && text[q] !== '"') q += text[q] === "\\" ? 2 : 1;
        if (q >= lineEnd) giveUp();
        return q + 1;
    }
    for (;;) {
        if (q >= lineEnd) giveUp();
        if (text[q] === "'") {
            if (text[q + 1] === "'") q += 2;
            else return q + 1;
        } else q++;
    }
}

/** Escapes a double-quoted YAML scalar shares with JSON (others are left to js-yaml). */
const JSON_ESCAPES = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/g;

function quotedValue(source: string): string {
    if (source[0] === "'") return source.slice(1, -1).replace(/''/g, "'");
    if (source.replace(JSON_ESCAPES, "").includes("\\")) giveUp();
    try {
        return JSON.parse(source) as string;
    } catch {
        return giveUp();
    }
}

const INT = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9]+)$/;
const FLOAT = /^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** A plain scalar's value in YAML 1.2's core schema, as js-yaml resolves it. */
function plainValue(source: string): unknown {
    if (source === "" || source === "~" || source === "null" || source === "Null" || source === "NULL") return null;
    if (source === "true" || source === "True" || source === "TRUE") return true;
    if (source === "false" || source === "False" || source === "FALSE") return false;
    if (INT.test(source)) {
        let value = source;
        let sign = 1;
        if (value[0] === "-" || value[0] === "+") {
            if (value[0] === "-") sign = -1;
            value = value.slice(1);
        }
        const n = value.startsWith("0o") ? sign * parseInt(value.slice(2), 8) : value.startsWith("0x") ? sign * parseInt(value.slice(2), 16) : sign * parseInt(value, 10);
        if (Number.isFinite(n)) return n;
    }
    if (FLOAT.test(source)) {
        let value = source.toLowerCase();
        const sign = value[0] === "-" ? -1 : 1;
        if ("+-".includes(value[0])) value = value.slice(1);
        if (value === ".inf") return sign === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
        if (value === ".nan") return NaN;
        const n = sign * parseFloat(value);
        if (Number.isFinite(n) || FLOAT_SPECIAL.test(source)) return n;
    }
    return source;
}

export function findPair(map: OMap, key: string): OPair | undefined {
    return map.items.find((p) => p.key.value === key);
}
