import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { IncrementalYaml, simpleValue } from "../../cli/stack/yaml-incremental";
import { parse } from "yaml";

const PRODUCTION = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.production.yaml"), "utf8");

/** A small deterministic random source, so a failure can be replayed. */
function random(seed: number): () => number {
    let s = seed;
    return () => {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        return s / 0x7fffffff;
    };
}

/** Line edits, from harmless (a new scalar value) to structural (a block scalar, a new key). */
const EDITS: ((line: string, r: () => number) => string)[] = [
    (line) => line.replace(/(\d+)(\s*(#.*)?)$/, (_, n, rest) => `${Number(n) + 1}${rest}`),
    (line) => line.replace(/: (\S+)$/, ': "$1"'),
    (line) => line.replace(/: (\S+)$/, ": '$1'"),
    (line) => `${line} # note`,
    (line) => line.replace(/: .*$/, ": |"),
    (line) => line.replace(/: .*$/, ": [a, b]"),
    (line) => line.replace(/: .*$/, ": &anchor x"),
    (line) => line.replace(/: .*$/, ": true"),
    (line) => line.replace(/: .*$/, ": ~"),
    (line) => line.replace(/: .*$/, ': "unterminated'),
    (line) => line.replace(/^(\s*)(\w)/, "$1x$2"),
    (line) => line.replace(/^(\s*)/, "$1  "),
    (line) => line.replace(/: .*$/, ": a: b"),
    (line) => line.replace(/^(\s*)#.*$/, "$1# another comment"),
    (line) => line.replace(/: .*$/, ":"),
    (line, r) => (r() < 0.5 ? `${line}\n` : line),
    (line) => line.replace(/\[(.*)\]/, "[$1, extra]"),
    (line) => line.replace(/"up"/, "'down'"),
    (line) => line.replace(/\]$/, ""),
    (line) => line.replace(/: .*$/, ": {a: 1, b: [2, 3]}"),
];

describe("incremental reading of successive stack file versions", () => {
    it("gives the same data as a full parse for every version of a random edit sequence", () => {
        const r = random(42);
        const reader = new IncrementalYaml();
        let text = PRODUCTION;
        for (let step = 0; step < 600; step++) {
            const lines = text.split("\n");
            const edits = 1 + Math.floor(r() * 3);
            for (let e = 0; e < edits; e++) {
                const i = Math.floor(r() * lines.length);
                // Mostly value changes, as release histories are; sometimes anything.
                const edit = r() < 0.7 ? EDITS[Math.floor(r() * 4)] : r() < 0.5 ? EDITS[16 + Math.floor(r() * 4)] : EDITS[Math.floor(r() * EDITS.length)];
                lines[i] = edit(lines[i], r);
            }
            const next = lines.join("\n");
            const expected = parseDocument(next, { prettyErrors: false, uniqueKeys: true });
            const got = reader.read(next);
            if (expected.errors.length > 0) {
                expect(got.ok, `step ${step}: invalid YAML is reported`).to.equal(false);
                continue; // keep the last valid text as the base of the next step
            }
            expect(got.ok ? got.data : got.error, `step ${step}`).to.deep.equal(expected.toJS());
            text = next;
        }
        expect(reader.stats.patched, "most versions were patched, not parsed").to.be.greaterThan(100);
        expect(reader.stats.full, "structural changes were parsed in full").to.be.greaterThan(20);
    });

    it("patches a version change without a full parse", () => {
        const reader = new IncrementalYaml();
        reader.read(PRODUCTION);
        const got = reader.read(PRODUCTION.replace("version: 2.4.1", "version: 2.4.2"));
        expect(got.ok && !got.full).to.equal(true);
        expect(got.ok && (got.data as { config: Record<string, Record<string, { version: string }>> }).config["releasectl:services"].checkout.version).to.equal("2.4.2");
    });

    it("parses in full when a value becomes a block scalar", () => {
        const reader = new IncrementalYaml();
        reader.read(PRODUCTION);
        const got = reader.read(PRODUCTION.replace("version: 2.4.1", "version: |"));
        expect(got.ok && got.full).to.equal(true);
    });

    it("patches a one-line flow list", () => {
        const reader = new IncrementalYaml();
        reader.read(PRODUCTION);
        const got = reader.read(PRODUCTION.replace('"down", "--to", "2.4.0"]', '"down", "--to", "2.4.1"]'));
        expect(got.ok && !got.full).to.equal(true);
        expect(got.ok && (got.data as { config: Record<string, Record<string, { migration: { downgradeCommand: string[] } }>> }).config["releasectl:services"].checkout.migration.downgradeCommand).to.deep.equal([
            "/app/migrate",
            "down",
            "--to",
            "2.4.1",
        ]);
    });

    it("never patches a file with anchors", () => {
        const text = "a: &x 1\nb: *x\nc: 2\n";
        const reader = new IncrementalYaml();
        reader.read(text);
        const got = reader.read(text.replace("c: 2", "c: 3"));
        expect(got.ok && got.full).to.equal(true);
    });
});

describe("values read without the parser", () => {
    const tokens = [
        "2.4.1", "1.0", "1", "0", "-1", "+1", "1e5", "1E-3", "1.", ".5", "0o17", "0x1F", "0x", "0o8", "1_000", "true", "True", "TRUE", "tRue",
        "false", "null", "Null", "~", "yes", "no", "on", "off", "Infinity", "NaN", ".inf", ".nan", "-.inf", "value:", "a:b", "https://x.example/a?b=c",
        "a#b", "a #b", "a # comment", "v1:abc/def+==", "@x", "%x", "`x`", "x,y", "[a]", "{a: 1}", "&a x", "*a", "!!str 1", "|", ">", "- x", "? x",
        '"quoted"', '"with \\ backslash"', '"tab\\there"', "'single'", "'it''s'", '["/app/migrate", "up"]', '["a", 1]', "[a, b]", '[]', '["x" , "y"] # c',
        '"a" # c', "'a' # c", "2.4.1 # shipped", "2.4.1  ", "registry.example.com/shop/checkout", "ab=cd", "50%", "1.2.3-rc.1+build.7",
    ];
    it("agrees with the parser on every value it reads", () => {
        let fastReads = 0;
        for (const token of tokens) {
            const fast = simpleValue(token);
            if (typeof fast === "symbol") continue;
            fastReads++;
            let expected: unknown;
            try {
                expected = (parse(`k: ${token}`) as { k: unknown }).k;
            } catch {
                expect.fail(`the parser rejects ${JSON.stringify(token)} but the fast path read ${JSON.stringify(fast)}`);
            }
            expect(fast, token).to.deep.equal(expected);
        }
        expect(fastReads).to.be.greaterThan(15);
    });

    it("reads versions, addresses, quoted strings and quoted lists without the parser", () => {
        for (const token of ["2.4.1", "1.2.3-rc.1+build.7", "https://ci.example.com/shop/checkout/runs/8812", '"quoted"', "'single'", '["/app/migrate", "up"]', "2.4.1 # shipped"]) {
            expect(typeof simpleValue(token), token).to.not.equal("symbol");
        }
    });

    it("leaves numbers, booleans, null, tags and mapping starts to the parser", () => {
        for (const token of ["1", "1.0", "1e5", "0x1F", "true", "False", "null", "~", "value:", "!!str 1", "&a x", "*a", "[a, b]", '"tab\\there"']) {
            expect(typeof simpleValue(token), token).to.equal("symbol");
        }
    });
});
