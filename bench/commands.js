#!/usr/bin/env node
"use strict";
// Times every `releasectl` command on the example project from the compiled command line
// (dist/, run `npm run build` first) against a bare `node -e 0` measured in the same run, and
// checks the target from issue 14: each within 3x `node -e 0`. The commands run in a temporary
// git repository holding a copy of the example (Pulumi.yaml, both stacks, the policy pack's
// folder) with a short release history (checkout 2.4.0, a fix, 2.4.1, a feature), so nothing in
// this checkout changes. Rounds are interleaved (every case once per round) so a busy moment
// slows every case alike; the table gives medians, the ratio to `node -e 0`, and the ratio the
// issue measured before the commands were made lazy ("old x").
// BENCH_RUNS (default 21) sets the rounds; arguments keep only the cases whose name starts so.
// Exit 1 when a target is missed.
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { ROOT, BIN, RUNS, GIT_ENV, requireBuild, median, printTable } = require("./_lib");

requireBuild("bench/commands.js");

// status must find no kubeconfig: no $KUBECONFIG, a HOME without .kube/, not in a cluster.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-bench-commands-home-"));
const ENV = { ...GIT_ENV, HOME: home };
delete ENV.KUBECONFIG;
delete ENV.KUBERNETES_SERVICE_HOST;
// ship --dry-run only names the pulumi CLI it would run; keep a real one out of the picture.
delete ENV.PULUMI_BINARY;

/** The example project with a short history: checkout 2.4.0 (tagged), a fix, 2.4.1 (tagged), a feature. */
function exampleRepository() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-bench-commands-"));
    const git = (...args) => execFileSync("git", args, { cwd: dir, env: GIT_ENV, stdio: "ignore" });
    const read = (f) => fs.readFileSync(path.join(ROOT, f), "utf8");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), read("Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), read("Pulumi.staging.yaml"));
    // The policy pack's folder as ship --dry-run checks it (its sources; no node_modules).
    fs.cpSync(path.join(ROOT, "policies"), path.join(dir, "policies"), { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
    const production = read("Pulumi.production.yaml");
    const earlier = production
        .replace("version: 2.4.1\n      previousVersion: 2.4.0", "version: 2.4.0\n      previousVersion: 2.3.2")
        .replace('"--to", "2.4.0"', '"--to", "2.3.2"')
        .replace(/2\.4\.1/g, "2.4.0")
        .replace("/runs/8812", "/runs/8790")
        .replace("/pull/412", "/pull/405");
    if (earlier === production) throw new Error("bench/commands.js: the example's checkout is no longer at 2.4.1; update exampleRepository()");
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), earlier);
    git("init", "--quiet", "--initial-branch=main");
    git("add", ".");
    git("commit", "--quiet", "-m", "release checkout 2.4.0");
    git("tag", "-a", "v2.4.0", "-m", "checkout 2.4.0");
    fs.writeFileSync(path.join(dir, "app.txt"), "a\n");
    git("add", "app.txt");
    git("commit", "--quiet", "-m", "fix: refuse empty carts");
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), production);
    git("commit", "--quiet", "-am", "release checkout 2.4.1");
    git("tag", "-a", "v2.4.1", "-m", "checkout 2.4.1");
    fs.appendFileSync(path.join(dir, "app.txt"), "b\n");
    git("commit", "--quiet", "-am", "feat: gift cards");
    return dir;
}

// name, arguments after bin/releasectl.js, the exit codes it may end with, the ratio.
const CASES = [
    ["--help", ["--help"], [0], 1.3],
    ["render", ["render", "--stack", "production"], [0], 2.4],
    ["next", ["next"], [0], 3.0],
    ["history", ["history", "checkout", "--stack", "production"], [0], 4.1],
    ["check", ["check", "--stack", "production"], [0, 1], 4.8],
    ["diff", ["diff", "checkout", "2.4.0", "2.4.1", "--stack", "production"], [0, 1], 5.0],
    ["rollback --dry-run", ["rollback", "checkout", "--stack", "production", "--dry-run"], [0], 5.4],
    ["ship --dry-run", ["ship", "checkout", "auto", "--stack", "production", "--dry-run"], [0, 1], 11.8],
    ["status (no kubeconfig)", ["status", "checkout", "--stack", "production"], [2], 15],
    ["changelog", ["changelog", "checkout", "--stack", "production"], [0], undefined],
    ["metrics", ["metrics"], [0], undefined],
    ["promote --dry-run", ["promote", "checkout", "--from", "staging", "--to", "production", "--dry-run", "--no-cluster"], [0], undefined],
    ["bad input (unknown service)", ["history", "nope", "--stack", "production"], [2], undefined],
];

const only = process.argv.slice(2);
const cases = [{ name: "node -e 0", args: ["-e", "0"], codes: [0] }]
    .concat(CASES.map(([name, args, codes, old]) => ({ name: `releasectl ${name}`, args: [BIN, ...args], codes, old })))
    .filter((c) => only.length === 0 || c.name === "node -e 0" || only.some((o) => c.name.startsWith(`releasectl ${o}`)));

const dir = exampleRepository();
const devNull = fs.openSync(os.devNull, "w");
try {
    const once = (c) => {
        const start = process.hrtime.bigint();
        const result = spawnSync(process.execPath, c.args, { cwd: dir, env: ENV, stdio: ["ignore", devNull, "pipe"] });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (!c.codes.includes(result.status)) throw new Error(`${c.name} exited ${result.status} (expected ${c.codes.join(" or ")}) in ${dir}: ${result.stderr}`);
        return ms;
    };
    for (const c of cases) {
        once(c); // warm-up: the file system cache, and git's
        c.samples = [];
    }
    for (let round = 0; round < RUNS; round++) for (const c of cases) c.samples.push(once(c));
    const base = median([...cases[0].samples].sort((a, b) => a - b));
    const rows = cases.map((c) => {
        const sorted = [...c.samples].sort((a, b) => a - b);
        const ms = median(sorted);
        const ratio = ms / base;
        const measured = c.name !== "node -e 0";
        return {
            case: c.name,
            runs: String(sorted.length),
            "median ms": ms.toFixed(1),
            "min ms": sorted[0].toFixed(1),
            "max ms": sorted[sorted.length - 1].toFixed(1),
            "old x": c.old === undefined ? (measured ? "-" : "") : c.old.toFixed(1),
            "x node -e 0": ratio.toFixed(2),
            target: measured ? "<= 3x" : "",
            result: measured ? (ratio <= 3 ? "PASS" : "MISS") : "",
        };
    });
    printTable(rows);
} finally {
    fs.closeSync(devNull);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
}
