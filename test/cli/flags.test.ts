import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { GitRepo } from "./git-fixture";
import { checkoutAt, projectRepo, STACK_FILE } from "./project-fixture";
import { CliRun, runCli } from "./run-cli";

/**
 * Bad flag input across the commands (issue 9: flags, and the habits of kubectl, helm and git
 * users): exit 2, one line naming the flag or value and the fix, nothing changed, never an
 * internal error.
 */

/** What must not change: HEAD, the tags and every tracked file. */
function state(repo: GitRepo): string {
    return [repo.head(), repo.git("tag", "-l"), repo.git("status", "--porcelain"), fs.existsSync(path.join(repo.dir, STACK_FILE)) ? repo.read(STACK_FILE) : ""].join("\n--\n");
}

/** Exit 2, one message line (a usage error adds "(see ... --help)"), no internal error. */
function refused(run: CliRun, pattern: RegExp): void {
    expect(run.code, `${run.stdout}${run.stderr}`).to.equal(2);
    expect(run.stderr).to.not.include("internal error");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines[0]).to.match(pattern);
    expect(lines.slice(1).every((l) => /^\(see releasectl \S+ --help\)$/.test(l)), run.stderr).to.equal(true);
}

describe("bad flags: tag and next (real git repositories)", () => {
    let repo: GitRepo;
    let before: string;
    beforeEach(() => {
        repo = GitRepo.create();
        repo.commit("feat: first", { "app.txt": "1\n" });
        repo.tag("v1.2.3", { annotated: true });
        repo.commit("feat: gift cards");
        before = state(repo);
    });
    afterEach(() => repo.remove());

    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });
    const unchanged = () => expect(state(repo)).to.equal(before);

    for (const [flag, value, written] of [
        ["--prerelease", "rc", "releasectl tag 1.4.0-rc.1"],
        ["--build", "b7", "releasectl tag 1.4.0+b7"],
    ] as const) {
        it(`refuses ${flag} with an explicit version (it was ignored: v1.4.0 was tagged)`, async () => {
            const run = await cli("tag", "1.4.0", flag, value);
            refused(run, new RegExp(`^releasectl tag: ${flag} ${value} only applies when the version is computed, and 1\\.4\\.0 is given: put the .* into the version \\(${written.replace(/[.+]/g, "\\$&")}\\) or drop the version`));
            unchanged();
        });
    }

    it("refuses --strict and --initial-version with an explicit version", async () => {
        refused(await cli("tag", "1.4.0", "--strict"), /^releasectl tag: --strict only applies when the version is computed, and 1\.4\.0 is given: drop --strict or drop the version/);
        refused(await cli("tag", "1.4.0", "--initial-version", "0.1.0"), /^releasectl tag: --initial-version 0\.1\.0 only applies when the version is computed/);
        unchanged();
    });

    it("validates --initial-version also when a release tag exists (it was ignored)", async () => {
        refused(await cli("next", "--initial-version", "bogus"), /^releasectl next: --initial-version "bogus": not a SemVer version; use e\.g\. 0\.1\.0 or 1\.0\.0$/);
        refused(await cli("next", "--initial-version", ""), /^releasectl next: --initial-version "": not a SemVer version/);
        refused(await cli("tag", "--initial-version", "bogus"), /^releasectl tag: --initial-version "bogus": not a SemVer version/);
        refused(await cli("next", "--initial-version", "v1.0.0"), /^releasectl next: --initial-version "v1\.0\.0": not a SemVer version; drop the leading v: --initial-version 1\.0\.0$/);
        unchanged();
    });

    it("refuses a tag below the newest release tag, naming both", async () => {
        const at = repo.git("rev-list", "-n", "1", "v1.2.3").trim().slice(0, 7);
        refused(await cli("tag", "1.0.0"), new RegExp(`^releasectl tag: version 1\\.0\\.0 is below the newest release tag v1\\.2\\.3 \\(on ${at}\\); release tags only move forward: choose a version after 1\\.2\\.3 \\(releasectl next\\)$`));
        refused(await cli("tag", "1.2.3-rc.1"), /^releasectl tag: version 1\.2\.3-rc\.1 is below the newest release tag v1\.2\.3/);
        refused(await cli("tag", "1.2.3+b2"), /^releasectl tag: version 1\.2\.3\+b2 is not after the newest release tag v1\.2\.3 .*: it differs only in build metadata/);
        refused(await cli("tag", "1.2.3"), /^releasectl tag: tag v1\.2\.3 exists already/);
        unchanged();
    });

    it("still tags a hotfix on a maintenance branch that does not contain the newer tags", async () => {
        repo.tag("v1.3.0", { annotated: true });
        repo.git("switch", "-q", "-c", "release-1.2", "v1.2.3");
        repo.commit("fix: rounding");
        const run = await cli("tag", "1.2.4");
        expect(run.code, run.stderr).to.equal(0);
        expect(repo.git("tag", "-l", "v1.2.4").trim()).to.equal("v1.2.4");
    });

    it("refuses --to: tag always tags HEAD (it computed the version for --to and tagged HEAD)", async () => {
        refused(await cli("tag", "--to", "HEAD~1"), /^releasectl tag: --to HEAD~1: releasectl tag always tags HEAD; check out the commit to tag/);
        unchanged();
    });

    it("refuses versions with numbers beyond what can be compared (it tagged one)", async () => {
        refused(await cli("tag", "99999999999999999999.0.0"), /^releasectl tag: version "99999999999999999999\.0\.0": a number above 9007199254740991/);
        refused(await cli("tag", `1.0.0-${"a".repeat(300)}`), /^releasectl tag: version ".*": longer than 256 characters/);
        unchanged();
    });

    it("refuses malformed versions", async () => {
        for (const v of ["1.2", "01.2.3", "1.2.3-", ""]) refused(await cli("tag", v), new RegExp(`^releasectl tag: version "${v.replace(/\./g, "\\.")}": not a SemVer version; use e\\.g\\. 2\\.5\\.0`));
        unchanged();
    });

    it("names the option meant for a mistyped one, and says how to pass a value starting with -", async () => {
        refused(await cli("tag", "--dryrun"), /^releasectl tag: unknown option --dryrun \(did you mean --dry-run\?\); usage: /);
        refused(await cli("next", "--tag-prefix", "-v"), /^releasectl next: --tag-prefix -v: a value that starts with "-" is read as an option; write it joined: --tag-prefix=-v; usage/);
        unchanged();
    });
});

