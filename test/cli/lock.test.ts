import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { acquireLock, lockPathFor, updateFileLocked } from "../../cli/stack/lock";
import { GitRepo } from "./git-fixture";
import { checkoutAt, PRODUCTION, projectRepo, STACK_FILE } from "./project-fixture";
import { runCli } from "./run-cli";

const ROOT = path.join(__dirname, "..", "..");

/** Runs a TypeScript snippet in a child node process (ts-node), resolving with its exit status. */
function child(script: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolve) => {
        const p = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, env: { ...env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") } });
        let stderr = "";
        p.stderr.on("data", (d) => (stderr += d));
        p.on("exit", (code, signal) => resolve({ code, signal, stderr }));
    });
}

describe("the stack file lock", () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-lock-"));
        file = path.join(dir, STACK_FILE);
        fs.writeFileSync(file, "0\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("makes a second update wait and read the first one's result", async () => {
        let openGate!: () => void;
        const gate = new Promise<void>((resolve) => (openGate = resolve));
        const seenBySecond: string[] = [];
        const first = updateFileLocked(file, async (text) => {
            await gate; // hold the lock across an await: the second update runs meanwhile
            return `${text}first\n`;
        });
        const second = updateFileLocked(file, (text) => {
            seenBySecond.push(text);
            return `${text}second\n`;
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(seenBySecond, "the second update has not read the file while the lock is held").to.deep.equal([]);
        openGate();
        await Promise.all([first, second]);
        expect(seenBySecond).to.deep.equal(["0\nfirst\n"]);
        expect(fs.readFileSync(file, "utf8")).to.equal("0\nfirst\nsecond\n");
        expect(fs.existsSync(lockPathFor(file))).to.equal(false);
    });

    it("gives up after the timeout with a message naming the holder", async () => {
        const held = await acquireLock(lockPathFor(file));
        try {
            await updateFileLocked(file, (t) => t, { timeoutMs: 100 }).then(
                () => expect.fail("should time out"),
                (e: Error) => expect(e.message).to.match(new RegExp(`locked by pid ${process.pid} on .*; wait for it to finish`)),
            );
        } finally {
            held.release();
        }
    });

    it("breaks a lock left by a process that no longer exists", async () => {
        fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), created: Date.now(), token: "dead" }));
        await updateFileLocked(file, (t) => `${t}after\n`, { timeoutMs: 1000 });
        expect(fs.readFileSync(file, "utf8")).to.equal("0\nafter\n");
    });

    it("serialises read-modify-write across processes: no increment is lost", async () => {
        const script = (n: number) => `
            const { updateFileLocked } = require(${JSON.stringify(path.join(ROOT, "cli", "stack", "lock"))});
            (async () => {
                for (let i = 0; i < ${n}; i++) {
                    await updateFileLocked(${JSON.stringify(file)}, async (text) => {
                        await new Promise((r) => setTimeout(r, 5)); // widen the window a lost update needs
                        return String(Number(text) + 1) + "\\n";
                    }, { timeoutMs: 60000 });
                }
            })().catch((e) => { console.error(e); process.exit(1); });`;
        const runs = await Promise.all([child(script(15)), child(script(15)), child(script(15))]);
        for (const r of runs) expect(r.code, r.stderr).to.equal(0);
        expect(fs.readFileSync(file, "utf8")).to.equal("45\n");
    });
});

describe("concurrent and interrupted prepare runs", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = projectRepo();
    });
    afterEach(() => repo.remove());

    it("two prepare processes started at once both land their update", async () => {
        const script = (service: string, version: string) =>
            `require(${JSON.stringify(path.join(ROOT, "cli", "main"))}).main(["prepare", "${service}", "${version}", "--cwd", ${JSON.stringify(repo.dir)}]).then((c) => process.exit(c));`;
        const runs = await Promise.all([child(script("checkout", "2.5.0"), repo.env), child(script("storefront", "1.13.0"), repo.env)]);
        for (const r of runs) expect(r.code, r.stderr).to.equal(0);
        const services = parse(repo.read(STACK_FILE)).config["releasectl:services"];
        expect([services.checkout.version, services.storefront.version]).to.deep.equal(["2.5.0", "1.13.0"]);
    });

    it("a prepare whose write fails half-way leaves the old file intact and no temporary file", async () => {
        // The module object itself (not the import's read-only view), as fs-atomic sees it.
        const nodeFs = require("fs") as { writeFileSync: typeof fs.writeFileSync };
        const original = nodeFs.writeFileSync;
        nodeFs.writeFileSync = (target: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView) => {
            const text = String(data);
            original(target, text.slice(0, text.length >> 1));
            throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        };
        let run;
        try {
            run = await runCli(["prepare", "checkout", "2.5.0"], { cwd: repo.dir, env: repo.env });
        } finally {
            nodeFs.writeFileSync = original;
        }
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/could not write the new version \(ENOSPC\); the file is unchanged/);
        expect(repo.read(STACK_FILE)).to.equal(PRODUCTION);
        expect(fs.readdirSync(repo.dir).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock"))).to.deep.equal([]);
    });

    it("a prepare killed (SIGKILL) in the middle of its write leaves the old file, and its stale lock does not block the next run", async () => {
        const script = `
            const fs = require("fs");
            const write = fs.writeFileSync;
            fs.writeFileSync = (target, data) => {
                const text = String(data);
                write(target, text.slice(0, text.length >> 1));
                process.kill(process.pid, "SIGKILL");
            };
            require(${JSON.stringify(path.join(ROOT, "cli", "main"))}).main(["prepare", "checkout", "2.5.0", "--cwd", ${JSON.stringify(repo.dir)}]);`;
        const killed = await child(script, repo.env);
        expect(killed.signal).to.equal("SIGKILL");
        expect(repo.read(STACK_FILE)).to.equal(PRODUCTION);
        expect(fs.existsSync(path.join(repo.dir, `${STACK_FILE}.lock`)), "the killed run left its lock").to.equal(true);
        const next = await runCli(["prepare", "checkout", "2.5.0"], { cwd: repo.dir, env: repo.env });
        expect(next.code, next.stderr).to.equal(0);
        expect(repo.read(STACK_FILE)).to.equal(checkoutAt("2.5.0", "2.4.1"));
    });
});
