import { expect } from "chai";
import { GitRepo } from "./git-fixture";
import { runCli } from "./run-cli";

/**
 * The misses issue 12 found by running `next` over the release histories of projects that release
 * from conventional commits: each one rebuilt here as a real repository.
 */
describe("releasectl next on real histories (issue 12)", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = GitRepo.create();
        repo.commit("feat: first");
        repo.tag("v1.2.3");
    });
    afterEach(() => repo.remove());

    const next = (...args: string[]) => runCli(["next", ...args], { cwd: repo.dir, env: repo.env });
    /** A commit whose message git keeps byte for byte (CR, trailing spaces). */
    const verbatim = (message: string) => {
        repo.git("commit", "-q", "--allow-empty", "--cleanup=verbatim", "-m", message);
        return repo.head();
    };

    describe("BREAKING CHANGE: alone on its line", () => {
        it("reads the description on the following lines (a footer)", async () => {
            repo.commit("feat(api): new totals\n\nBody.\n\nBREAKING CHANGE:\ntotals are in cents\nfrom now on");
            const json = JSON.parse((await next("--json")).stdout);
            expect(json.version).to.equal("2.0.0");
            expect(json.commits[0].breaking).to.equal(true);
        });

        it("reads it in the body, right after the header, and after a * bullet (squash merges)", async () => {
            repo.commit("fix: x\nBREAKING CHANGE:\nthe next lines say what");
            expect((await next()).stdout).to.equal("2.0.0\n");
            repo.tag("v2.0.0");
            repo.commit("feat: squashed (#12)\n\n* feat: a\n\n* BREAKING CHANGE: drops b");
            expect((await next()).stdout).to.equal("3.0.0\n");
        });

        it("reads CRLF messages", async () => {
            verbatim("fix: totals\r\n\r\nBREAKING CHANGE:\r\ntotals are in cents\r\n");
            expect((await next()).stdout).to.equal("2.0.0\n");
        });

        it("reads a CRLF header and footer of a feat", async () => {
            verbatim("feat(cart): gift cards\r\n\r\nRefs: #4\r\n");
            const json = JSON.parse((await next("--json")).stdout);
            expect(json).to.include({ version: "1.3.0" });
            expect(json.commits[0]).to.include({ type: "feat", scope: "cart", header: "feat(cart): gift cards" });
        });

        it("still needs the colon and the upper case", async () => {
            repo.commit("fix: x\n\nBREAKING CHANGES are documented elsewhere");
            repo.commit("fix: y\n\nbreaking change: lower case");
            expect((await next()).stdout).to.equal("1.2.4\n");
        });
    });

    describe("reverts", () => {
        it("counts neither a breaking change nor its revert in the same range", async () => {
            const bad = repo.commit("feat!: drop the v1 API");
            repo.commit("fix: totals");
            repo.commit(`Revert "feat!: drop the v1 API"\n\nThis reverts commit ${bad}.`);
            const json = JSON.parse((await next("--json")).stdout);
            expect(json.version).to.equal("1.2.4");
            expect(json.commits.map((c: { header: string }) => c.header)).to.deep.equal(["fix: totals"]);
            expect(json.revertedCommits).to.have.length(2);
            expect(json.reason).to.match(/2 commits left out: reverted in the range/);
        });

        it("reads an abbreviated id and the conventional revert: form", async () => {
            const feat = repo.commit("feat: gift cards");
            repo.commit(`revert: feat: gift cards\n\nThis reverts commit ${feat.slice(0, 10)}.`);
            repo.commit("fix: a");
            expect((await next()).stdout).to.equal("1.2.4\n");
        });

        it("brings the commit back when the revert is reverted", async () => {
            const feat = repo.commit("feat: gift cards");
            const revert = repo.commit(`Revert "feat: gift cards"\n\nThis reverts commit ${feat}.`);
            repo.commit(`Revert "Revert "feat: gift cards""\n\nThis reverts commit ${revert}.`);
            expect((await next()).stdout).to.equal("1.3.0\n");
        });

        it("keeps a revert of a commit released earlier (it changes the release)", async () => {
            repo.git("tag", "-d", "v1.2.3");
            const feat = repo.commit("feat: gift cards");
            repo.tag("v1.3.0");
            repo.commit(`Revert "feat: gift cards"\n\nThis reverts commit ${feat}.`);
            expect((await next()).stdout).to.equal("1.3.1\n");
            expect((await next("--strict")).stdout).to.equal("");
        });
    });

    describe("header whitespace, as conventional-commits-parser reads it", () => {
        it("accepts more than one space after the colon", async () => {
            repo.commit("feat:  two spaces");
            const json = JSON.parse((await next("--json")).stdout);
            expect(json.version).to.equal("1.3.0");
            expect(json.reason).to.include('"feat: two spaces"');
        });

        it("does not read a header with a leading space as conventional", async () => {
            verbatim(" feat: leading space");
            const json = JSON.parse((await next("--json")).stdout);
            expect(json.version).to.equal("1.2.4");
            expect(json.commits[0].type).to.equal(null);
            expect((await next("--strict")).stdout).to.equal("");
        });

        it("still needs the space after the colon", async () => {
            repo.commit("feat:x");
            expect((await next("--strict")).stdout).to.equal("");
        });
    });

    describe("a stable release after prereleases", () => {
        it("counts from the last stable tag, the betas' commits included", async () => {
            repo.commit("feat!: new API");
            repo.tag("v2.0.0-beta.1");
            // semantic-release promotes the beta line: nothing new since the beta, yet 2.0.0 is due
            const run = await next("--json");
            const json = JSON.parse(run.stdout);
            expect(json).to.include({ version: "2.0.0", previousTag: "v1.2.3", range: "v1.2.3..HEAD" });
            expect(run.stderr).to.equal("");
        });

        it("includes commits after the last beta", async () => {
            repo.commit("fix: a");
            repo.tag("v1.2.4-beta.1");
            repo.commit("feat: b");
            expect((await next()).stdout).to.equal("1.3.0\n");
        });

        it("finishes a prerelease line that the commits alone would undercut", async () => {
            repo.commit("feat: a");
            repo.tag("v2.0.0-rc.1"); // named by hand
            repo.commit("fix: b");
            const json = JSON.parse((await next("--json")).stdout);
            expect(json.version).to.equal("2.0.0");
            expect(json.reason).to.match(/^finishes the prerelease v2\.0\.0-rc\.1/);
        });

        it("continues the prerelease line from the newest tag with --prerelease", async () => {
            repo.commit("feat: a");
            repo.tag("v1.3.0-beta.1");
            repo.commit("fix: b");
            expect((await next("--prerelease", "beta")).stdout).to.equal("1.3.0-beta.2\n");
        });
    });

    describe("--from and --to", () => {
        it("keeps --from <tag> when another release tag names the same commit", async () => {
            repo.commit("fix: a");
            repo.tag("v12.4.0");
            repo.tag("v12.4.1");
            repo.commit("fix: b");
            const json = JSON.parse((await next("--from", "v12.4.0", "--json")).stdout);
            expect(json).to.include({ previousTag: "v12.4.0", previousVersion: "12.4.0", version: "12.4.1", range: "v12.4.0..HEAD" });
        });

        it("does not warn that the --to tag itself exists", async () => {
            repo.commit("feat: a");
            repo.tag("v1.3.0");
            repo.commit("fix: after");
            const run = await next("--from", "v1.2.3", "--to", "v1.3.0");
            expect(run).to.deep.equal({ code: 0, stdout: "1.3.0\n", stderr: "" });
        });

        it("still warns about the tag on another branch", async () => {
            repo.git("checkout", "-q", "-b", "other");
            repo.commit("fix: elsewhere");
            repo.tag("v1.2.4");
            repo.git("checkout", "-q", "main");
            repo.commit("fix: here");
            const run = await next();
            expect(run.stdout).to.equal("1.2.4\n");
            expect(run.stderr).to.match(/warning: tag v1\.2\.4 exists already \(not reachable from HEAD\)/);
        });
    });

    describe("the reason", () => {
        it("cites the strongest commit of the winning bump and counts each kind", async () => {
            repo.commit("docs: typo");
            const fix = repo.commit("fix: rounding");
            repo.commit("fix: totals");
            repo.commit("chore: lint");
            repo.commit("fix: cart");
            repo.commit("Update README");
            const json = JSON.parse((await next("--json")).stdout);
            expect(json.reason).to.equal(`patch: fix commit ${fix.slice(0, 7)} "fix: rounding" (6 commits: 3 fix, 1 chore, 1 docs, 1 non-conventional)`);
        });

        it("counts breaking changes apart from their type", async () => {
            const breaking = repo.commit("fix!: totals in cents");
            repo.commit("feat: a");
            repo.commit("feat: b");
            const json = JSON.parse((await next("--json")).stdout);
            expect(json.reason).to.equal(`major: breaking change ${breaking.slice(0, 7)} "fix: totals in cents" (3 commits: 1 breaking, 2 feat)`);
        });
    });

    describe("tags without v", () => {
        it("finds release tags such as 1.2.3 when the repository has no v tags", async () => {
            repo.git("tag", "-d", "v1.2.3");
            repo.tag("1.2.3");
            repo.commit("feat: a");
            const json = JSON.parse((await next("--json")).stdout);
            expect(json).to.include({ version: "1.3.0", tag: "1.3.0", previousTag: "1.2.3" });
        });

        it("refuses --tag-prefix v with the fix when only tags without v exist", async () => {
            repo.git("tag", "-d", "v1.2.3");
            repo.tag("1.2.3");
            repo.commit("feat: a");
            const run = await next("--tag-prefix", "v");
            expect(run.code).to.equal(2);
            expect(run.stdout).to.equal("");
            expect(run.stderr).to.match(/no release tag v<version> is reachable from HEAD, but 1\.2\.3 is .*use --tag-prefix ""/);
        });

        it("prefers v tags when both kinds exist", async () => {
            repo.tag("0.9.0", { ref: "HEAD" });
            repo.commit("fix: a");
            expect((await next()).stdout).to.equal("1.2.4\n");
        });
    });
});
