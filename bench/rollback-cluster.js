#!/usr/bin/env node
"use strict";
// Rollback timing on the real control plane: runs the release suite (npm run test:cluster) in a
// cluster of its own and reads what its bad-release scenario measured: the time from Flagger's
// first failed check to `releasectl ship` exiting with the previous version serving. Needs root, the engine and the cluster equipment
// (npm run engine:build && npm run cluster:build); without them it says so and measures nothing.
// It also reads the monitor-breach scenario: from Prometheus first showing the breach to the
// previous version serving again after ship's rollback.
// RUNS=N repeats the suite (each run takes ~6 minutes on 2 cores).
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");
const runs = Number(process.env.RUNS ?? 1);
// Flagger needs threshold (2) failed checks at a 10 s interval to roll back; ship then runs pulumi up.
const TARGET_SECONDS = 90;

const missing = [
    process.getuid && process.getuid() !== 0 ? "root (ip netns)" : undefined,
    !fs.existsSync(path.join(root, "e2e", "engine", "bin", "pulumi")) ? "the engine (npm run engine:build)" : undefined,
    !fs.existsSync(path.join(root, "e2e", "cluster", "bin", "kube-apiserver")) ? "the cluster equipment (npm run cluster:build)" : undefined,
].filter(Boolean);
if (missing.length > 0) {
    console.log(`rollback-cluster: not measured; needs ${missing.join(", ")}`);
    process.exit(0);
}

const rows = [];
for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-bench-cluster-"));
    const timings = path.join(dir, "timings.jsonl");
    const result = spawnSync("bash", [path.join(root, "e2e", "cluster", "test.sh")], {
        cwd: root,
        env: { ...process.env, CLUSTER_DIR: path.join(dir, "cluster"), CLUSTER_NETNS: `rcbench${process.pid % 10000}`, CLUSTER_TIMINGS_FILE: timings },
        encoding: "utf8",
    });
    if (result.status !== 0 || !fs.existsSync(timings)) {
        console.log(`run ${i + 1}: the suite failed (exit ${result.status}); last lines:\n${`${result.stdout}${result.stderr}`.split("\n").slice(-30).join("\n")}`);
        process.exit(1);
    }
    for (const line of fs.readFileSync(timings, "utf8").split("\n").filter(Boolean)) rows.push(JSON.parse(line));
    fs.rmSync(dir, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
// Two rollbacks per run: Flagger's (bad canary, scenario 4) and ship's monitor step (a breach after
// promotion, scenario 5), each from the first sign of trouble to the previous version serving.
const MONITOR_TARGET_SECONDS = 120;
console.log("run  scenario                                   measured                                      value    target    result");
let ok = true;
let run = 0;
rows.forEach((r) => {
    if (r.scenario !== "monitor breach") run++;
    const [what, value, target] =
        r.scenario === "monitor breach"
            ? ["monitor breach (scenario 5)", r.breachToServingSeconds, MONITOR_TARGET_SECONDS]
            : ["bad canary (scenario 4)", r.firstFailedCheckToRestoredSeconds, TARGET_SECONDS];
    const measured = r.scenario === "monitor breach" ? "breach in Prometheus -> previous version serving" : "first failed check -> ship exits, previous serving";
    const pass = value <= target;
    ok = ok && pass;
    console.log(`${String(run).padEnd(4)} ${what.padEnd(42)} ${measured.padEnd(45)} ${`${value.toFixed(1)} s`.padStart(8)}  <= ${target} s  ${pass ? "PASS" : "FAIL"}`);
});
process.exit(ok ? 0 : 1);
