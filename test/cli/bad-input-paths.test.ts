import { expect } from "chai";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GitRepo } from "./git-fixture";
import { checkoutAt, PRODUCTION, projectRepo, STACK_FILE } from "./project-fixture";
import { CliRun, runCli } from "./run-cli";

/**
 * Bad paths, for every command that takes one, and stack files that are not plain writable
 * files: each is one line on stderr naming the thing and the fix, exit 2, and no file changed;
 * never a hang and never "internal error".
 */

const ROOT = path.join(__dirname, "..", "..");

/** Every entry under `dir` (.git aside): kind, mode, bytes (or link target) and mtime. */
function tree(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (sub: string) => {
        for (const name of fs.readdirSync(path.join(dir, sub)).sort()) {
            if (sub === "" && name === ".git") continue;
            const rel = path.join(sub, name);
            const full = path.join(dir, rel);
            const st = fs.lstatSync(full);
            const what = st.isSymbolicLink()
                ? `link ${fs.readlinkSync(full)}`
                : st.isDirectory()
                  ? "dir"
                  : st.isFile()
                    ? `file ${fs.readFileSync(full).toString("base64")}`
                    : "special";
            out[rel] = `${what} mode ${(st.mode & 0o7777).toString(8)} mtime ${st.mtimeMs}`;
            if (st.isDirectory()) walk(rel);
        }
    };
    walk("");
    return out;
}

/** The run failed as bad input should: exit 2 and exactly one line on stderr, naming `names`. */
function expectOneLine(run: CliRun, command: string, ...names: string[]): void {
    expect(run.code, run.stderr).to.equal(2);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(new RegExp(`^releasectl ${command}: `));
    expect(lines[0]).not.to.include("internal error");
    for (const name of names) expect(lines[0]).to.include(name);
}

/**
 * Runs the command line in a child process, killed after `timeoutMs`: for inputs that used to
 * hang synchronously (a test in-process could never time out).
 */
function runChild(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
    const script = `require(${JSON.stringify(path.join(ROOT, "cli", "main"))}).main(${JSON.stringify(args)}, { cwd: ${JSON.stringify(cwd)} }).then((c) => process.exit(c));`;
    return new Promise((resolve) => {
        const p = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: ROOT,
            env: { ...env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
        });
        let stderr = "";
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            p.kill("SIGKILL");
        }, timeoutMs);
        p.stderr.on("data", (d) => (stderr += d));
        p.on("exit", (code) => {
            clearTimeout(timer);
            resolve({ code, stderr, timedOut });
        });
    });
}

