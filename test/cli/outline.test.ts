import { expect } from "chai";
import * as fs from "fs";
import { load } from "js-yaml";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { copyServiceKey, setServiceMap } from "../../cli/promote/copy-keys";
import { readService, reapplyServiceBlock, removeServiceKey, ServiceLocation, setServiceKey, useLineOutline } from "../../cli/stack/edit";
import { lineOutline, OMap, ONode } from "../../cli/stack/outline";
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

describe("the stack file outline read line by line", () => {
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
            // and its data is the loader's
            expect(load(text), `seed ${seed}`).to.deep.equal(doc.toJS());
            read++;
            if (maps(lines).some((m) => m.range[2] !== m.range[1])) tookComments++;
        }
        // the comparison covers most files, and the hard cases (comments a map takes in) often
        expect(read, `read ${read}, gave up on ${gaveUp}`).to.be.greaterThan(SEEDS * 0.4);
        expect(tookComments).to.be.greaterThan(SEEDS * 0.05);
    });

    it("reads the example stacks, so a release command never loads yaml for them", () => {
        for (const file of ["Pulumi.production.yaml", "Pulumi.staging.yaml"]) {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            const lines = lineOutline(text);
            expect(lines, file).to.not.equal(undefined);
            expect(firstDifference(lines, outlineOf(parseYamlDocument(text))), file).to.equal(undefined);
        }
    });

    it("leaves every shape outside plain block style to yaml", () => {
        const shapes: Record<string, string> = {
            "a flow map": "config:\n  releasectl:services:\n    a: {version: 1.0.0}\n",
            "a block sequence": "config:\n  cmd:\n    - up\n",
            "a sequence at the key's indentation": "config:\n  cmd:\n  - up\n",
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
            "two documents": "config:\n  a: 1\n---\nconfig:\n  a: 2\n",
            "an empty value with a comment": "config:\n  a: # none\n  b: 1\n",
            "a value that is a mapping": "config:\n  a: b: c\n",
            "a list item in a flow list that is a map": "config:\n  a: [{b: 1}]\n",
            "a trailing comma": "config:\n  a: [1, 2,]\n",
        };
        for (const [what, text] of Object.entries(shapes)) expect(lineOutline(text), what).to.equal(undefined);
    });
});

describe("stack file edits give the same bytes whether the file is read line by line or by yaml", () => {
    const loc = (service: string): ServiceLocation => ({ project: "releasectl", service, file: "Pulumi.production.yaml" });

    /** The result of `edit` with each source: both the same text, or both the same refusal. */
    function bothWays(edit: () => unknown, what: string): { fast: unknown; slow: unknown } {
        const run = () => {
            try {
                return { ok: edit() };
            } catch (e) {
                return { error: (e as Error).message };
            }
        };
        const fast = run();
        const was = useLineOutline(false);
        let slow;
        try {
            slow = run();
        } finally {
            useLineOutline(was);
        }
        expect(fast, what).to.deep.equal(slow);
        return { fast, slow };
    }

    it("sets, inserts and removes keys, re-applies blocks and copies keys alike on generated files", () => {
        let edited = 0;
        for (let seed = 1; seed <= 600; seed++) {
            const text = stackShape(seed, { odd: 0.01 });
            if (lineOutline(text) === undefined) continue;
            const r = rng(seed * 7919);
            const svc = loc("svc0");
            const service = readService(text, svc) ?? {};
            const keys = Object.keys(service);
            const key = keys[Math.floor(r() * keys.length)] ?? "image";
            const other = stackShape(seed + 100_000, { odd: 0.01 });
            const results = [
                bothWays(() => setServiceKey(text, svc, "version", "2.5.0"), `seed ${seed}: set version`),
                bothWays(() => setServiceKey(text, svc, "previousVersion", "2.4.1", { after: "version" }), `seed ${seed}: set previousVersion`),
                bothWays(() => setServiceKey(text, svc, "rollback", true, { after: key }), `seed ${seed}: insert rollback after ${key}`),
                bothWays(() => setServiceKey(text, svc, key, "a value: with a colon"), `seed ${seed}: set ${key}`),
                bothWays(() => removeServiceKey(text, svc, key, false), `seed ${seed}: remove ${key}`),
                bothWays(() => readService(text, svc), `seed ${seed}: read`),
                bothWays(() => reapplyServiceBlock(text, other, svc, { set: { rollback: true } }), `seed ${seed}: re-apply from seed ${seed + 100_000}`),
                bothWays(() => copyServiceKey(text, other, svc, { ...svc, file: "Pulumi.staging.yaml" }, [key], ["version"]), `seed ${seed}: copy ${key}`),
                bothWays(() => setServiceMap(text, svc, "promotedFrom", { stack: "staging", commit: "0123abc", version: "2.5.0" }, ["previousVersion", "version"]), `seed ${seed}: promotedFrom`),
            ];
            edited += results.filter((x) => "ok" in (x.fast as object)).length;
        }
        // most edits succeed (the rest are refusals both sources word alike)
        expect(edited).to.be.greaterThan(1500);
    });
});
