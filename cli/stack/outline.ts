/**
 * The outline of a stack file: its block maps, their keys and the byte ranges of every value,
 * as the stack editor (edit.ts, promote's copy-keys.ts) needs them to splice text. Two sources
 * give the same outline:
 *
 * - `lineOutline` reads the plain block style every stack file is written in (`pulumi config
 *   set` writes it, and so do people) line by line, without the `yaml` library, whose 72 modules
 *   and parse cost a release command ~25 ms. Anything outside that style (flow maps, block
 *   sequences and scalars, multi-line values, anchors, aliases, tags, quoted or non-string keys,
 *   tabs, CR line ends, several documents) makes it give up: it returns undefined.
 * - `outlineOf` in outline-yaml.ts converts the `yaml` library's Document, for every file.
 *
 * Where `lineOutline` answers, its ranges are the ones `yaml` gives (test/cli/outline.test.ts
 * checks this on thousands of generated files): `range` is [start, value end, node end], the
 * node end taking in what `yaml` takes in (a scalar's trailing comment and newline; the
 * comments after a block map that ends, when the first of them is indented at least as deep as
 * the map). Values themselves come from the data (js-yaml), by path.
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
    if (text.includes("\r") || text.includes("\t") || text.charCodeAt(0) === 0xfeff) return undefined;
    try {
        return new LineReader(text).document();
    } catch (e) {
        if (e === GIVE_UP) return undefined;
        throw e;
    }
}

class LineReader {
    private readonly lines: Line[] = [];

    constructor(private readonly text: string) {
        let start = 0;
        while (start < text.length) {
            let end = text.indexOf("\n", start);
            if (end < 0) end = text.length;
            let indent = 0;
            while (start + indent < end && text.charCodeAt(start + indent) === 32) indent++;
            const first = text[start + indent];
            const kind = start + indent === end ? "blank" : first === "#" ? "comment" : "content";
            this.lines.push({ start, end, indent, kind });
            start = end + 1;
        }
    }

    document(): OMap {
        const first = this.nextContent(0);
        if (first === undefined || this.lines[first].indent !== 0) giveUp();
        for (const line of this.lines) {
            if (line.kind === "content" && line.indent === 0 && /^(?:---|\.\.\.|%)/.test(this.text.slice(line.start, line.end))) giveUp();
        }
        const { map, next } = this.map(first, 0, []);
        if (next < this.lines.length) giveUp();
        return map;
    }

    private nextContent(from: number): number | undefined {
        for (let i = from; i < this.lines.length; i++) if (this.lines[i].kind === "content") return i;
        return undefined;
    }

    /** After a value: where the line ends, newline included. */
    private lineEnd(line: Line): number {
        return line.end < this.text.length ? line.end + 1 : line.end;
    }

    private map(from: number, indent: number, path: Path): { map: OMap; next: number } {
        const items: OPair[] = [];
        let i = from;
        // the line of the last value, when it was a one-line value
        let lastLine = -1;
        let lastEmpty = false;
        while (i < this.lines.length) {
            const line = this.lines[i];
            if (line.kind !== "content") {
                i++;
                continue;
            }
            if (line.indent < indent) break;
            if (line.indent > indent) giveUp();
            const keyStart = line.start + line.indent;
            const colon = this.keyColon(keyStart, line.end);
            const keyText = this.text.slice(keyStart, colon);
            if (!PLAIN_KEY.test(keyText) || NOT_STRING.test(keyText)) giveUp();
            // a key given twice is an error yaml words best
            if (items.some((it) => it.key.value === keyText)) giveUp();
            const key = { value: keyText, range: [keyStart, colon, colon] as Range };
            const childPath = [...path, keyText];
            let p = colon + 1;
            while (p < line.end && this.text.charCodeAt(p) === 32) p++;
            const j = this.nextContent(i + 1);
            if (p === line.end || this.text[p] === "#") {
                const below = j === undefined ? undefined : this.lines[j];
                if (below !== undefined && below.indent > line.indent) {
                    if (this.text[below.start + below.indent] === "-") giveUp();
                    const child = this.map(j!, below.indent, childPath);
                    items.push({ key, value: child.map });
                    i = child.next;
                    lastLine = -1;
                    lastEmpty = false;
                    continue;
                }
                if (below !== undefined && below.indent === line.indent && this.text[below.start + below.indent] === "-") giveUp();
                // `key:` with nothing after it (a comment after it or on the next lines is ranged
                // oddly: leave it to yaml)
                const note = this.firstNonBlank(i + 1, this.lines.length);
                if (p !== line.end || (note !== undefined && this.lines[note].kind === "comment")) giveUp();
                items.push({ key, value: { kind: "scalar", style: "PLAIN", range: [line.end, line.end, line.end], path: childPath } });
                i++;
                lastLine = i - 1;
                lastEmpty = true;
                continue;
            }
            if (j !== undefined && this.lines[j].indent > line.indent) giveUp();
            // comments right below, indented deeper than the key, belong to the value
            const taken = this.deeperComments(i, line.indent);
            const value = this.inlineValue(p, line, childPath, taken === i ? undefined : this.lineEnd(this.lines[taken]));
            items.push({ key, value });
            i = taken + 1;
            lastLine = taken;
            lastEmpty = false;
        }
        if (items.length === 0) giveUp();
        const last = items[items.length - 1].value!;
        const start = items[0].key.range[0];
        const valueEnd = last.range![2];
        let nodeEnd = valueEnd;
        // A map that ends takes in the comments after it when the first is indented at least as
        // deep as its keys: through the last of them and the next token's indentation.
        const after = i < this.lines.length ? i : undefined;
        // a map that ends in a map that took the comments in has none left to take
        const absorbed = last.kind === "map" && last.range[2] !== last.range[1];
        const fromLine = lastLine >= 0 ? lastLine + 1 : this.lineAt(valueEnd);
        const firstNote = absorbed ? undefined : this.firstNonBlank(fromLine, after ?? this.lines.length);
        // (the root map's comments after it are the document's)
        if (firstNote !== undefined && this.lines[firstNote].kind === "comment" && path.length > 0) {
            if (lastEmpty) giveUp();
            if (this.lines[firstNote].indent >= indent) {
                nodeEnd = after === undefined ? this.text.length : this.lines[after].start + this.lines[after].indent;
            }
        }
        return { map: { kind: "map", flow: false, range: [start, valueEnd, nodeEnd], items, path }, next: i };
    }

    /**
     * The last line of the comments right below line `i` (blank lines between them included)
     * that are indented deeper than `indent`; `i` when there are none.
     */
    private deeperComments(i: number, indent: number): number {
        let last = i;
        for (let k = i + 1; k < this.lines.length; k++) {
            const line = this.lines[k];
            if (line.kind === "content") break;
            if (line.kind === "comment") {
                if (line.indent <= indent) break;
                last = k;
            }
        }
        return last;
    }

    /** Index of the line that starts at `pos` (a value's end is a line start, or the text's end). */
    private lineAt(pos: number): number {
        for (let i = 0; i < this.lines.length; i++) if (this.lines[i].start >= pos) return i;
        return this.lines.length;
    }

    private firstNonBlank(from: number, to: number): number | undefined {
        for (let i = from; i < to; i++) if (this.lines[i].kind !== "blank") return i;
        return undefined;
    }

    /** Position of the colon that ends a key starting at `start`. */
    private keyColon(start: number, end: number): number {
        for (let p = start; p < end; p++) {
            if (this.text[p] === ":" && (p + 1 === end || this.text[p + 1] === " ")) return p;
        }
        return giveUp();
    }

    private inlineValue(p: number, line: Line, path: Path, nodeEnd?: number): ONode {
        const text = this.text;
        const c = text[p];
        let end: number;
        let node: "scalar" | "seq";
        let style: ScalarStyle = "PLAIN";
        let seqItems: OScalar[] = [];
        if (c === '"') {
            end = p + 1;
            while (end < line.end && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
            if (end >= line.end) giveUp();
            end++;
            node = "scalar";
            style = "QUOTE_DOUBLE";
        } else if (c === "'") {
            end = p + 1;
            for (;;) {
                if (end >= line.end) giveUp();
                if (text[end] === "'") {
                    if (text[end + 1] === "'") end += 2;
                    else break;
                } else end++;
            }
            end++;
            node = "scalar";
            style = "QUOTE_SINGLE";
        } else if (c === "[") {
            const seq = this.flowSeq(p, line.end, path);
            end = seq.end;
            seqItems = seq.items;
            node = "seq";
        } else {
            if (PLAIN_FIRST.has(c)) giveUp();
            const hash = text.indexOf(" #", p);
            end = hash >= 0 && hash < line.end ? hash : line.end;
            while (end > p && text.charCodeAt(end - 1) === 32) end--;
            const value = text.slice(p, end);
            if (value.includes(": ") || value.endsWith(":")) giveUp();
            node = "scalar";
        }
        const rest = text.slice(end, line.end);
        if (rest !== "" && !/^ +(?:#.*)?$/.test(rest)) giveUp();
        const range: Range = [p, end, nodeEnd ?? this.lineEnd(line)];
        if (node === "seq") return { kind: "seq", flow: true, range, items: seqItems, path };
        return { kind: "scalar", style, range, path };
    }

    /**
     * A one-line flow sequence of scalars (`[a, "b", 'c']`): its end and its items' ranges, or
     * give up.
     */
    private flowSeq(p: number, lineEnd: number, path: Path): { end: number; items: OScalar[] } {
        const text = this.text;
        const items: OScalar[] = [];
        let q = p + 1;
        const spaces = () => {
            while (q < lineEnd && text.charCodeAt(q) === 32) q++;
        };
        spaces();
        if (text[q] === "]") return { end: q + 1, items };
        for (;;) {
            spaces();
            if (q >= lineEnd) giveUp();
            const start = q;
            const c = text[q];
            let style: ScalarStyle = "PLAIN";
            let end: number;
            if (c === '"') {
                q++;
                while (q < lineEnd && text[q] !== '"') q += text[q] === "\\" ? 2 : 1;
                if (q >= lineEnd) giveUp();
                q++;
                end = q;
                style = "QUOTE_DOUBLE";
            } else if (c === "'") {
                q++;
                for (;;) {
                    if (q >= lineEnd) giveUp();
                    if (text[q] === "'") {
                        if (text[q + 1] === "'") q += 2;
                        else break;
                    } else q++;
                }
                q++;
                end = q;
                style = "QUOTE_SINGLE";
            } else {
                if (PLAIN_FIRST.has(c)) giveUp();
                while (q < lineEnd && text[q] !== "," && text[q] !== "]") {
                    const d = text[q];
                    if (d === "[" || d === "{" || d === "}" || d === "#") giveUp();
                    if (d === ":" && (q + 1 >= lineEnd || " ,]".includes(text[q + 1]))) giveUp();
                    q++;
                }
                end = q;
                while (end > start && text.charCodeAt(end - 1) === 32) end--;
            }
            spaces();
            if (q >= lineEnd || (text[q] !== "," && text[q] !== "]")) giveUp();
            items.push({ kind: "scalar", style, range: [start, end, q], path: [...path, items.length] });
            if (text[q] === "]") return { end: q + 1, items };
            q++;
            spaces();
            // an empty item or a trailing comma: leave it to yaml
            if (text[q] === "," || text[q] === "]") giveUp();
        }
    }
}

/** The node at `path` below `map` (keys only), or undefined. */
export function findPair(map: OMap, key: string): OPair | undefined {
    return map.items.find((p) => p.key.value === key);
}

export function mapAtKeys(root: OMap, keys: readonly string[]): OMap | undefined {
    let node: ONode | null | undefined = root;
    for (const k of keys) {
        if (node?.kind !== "map") return undefined;
        node = findPair(node, k)?.value;
    }
    return node?.kind === "map" ? node : undefined;
}