/** Marks a folder immutable (chattr +i), or returns false where the file system cannot. */
function makeImmutable(dir: string): boolean {
    try {
        execFileSync("chattr", ["+i", dir], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

function undoImmutable(dir: string): void {
    try {
        execFileSync("chattr", ["-i", dir], { stdio: "ignore" });
    } catch {
        // not immutable
    }
}

describe("bad paths: one line, exit 2, nothing changed", () => {
    let repo: GitRepo;
    let before: Record<string, string>;
    beforeEach(() => {
        repo = projectRepo();
        repo.commit("release checkout 2.5.0", { [STACK_FILE]: checkoutAt("2.5.0", "2.4.1") });
        before = tree(repo.dir);
    });
    afterEach(() => repo.remove());
    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });
    const unchanged = () => expect(tree(repo.dir)).to.deep.equal(before);

    describe("--repo", () => {
        it("a folder that does not exist", async () => {
            const run = await cli("next", "--repo", "../no-such-checkout");
            expectOneLine(run, "next", "--repo ../no-such-checkout", "no such folder");
            unchanged();
        });

        it("a file", async () => {
            const run = await cli("next", "--repo", STACK_FILE);
            expectOneLine(run, "next", `--repo ${STACK_FILE}`, "is a file, not a folder");
            unchanged();
        });

        it("a path under a file", async () => {
            const run = await cli("tag", "--dry-run", "--repo", `${STACK_FILE}/x`);
            expectOneLine(run, "tag", `--repo ${STACK_FILE}/x`, "is a file, not a folder");
            unchanged();
        });

        it("a folder that is not a git repository", async () => {
            const plain = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-plain-"));
            try {
                const run = await cli("next", "--repo", plain);
                expectOneLine(run, "next", plain, "not a git repository");
            } finally {
                fs.rmSync(plain, { recursive: true, force: true });
            }
            unchanged();
        });

        it("prepare auto --repo to a missing folder", async () => {
            const run = await cli("prepare", "checkout", "auto", "--repo", "/nonexistent/checkout");
            expectOneLine(run, "prepare", "--repo /nonexistent/checkout", "no such folder");
            unchanged();
        });

        it("an empty --repo", async () => {
            const run = await cli("next", "--repo", "");
            expectOneLine(run, "next", '--repo ""', "empty path");
        });
    });

    describe("--cwd", () => {
        /** Every command, with arguments that would get past its own checks. */
        const COMMANDS: string[][] = [
            ["render"],
            ["check"],
            ["next"],
            ["tag", "--dry-run"],
            ["prepare", "checkout", "2.6.0"],
            ["rollback", "checkout", "--dry-run"],
            ["history", "checkout"],
            ["diff", "checkout", "2.4.1"],
            ["status", "checkout"],
            ["ship", "checkout", "2.6.0", "--dry-run"],
        ];

        for (const args of COMMANDS) {
            it(`${args[0]}: a --cwd that does not exist is refused, not replaced by the project above it`, async () => {
                // a missing folder inside the project: walking up from it would find the project
                const run = await cli(...args, "--cwd", "services/typo");
                expectOneLine(run, args[0], "--cwd services/typo", "no such folder");
                unchanged();
            });
        }

        it("a --cwd that is a file", async () => {
            const run = await cli("render", "--cwd", STACK_FILE);
            expectOneLine(run, "render", `--cwd ${STACK_FILE}`, "is a file, not a folder");
        });

        it("an empty --cwd", async () => {
            const run = await cli("prepare", "checkout", "2.6.0", "--cwd", "");
            expectOneLine(run, "prepare", '--cwd ""', "empty path");
            unchanged();
        });

        it("a --cwd holding a newline", async () => {
            const run = await cli("render", "--cwd", `${repo.dir}\n`);
            expectOneLine(run, "render", "--cwd", "control character");
        });

        it("an existing sub-folder still finds the project above it", async () => {
            fs.mkdirSync(path.join(repo.dir, "docs"));
            const run = await cli("render", "--cwd", "docs");
            expect(run.code, run.stderr).to.equal(0);
        });
    });

    describe("render --out", () => {
        it("a path under a regular file", async () => {
            const run = await cli("render", "--out", `${STACK_FILE}/rendered`);
            expectOneLine(run, "render", `--out ${STACK_FILE}/rendered`, "is a file, not a folder");
            unchanged();
        });

        it("an existing file", async () => {
            const run = await cli("render", "--out", STACK_FILE);
            expectOneLine(run, "render", `--out ${STACK_FILE}`, "exists and is not a directory");
            unchanged();
        });

        it("an empty value, which used to write into the project folder", async () => {
            const run = await cli("render", "--out", "");
            expectOneLine(run, "render", '--out ""', "empty path", "mktemp");
            unchanged();
        });

        it("a value with a trailing newline", async () => {
            const run = await cli("render", "--out", "rendered\n");
            expectOneLine(run, "render", '--out "rendered\\n"', "control character");
            unchanged();
        });

        it("a value with a NUL", async () => {
            const run = await cli("render", "--out", "rendered\0");
            expectOneLine(run, "render", "--out", "control character (\\x00)");
            unchanged();
        });

        it("the project folder itself (not empty, not made by render)", async () => {
            const run = await cli("render", "--out", ".");
            expectOneLine(run, "render", "--out .", "did not write", "new or empty folder");
            unchanged();
        });

        it("a place under /proc, where mkdir says ENOENT: refused, without looping forever", async function () {
            if (!fs.existsSync("/proc/self")) this.skip();
            this.timeout(60_000);
            const target = `/proc/releasectl-render-test-${process.pid}/out`;
            const run = await runChild(["render", "--out", target], repo.dir, repo.env);
            expect(run.timedOut, "render --out under /proc hung").to.equal(false);
            expect(run.code, run.stderr).to.equal(2);
            expect(run.stderr.trimEnd().split("\n")).to.have.length(1);
            // root passes access(2) on /proc and mkdir says ENOENT; anyone else is told it is not writable
            expect(run.stderr).to.match(new RegExp(`--out ${target}: (cannot create|/proc is not writable)`));
            unchanged();
        });

        it("an immutable folder (unwritable even for root)", async function () {
            const locked = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-immutable-"));
            try {
                if (!makeImmutable(locked)) this.skip();
                const run = await cli("render", "--out", path.join(locked, "rendered"));
                expectOneLine(run, "render", `--out ${path.join(locked, "rendered")}`, "not writable");
                const direct = await cli("render", "--out", locked);
                expectOneLine(direct, "render", `--out ${locked}`, "not writable");
                expect(fs.readdirSync(locked)).to.deep.equal([]);
            } finally {
                undoImmutable(locked);
                fs.rmSync(locked, { recursive: true, force: true });
            }
            unchanged();
        });
    });

    describe("check --config", () => {
        it("an empty value", async () => {
            const run = await cli("check", "--config", "");
            expectOneLine(run, "check", '--config ""', "empty path");
        });

        it("a folder", async () => {
            const run = await cli("check", "--config", ".");
            expectOneLine(run, "check", "--config .", "is a folder, not a file");
        });
    });

    describe("--stack", () => {
        for (const [stack, says] of [
            ["..", "not a stack name"],
            ["../other/production", "not a stack name"],
            ["acme/shop/production", "pass only the last part (--stack production)"],
        ]) {
            it(`${JSON.stringify(stack)} is not a stack name`, async () => {
                const run = await cli("prepare", "checkout", "2.6.0", "--stack", stack);
                expectOneLine(run, "prepare", `--stack ${JSON.stringify(stack)}`, says);
                unchanged();
            });
        }

        it("names RELEASECTL_STACK when the bad name comes from there", async () => {
            const run = await runCli(["render"], { cwd: repo.dir, env: { ...repo.env, RELEASECTL_STACK: "a/b" } });
            expectOneLine(run, "render", 'RELEASECTL_STACK="a/b"');
        });
    });
});

describe("stack files that are not plain writable files", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = projectRepo();
        repo.commit("release checkout 2.5.0", { [STACK_FILE]: checkoutAt("2.5.0", "2.4.1") });
    });
    afterEach(() => repo.remove());
    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });
    const file = () => path.join(repo.dir, STACK_FILE);

    describe("a symbolic link", () => {
        let target: string;
        beforeEach(() => {
            // the stack file lives elsewhere (a shared config checkout), linked into the project
            target = path.join(repo.root, "shared", "production.yaml");
            fs.mkdirSync(path.dirname(target));
            fs.renameSync(file(), target);
            fs.symlinkSync(target, file());
        });

        it("prepare writes through it: the link stays a link, the target gets the update", async () => {
            const run = await cli("prepare", "checkout", "2.6.0");
            expect(run.code, run.stderr).to.equal(0);
            expect(fs.lstatSync(file()).isSymbolicLink(), "the link was replaced by a file").to.equal(true);
            expect(fs.readlinkSync(file())).to.equal(target);
            expect(fs.readFileSync(target, "utf8")).to.equal(checkoutAt("2.6.0", "2.5.0"));
            // no temporary file or lock left beside the link or the target
            expect(fs.readdirSync(repo.dir).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock"))).to.deep.equal([]);
            expect(fs.readdirSync(path.dirname(target))).to.deep.equal(["production.yaml"]);
        });

        it("prepare takes the lock beside the target, where the write happens", async () => {
            const lock = `${target}.lock`;
            fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), created: Date.now(), token: "held" }));
            const run = await cli("prepare", "checkout", "2.6.0", "--lock-timeout", "1s");
            expectOneLine(run, "prepare", lock, "locked by");
            expect(fs.readFileSync(target, "utf8")).to.equal(checkoutAt("2.5.0", "2.4.1"));
        });

        it("a relative link is followed from the link's folder", async () => {
            fs.rmSync(file());
            fs.symlinkSync(path.relative(repo.dir, target), file());
            const run = await cli("prepare", "checkout", "2.6.0");
            expect(run.code, run.stderr).to.equal(0);
            expect(fs.lstatSync(file()).isSymbolicLink()).to.equal(true);
            expect(fs.readFileSync(target, "utf8")).to.equal(checkoutAt("2.6.0", "2.5.0"));
        });

        it("commands that read the file's git history refuse it (git records the link, not the releases), changing nothing", async () => {
            repo.git("add", "--", STACK_FILE);
            repo.git("commit", "-q", "-m", "the stack file moves to the shared folder");
            const before = tree(repo.dir);
            const targetBefore = fs.readFileSync(target);
            for (const args of [["rollback", "checkout"], ["history", "checkout"], ["diff", "checkout", "2.4.1"], ["ship", "checkout", "2.6.0", "--dry-run"]]) {
                const run = await cli(...args);
                expectOneLine(run, args[0], `${STACK_FILE}: a symbolic link`, "replace the link by the file itself");
            }
            expect(tree(repo.dir)).to.deep.equal(before);
            expect(fs.readFileSync(target).equals(targetBefore)).to.equal(true);
        });

        it("a dangling link is refused, naming the missing target", async () => {
            fs.rmSync(target);
            const before = tree(repo.dir);
            const run = await cli("prepare", "checkout", "2.6.0");
            expectOneLine(run, "prepare", STACK_FILE, `a symbolic link to ${target}, which does not exist`);
            expect(tree(repo.dir)).to.deep.equal(before);
            expect(fs.existsSync(target)).to.equal(false);
        });
    });

    describe("a read-only stack file (no write bit; root could write it anyway)", () => {
        let before: Record<string, string>;
        beforeEach(() => {
            fs.chmodSync(file(), 0o444);
            before = tree(repo.dir);
        });
        afterEach(() => fs.chmodSync(file(), 0o644));

        for (const args of [
            ["prepare", "checkout", "2.6.0"],
            ["rollback", "checkout"],
            ["ship", "checkout", "2.6.0", "--dry-run"],
        ]) {
            it(`${args[0]} refuses it, naming the file and chmod u+w, and changes nothing`, async () => {
                const run = await cli(...args);
                expectOneLine(run, args[0], STACK_FILE, "read-only (mode 0444)", "chmod u+w");
                expect(tree(repo.dir)).to.deep.equal(before);
            });
        }

        it("--dry-run writes nothing, so it still works", async () => {
            const run = await cli("prepare", "checkout", "2.6.0", "--dry-run");
            expect(run.code, run.stderr).to.equal(0);
            expect(tree(repo.dir)).to.deep.equal(before);
        });
    });

    it("a folder whose files cannot be created (immutable) is refused before the lock is taken", async function () {
        if (!makeImmutable(repo.dir)) this.skip();
        try {
            const before = tree(repo.dir);
            const run = await cli("prepare", "checkout", "2.6.0");
            expectOneLine(run, "prepare", repo.dir, "not writable", "temporary file and a lock");
            expect(tree(repo.dir)).to.deep.equal(before);
        } finally {
            undoImmutable(repo.dir);
        }
    });

    it("keeps the file's mode exactly, whatever the umask", async () => {
        fs.chmodSync(file(), 0o664);
        const umask = process.umask(0o022);
        try {
            const run = await cli("prepare", "checkout", "2.6.0");
            expect(run.code, run.stderr).to.equal(0);
        } finally {
            process.umask(umask);
        }
        expect((fs.statSync(file()).mode & 0o7777).toString(8)).to.equal("664");
    });

    describe("bytes that are not UTF-8 (a Latin-1 comment)", () => {
        const latin1 = (text: string) => Buffer.from(text, "latin1");
        /** The stack file's bytes with a Latin-1 "é" in the first comment and a stray 0xff 0xfe in checkout's block. */
        const withBytes = (text: string) =>
            latin1(("# Caf\xe9 team: r\xe9leases go through releasectl\n" + Buffer.from(text, "utf8").toString("latin1")).replace("    checkout:\n", "    checkout:\n      # owner: \xff\xfe\n"));

        beforeEach(() => {
            fs.writeFileSync(file(), withBytes(checkoutAt("2.5.0", "2.4.1")));
            repo.git("commit", "-q", "-am", "latin-1 comments");
        });

        /**
         * Never changed into U+FFFD: either the edit keeps every other byte (exit 0), or the file
         * is refused, naming it and the line, and left as it was (exit 2).
         */
        const expectKeptOrRefused = (run: CliRun, command: string, before: Buffer, expected: Buffer) => {
            const after = fs.readFileSync(file());
            expect(after.includes(Buffer.from("\ufffd", "utf8")), "an undecodable byte was replaced by U+FFFD").to.equal(false);
            if (run.code === 0) {
                expect(after.equals(expected), after.toString("latin1")).to.equal(true);
            } else {
                expectOneLine(run, command, `${STACK_FILE}:1:`, "UTF-8");
                expect(after.equals(before)).to.equal(true);
            }
        };

        it("prepare keeps them byte for byte, or refuses the file naming the line", async () => {
            const before = fs.readFileSync(file());
            const run = await cli("prepare", "checkout", "2.6.0");
            expectKeptOrRefused(run, "prepare", before, withBytes(checkoutAt("2.6.0", "2.5.0")));
        });

        it("the editor itself keeps them: a rollback block from history with such bytes comes back byte for byte", async () => {
            // the release to restore (2.5.0, committed above) carries the bytes; now a clean UTF-8 2.6.0
            repo.commit("release checkout 2.6.0", { [STACK_FILE]: checkoutAt("2.6.0", "2.5.0") });
            const run = await cli("rollback", "checkout");
            expect(run.code, run.stderr).to.equal(0);
            const after = fs.readFileSync(file());
            expect(after.includes(latin1("    checkout:\n      # owner: \xff\xfe\n"))).to.equal(true);
            expect(after.includes(Buffer.from("\ufffd", "utf8"))).to.equal(false);
            expect(after.toString("latin1")).to.include("      version: 2.5.0\n      previousVersion: 2.6.0\n      rollback: true\n");
        });
    });

    describe("a stack file that is no file", () => {
        it("a folder", async () => {
            fs.rmSync(file());
            fs.mkdirSync(file());
            const run = await cli("render", "--stack", "production");
            expectOneLine(run, "render", STACK_FILE, "is a folder, not a stack file");
        });

        it("a named pipe: refused instead of waiting forever for a writer", async function () {
            this.timeout(60_000);
            fs.rmSync(file());
            execFileSync("mkfifo", [file()]);
            for (const args of [["render"], ["prepare", "checkout", "2.6.0"]]) {
                const run = await runChild(args, repo.dir, repo.env);
                expect(run.timedOut, `${args[0]} on a pipe hung`).to.equal(false);
                expect(run.code, run.stderr).to.equal(2);
                expect(run.stderr.trimEnd().split("\n")).to.have.length(1);
                expect(run.stderr).to.include("not a regular file");
            }
        });

        it("one far too large to be a stack file", async () => {
            fs.truncateSync(file(), 64 * 1024 * 1024);
            const run = await cli("render");
            expectOneLine(run, "render", STACK_FILE);
        });
    });
});
