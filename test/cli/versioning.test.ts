import { expect } from "chai";
import { UserError } from "../../config/errors";
import { parseConventionalCommit } from "../../cli/versions/conventional-commits";
import { nextVersion, NextVersionOptions } from "../../cli/versions/next-version";

let counter = 0;
/** Commits newest first, as git log gives them. */
function commits(...messages: string[]) {
    return messages.map((m) => ({ sha: `${(++counter).toString(16).padStart(7, "0")}${"0".repeat(33)}`, commit: parseConventionalCommit(m) }));
}
const next = (current: string | undefined, messages: string[], options: NextVersionOptions = {}) => nextVersion(current, commits(...messages), options).version;

describe("next version from commits", () => {
    it("bumps the patch for a fix", () => expect(next("1.2.3", ["fix: a"])).to.equal("1.2.4"));
    it("bumps the minor for a feat", () => expect(next("1.2.3", ["fix: a", "feat: b"])).to.equal("1.3.0"));
    it("bumps the major for a BREAKING CHANGE footer", () => expect(next("1.2.3", ["fix: a\n\nBREAKING CHANGE: b"])).to.equal("2.0.0"));
    it("bumps the major for type!", () => expect(next("1.2.3", ["feat!: a"])).to.equal("2.0.0"));
    it("bumps the patch for chore, docs and non-conventional messages by default", () => expect(next("1.2.3", ["chore: a", "docs: b", "Update"])).to.equal("1.2.4"));
    it("releases nothing for chore and docs with --strict", () => {
        const r = nextVersion("1.2.3", commits("chore: a", "docs: b"), { strict: true });
        expect(r.version).to.equal(undefined);
        expect(r.bump).to.equal("none");
        expect(r.reason).to.match(/no fix, perf, feat or breaking commit since 1\.2\.3/);
    });
    it("gives a patch for perf with --strict", () => expect(next("1.2.3", ["perf: a", "chore: b"], { strict: true })).to.equal("1.2.4"));
    it("still gives a major for a breaking chore with --strict", () => expect(next("1.2.3", ["chore!: drop node 18"], { strict: true })).to.equal("2.0.0"));
    it("bumps the minor for a breaking change while the major is 0", () => {
        const r = nextVersion("0.4.2", commits("feat!: a"));
        expect(r.version).to.equal("0.5.0");
        expect(r.reason).to.match(/major version 0/);
    });
    it("starts at 1.0.0 without an earlier release", () => expect(next(undefined, ["fix: a"])).to.equal("1.0.0"));
    it("starts at the given initial version", () => expect(next(undefined, ["feat: a"], { initialVersion: "0.1.0" })).to.equal("0.1.0"));
    it("starts a prerelease line at the initial version", () => expect(next(undefined, ["feat: a"], { prerelease: "beta" })).to.equal("1.0.0-beta.1"));
    it("releases nothing without commits", () => expect(nextVersion("1.2.3", [], {}).bump).to.equal("none"));
    it("names the commit that decided the bump in the reason", () => {
        const list = commits("fix: later", "feat(cart): gift cards", "fix: earlier");
        expect(nextVersion("1.2.3", list).reason).to.equal(`minor: feat commit ${list[1].sha.slice(0, 7)} "feat(cart): gift cards" (3 commits: 1 feat, 2 fix)`);
    });
    it("starts a prerelease line from a release", () => expect(next("1.2.3", ["feat: a"], { prerelease: "beta" })).to.equal("1.3.0-beta.1"));
    it("continues a prerelease line after a fix", () => expect(next("1.3.0-beta.1", ["fix: a"], { prerelease: "beta" })).to.equal("1.3.0-beta.2"));
    it("continues a prerelease line after a feat", () => expect(next("1.3.0-beta.1", ["feat: a"], { prerelease: "beta" })).to.equal("1.3.0-beta.2"));
    it("restarts at 1 for a new prerelease identifier", () => expect(next("1.3.0-beta.2", ["fix: a"], { prerelease: "rc" })).to.equal("1.3.0-rc.1"));
    it("starts a new line when a breaking change outgrows a minor prerelease line", () => expect(next("1.3.0-beta.2", ["feat!: a"], { prerelease: "beta" })).to.equal("2.0.0-beta.1"));
    it("starts a new line when a feat outgrows a patch prerelease line", () => expect(next("1.3.1-rc.1", ["feat: a"], { prerelease: "rc" })).to.equal("1.4.0-rc.1"));
    it("refuses an identifier that would sort before the current prerelease", () => {
        expect(() => nextVersion("1.3.0-rc.1", commits("fix: a"), { prerelease: "beta" })).to.throw(UserError, /would not come after 1\.3\.0-rc\.1/);
    });
    it("finishes a prerelease line without --prerelease", () => expect(next("1.3.0-rc.1", ["fix: a"])).to.equal("1.3.0"));
    it("numbers a prerelease written without a number", () => expect(next("1.3.0-beta", ["fix: a"], { prerelease: "beta" })).to.equal("1.3.0-beta.1"));
    it("appends build metadata when asked", () => expect(next("1.2.3", ["fix: a"], { build: "build.7" })).to.equal("1.2.4+build.7"));
    it("appends build metadata to a prerelease", () => expect(next("1.2.3", ["feat: a"], { prerelease: "rc", build: "sha.1a2b3c4" })).to.equal("1.3.0-rc.1+sha.1a2b3c4"));
    it("ignores the build metadata of the current version", () => expect(next("1.2.3+old", ["fix: a"])).to.equal("1.2.4"));
    it("refuses a prerelease identifier that is a number", () => {
        expect(() => nextVersion("1.2.3", commits("fix: a"), { prerelease: "1" })).to.throw(UserError, /not a prerelease identifier/);
    });
    it("refuses build metadata with invalid characters", () => {
        expect(() => nextVersion("1.2.3", commits("fix: a"), { build: "a+b" })).to.throw(UserError, /not SemVer build metadata/);
    });
});
