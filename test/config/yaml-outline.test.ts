import { expect } from "chai";
import * as fs from "fs";
import { load } from "js-yaml";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { lineDocument, lineOutline, OMap, ONode } from "../../config/yaml-outline";
import { outlineOf, parseYamlDocument } from "../../cli/stack/outline-yaml";
import { rng, stackShape } from "../helpers/stack-shapes";

const ROOT = path.join(__dirname, "..", "..");
const SEEDS = 2500;

/** Where two outlines first differ, or undefined. */
function firstDifference(a: unknown, b: unknown, at = ""): string | undefined {
    if (isDeepStrictEqual(a, b)) return undefined;
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
        for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
            const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
            if (d !== undefined) return d;
        }
    }
    return `${at}: lines ${JSON.stringify(a)}, yaml ${JSON.stringify(b)}`;
}

function maps(node: ONode | null): OMap[] {
    if (node?.kind !== "map") return [];
    return [node, ...node.items.flatMap((p) => maps(p.value))];
}

describe("stack files read line by line (config/yaml-outline.ts)", () => {
    it("gives exactly the ranges the yaml library gives, on every generated file it reads", () => {
        let read = 0;
        let tookComments = 0;
        let gaveUp = 0;
        for (let seed = 1; seed <= SEEDS; seed++) {
            const text = stackShape(seed);
            const lines = lineOutline(text);
            const doc = parseYamlDocument(text);
            if (lines === undefined) {
                gaveUp++;
                continue;
            }
            expect(doc.errors.map((e) => e.message), `seed ${seed}: yaml refuses a file the line reader read:\n${text}`).to.deep.equal([]);
            const d = firstDifference(lines, outlineOf(doc));
            expect(d, `seed ${seed}:\n${text}`).to.equal(undefined);
            // and its data is js-yaml's, exactly (-0, NaN and key order included)
            const data = lineDocument(text)!.data;
            expect(isDeepStrictEqual(data, load(text)), `seed ${seed}: ${JSON.stringify(data)}\n${text}`).to.equal(true);
            expect(Object.keys(data)).to.deep.equal(Object.keys(load(text) as object));
            read++;
            if (maps(lines).some((m) => m.range[2] !== m.range[1])) tookComments++;
        }
        // the comparison covers most files, and the hard cases (comments a map takes in) often
        expect(read, `read ${read}, gave up on ${gaveUp}`).to.be.greaterThan(SEEDS * 0.4);
        expect(tookComments).to.be.greaterThan(SEEDS * 0.03);
    });

    it("reads block sequences as pulumi config set writes them, at the key's indentation or deeper", () => {
        const text = "config:\n  releasectl:services:\n    checkout:\n      version: 2.4.1\n      migration:\n        command:\n        - /app/migrate\n        - \"up\"\n        downgradeCommand:\n          - /app/migrate\n          - down # to the last release\n      port: 8080\n";
        const lines = lineDocument(text);
        expect(lines).to.not.equal(undefined);
        expect(isDeepStrictEqual(lines!.data, load(text))).to.equal(true);
        expect(firstDifference(lines!.root, outlineOf(parseYamlDocument(text)))).to.equal(undefined);
    });

    it("reads the example project's files, so a command on them loads neither YAML library", () => {
        for (const file of ["Pulumi.yaml", "Pulumi.production.yaml", "Pulumi.staging.yaml"]) {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            const lines = lineDocument(text);
            expect(lines, file).to.not.equal(undefined);
            expect(isDeepStrictEqual(lines!.data, load(text)), file).to.equal(true);
            expect(firstDifference(lines!.root, outlineOf(parseYamlDocument(text))), file).to.equal(undefined);
        }
    });

    it("leaves every shape outside plain block style to yaml", () => {
        const shapes: Record<string, string> = {
            "a flow map with keys": "config:\n  releasectl:services:\n    a: {version: 1.0.0}\n",
            "a comment among a sequence's items": "config:\n  cmd:\n  - up\n  # why\n  - now\n",
            "a comment after a sequence": "config:\n  cmd:\n    - up\n  # why\n  b: 1\n",
            "an empty sequence item": "config:\n  cmd:\n  -\n  - up\n",
            "a map in a sequence": "config:\n  cmd:\n  - name: up\n",
            "a sequence in a sequence": "config:\n  cmd:\n  - - up\n",
            "a sequence item continued": "config:\n  cmd:\n  - up\n    down\n",
            "a block scalar": "config:\n  note: |\n    text\n",
            "a multi-line plain value": "config:\n  note: first\n    second\n",
            "a multi-line flow list": "config:\n  cmd: [a,\n    b]\n",
            "an anchor": "config:\n  a: &x 1\n  b: *x\n",
            "a tag": "config:\n  a: !!str 1\n",
            "a quoted key": 'config:\n  "a b": 1\n',
            "a number as key": "config:\n  8080: port\n",
            "a key given twice": "config:\n  a: 1\n  a: 2\n",
            "CRLF line ends": "config:\r\n  a: 1\r\n",
            "a tab": "config:\n\ta: 1\n",
            "a control character": "config:\n  a: b\u0007\n",
            "an emoji": "config:\n  a: \u{1F680}\n",
            "a line separator": "config:\n  a: b\u2028c\n",
            "a byte order mark": "\uFEFFconfig:\n  a: 1\n",
            "a YAML escape JSON lacks": 'config:\n  a: "\\x41"\n',
            "a __proto__ key": "config:\n  __proto__: 1\n",
            "two documents": "config:\n  a: 1\n---\nconfig:\n  a: 2\n",
            "an empty value with a comment": "config:\n  a: # none\n  b: 1\n",
            "a value that is a mapping": "config:\n  a: b: c\n",
            "a list item in a flow list that is a map": "config:\n  a: [{b: 1}]\n",
            "a trailing comma": "config:\n  a: [1, 2,]\n",
        };
        for (const [what, text] of Object.entries(shapes)) expect(lineOutline(text), what).to.equal(undefined);
    });

    it("resolves every plain and quoted scalar as js-yaml's core schema does", () => {
        const scalars = [
            "0", "-0", "+0", "00", "012", "+12", "-12", "1_000", "0o17", "0o18", "0O17", "0x1F", "0x1f", "0X1F", "0xg", "0b101",
            "1.", ".5", "-.5", "+.5", "1.5e3", "1.5E-3", "1e3", "1e+3", "1e", "e3", "1.2.3", "2.4.1", "1.0.0-rc.1", ".", "..",
            ".inf", "-.inf", "+.Inf", ".INF", ".nan", ".NaN", "-.nan", "inf", "nan", "NaN", "Infinity",
            "9".repeat(20), "9".repeat(400), "1" + "0".repeat(400) + ".5", "1e400", "-1e400",
            "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "yes", "no", "on", "off", "y", "n",
            "~", "null", "Null", "NULL", "nULL", "", "- a", "-a", "--to", "-", "a-", "x#y", "a b", "v1:abc=", "http://x:80/a?b=c",
            '"a"', '""', '"\\n"', '"\\u00e9"', '"\\t"', '"\\x41"', '"\\0"', '"\\/"', '"a \\" b"', "'a'", "''", "'it''s'", "'a\\b'",
            "[]", "[a]", "[a, b]", "[1, 2.5, true, ~, null]", "['a', \"b\"]", "[ a , b ]", "[--to, -1]", "{}", "{ }",
        ];
        let read = 0;
        for (const s of scalars) {
            for (const text of [`k: ${s}\n`, `k: ${s} # note\n`, `top:\n  k: ${s}\n`]) {
                const lines = lineDocument(text);
                if (lines === undefined) continue;
                read++;
                let expected: unknown;
                expect(() => (expected = load(text)), `${JSON.stringify(text)} is read by the line reader but refused by js-yaml`).to.not.throw();
                expect(isDeepStrictEqual(lines.data, expected), `${JSON.stringify(text)}: lines ${String((lines.data as { k?: unknown }).k)} js-yaml ${JSON.stringify(expected)}`).to.equal(true);
            }
        }
        expect(read).to.be.greaterThan(scalars.length * 2);
    });

    it("reads random one-line values as js-yaml does, with yaml's ranges, or leaves them alone", () => {
        const r = rng(7);
        const alphabet = ["a", "Z", "0", "1", "9", ".", "-", "+", "_", "/", ":", "#", " ", " ", "'", '"', "\\", "[", "]", "{", "}", ",", "~", "e", "x", "o", "!", "&", "*", "?", "|", ">", "%", "@", "`", "é"];
        let read = 0;
        for (let i = 0; i < 4000; i++) {
            const length = 1 + Math.floor(r() * 10);
            let value = "";
            for (let j = 0; j < length; j++) value += alphabet[Math.floor(r() * alphabet.length)];
            const text = `top:\n  k: ${value}\n  other: 1\n`;
            const lines = lineDocument(text);
            if (lines === undefined) continue;
            read++;
            let expected: unknown;
            expect(() => (expected = load(text)), `${JSON.stringify(text)} is read by the line reader but refused by js-yaml`).to.not.throw();
            expect(isDeepStrictEqual(lines.data, expected), `${JSON.stringify(text)}: ${JSON.stringify(lines.data)} vs ${JSON.stringify(expected)}`).to.equal(true);
            // and the ranges the editor splices are yaml's
            const doc = parseYamlDocument(text);
            expect(doc.errors.map((e) => e.message), JSON.stringify(text)).to.deep.equal([]);
            expect(firstDifference(lines.root, outlineOf(doc)), JSON.stringify(text)).to.equal(undefined);
        }
        expect(read).to.be.greaterThan(800);
    });
});

