import { Document, isAlias, isMap, isPair, isScalar, isSeq, Node, parseDocument, Scalar } from "yaml";
import { OMap, ONode, OPair, Path, Range, ScalarStyle } from "../../config/yaml-outline";

/**
 * The outline (config/yaml-outline.ts) of any YAML text, from the `yaml` library's Document:
 * the source for every file `lineDocument` leaves alone. Loaded only then.
 */

export function parseYamlDocument(text: string): Document.Parsed {
    return parseDocument(text, { prettyErrors: false, uniqueKeys: true });
}

const STYLE: Record<string, ScalarStyle> = {
    [Scalar.PLAIN]: "PLAIN",
    [Scalar.QUOTE_DOUBLE]: "QUOTE_DOUBLE",
    [Scalar.QUOTE_SINGLE]: "QUOTE_SINGLE",
    [Scalar.BLOCK_LITERAL]: "BLOCK",
    [Scalar.BLOCK_FOLDED]: "BLOCK",
};

function rangeOf(node: { range?: [number, number, number] | null }): Range | undefined {
    return node.range ? [node.range[0], node.range[1], node.range[2]] : undefined;
}

function convert(node: unknown, path: Path): ONode {
    if (isMap(node)) {
        const items: OPair[] = [];
        for (const p of node.items) {
            if (!isPair(p)) continue;
            const key = isScalar(p.key) ? p.key : undefined;
            const name = key && typeof key.value === "string" ? key.value : undefined;
            const keyRange = key ? rangeOf(key) : undefined;
            items.push({
                key: { value: name, range: keyRange ?? [0, 0, 0] },
                value: p.value === null || p.value === undefined ? null : convert(p.value, [...path, name ?? String(key?.value)]),
            });
        }
        return { kind: "map", flow: node.flow === true, range: rangeOf(node as Node)!, items, path };
    }
    if (isSeq(node)) {
        return { kind: "seq", flow: node.flow === true, range: rangeOf(node as Node)!, items: node.items.map((item, i) => convert(item, [...path, i])), path };
    }
    if (isScalar(node) && !isAlias(node)) {
        return { kind: "scalar", style: STYLE[node.type ?? Scalar.PLAIN] ?? "PLAIN", range: rangeOf(node)!, path };
    }
    return { kind: "other", range: isAlias(node) ? rangeOf(node) : undefined, path };
}

/** The outline of a parsed document whose root is a map, else undefined. */
export function outlineOf(doc: Document.Parsed): OMap | undefined {
    const root = doc.contents;
    if (!isMap(root)) return undefined;
    return convert(root, []) as OMap;
}
