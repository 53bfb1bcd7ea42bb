import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GitRepo } from "./git-fixture";
import { runCli } from "./run-cli";

describe("releasectl next (real git repositories)", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = GitRepo.create();
        repo.commit("feat: first service");
        repo.tag("v1.2.3");
    });
    afterEach(() => repo.remove());

    const next = (...args: string[]) => runCli(["next", ...args], { cwd: repo.dir, env: repo.env });

    it("prints only the version for a fix", async () => {
        repo.commit("fix: round totals");
        expect(await next()).to.deep.equal({ code: 0, stdout: "1.2.4\n", stderr: "" });
    });

    it("bumps the minor for a feat among fixes", async () => {
        repo.commit("fix: a");
        repo.commit("feat(cart): gift cards");
        repo.commit("fix: b");
        expect((await next()).stdout).to.equal("1.3.0\n");
    });

    it("bumps the major for a BREAKING CHANGE footer", async () => {
        repo.commit("fix: totals\n\nBREAKING CHANGE: totals are in cents");
        expect((await next()).stdout).to.equal("2.0.0\n");
    });

    it("bumps the major for type!", async () => {
        repo.commit("feat!: drop the v1 API");
        expect((await next()).stdout).to.equal("2.0.0\n");
    });

    it("bumps the patch for a chore by default", async () => {
        repo.commit("chore: bump lint");
        expect((await next()).stdout).to.equal("1.2.4\n");
    });

    it("releases nothing under --strict when no commit qualifies, saying so on stderr and printing nothing", async () => {
        repo.commit("chore: bump lint");
        repo.commit("docs: typo");
        const run = await next("--strict");
        expect(run.code).to.equal(0);
        expect(run.stdout).to.equal("");
        expect(run.stderr).to.match(/^releasectl next: nothing to release: no fix, perf, feat or breaking commit since 1\.2\.3/);
    });

    it("releases nothing when HEAD is the release tag", async () => {
        const run = await next();
        expect(run.stdout).to.equal("");
        expect(run.stderr).to.match(/nothing to release: no commits since 1\.2\.3/);
    });

    it("starts at 1.0.0 in a repository without tags", async () => {
        const fresh = GitRepo.create();
        try {
            fresh.commit("chore: init");
            const run = await runCli(["next"], { cwd: fresh.dir, env: fresh.env });
            expect(run.stdout).to.equal("1.0.0\n");
        } finally {
            fresh.remove();
        }
    });

    it("reads the commits a merge brings in, not the merge message", async () => {
        repo.git("checkout", "-q", "-b", "cart");
        repo.commit("feat(cart): gift cards");
        repo.git("checkout", "-q", "main");
        repo.commit("fix: totals");
        repo.git("merge", "-q", "--no-ff", "cart", "-m", "Merge branch 'cart'");
        const run = await next("--json");
        const json = JSON.parse(run.stdout);
        expect(json.version).to.equal("1.3.0");
        expect(json.commits.map((c: { header: string }) => c.header)).to.have.members(["fix: totals", "feat(cart): gift cards"]);
        expect(json.mergeCommits).to.have.length(1);
    });

    it("releases nothing for a merge whose commits were already released", async () => {
        repo.git("checkout", "-q", "-b", "hotfix");
        repo.commit("fix: hot");
        repo.tag("v1.2.4");
        repo.git("checkout", "-q", "main");
        repo.git("merge", "-q", "--no-ff", "hotfix", "-m", "Merge branch 'hotfix'");
        const run = await next();
        expect(run.stdout).to.equal("");
        expect(run.stderr).to.match(/nothing to release: no commits since 1\.2\.4/);
    });

    it("starts from the highest release tag reachable from HEAD, ignoring tags on other branches", async () => {
        repo.git("checkout", "-q", "-b", "next-major");
        repo.commit("feat!: rewrite");
        repo.tag("v2.0.0");
        repo.git("checkout", "-q", "main");
        repo.commit("fix: a");
        expect((await next()).stdout).to.equal("1.2.4\n");
    });

    it("ignores tags that are not SemVer after the prefix", async () => {
        repo.commit("fix: a");
        repo.tag("v-nightly");
        expect((await next()).stdout).to.equal("1.2.4\n");
    });

    it("uses another tag prefix", async () => {
        repo.tag("checkout-v3.1.0");
        repo.commit("feat: a");
        expect((await next("--tag-prefix", "checkout-v")).stdout).to.equal("3.2.0\n");
    });

    it("reads the range given by --from and --to", async () => {
        const from = repo.commit("fix: a");
        repo.commit("feat: b");
        const to = repo.commit("fix: c");
        repo.commit("feat!: d");
        const json = JSON.parse((await next("--from", from, "--to", to, "--json")).stdout);
        expect(json.commits.map((c: { header: string }) => c.header)).to.deep.equal(["fix: c", "feat: b"]);
        expect(json.version).to.equal("1.3.0");
    });

    it("continues a prerelease line from a prerelease tag", async () => {
        repo.commit("feat: a");
        repo.tag("v1.3.0-beta.1");
        repo.commit("fix: b");
        expect((await next("--prerelease", "beta")).stdout).to.equal("1.3.0-beta.2\n");
    });

    it("switches the prerelease identifier, restarting at 1", async () => {
        repo.commit("feat: a");
        repo.tag("v1.3.0-beta.2");
        repo.commit("fix: b");
        expect((await next("--prerelease", "rc")).stdout).to.equal("1.3.0-rc.1\n");
    });

    it("keeps build metadata when asked", async () => {
        repo.commit("fix: a");
        expect((await next("--build", "build.7")).stdout).to.equal("1.2.4+build.7\n");
    });

    it("explains the bump in --json with the commits used", async () => {
        const sha = repo.commit("feat(cart): gift cards");
        const json = JSON.parse((await next("--json")).stdout);
        expect(json).to.include({ version: "1.3.0", tag: "v1.3.0", bump: "minor", previousTag: "v1.2.3", range: "v1.2.3..HEAD" });
        expect(json.reason).to.equal(`minor: feat commit ${sha.slice(0, 7)} "feat(cart): gift cards" (1 commit: 1 feat)`);
        expect(json.commits).to.deep.equal([{ sha, header: "feat(cart): gift cards", type: "feat", scope: "cart", breaking: false, bump: "minor" }]);
    });

    it("refuses a folder that is not a git repository with one line and exit 2", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-nogit-"));
        try {
            const run = await runCli(["next"], { cwd: dir, env: { ...repo.env, GIT_CEILING_DIRECTORIES: path.dirname(dir) } });
            expect(run.code).to.equal(2);
            expect(run.stderr).to.match(/not a git repository/);
            expect(run.stderr.trim().split("\n")).to.have.length(1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses an unknown --from revision with exit 2", async () => {
        const run = await next("--from", "v9.9.9");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/--from v9\.9\.9: no such git revision/);
    });

    it("prints help with an example", async () => {
        const run = await next("--help");
        expect(run.code).to.equal(0);
        expect(run.stdout).to.match(/Examples:\n  releasectl next/);
    });
});
