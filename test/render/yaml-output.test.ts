import { expect } from "chai";
import { parse } from "yaml";
import { loadStack } from "../../config/load";
import { Manifest } from "../../builders/types";
import { manifestToYaml } from "../../cli/yaml-output";
import { allProvidersValues, parse as parseValues } from "../helpers/fixtures";
import { allObjects } from "../helpers/manifests";
import { REPO } from "../helpers/project";

/** A manifest carrying `value` in an annotation, so any scalar can be written. */
function withValue(value: unknown): Manifest {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { value } };
}

function written(value: unknown): string {
    return manifestToYaml(withValue(value)).split("\n").find((l) => l.startsWith("  value:")) ?? "";
}

const TRICKY = [
    "", " ", "yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "~", "1.0", "8080", "-1", "+1", "1e3", ".5", ".inf", "-.Inf", ".nan",
    "0x1F", "0o17", "017", "0b101", "1:20", "1_000", "2024-01-01", "2024-01-01T10:00:00Z", "-", "- a", "a: b", "a:", "a #b", "#x", "trailing ",
    " leading", "two\nlines", "tab\tx", 'say "hi"', "'single'", "[x]", "{x}", "*alias", "&anchor", "!tag", "%x", "@x", "`x", "|x", ">x", "?x",
    ",x", "ünïcode", "<<", "=", "---", "...", "http://x.example:80/y?a=b#c", "<secret>", '["/app/migrate","down"]', "{{ $labels.pod }} restarted",
];

describe("manifestToYaml", () => {
    for (const value of TRICKY) {
        it(`writes ${JSON.stringify(value)} so it reads back as the same string`, () => {
            expect(parse(manifestToYaml(withValue(value))).data.value).to.equal(value);
        });
    }

    for (const word of ["yes", "no", "on", "off", "y", "n"]) {
        it(`quotes ${word}, a boolean to YAML 1.1 readers`, () => {
            expect(written(word)).to.equal(`  value: "${word}"`);
        });
    }

    it("quotes numbers written as text", () => {
        expect(written("8080")).to.equal('  value: "8080"');
    });

    it("writes a version plainly", () => {
        expect(written("2.4.1")).to.equal("  value: 2.4.1");
    });

    it("writes numbers, booleans and null as such", () => {
        expect([written(3), written(99.5), written(false), written(null)]).to.deep.equal(["  value: 3", "  value: 99.5", "  value: false", "  value: null"]);
    });

    it("writes empty maps and lists inline", () => {
        expect(parse(manifestToYaml(withValue({ a: {}, b: [] }))).data.value).to.deep.equal({ a: {}, b: [] });
    });

    it("writes lists of maps and lists of lists", () => {
        const value = [{ name: "a", nested: { x: [1, 2] } }, [["deep"]], "plain"];
        expect(parse(manifestToYaml(withValue(value))).data.value).to.deep.equal(value);
    });

    it("leaves out undefined fields, as JSON does", () => {
        expect(parse(manifestToYaml(withValue({ a: undefined, b: 1 }))).data.value).to.deep.equal({ b: 1 });
    });

    it("refuses a number YAML cannot hold", () => {
        expect(() => manifestToYaml(withValue(Number.NaN))).to.throw("cannot write NaN");
    });

    it("reads back every manifest of the example and four-provider stacks unchanged", () => {
        const manifests = [...allObjects(loadStack(REPO, "production")), ...allObjects(parseValues(allProvidersValues()))].map((o) => o.manifest);
        expect(manifests.length, "manifests to read back").to.be.above(10);
        for (const manifest of manifests) expect(parse(manifestToYaml(manifest)), manifest.metadata.name).to.deep.equal(manifest);
    });
});
