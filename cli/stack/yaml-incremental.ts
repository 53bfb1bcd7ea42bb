import { Document, isAlias, isCollection, isMap, isPair, isScalar, isSeq, Node, parseDocument, Scalar, visit } from "yaml";

/**
 * Reads many successive versions of one YAML file (a stack file through its git history) at a
 * fraction of the cost of parsing each: the `yaml` library needs ~0.7 ms per 3 KB document,
 * which is 0.7 s for 1,000 releases before any other work.
 *
 * The first version is parsed in full. For each following version, when the only differences
 * are lines whose one-line value changed (`version: 2.4.1` → `version: 2.4.2`, or a one-line
 * flow list such as `downgradeCommand: [migrate, down, --to, 2.4.1]`) or comment lines, the
 * changed lines are parsed on their own and patched into the data; anything else (a line added
 * or removed, a key renamed, a new nested value, anchors in the file) falls back to a full
 * parse. The result is always what `parseDocument(text).toJS()` gives: the base is a full parse,
 * and a patched line must re-parse, alone, to one plain or quoted scalar, or one flow collection
 * of such scalars, that starts at the same column after the same key.
 */

type Path = (string | number)[];

interface LineScalar {
    readonly path: Path;
    /** Column where the value starts; everything before it (indent, key, `: `, tag) must stay. */
    readonly valueStart: number;
    readonly kind: "pair" | "item";
}

export type ReadResult = { readonly ok: true; readonly data: unknown; readonly full: boolean } | { readonly ok: false; readonly error: string };

