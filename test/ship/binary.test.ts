import { expect } from "chai";
import { execFile, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { FakeKubeApi } from "../helpers/fake-kube-api";
import { checkoutAt, expectSecretNotPrinted, FAST, makeWorld, markedRollback, PRODUCTION, Webhook, World } from "./fixture";

const REPO = path.join(__dirname, "..", "..");
const BIN = path.join(REPO, "bin", "releasectl.js");
const BUILT = path.join(REPO, "dist", "cli", "commands", "ship.js");

/** Newest modification time of the TypeScript the command line is compiled from. */
function newestSource(dir: string): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === "node_modules") continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
        else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
    return newest;
}

/** Runs the compiled binary without blocking this process (the fake servers answer it). */
function releasectl(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...args], { cwd, env, encoding: "utf8" }, (error, stdout, stderr) => {
            resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
        });
    });
}

describe("releasectl ship through the compiled binary", function () {
    this.timeout(120_000);
    let api: FakeKubeApi;
    let hook: Webhook;
    let world: World | undefined;

    before(async function () {
        // Build as npm run build does, unless dist/ is newer than every source (the render
        // binary test builds it earlier in the same run).
        const sources = Math.max(...["cli", "config", "builders", "policies"].map((d) => newestSource(path.join(REPO, d))));
        if (!fs.existsSync(BUILT) || fs.statSync(BUILT).mtimeMs < sources) {
            const build = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: REPO, encoding: "utf8" });
            expect(build.status, `tsc -p tsconfig.json failed:\n${build.stdout}${build.stderr}`).to.equal(0);
        }
        api = await FakeKubeApi.start();
        hook = await Webhook.start();
    });
    after(async () => {
        await api?.close();
        await hook?.close();
    });
    afterEach(() => world?.remove());

    it("rolls back a failed canary and reports it as JSON lines, exit 1", async () => {
        world = makeWorld({ api, hook, cluster: { release: "fail" } });
        const run = await releasectl(["ship", "checkout", "auto", ...FAST, "--json"], world.repo.dir, world.env);
        expect(run.code, run.stderr).to.equal(1);
        expectSecretNotPrinted(run);
        const events = run.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
        const states = events.filter((e) => e.event === "step" && e.state !== "running").map((e) => `${e.step} ${e.state}`);
        expect(states).to.deep.equal([
            "precheck done",
            "prepare done",
            "preview done",
            "apply done",
            "canary failed",
            "rollback done",
            "reapply done",
            "restore done",
            "announce-rollback done",
        ]);
        const summary = events[events.length - 1];
        expect(summary).to.include({ event: "summary", result: "rolled back", exitCode: 1, version: "2.5.0", previousVersion: "2.4.1", failedStep: "canary" });
        expect((summary.commits as { rollback: string }).rollback).to.equal(world.repo.head());
        expect(world.commands()).to.deep.equal(["preview", "up", "up", "config get"]);
    });

    it("rolls back when interrupted (SIGINT) while following the canary", async () => {
        world = makeWorld({ api, hook, cluster: { release: "hang" } });
        const w = world;
        const child = spawn(process.execPath, [BIN, "ship", "checkout", "2.5.0", ...FAST, "--watch-timeout", "10m"], { cwd: w.repo.dir, env: w.env });
        let stdout = "";
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (stderr += chunk));
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            if (!stdout.includes("› canary: running") && (stdout + chunk).includes("› canary: running")) child.kill("SIGINT");
            stdout += chunk;
        });
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        expect(code, stdout + stderr).to.equal(1);
        expectSecretNotPrinted({ stdout, stderr });
        expect(stdout).to.match(/^✗ canary: failed \(\d+\.\ds\) — interrupted \(Ctrl-C\)$/m);
        expect(w.log()[0]).to.equal("rollback checkout to 2.4.1: interrupted");
        expect(w.stackFile()).to.equal(markedRollback(checkoutAt("2.4.1", "2.5.0"), "2.5.0"));
    });

    it("refuses to release from a pipe without --yes: exit 2, one line, nothing changed", async () => {
        world = makeWorld({ api, hook });
        const run = await releasectl(["ship", "checkout", "2.5.0"], world.repo.dir, world.env);
        expect(run.code).to.equal(2);
        expectSecretNotPrinted(run);
        expect(run.stdout).to.equal("");
        expect(run.stderr).to.match(/^releasectl ship: not on a terminal, so nobody can confirm the release: pass --yes/);
        expect(world.stackFile()).to.equal(PRODUCTION);
        expect(world.commands()).to.deep.equal([]);
    });
});
