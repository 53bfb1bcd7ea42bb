import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { changedPaths, createAnnotatedTag, fileHistory, fileState, git, isTracked, listTags, tagsFromFiles, logCommits, prefetchFileHistories, reachableTags, readBlobs, rememberGitReads, repoRoot, repoState, repoStateFromFiles, resolveCommit, tagExists } from "../../cli/git";
import { GitRepo } from "./git-fixture";

/**
 * rememberGitReads (cli/git.ts): inside it, a git query asked twice is one process; anything
 * that changes the repository forgets every answer; the working tree is always read afresh.
 * The processes are counted by a `git` first on PATH that logs its arguments and runs the real one.
 */
describe("git queries remembered for one command (rememberGitReads)", () => {
    let repo: GitRepo;
    let log: string;
    let env: NodeJS.ProcessEnv;

    const calls = (): string[] => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => l !== "") : []);

    beforeEach(() => {
        repo = GitRepo.create();
        repo.write("a.txt", "1\n");
        repo.git("add", "a.txt");
        repo.git("commit", "-q", "-m", "first");
        repo.git("tag", "v1.0.0");
        repo.git("tag", "checkout-v1.0.0");
        const bin = path.join(repo.root, "bin");
        fs.mkdirSync(bin);
        log = path.join(repo.root, "git-calls.log");
        const real = (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "git")).find((f) => fs.existsSync(f));
        expect(real, "git on PATH").to.be.a("string");
        fs.writeFileSync(path.join(bin, "git"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
        env = { ...repo.env, PATH: `${bin}${path.delimiter}${repo.env.PATH}`, GIT_AUTHOR_NAME: "Ada Release", GIT_COMMITTER_NAME: "Ada Release" };
    });

    afterEach(() => fs.rmSync(repo.root, { recursive: true, force: true }));

    it("answers a repeated query without a second process, and the same answers as without", () => {
        const outside = { head: resolveCommit(repo.dir, "HEAD", env), root: repoRoot(repo.dir, env), v: reachableTags(repo.dir, "HEAD", "v", env), exists: tagExists(repo.dir, "v1.0.0", env) };
        fs.rmSync(log, { force: true });
        const inside = rememberGitReads(() => {
            const first = { head: resolveCommit(repo.dir, "HEAD", env), root: repoState(repo.dir, env).root, v: reachableTags(repo.dir, "HEAD", "v", env), exists: tagExists(repo.dir, "v1.0.0", env) };
            // asked again, and in other words that need the same listing
            expect(resolveCommit(repo.dir, "HEAD", env)).to.equal(first.head);
            expect(reachableTags(repo.dir, "HEAD", "checkout-v", env)).to.deep.equal(["checkout-v1.0.0"]);
            expect(tagExists(repo.dir, "checkout-v1.0.0", env)).to.equal(true);
            expect(tagExists(repo.dir, "v9.9.9", env)).to.equal(false);
            return first;
        });
        expect(inside).to.deep.equal(outside);
        // top folder, HEAD and every tag from the repository's files, every reachable tag in one process
        expect(calls()).to.deep.equal([`-C ${repo.dir} tag --merged HEAD --list`]);
    });

    it("forgets every answer once git changes the repository, so a commit or a tag made in the scope is seen", () => {
        rememberGitReads(() => {
            const before = resolveCommit(repo.dir, "HEAD", env);
            expect(tagExists(repo.dir, "checkout-v1.1.0", env)).to.equal(false);
            repo.write("a.txt", "2\n");
            git(repo.dir, ["add", "a.txt"], { env });
            git(repo.dir, ["-c", "user.email=ada@example.com", "commit", "-q", "-m", "second"], { env });
            const after = resolveCommit(repo.dir, "HEAD", env);
            expect(after).to.be.a("string").and.not.equal(before);
            createAnnotatedTag(repo.dir, "checkout-v1.1.0", "release checkout-v1.1.0\n", { ...env, GIT_COMMITTER_EMAIL: "ada@example.com" });
            expect(tagExists(repo.dir, "checkout-v1.1.0", env)).to.equal(true);
            expect(reachableTags(repo.dir, "HEAD", "checkout-v", env)).to.deep.equal(["checkout-v1.0.0", "checkout-v1.1.0"]);
        });
    });

    it("remembers nothing outside the scope: a commit made by someone else between two calls is seen", () => {
        const before = resolveCommit(repo.dir, "HEAD", env);
        repo.write("a.txt", "3\n");
        repo.git("commit", "-q", "-am", "by someone else");
        expect(resolveCommit(repo.dir, "HEAD", env)).to.not.equal(before);
        rememberGitReads(() => resolveCommit(repo.dir, "HEAD", env));
        // the scope ended: asked again after another commit, git is asked again
        repo.write("a.txt", "4\n");
        repo.git("commit", "-q", "-am", "and again");
        expect(resolveCommit(repo.dir, "HEAD", env)).to.equal(repo.git("rev-parse", "HEAD").trim());
    });

    it("ends the scope when the work inside fails or its promise rejects", async () => {
        expect(() =>
            rememberGitReads(() => {
                resolveCommit(repo.dir, "HEAD", env);
                throw new Error("boom");
            }),
        ).to.throw("boom");
        let failed: unknown;
        await rememberGitReads(async () => {
            resolveCommit(repo.dir, "HEAD", env);
            throw new Error("async boom");
        }).catch((e: unknown) => (failed = e));
        expect((failed as Error).message).to.equal("async boom");
        fs.rmSync(log, { force: true });
        repo.write("a.txt", "5\n");
        repo.git("commit", "-q", "-am", "later");
        expect(resolveCommit(repo.dir, "HEAD", env)).to.equal(repo.git("rev-parse", "HEAD").trim());
        expect(calls()).to.have.length(1);
    });

    it("reads the working tree afresh every time (git status is never remembered)", () => {
        rememberGitReads(() => {
            expect(changedPaths(repo.dir, [], env)).to.deep.equal([]);
            repo.write("a.txt", "changed\n");
            expect(changedPaths(repo.dir, [], env)).to.deep.equal(["a.txt"]);
        });
    });

    it("lists the tags of a prefix as git's own pattern does, a prefix with glob characters included", () => {
        repo.git("tag", "va");
        repo.git("tag", "v1-x");
        repo.git("tag", "x-v1.0.0");
        // tag names cannot hold *, ?, [ or a backslash, but a prefix can: git reads it as a pattern
        for (const prefix of ["", "v", "checkout-v", "v[1]", "v?", "x-", "nothing-"]) {
            const byGit = prefix === "" ? repo.git("tag", "--list") : repo.git("tag", "--list", "--", `${prefix}*`);
            const expected = byGit.split("\n").filter((t) => t !== "");
            expect(rememberGitReads(() => listTags(repo.dir, prefix, env)), `prefix ${JSON.stringify(prefix)}`).to.deep.equal(expected);
            expect(listTags(repo.dir, prefix, env), `prefix ${JSON.stringify(prefix)} outside`).to.deep.equal(expected);
        }
    });

    it("knows the commits git log printed: resolving one needs no process; any other id still asks git", () => {
        repo.write("a.txt", "2\n");
        repo.git("commit", "-q", "-am", "second");
        const [second, first] = repo.git("log", "--format=%H").trim().split("\n");
        fs.rmSync(log, { force: true });
        rememberGitReads(() => {
            expect(logCommits(repo.dir, ["HEAD~1..HEAD"], env).map((c) => c.sha)).to.deep.equal([second]);
            expect(resolveCommit(repo.dir, second, env)).to.equal(second);
            expect(calls()).to.have.length(1);
            // not printed by that log: git answers, and a made-up id is no commit
            expect(resolveCommit(repo.dir, first, env)).to.equal(first);
            expect(resolveCommit(repo.dir, "0".repeat(39) + "1", env)).to.equal(undefined);
            expect(calls()).to.have.length(3);
            expect(fileHistory(repo.dir, "a.txt", env).map((c) => c.sha)).to.deep.equal([first, second]);
            expect(resolveCommit(repo.dir, first, env)).to.equal(first);
            expect(calls()).to.have.length(4);
        });
        // outside the scope git is asked again
        expect(resolveCommit(repo.dir, second, env)).to.equal(second);
        expect(calls()).to.have.length(5);
    });

    it("reads several files' histories in one log and one cat-file, each exactly its own, merges and deletions included", () => {
        // project in a sub-folder; on a side branch A changes and B is deleted, main changes B, the merge takes the side's A
        fs.mkdirSync(path.join(repo.dir, "proj"));
        const inProj = (f: string) => path.join("proj", f);
        repo.write(inProj("Pulumi.a.yaml"), "v: 1\n");
        repo.write(inProj("Pulumi.b.yaml"), "v: 1\n");
        repo.write(inProj("Pulumi.c.yaml"), "v: 1\n");
        repo.git("add", ".");
        repo.git("commit", "-q", "-m", "stacks");
        repo.git("checkout", "-q", "-b", "side");
        repo.write(inProj("Pulumi.a.yaml"), "v: 2\n");
        repo.git("commit", "-q", "-am", "side a");
        repo.git("rm", "-q", inProj("Pulumi.c.yaml"));
        repo.git("commit", "-q", "-m", "side deletes c");
        repo.git("checkout", "-q", "main");
        repo.write(inProj("Pulumi.b.yaml"), "v: 3\n");
        repo.git("commit", "-q", "-am", "main b");
        repo.git("merge", "-q", "--no-edit", "side");
        repo.write(inProj("Pulumi.a.yaml"), "v: 4\n");
        repo.git("commit", "-q", "-am", "main a");
        const dir = path.join(repo.dir, "proj");
        const files = ["Pulumi.a.yaml", "Pulumi.b.yaml", "Pulumi.c.yaml", "Pulumi.never.yaml"];
        const blobsOf = (h: ReturnType<typeof fileHistory>) => readBlobs(repo.dir, h.map((c) => c.blob).filter((b): b is string => b !== undefined), env);
        const one = files.map((f) => {
            const h = fileHistory(dir, f, env);
            return { h, blobs: blobsOf(h) };
        });
        // the merge is a's change, c's deletion, and not b's
        expect(one[0].h.map((c) => c.subject)).to.deep.equal(["stacks", "Merge branch 'side'", "main a"]);
        expect(one[2].h.map((c) => [c.subject, c.blob === undefined])).to.deep.equal([["stacks", false], ["Merge branch 'side'", true]]);
        fs.rmSync(log, { force: true });
        const together = rememberGitReads(() => {
            prefetchFileHistories(dir, files, env);
            return files.map((f) => {
                const h = fileHistory(dir, f, env);
                return { h, blobs: blobsOf(h) };
            });
        });
        expect(together).to.deep.equal(one);
        expect(calls().map((c) => c.split(" ").slice(2, 4).join(" "))).to.deep.equal(["log --first-parent", "cat-file --batch"]);
    });

    it("reads the top folder and HEAD from a plain repository's files exactly as git answers, and leaves every other case to git", () => {
        const gitSays = (dir: string) => {
            const out = (() => {
                try {
                    return repo.git("-C", dir, "rev-parse", "--show-toplevel", "-q", "--verify", "HEAD^{commit}");
                } catch (err) {
                    return String((err as { stdout?: Buffer }).stdout ?? "");
                }
            })();
            const [top, head] = out.split("\n");
            return { root: top, head: head || undefined };
        };
        fs.mkdirSync(path.join(repo.dir, "deep", "er"), { recursive: true });
        const sub = path.join(repo.dir, "deep", "er");
        // a branch with a loose ref, from the top and from a sub-folder
        expect(repoStateFromFiles(repo.dir, env)).to.deep.equal(gitSays(repo.dir));
        expect(repoStateFromFiles(sub, env)).to.deep.equal(gitSays(sub));
        // through a symbolic link to the project: git prints the real path
        const link = path.join(repo.root, "link");
        fs.symlinkSync(repo.dir, link);
        expect(repoStateFromFiles(link, env)).to.deep.equal(gitSays(link));
        // packed refs only
        repo.git("pack-refs", "--all", "--prune");
        expect(fs.existsSync(path.join(repo.dir, ".git", "refs", "heads", "main"))).to.equal(false);
        expect(repoStateFromFiles(repo.dir, env)).to.deep.equal(gitSays(repo.dir));
        // detached HEAD
        repo.git("checkout", "-q", "--detach", "HEAD");
        expect(repoStateFromFiles(repo.dir, env)).to.deep.equal(gitSays(repo.dir));
        // an unborn branch: no commit, the top folder still
        repo.git("checkout", "-q", "--orphan", "fresh");
        expect(repoStateFromFiles(repo.dir, env)).to.deep.equal({ root: fs.realpathSync(repo.dir), head: undefined });
        expect(repoStateFromFiles(repo.dir, env)).to.deep.equal(gitSays(repo.dir));
        repo.git("checkout", "-q", "main");
        // left to git: a worktree (.git is a file), GIT_DIR, a config with a work tree, a folder outside any repository
        const wt = path.join(repo.root, "wt");
        repo.git("worktree", "add", "-q", wt, "HEAD");
        expect(repoStateFromFiles(wt, env)).to.equal(undefined);
        for (const v of ["GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES", "GIT_CONFIG_COUNT", "GIT_NAMESPACE"]) expect(repoStateFromFiles(repo.dir, { ...env, [v]: repo.root }), v).to.equal(undefined);
        // variables that move nothing keep the files' answer
        expect(repoStateFromFiles(repo.dir, { ...env, GIT_SSL_CAINFO: "/etc/ssl/certs/ca.crt", GIT_SSH_COMMAND: "ssh" })).to.deep.equal(gitSays(repo.dir));
        const outside = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-nogit-"));
        try {
            expect(repoStateFromFiles(outside, env)).to.equal(undefined);
        } finally {
            fs.rmSync(outside, { recursive: true, force: true });
        }
        repo.git("config", "core.worktree", repo.dir);
        expect(repoStateFromFiles(repo.dir, env)).to.equal(undefined);
        repo.git("config", "--unset", "core.worktree");
        // inside the scope the answer is used as git's: no rev-parse process
        fs.rmSync(log, { force: true });
        const inside = rememberGitReads(() => ({ root: repoRoot(sub, env), head: resolveCommit(sub, "HEAD", env) }));
        expect(inside).to.deep.equal(gitSays(sub));
        expect(calls()).to.deep.equal([]);
    });
    it("lists every tag from the files as git tag --list does: loose, packed, both, nested names, and leaves odd refs to git", () => {
        const byGit = () => repo.git("tag", "--list").split("\n").filter((t) => t !== "");
        const scoped = () => {
            fs.rmSync(log, { force: true });
            const tags = rememberGitReads(() => listTags(repo.dir, "", env));
            return { tags, processes: calls().length };
        };
        // loose only (the two tags of beforeEach), then packed, then loose and packed, nested and annotated
        expect(tagsFromFiles(repo.dir, env)).to.deep.equal(byGit());
        repo.git("pack-refs", "--all");
        repo.git("tag", "-a", "-m", "notes", "release/checkout-v1.1.0");
        repo.git("tag", "Zeta");
        repo.git("tag", "a+b_c-1.0");
        repo.write("a.txt", "2\n");
        repo.git("commit", "-q", "-am", "second");
        repo.git("tag", "-f", "v1.0.0"); // moved: loose now, packed before
        expect(fs.readFileSync(path.join(repo.dir, ".git", "packed-refs"), "utf8")).to.contain("refs/tags/v1.0.0");
        expect(fs.existsSync(path.join(repo.dir, ".git", "refs", "tags", "v1.0.0"))).to.equal(true);
        expect(scoped()).to.deep.equal({ tags: byGit(), processes: 0 });
        expect(byGit()).to.include.members(["release/checkout-v1.1.0", "Zeta", "a+b_c-1.0", "v1.0.0"]);
        // a repository without tags: an empty listing, no process
        const bare = GitRepo.create();
        try {
            bare.write("f", "x\n");
            bare.git("add", "f");
            bare.git("commit", "-q", "-m", "one");
            expect(tagsFromFiles(bare.dir, bare.env)).to.deep.equal([]);
        } finally {
            fs.rmSync(bare.root, { recursive: true, force: true });
        }
        // what the files cannot say as git would: git answers, the same listing
        const odd: [string, () => void][] = [
            ["a name git would quote", () => repo.git("tag", "caf\u00e9")],
            ["a ref being written (a .lock file)", () => fs.writeFileSync(path.join(repo.dir, ".git", "refs", "tags", "v2.lock"), "x")],
            ["a symbolic ref", () => fs.writeFileSync(path.join(repo.dir, ".git", "refs", "tags", "alias"), "ref: refs/tags/v1.0.0\n")],
        ];
        for (const [what, make] of odd) {
            make();
            expect(tagsFromFiles(repo.dir, env), what).to.equal(undefined);
            const { tags, processes } = scoped();
            expect(processes, what).to.equal(1);
            expect(tags, what).to.deep.equal(byGit());
        }
    });

    it("knows that no tag of a prefix is reachable from a commit of HEAD's first-parent line when none is from HEAD or a later commit of it", () => {
        // main: first (v1.0.0, checkout-v1.0.0) - second - third; a side branch merged in carries side-v1
        repo.write("a.txt", "2\n");
        repo.git("commit", "-q", "-am", "second");
        repo.git("checkout", "-q", "-b", "side");
        repo.write("b.txt", "side\n");
        repo.git("add", "b.txt");
        repo.git("commit", "-q", "-m", "on the side");
        repo.git("tag", "side-v1");
        repo.git("checkout", "-q", "main");
        repo.write("a.txt", "3\n");
        repo.git("commit", "-q", "-am", "third");
        repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side");
        repo.write("a.txt", "4\n");
        repo.git("commit", "-q", "-am", "fourth");
        const line = repo.git("log", "--first-parent", "--format=%H", "HEAD", "--", "a.txt").split("\n").filter((l) => l !== "");
        expect(line).to.have.length(4);
        const byGit = (ref: string, prefix: string) => repo.git("tag", "--merged", ref, "--list").split("\n").filter((t) => t.startsWith(prefix) && t !== "");
        for (const prefix of ["", "v", "checkout-v", "side-", "nothing-"]) {
            const answers = rememberGitReads(() => {
                fileHistory(repo.dir, "a.txt", env);
                fs.rmSync(log, { force: true });
                const head = reachableTags(repo.dir, "HEAD", prefix, env);
                const older = line.map((sha) => reachableTags(repo.dir, sha, prefix, env));
                return { head, older, processes: calls().length };
            });
            expect(answers.head, prefix).to.deep.equal(byGit("HEAD", prefix));
            expect(answers.older, prefix).to.deep.equal(line.map((sha) => byGit(sha, prefix)));
            // HEAD's listing is one process; an older commit needs one until a listing before it (HEAD's or a later commit's) has no tag of the prefix
            let expected = 1;
            let emptyAbove = byGit("HEAD", prefix).length === 0;
            for (const sha of line) {
                if (emptyAbove) break;
                expected++;
                emptyAbove = byGit(sha, prefix).length === 0;
            }
            expect(answers.processes, prefix).to.equal(expected);
        }
        // a later commit's empty listing answers for the earlier ones (side-v1 is reachable from the two newest only)
        const fromLater = rememberGitReads(() => {
            fileHistory(repo.dir, "a.txt", env);
            fs.rmSync(log, { force: true });
            const newer = reachableTags(repo.dir, line[2], "side-", env);
            const oldest = reachableTags(repo.dir, line[3], "side-", env);
            const newest = reachableTags(repo.dir, line[0], "side-", env);
            return { newer, oldest, newest, processes: calls().length };
        });
        expect(fromLater).to.deep.equal({ newer: [], oldest: [], newest: ["side-v1"], processes: 2 });
    });

    it("tells tracked and changed from one git status, as ls-files and git status --untracked-files=no do, in every state of a file", () => {
        fs.writeFileSync(path.join(repo.dir, ".gitignore"), "ignored*\n");
        repo.write("clean.txt", "c\n");
        repo.write("modified.txt", "m\n");
        repo.write("staged.txt", "s\n");
        repo.write("both.txt", "b\n");
        repo.write("removed.txt", "r\n");
        repo.write("uncached.txt", "u\n");
        repo.write("moved-from.txt", "mv\n");
        repo.write("ignored-but-tracked.txt", "t\n");
        repo.git("add", ".gitignore", "clean.txt", "modified.txt", "staged.txt", "both.txt", "removed.txt", "uncached.txt", "moved-from.txt");
        repo.git("add", "-f", "ignored-but-tracked.txt");
        repo.git("commit", "-q", "-m", "files");
        repo.write("modified.txt", "m2\n");
        repo.write("staged.txt", "s2\n");
        repo.git("add", "staged.txt");
        repo.write("both.txt", "b2\n");
        repo.git("add", "both.txt");
        repo.write("both.txt", "b3\n");
        fs.rmSync(path.join(repo.dir, "removed.txt"));
        repo.git("rm", "-q", "--cached", "uncached.txt");
        repo.git("mv", "moved-from.txt", "moved-to.txt");
        repo.write("ignored-but-tracked.txt", "t2\n");
        repo.write("untracked.txt", "n\n");
        repo.write("ignored.txt", "i\n");
        repo.write("added.txt", "a\n");
        repo.git("add", "added.txt");
        repo.write("added.txt", "a2\n");
        fs.mkdirSync(path.join(repo.dir, "sub"));
        repo.write("sub/deep.txt", "d\n");
        repo.git("add", "sub/deep.txt");
        repo.git("commit", "-q", "-m", "deep", "--", "sub/deep.txt");
        repo.write("sub/deep.txt", "d2\n");
        const files = ["clean.txt", "modified.txt", "staged.txt", "both.txt", "removed.txt", "uncached.txt", "moved-from.txt", "moved-to.txt", "ignored-but-tracked.txt", "untracked.txt", "ignored.txt", "added.txt", "sub/deep.txt", "missing.txt"];
        const seen = new Set<string>();
        for (const file of files) {
            const expected = { tracked: isTracked(repo.dir, file, env), changed: changedPaths(repo.dir, [file], env).length > 0 };
            seen.add(JSON.stringify(expected));
            expect(fileState(repo.dir, file, env), file).to.deep.equal(expected);
        }
        // from a sub-folder, a path from there
        expect(fileState(path.join(repo.dir, "sub"), "deep.txt", env)).to.deep.equal({ tracked: true, changed: true });
        // every combination occurs, so the states tell apart what they must
        expect([...seen].sort()).to.deep.equal(
            [{ tracked: false, changed: false }, { tracked: false, changed: true }, { tracked: true, changed: false }, { tracked: true, changed: true }].map((e) => JSON.stringify(e)).sort(),
        );
    });

    it("answers a question about refs or objects asked from a sub-folder as the one asked from the top, and knows the commits a sub-folder's log printed", () => {
        fs.mkdirSync(path.join(repo.dir, "deploy"));
        repo.write("deploy/stack.yaml", "a: 1\n");
        repo.git("add", "deploy/stack.yaml");
        repo.git("commit", "-q", "-m", "stack");
        const sub = path.join(repo.dir, "deploy");
        const answers = rememberGitReads(() => {
            repoState(sub, env);
            const history = fileHistory(sub, "stack.yaml", env);
            fs.rmSync(log, { force: true });
            const top = { tags: reachableTags(repo.dir, "HEAD", "v", env), remotes: git(repo.dir, ["remote"], { env }) };
            const below = { tags: reachableTags(sub, "HEAD", "v", env), remotes: git(sub, ["remote"], { env }) };
            // resolving a commit the sub-folder's log printed, from the top: no process
            const resolved = resolveCommit(repo.dir, history[0].sha, env);
            return { top, below, resolved, sha: history[0].sha, processes: calls() };
        });
        expect(answers.below).to.deep.equal(answers.top);
        expect(answers.top.tags).to.deep.equal(["v1.0.0"]);
        expect(answers.resolved).to.equal(answers.sha);
        expect(answers.processes).to.deep.equal([`-C ${repo.dir} tag --merged HEAD --list`, `-C ${repo.dir} remote`]);
        // a path from the sub-folder is a question of its own
        rememberGitReads(() => {
            repoState(sub, env);
            fs.rmSync(log, { force: true });
            expect(fileHistory(sub, "stack.yaml", env)).to.have.length(1);
            expect(fileHistory(repo.dir, "deploy/stack.yaml", env)).to.have.length(1);
            expect(calls()).to.have.length(2);
        });
    });
});