const FLOW_SCALARS = new Set<string>([Scalar.PLAIN, Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE]);
const COMMENT_OR_BLANK = /^\s*(?:#.*)?$/;

export class IncrementalYaml {
    private lines: string[] | undefined;
    private data: unknown;
    private scalars = new Map<number, LineScalar>();
    /** Lines holding only a comment or nothing, outside any multi-line scalar. */
    private free = new Set<number>();
    private patchable = false;
    /** Counters, for the benchmark and tests. */
    readonly stats = { full: 0, patched: 0 };

    /**
     * The data of `text`. The returned object is shared and changes on the next call: copy what
     * you keep.
     */
    read(text: string): ReadResult {
        const lines = text.split("\n");
        if (this.patchable && this.lines !== undefined && lines.length === this.lines.length && this.patch(lines)) {
            this.stats.patched++;
            return { ok: true, data: this.data, full: false };
        }
        return this.parseFull(text, lines);
    }

    private parseFull(text: string, lines: string[]): ReadResult {
        this.stats.full++;
        const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
        if (doc.errors.length > 0) return { ok: false, error: doc.errors[0].message.split("\n")[0] };
        this.lines = lines;
        this.data = doc.toJS();
        this.index(doc, lines);
        return { ok: true, data: this.data, full: true };
    }

    /** Records which lines hold exactly one patchable scalar, and which are free comment lines. */
    private index(doc: Document.Parsed, lines: string[]): void {
        this.scalars = new Map();
        this.free = new Set();
        const starts: number[] = [];
        let at = 0;
        for (const line of lines) {
            starts.push(at);
            at += line.length + 1;
        }
        const lineOf = (pos: number) => {
            let lo = 0;
            let hi = starts.length - 1;
            while (lo < hi) {
                const mid = (lo + hi + 1) >> 1;
                if (starts[mid] <= pos) lo = mid;
                else hi = mid - 1;
            }
            return lo;
        };
        let anchors = false;
        const nodesOnLine = new Map<number, number>();
        const covered = new Set<number>();
        visit(doc, {
            Node(_, node, ancestors) {
                if (isAlias(node) || (node as Node).anchor) anchors = true;
                const range = (node as Node).range;
                if (!range) return;
                // A block collection starts on its first key's line and adds nothing there; what
                // counts is every scalar, alias and flow collection outside a flow collection
                // (a flow collection counts once, with everything inside it).
                if (isCollection(node) && !node.flow) return;
                if (ancestors.some((a) => isCollection(a) && a.flow)) return;
                const first = lineOf(range[0]);
                const last = lineOf(Math.max(range[0], range[1] - 1));
                nodesOnLine.set(first, (nodesOnLine.get(first) ?? 0) + 1);
                for (let l = first; l <= last; l++) covered.add(l);
            },
        });
        this.patchable = !anchors;
        if (anchors) return;

        const walk = (node: unknown, path: Path) => {
            if (isMap(node)) {
                for (const pair of node.items) {
                    if (!isPair(pair) || !isScalar(pair.key)) continue;
                    const childPath = [...path, String(pair.key.value)];
                    if (isOneLineValue(pair.value)) this.consider(pair.value, pair.key, childPath, "pair", lineOf, nodesOnLine, starts);
                    else walk(pair.value, childPath);
                }
            } else if (isSeq(node)) {
                node.items.forEach((item, i) => {
                    if (isOneLineValue(item)) this.consider(item, undefined, [...path, i], "item", lineOf, nodesOnLine, starts);
                    else walk(item, [...path, i]);
                });
            }
        };
        walk(doc.contents, []);
        lines.forEach((line, i) => {
            if (!covered.has(i) && COMMENT_OR_BLANK.test(line)) this.free.add(i);
        });
    }

    private consider(
        value: Node,
        key: Scalar | undefined,
        path: Path,
        kind: "pair" | "item",
        lineOf: (pos: number) => number,
        nodesOnLine: Map<number, number>,
        starts: number[],
    ): void {
        if (!value.range || value.range[0] === value.range[1]) return;
        const line = lineOf(value.range[0]);
        if (lineOf(value.range[1] - 1) !== line) return;
        if (key && (!key.range || lineOf(key.range[0]) !== line)) return;
        // No tag, anchor or alias before the value: a tag (`!!binary`) changes what a value reads as.
        if (/[!&*]/.test(this.lines![line].slice(0, value.range[0] - starts[line]))) return;
        // The key, the value, and for an item nothing else may start on this line.
        if ((nodesOnLine.get(line) ?? 0) !== (key ? 2 : 1)) return;
        this.scalars.set(line, { path, valueStart: value.range[0] - starts[line], kind });
    }

    private patch(lines: string[]): boolean {
        const old = this.lines!;
        const changes: { path: Path; value: unknown }[] = [];
        for (let i = 0; i < lines.length; i++) {
            if (lines[i] === old[i]) continue;
            if (this.free.has(i) && COMMENT_OR_BLANK.test(lines[i])) continue;
            const info = this.scalars.get(i);
            if (!info) return false;
            const value = readLineScalar(lines[i], old[i], info);
            if (value === NOT_PATCHABLE) return false;
            changes.push({ path: info.path, value });
        }
        for (const change of changes) setPath(this.data, change.path, change.value);
        this.lines = lines;
        return true;
    }
}

const NOT_PATCHABLE = Symbol("not patchable");

/** The value of a changed line, when it is the same key with one flow scalar; else NOT_PATCHABLE. */
function readLineScalar(line: string, oldLine: string, info: LineScalar): unknown {
    if (line.slice(0, info.valueStart) !== oldLine.slice(0, info.valueStart)) return NOT_PATCHABLE;
    const indent = line.length - line.trimStart().length;
    if (indent > info.valueStart) return NOT_PATCHABLE;
    const fast = simpleValue(line.slice(info.valueStart));
    if (fast !== NOT_SIMPLE) return fast;
    const doc = parseDocument(line.slice(indent), { prettyErrors: false });
    if (doc.errors.length > 0) return NOT_PATCHABLE;
    const contents = doc.contents;
    let node: unknown;
    if (info.kind === "pair") {
        if (!isMap(contents) || contents.flow || contents.items.length !== 1) return NOT_PATCHABLE;
        node = contents.items[0].value;
    } else {
        if (!isSeq(contents) || contents.flow || contents.items.length !== 1) return NOT_PATCHABLE;
        node = contents.items[0];
    }
    if (!isOneLineValue(node) || !node.range) return NOT_PATCHABLE;
    if (node.range[0] === node.range[1] || node.range[0] + indent !== info.valueStart) return NOT_PATCHABLE;
    return node.toJS(doc);
}

const NOT_SIMPLE = Symbol("not simple");

/** A plain token: no spaces, quotes, flow indicators, comment or anchor/alias/tag marks. */
const PLAIN_TOKEN = /^([A-Za-z0-9][A-Za-z0-9._\/:+@%=-]*)(?:[ \t]+(?:#.*)?)?$/;
const DOUBLE_QUOTED = /^"([^"\\\x00-\x1f]*)"(?:[ \t]+(?:#.*)?)?$/;
const SINGLE_QUOTED = /^'([^'\x00-\x08\x0a-\x1f]*)'(?:[ \t]+(?:#.*)?)?$/;
/** A flow list of double-quoted strings without escapes: the same text is JSON with the same value. */
const QUOTED_LIST = /^(\[[ \t]*(?:"[^"\\\x00-\x1f]*"[ \t]*(?:,[ \t]*"[^"\\\x00-\x1f]*"[ \t]*)*)?\])(?:[ \t]+(?:#.*)?)?$/;
/**
 * Plain scalars the YAML 1.2 core schema reads as something other than a string: null, booleans,
 * integers (decimal, 0o octal, 0x hex) and floats (with .inf and .nan). Values matching none of
 * these are strings; the ones that do go through the real parser.
 */
const CORE_NON_STRING = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/**
 * The value of the most common one-line values without running the parser (which costs ~70 µs
 * even for one line): plain tokens that are strings, quoted strings without escapes, and lists of
 * such double-quoted strings. Anything else: NOT_SIMPLE, and the parser decides.
 */
export function simpleValue(text: string): unknown {
    let m = PLAIN_TOKEN.exec(text);
    // `value:` at the end of a line would start a mapping: leave that to the parser.
    if (m) return CORE_NON_STRING.test(m[1]) || m[1].endsWith(":") ? NOT_SIMPLE : m[1];
    m = DOUBLE_QUOTED.exec(text) ?? SINGLE_QUOTED.exec(text);
    if (m) return m[1];
    m = QUOTED_LIST.exec(text);
    if (m) return JSON.parse(m[1]) as unknown;
    return NOT_SIMPLE;
}

/**
 * A value that cannot reach beyond its own line or affect other nodes: a plain or quoted scalar,
 * or a flow collection of such values; never an alias, an anchor or a block scalar.
 */
function isOneLineValue(node: unknown): node is Node {
    if (isScalar(node)) return !node.anchor && FLOW_SCALARS.has(String(node.type));
    if (isCollection(node) && node.flow && !node.anchor) {
        if (isMap(node)) return node.items.every((p) => isOneLineValue(p.key) && (p.value === null || isOneLineValue(p.value)));
        return node.items.every((item) => isOneLineValue(item));
    }
    return false;
}

function setPath(root: unknown, path: Path, value: unknown): void {
    let node = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path[path.length - 1]] = value;
}
