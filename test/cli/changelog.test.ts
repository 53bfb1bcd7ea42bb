import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { commitLinks } from "../../cli/changelog/remote";
import { insertEntry } from "../../cli/changelog/file";
import { GitRepo } from "./git-fixture";
import { checkoutAt, projectRepo, STACK_FILE } from "./project-fixture";
import { runCli } from "./run-cli";

const NOW = "2026-03-04T10:00:00Z";

describe("changelog: prepare writes the entry, releasectl changelog prints the notes (real git repositories)", () => {
    let repo: GitRepo;
    let env: NodeJS.ProcessEnv;
    const shas: Record<string, string> = {};
    beforeEach(() => {
        repo = projectRepo();
        env = { ...repo.env, RELEASECTL_NOW: NOW };
        shas.docs = repo.commit("docs: explain the *cart* flow");
        shas.fix = repo.commit("fix(cart): round totals");
        shas.chore = repo.commit("chore: bump deps");
        shas.feat = repo.commit("feat(cart): gift cards");
        shas.breaking = repo.commit("feat(api)!: drop the v1 endpoints");
        shas.perf = repo.commit("perf: cache prices\n\nBREAKING CHANGE: the price cache needs Redis 7");
    });
    afterEach(() => repo.remove());

    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });
    const short = (k: string) => shas[k].slice(0, 7);

    it("prepare writes the entry: breaking changes, then features, fixes and other changes; chores and releasectl's own commits left out", async () => {
        const run = await cli("prepare", "checkout", "3.0.0");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.include("CHANGELOG.md: entry for checkout 3.0.0 written (6 commits");
        expect(run.stdout).to.include('git commit -m "release checkout 3.0.0" Pulumi.production.yaml CHANGELOG.md');
        expect(repo.read("CHANGELOG.md")).to.equal(
            [
                "# Changelog",
                "",
                "## checkout 3.0.0 (2026-03-04)",
                "",
                "### Breaking changes",
                "",
                `- the price cache needs Redis 7 (${short("perf")})`,
                `- **api:** drop the v1 endpoints (${short("breaking")})`,
                "",
                "### Features",
                "",
                `- **cart:** gift cards (${short("feat")})`,
                "",
                "### Bug fixes",
                "",
                `- cache prices (${short("perf")})`,
                `- **cart:** round totals (${short("fix")})`,
                "",
                "### Other changes",
                "",
                `- docs: explain the \\*cart\\* flow (${short("docs")})`,
                "",
            ].join("\n"),
        );
        expect(repo.read(STACK_FILE)).to.equal(checkoutAt("3.0.0", "2.4.1"));
        // the checklist's changelog rule reads the same file
        const check = await cli("check", "--service", "checkout", "--no-repo");
        expect(check.stdout).to.match(/passed\s+repository-changelog-entry/);
    });

    it("links each commit when the remote is on GitHub (ssh) or GitLab (https)", async () => {
        repo.git("remote", "add", "origin", "git@github.com:shop/platform.git");
        await cli("prepare", "checkout", "3.0.0");
        expect(repo.read("CHANGELOG.md")).to.include(`- **cart:** gift cards ([${short("feat")}](https://github.com/shop/platform/commit/${shas.feat}))`);
        repo.git("remote", "set-url", "origin", "https://ci:s3cret@gitlab.com/shop/group/platform.git");
        const notes = await cli("changelog", "checkout");
        expect(notes.stdout).to.include(`([${short("feat")}](https://gitlab.com/shop/group/platform/-/commit/${shas.feat}))`);
        expect(notes.stdout).not.to.include("s3cret");
    });

    it("inserts into an existing changelog before the newest release, keeping every other byte (CRLF, Unreleased, non-UTF-8)", async () => {
        const before = Buffer.concat([
            Buffer.from("# Changelog\r\n\r\nAll notable changes. Caf", "latin1"),
            Buffer.from([0xe9]), // Latin-1 é: not UTF-8, must come back unchanged
            Buffer.from("\r\n\r\n## [Unreleased]\r\n\r\n- nothing yet\r\n\r\n## storefront 1.12.0 (2026-01-01)\r\n\r\n- front page\r\n\r\n## checkout 2.4.1\r\n- orders\r\n", "latin1"),
        ]);
        fs.writeFileSync(path.join(repo.dir, "CHANGELOG.md"), before);
        const run = await cli("prepare", "checkout", "3.0.0");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.include('before "## storefront 1.12.0 (2026-01-01)"');
        const after = fs.readFileSync(path.join(repo.dir, "CHANGELOG.md"));
        const at = before.indexOf("## storefront");
        expect(after.subarray(0, at).equals(before.subarray(0, at))).to.equal(true);
        expect(after.subarray(after.length - (before.length - at)).equals(before.subarray(at))).to.equal(true);
        const inserted = after.subarray(at, after.length - (before.length - at)).toString("utf8");
        expect(inserted.startsWith("## checkout 3.0.0 (2026-03-04)\r\n\r\n### Breaking changes\r\n")).to.equal(true);
        expect(inserted.endsWith(")\r\n\r\n")).to.equal(true);
        expect(inserted.replace(/\r\n/g, "")).not.to.include("\n");
    });

    it("is idempotent: preparing the same version again does not add a second entry", async () => {
        await cli("prepare", "checkout", "3.0.0");
        const first = repo.read("CHANGELOG.md");
        repo.git("checkout", "--", STACK_FILE);
        repo.commit("fix: one more");
        const again = await cli("prepare", "checkout", "3.0.0");
        expect(again.code, again.stderr).to.equal(0);
        expect(again.stdout).to.include('CHANGELOG.md: has an entry for checkout 3.0.0 already ("## checkout 3.0.0 (2026-03-04)"); left as it is');
        expect(repo.read("CHANGELOG.md")).to.equal(first);
    });

    it("an entry of another service for the same version is not this service's entry", async () => {
        repo.write("CHANGELOG.md", "# Changelog\n\n## storefront 3.0.0\n\n- x\n");
        await cli("prepare", "checkout", "3.0.0");
        expect(repo.read("CHANGELOG.md")).to.match(/^# Changelog\n\n## checkout 3\.0\.0 \(2026-03-04\)\n[\s\S]*\n## storefront 3\.0\.0\n\n- x\n$/);
    });

    it("--dry-run shows the entry and writes nothing; --no-changelog skips it", async () => {
        const dry = await cli("prepare", "checkout", "3.0.0", "--dry-run");
        expect(dry.stdout).to.include("CHANGELOG.md: would be created with the entry:\n  ## checkout 3.0.0 (2026-03-04)\n");
        expect(fs.existsSync(path.join(repo.dir, "CHANGELOG.md"))).to.equal(false);
        const skip = await cli("prepare", "checkout", "3.0.0", "--no-changelog");
        expect(skip.code).to.equal(0);
        expect(fs.existsSync(path.join(repo.dir, "CHANGELOG.md"))).to.equal(false);
    });

    it("writes the file named by changelogFile of repository-changelog-entry in the pack config", async () => {
        repo.write("pack.json", JSON.stringify({ "repository-changelog-entry": { changelogFile: "docs/RELEASES.md" } }));
        fs.mkdirSync(path.join(repo.dir, "docs"));
        const run = await cli("prepare", "checkout", "3.0.0", "--policy-pack-config", "pack.json");
        expect(run.code, run.stderr).to.equal(0);
        expect(repo.read("docs/RELEASES.md")).to.match(/^# Changelog\n\n## checkout 3\.0\.0/);
    });

    it("checks a pack config against every rule, also where only the changelog's setting is read (a typo is bad input, nothing written)", async () => {
        repo.write("pack.json", JSON.stringify({ "canary-thresholds-strict": { successRateMinimum: 99 } }));
        for (const args of [["prepare", "checkout", "3.0.0"], ["changelog", "checkout"]]) {
            const run = await cli(...args, "--policy-pack-config", "pack.json");
            expect(run.code, `${args[0]}: ${run.stderr}`).to.equal(2);
            expect(run.stderr, args[0]).to.match(/pack\.json: .*canary-thresholds-strict.*successRateMinimum/);
        }
        expect(fs.existsSync(path.join(repo.dir, "CHANGELOG.md"))).to.equal(false);
        // and a rule's level or setting the pack knows is accepted there too
        repo.write("pack.json", JSON.stringify({ all: "advisory", "canary-thresholds-strict": { successRateMin: 99 } }));
        const ok = await cli("prepare", "checkout", "3.0.0", "--policy-pack-config", "pack.json");
        expect(ok.code, ok.stderr).to.equal(0);
        expect(repo.read("CHANGELOG.md")).to.match(/^# Changelog\n\n## checkout 3\.0\.0/);
    });

    it("releasectl changelog prints the notes of the version the stack names, as markdown or plain text", async () => {
        await cli("prepare", "checkout", "3.0.0");
        const md = await cli("changelog", "checkout");
        expect(md.code, md.stderr).to.equal(0);
        expect(md.stdout).to.equal(repo.read("CHANGELOG.md").replace("# Changelog\n\n", ""));
        expect(md.stderr).to.equal("");
        const plain = await cli("changelog", "checkout", "--plain");
        expect(plain.stdout).to.equal(
            [
                "Breaking changes:",
                `- the price cache needs Redis 7 (${short("perf")})`,
                `- api: drop the v1 endpoints (${short("breaking")})`,
                "",
                "Features:",
                `- cart: gift cards (${short("feat")})`,
                "",
                "Bug fixes:",
                `- cache prices (${short("perf")})`,
                `- cart: round totals (${short("fix")})`,
                "",
                "Other changes:",
                `- docs: explain the *cart* flow (${short("docs")})`,
                "",
            ].join("\n"),
        );
    });

    it("releasectl changelog --version: a tagged version's commits run from the tag before it to its tag", async () => {
        repo.tag("checkout-v2.4.1", { ref: "HEAD~6" }); // the service's own tags: the example stack has two services
        repo.tag("checkout-v3.0.0", { annotated: true });
        const later = repo.commit("feat: after the release");
        const run = await cli("changelog", "checkout", "--version", "3.0.0", "--plain");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.include(`- cart: gift cards (${short("feat")})`);
        expect(run.stdout).not.to.include(later.slice(0, 7));
        expect(run.stderr).to.equal("releasectl changelog: note: CHANGELOG.md has no entry for checkout 3.0.0 yet; releasectl prepare writes it\n");
    });

    it("bad input is one line and exit 2: unknown service, a version that is not SemVer or never released", async () => {
        const unknown = await cli("changelog", "chekout");
        expect(unknown.code).to.equal(2);
        expect(unknown.stderr).to.match(/^releasectl changelog: .*has no service "chekout".*checkout/);
        const bad = await cli("changelog", "checkout", "--version", "v3.0.0");
        expect(bad.code).to.equal(2);
        expect(bad.stderr).to.equal('releasectl changelog: --version "v3.0.0": not a SemVer version; drop the leading v: 3.0.0\n');
        const never = await cli("changelog", "checkout", "--version", "1.0.0");
        expect(never.code).to.equal(2);
        expect(never.stderr).to.match(/^releasectl changelog: --version 1\.0\.0: checkout never released 1\.0\.0 .*released versions: 2\.4\.1/);
        const usage = await cli("changelog");
        expect(usage.code).to.equal(2);
    });

    it("--help and the command table list the command", async () => {
        const help = await cli("changelog", "--help");
        expect(help.code).to.equal(0);
        expect(help.stdout).to.match(/^Usage: releasectl changelog <service>/);
        expect((await cli("--help")).stdout).to.match(/\n {2}changelog +the release notes/);
    });
});

describe("changelog pieces", () => {
    it("commit links from GitHub and GitLab remotes, https and ssh; none for unknown hosts", () => {
        const link = (remote: string) => commitLinks(remote)?.commit("abc");
        expect(link("https://github.com/shop/platform.git")).to.equal("https://github.com/shop/platform/commit/abc");
        expect(link("git@github.com:shop/platform.git")).to.equal("https://github.com/shop/platform/commit/abc");
        expect(link("ssh://git@github.com/shop/platform")).to.equal("https://github.com/shop/platform/commit/abc");
        expect(link("https://token:x-oauth@github.com/shop/platform")).to.equal("https://github.com/shop/platform/commit/abc");
        expect(link("git@gitlab.com:shop/group/platform.git")).to.equal("https://gitlab.com/shop/group/platform/-/commit/abc");
        expect(link("ssh://git@gitlab.example.com:2222/shop/platform.git")).to.equal("https://gitlab.example.com/shop/platform/-/commit/abc");
        expect(link("https://git.example.com/shop/platform.git")).to.equal(undefined);
        expect(link("/srv/git/platform.git")).to.equal(undefined);
    });

    it("a changelog without release headings gets the entry at the end, after a blank line", () => {
        const entry = () => "## a 1.0.0 (d)\n\nNo notable changes.\n";
        expect(insertEntry("# Changelog\nIntro", entry).text).to.equal("# Changelog\nIntro\n\n## a 1.0.0 (d)\n\nNo notable changes.\n");
        expect(insertEntry("# Changelog\n\n", entry).text).to.equal("# Changelog\n\n## a 1.0.0 (d)\n\nNo notable changes.\n");
        // a version inside a fenced code block is not a release heading
        expect(insertEntry("# C\n\n```\n## 1.2.3\n```\n", entry).where).to.equal("at the end");
    });
});

describe("changelog and the checklist", () => {
    it("the changelog prepare wrote may stay uncommitted, like the stack file (repository-working-tree-clean)", async () => {
        const repo = projectRepo();
        try {
            repo.commit("feat: gift cards");
            const env = { ...repo.env, RELEASECTL_NOW: NOW };
            expect((await runCli(["prepare", "checkout", "2.5.0"], { cwd: repo.dir, env })).code).to.equal(0);
            const check = await runCli(["check", "--service", "checkout"], { cwd: repo.dir, env });
            expect(check.stdout).to.match(/passed\s+repository-working-tree-clean/);
            expect(check.stdout).to.match(/passed\s+repository-changelog-entry/);
            repo.write("other.txt", "x\n");
            const dirty = await runCli(["check", "--service", "checkout"], { cwd: repo.dir, env });
            expect(dirty.stdout).to.match(/failed\s+repository-working-tree-clean/);
            expect(dirty.stdout).to.include("(other.txt)");
        } finally {
            repo.remove();
        }
    });
});
