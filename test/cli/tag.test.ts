import { expect } from "chai";
import * as path from "path";
import { GitRepo } from "./git-fixture";
import { runCli } from "./run-cli";

describe("releasectl tag (real git repositories)", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = GitRepo.create();
        repo.commit("feat: first", { "app.txt": "1\n" });
        repo.tag("v1.2.3", { annotated: true });
    });
    afterEach(() => repo.remove());

    const tag = (...args: string[]) => runCli(["tag", ...args], { cwd: repo.dir, env: repo.env });

    it("creates an annotated tag on HEAD with the release message and one line per commit", async () => {
        const fix = repo.commit("fix: round totals");
        const feat = repo.commit("feat(cart): gift cards");
        const run = await tag("1.3.0");
        expect(run.code).to.equal(0);
        expect(repo.git("cat-file", "-t", "v1.3.0").trim()).to.equal("tag");
        expect(repo.git("rev-list", "-n", "1", "v1.3.0").trim()).to.equal(feat);
        expect(repo.git("tag", "-l", "--format=%(contents)", "v1.3.0")).to.equal(
            `release v1.3.0\n\nChanges since v1.2.3:\n\nFeatures:\n- cart: gift cards (${feat.slice(0, 7)})\n\nBug fixes:\n- round totals (${fix.slice(0, 7)})\n\n`,
        );
    });

    it("tags the version releasectl next computes when no version is given", async () => {
        repo.commit("feat: gift cards");
        const run = await tag();
        expect(run.code).to.equal(0);
        expect(run.stdout).to.match(/created annotated tag v1\.3\.0 on [0-9a-f]{7}/);
        expect(repo.git("tag", "-l", "v1.3.0").trim()).to.equal("v1.3.0");
    });

    it("refuses an existing tag with exit 2", async () => {
        repo.commit("fix: a");
        const run = await tag("1.2.3");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/tag v1\.2\.3 exists already/);
    });

    it("refuses a working tree with uncommitted changes and creates no tag", async () => {
        repo.commit("fix: a");
        repo.write("app.txt", "changed\n");
        const run = await tag("1.2.4");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/uncommitted changes to app\.txt; commit them/);
        expect(repo.git("tag", "-l", "v1.2.4")).to.equal("");
    });

    it("refuses a version that is not SemVer, pointing at a leading prefix", async () => {
        const run = await tag("v1.2.4");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/without the "v" prefix: 1\.2\.4/);
    });

    it("refuses to guess a version when there is nothing to release", async () => {
        const run = await tag("--strict");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/nothing to release: .*name the version/);
    });

    it("never pushes the tag", async () => {
        const remote = path.join(repo.root, "remote.git");
        repo.git("init", "-q", "--bare", remote);
        repo.git("remote", "add", "origin", remote);
        repo.git("push", "-q", "origin", "main");
        repo.commit("fix: a");
        expect((await tag("1.2.4")).code).to.equal(0);
        expect(repo.git("ls-remote", "--tags", "origin")).to.equal("");
    });

    it("prints the tag and its message with --dry-run and creates nothing", async () => {
        repo.commit("fix: a");
        const run = await tag("--dry-run");
        expect(run.stdout).to.match(/would create tag v1\.2\.4 on [0-9a-f]{7} with the message:\n  release v1\.2\.4/);
        expect(repo.git("tag", "-l", "v1.2.4")).to.equal("");
    });
});
