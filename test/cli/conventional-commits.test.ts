import { expect } from "chai";
import { parseConventionalCommit } from "../../cli/versions/conventional-commits";

describe("conventional commit parser", () => {
    it("reads the type and subject of a plain header", () => {
        const c = parseConventionalCommit("feat: add gift cards");
        expect(c).to.include({ type: "feat", subject: "add gift cards", breaking: false });
        expect(c.scope).to.equal(undefined);
    });

    it("reads the scope", () => {
        expect(parseConventionalCommit("fix(payments): round totals").scope).to.equal("payments");
    });

    it("treats a ! after the type as a breaking change", () => {
        const c = parseConventionalCommit("feat!: drop the v1 API");
        expect(c.breaking).to.equal(true);
        expect(c.breakingNote).to.equal("drop the v1 API");
    });

    it("treats a ! after the scope as a breaking change", () => {
        expect(parseConventionalCommit("refactor(api)!: rename fields").breaking).to.equal(true);
    });

    it("treats a BREAKING CHANGE footer as a breaking change and keeps its text", () => {
        const c = parseConventionalCommit("feat: new totals\n\nBody text.\n\nBREAKING CHANGE: totals are in cents");
        expect(c.breaking).to.equal(true);
        expect(c.breakingNote).to.equal("totals are in cents");
        expect(c.body).to.equal("Body text.");
    });

    it("treats a BREAKING-CHANGE footer like BREAKING CHANGE", () => {
        expect(parseConventionalCommit("fix: x\n\nBREAKING-CHANGE: y").breaking).to.equal(true);
    });

    it("does not read a lower-case breaking change footer (the spec requires upper case)", () => {
        expect(parseConventionalCommit("fix: x\n\nbreaking change: y").breaking).to.equal(false);
    });

    it("reads a BREAKING CHANGE line inside the body too", () => {
        expect(parseConventionalCommit("fix: x\nBREAKING CHANGE: no blank line before").breaking).to.equal(true);
    });

    it("leaves the type undefined for a message that is not conventional", () => {
        const c = parseConventionalCommit("Update README");
        expect(c.type).to.equal(undefined);
        expect(c.subject).to.equal("Update README");
    });

    it("reads types case-insensitively", () => {
        expect(parseConventionalCommit("Feat: x").type).to.equal("feat");
    });

    it("requires a space after the colon", () => {
        expect(parseConventionalCommit("feat:x").type).to.equal(undefined);
    });

    it("parses several footers, with multi-line values", () => {
        const c = parseConventionalCommit("fix: x\n\nbody\n\nRefs: #12\nBREAKING CHANGE: first line\n  second line\nReviewed-by: Zoe");
        expect(c.footers.map((f) => f.token)).to.deep.equal(["Refs", "BREAKING CHANGE", "Reviewed-by"]);
        expect(c.footers[1].value).to.equal("first line\n  second line");
        expect(c.body).to.equal("body");
    });

    it("reads a #-separated footer", () => {
        expect(parseConventionalCommit("fix: x\n\nCloses #42").footers).to.deep.equal([{ token: "Closes", value: "42" }]);
    });

    it("keeps a body paragraph that only looks like prose", () => {
        const c = parseConventionalCommit("fix: x\n\nThis fixes: the bug in totals\nand more.");
        expect(c.footers).to.deep.equal([]);
    });
});