describe("bad flags: prepare, rollback, history, diff, check (the example project in git)", () => {
    let repo: GitRepo;
    let before: string;
    beforeEach(() => {
        repo = projectRepo(); // checkout 2.4.1
        repo.commit("release checkout 2.5.0", { [STACK_FILE]: checkoutAt("2.5.0", "2.4.1") });
        before = state(repo);
    });
    afterEach(() => repo.remove());

    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });
    const unchanged = () => expect(state(repo)).to.equal(before);

    it("prepare refuses --prerelease and --build with an explicit version (it wrote 2.6.0)", async () => {
        refused(
            await cli("prepare", "checkout", "2.6.0", "--prerelease", "rc"),
            /^releasectl prepare: --prerelease rc only applies when the version is computed, and 2\.6\.0 is given: put the prerelease into the version \(releasectl prepare checkout 2\.6\.0-rc\.1\) or drop the version to compute it \(releasectl prepare checkout auto --prerelease rc\)$/,
        );
        refused(await cli("prepare", "checkout", "2.6.0", "--build", "b7"), /^releasectl prepare: --build b7 only applies when the version is computed, .*\(releasectl prepare checkout 2\.6\.0\+b7\)/);
        refused(await cli("prepare", "checkout", "2.6.0", "--repo", "."), /^releasectl prepare: --repo \. only applies when the version is computed/);
        unchanged();
    });

    it("prepare auto validates --initial-version, and refuses it where it never applies", async () => {
        refused(await cli("prepare", "checkout", "auto", "--initial-version", "bogus"), /^releasectl prepare: --initial-version "bogus": not a SemVer version/);
        refused(await cli("prepare", "checkout", "auto", "--repo", ".", "--initial-version", "bogus"), /^releasectl prepare: --initial-version "bogus": not a SemVer version/);
        refused(
            await cli("prepare", "checkout", "auto", "--initial-version", "0.1.0"),
            /^releasectl prepare: --initial-version 0\.1\.0: without a release tag prepare auto counts from checkout's current version \(2\.5\.0\).*applies with --repo/,
        );
        unchanged();
    });

    it("prepare refuses a version with a number beyond what can be compared (it was an internal error)", async () => {
        refused(await cli("prepare", "checkout", "99999999999999999999.0.0"), /^releasectl prepare: version "99999999999999999999\.0\.0": a number above 9007199254740991/);
        unchanged();
    });

    it("suggests the service meant for a mistyped name, in every command that takes one", async () => {
        const meant = /has no (service "chekout"|release).*\(did you mean checkout\?\); services in stack production: checkout, storefront$/;
        refused(await cli("prepare", "chekout", "2.6.0"), meant);
        refused(await cli("rollback", "chekout"), meant);
        refused(await cli("history", "chekout"), /service "chekout" has no release in the file's git history \(did you mean checkout\?\)/);
        refused(await cli("diff", "chekout", "2.4.1"), /\(did you mean checkout\?\)/);
        refused(await cli("check", "--service", "chekout"), meant);
        refused(await cli("status", "chekout"), meant);
        refused(await cli("prepare", "payments", "2.6.0"), /has no service "payments"; services in stack production/);
        unchanged();
    });

    it("refuses --stack \"\"", async () => {
        refused(await cli("history", "checkout", "--stack", ""), /^releasectl history: --stack "": not a stack name/);
        unchanged();
    });

    it("rollback answers helm's positional version with the --to form", async () => {
        const run = await cli("rollback", "checkout", "2.4.1");
        refused(run, /^releasectl rollback: the version to roll back to goes after --to; use: releasectl rollback checkout --to 2\.4\.1$/);
        expect(run.stderr).to.equal("releasectl rollback: the version to roll back to goes after --to; use: releasectl rollback checkout --to 2.4.1\n");
        refused(await cli("rollback", "checkout", "v2.4.1", "--stack", "production", "--dry-run"), /use: releasectl rollback checkout --to 2\.4\.1 --stack production --dry-run$/);
        refused(await cli("rollback", "checkout", "storefront"), /^releasectl rollback: expected 1 argument\(s\), got 2; usage: /);
        unchanged();
    });

    it("rollback --to v2.4.1 says to drop the v (it said the version never shipped)", async () => {
        const run = await cli("rollback", "checkout", "--to", "v2.4.1");
        refused(run, /^releasectl rollback: --to v2\.4\.1: a version, not a tag, is asked for: drop the leading v: use --to 2\.4\.1$/);
        unchanged();
    });

    it("rollback and prepare refuse a bad --lock-timeout, also a negative one", async () => {
        refused(await cli("rollback", "checkout", "--lock-timeout", "abc"), /^releasectl rollback: --lock-timeout "abc": not a duration/);
        refused(await cli("prepare", "checkout", "2.6.0", "--lock-timeout", "-5s"), /^releasectl prepare: --lock-timeout -5s: a value that starts with "-" is read as an option; write it joined: --lock-timeout=-5s/);
        refused(await cli("prepare", "checkout", "2.6.0", "--lock-timeout=-5s"), /^releasectl prepare: --lock-timeout "-5s": not a duration/);
        unchanged();
    });

    it("diff takes -U / --unified for the lines of context, and refuses --context (the kube context elsewhere)", async () => {
        const u0 = await cli("diff", "checkout", "2.4.1", "2.5.0", "-U", "0");
        expect(u0.code, u0.stderr).to.equal(1);
        expect(u0.stdout).to.match(/^--- checkout@2\.4\.1\n\+\+\+ checkout@2\.5\.0\n@@ -\d+(,\d+)? \+\d+(,\d+)? @@\n-/);
        const u1 = await cli("diff", "checkout", "2.4.1", "2.5.0", "--unified", "1");
        expect(u1.code, u1.stderr).to.equal(1);
        expect(u1.stdout.split("\n").length).to.be.below((await cli("diff", "checkout", "2.4.1", "2.5.0")).stdout.split("\n").length);
        refused(await cli("diff", "checkout", "2.4.1", "--context", "1"), /^releasectl diff: --context: diff reads no cluster, so it takes no kube context; for lines of context around each change use -U N \(--unified N\)/);
        refused(await cli("diff", "checkout", "2.4.1", "-U", "abc"), /^releasectl diff: --unified "abc": not a whole number of lines/);
        refused(await cli("diff", "checkout", "2.4.1", "-U", "-1"), /^releasectl diff: -U -1: a value that starts with "-" is read as an option/);
        unchanged();
    });

    it("diff exits 1 when the releases differ and 0 when they do not, as kubectl diff", async () => {
        const differ = await cli("diff", "checkout", "2.4.1", "2.5.0");
        expect(differ.code).to.equal(1);
        expect(differ.stdout).to.match(/^--- checkout@2\.4\.1/);
        const same = await cli("diff", "checkout", "2.5.0");
        expect(same.code).to.equal(0);
        expect(same.stdout).to.equal("");
    });

    it("diff says to drop a leading v, and refuses an empty or malformed version", async () => {
        refused(await cli("diff", "checkout", "v2.4.1"), /^releasectl diff: <from> v2\.4\.1: a version, not a tag, is asked for: drop the leading v: 2\.4\.1$/);
        refused(await cli("diff", "checkout", "2.4.1", "v2.5.0"), /^releasectl diff: <to> v2\.5\.0: .*drop the leading v: 2\.5\.0$/);
        refused(await cli("diff", "checkout", ""), /^releasectl diff: <from> "": not a SemVer version; versions of checkout that shipped: 2\.5\.0, 2\.4\.1$/);
        refused(await cli("diff", "checkout", "2.4"), /^releasectl diff: <from> "2\.4": not a SemVer version/);
        unchanged();
    });

    it("status refuses --interval and --timeout without --watch, and durations it cannot wait", async () => {
        refused(await cli("status", "checkout", "--timeout", "10m"), /^releasectl status: --timeout 10m only applies with --watch \(without it status looks once and exits\); add --watch/);
        refused(await cli("status", "checkout", "--interval", "1s"), /^releasectl status: --interval 1s only applies with --watch/);
        refused(await cli("status", "checkout", "--watch", "--timeout", "0s"), /^releasectl status: --timeout "0s": must be longer than 0/);
        refused(await cli("status", "checkout", "--watch", "--interval", "1000h"), /^releasectl status: --interval "1000h": longer than 596h31m24s, the longest wait a timer can hold/);
        refused(await cli("status", "checkout", "--watch-timeout", "abc"), /^releasectl status: unknown option --watch-timeout; usage/);
        unchanged();
    });

    it("names the command meant for a mistyped one", async () => {
        const run = await cli("shp");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/^releasectl: unknown command "shp" \(did you mean ship\?\); commands: /);
    });
});

describe("releasectl --version and releasectl version (in-process)", () => {
    it("print the package's version under ts-node too (the binary's fix must not break this path)", async () => {
        const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
        for (const arg of ["--version", "version"]) {
            const run = await runCli([arg], { cwd: __dirname, env: {} });
            expect(run.code, run.stderr).to.equal(0);
            expect(run.stdout).to.equal(`${version}\n`);
        }
    });
});
