import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { reapplyServiceBlock, removeServiceKey, setServiceKey } from "../../cli/stack/edit";

const PRODUCTION = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.production.yaml"), "utf8");
const checkout = { project: "releasectl", service: "checkout", file: "Pulumi.production.yaml" };

/** The example stack with one exact piece of text replaced (it must occur). */
function stack(replace: [string, string][] = []): string {
    let text = PRODUCTION;
    for (const [from, to] of replace) {
        expect(text, `fixture contains ${JSON.stringify(from)}`).to.include(from);
        text = text.replace(from, to);
    }
    return text;
}

describe("stack file edits keep every other byte", () => {
    it("changes only the bytes of the version scalar", () => {
        const out = setServiceKey(stack(), checkout, "version", "2.4.2");
        expect(out).to.equal(stack([["      version: 2.4.1\n", "      version: 2.4.2\n"]]));
    });

    it("keeps double quotes around a quoted version", () => {
        const before = stack([["version: 2.4.1", 'version: "2.4.1"']]);
        expect(setServiceKey(before, checkout, "version", "2.5.0")).to.equal(stack([["version: 2.4.1", 'version: "2.5.0"']]));
    });

    it("keeps single quotes around a quoted version", () => {
        const before = stack([["version: 2.4.1", "version: '2.4.1'"]]);
        expect(setServiceKey(before, checkout, "version", "2.5.0")).to.equal(stack([["version: 2.4.1", "version: '2.5.0'"]]));
    });

    it("keeps a comment on the version's line", () => {
        const before = stack([["version: 2.4.1\n", "version: 2.4.1 # shipped friday\n"]]);
        expect(setServiceKey(before, checkout, "version", "2.5.0")).to.equal(stack([["version: 2.4.1\n", "version: 2.5.0 # shipped friday\n"]]));
    });

    it("inserts a missing previousVersion right after version, with the same indentation", () => {
        const before = stack([["      previousVersion: 2.4.0\n", ""]]);
        expect(setServiceKey(before, checkout, "previousVersion", "2.4.0", { after: "version" })).to.equal(stack());
    });

    it("inserts after a version line that carries a comment", () => {
        const before = stack([["      version: 2.4.1\n      previousVersion: 2.4.0\n", "      version: 2.4.1 # note\n"]]);
        const out = setServiceKey(before, checkout, "previousVersion", "2.4.0", { after: "version" });
        expect(out).to.equal(stack([["      version: 2.4.1\n", "      version: 2.4.1 # note\n"]]));
    });

    it("fills an empty previousVersion", () => {
        const before = stack([["previousVersion: 2.4.0", "previousVersion:"]]);
        expect(setServiceKey(before, checkout, "previousVersion", "2.4.0")).to.equal(stack());
    });

    it("removes a rollback line and nothing else", () => {
        const before = stack([["      previousVersion: 2.4.0\n", "      previousVersion: 2.4.0\n      rollback: true\n"]]);
        expect(removeServiceKey(before, checkout, "rollback", false)).to.equal(stack());
    });

    it("edits a service written as a flow map", () => {
        const before = "config:\n  releasectl:services:\n    web: {image: r/web, version: 1.0.0}  # flow\n";
        const out = setServiceKey(setServiceKey(before, { ...checkout, service: "web" }, "version", "1.1.0"), { ...checkout, service: "web" }, "previousVersion", "1.0.0", { after: "version" });
        expect(out).to.equal("config:\n  releasectl:services:\n    web: {image: r/web, version: 1.1.0, previousVersion: 1.0.0}  # flow\n");
    });

    it("quotes a value that would not read back as the same string when plain", () => {
        const out = setServiceKey(stack(), checkout, "previousVersion", "yes: no");
        expect(parse(out).config["releasectl:services"].checkout.previousVersion).to.equal("yes: no");
        expect(out).to.include('previousVersion: "yes: no"');
    });
});

describe("re-applying a service's block from an earlier version of the stack file", () => {
    const older = stack([
        ["      version: 2.4.1\n      previousVersion: 2.4.0\n", "      version: 2.4.0\n      previousVersion: 2.3.9\n"],
        ["        threshold: 5\n", "        threshold: 3 # tighter while we watch 2.4.0\n"],
        ["kdCxKEJmALJAFx", "OLDxKEJmALJAFx"],
        ["EShCy/Aty7M8j9wIO23i0pXMKJprdMVhm", "OLDCy/Aty7M8j9wIO23i0pXMKJprdMVhm"],
    ]);

    it("brings back the old block with its comments, keeps the current secret, and marks the rollback", () => {
        const result = reapplyServiceBlock(stack(), older, checkout, { set: { previousVersion: "2.4.1", rollback: true } });
        expect(result.text).to.equal(
            stack([
                ["      version: 2.4.1\n      previousVersion: 2.4.0\n", "      version: 2.4.0\n      previousVersion: 2.4.1\n      rollback: true\n"],
                ["        threshold: 5\n", "        threshold: 3 # tighter while we watch 2.4.0\n"],
            ]),
        );
        expect(result.keptSecrets).to.deep.equal(["migration.databaseUrl"]);
    });

    it("restores the old secure value when asked", () => {
        const result = reapplyServiceBlock(stack(), older, checkout, { includeSecrets: true });
        expect(result.text).to.include("OLDCy/Aty7M8j9wIO23i0pXMKJprdMVhm");
        expect(result.restoredSecrets).to.deep.equal(["migration.databaseUrl"]);
    });

    it("never touches another service's secure value or the notifications", () => {
        const result = reapplyServiceBlock(stack(), older, checkout, { includeSecrets: true });
        expect(result.text).to.include("kdCxKEJmALJAFx");
        expect(result.text.slice(result.text.indexOf("    # The storefront"))).to.equal(PRODUCTION.slice(PRODUCTION.indexOf("    # The storefront")));
    });

    it("re-indents a block that was indented differently before", () => {
        const start = older.indexOf("    checkout:\n") + "    checkout:\n".length;
        const end = older.indexOf("    # The storefront");
        const deeper = older.slice(0, start) + older.slice(start, end).replace(/^(?=\s*\S)/gm, "  ") + older.slice(end);
        const result = reapplyServiceBlock(stack(), deeper, checkout, {});
        expect(parse(result.text).config["releasectl:services"].checkout.version).to.equal("2.4.0");
        expect(result.text).to.include("\n      image: registry.example.com/shop/checkout\n");
        expect(result.text.slice(result.text.indexOf("    # The storefront"))).to.equal(PRODUCTION.slice(PRODUCTION.indexOf("    # The storefront")));
    });
});
