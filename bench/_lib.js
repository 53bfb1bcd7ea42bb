"use strict";
// What the benchmarks share: a generated stack, timing of compiled-CLI runs against a bare
// `node -e 0`, and the results table with each target's PASS or MISS.
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "releasectl.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const LARGE_RUNS = Number(process.env.BENCH_LARGE_RUNS ?? 7);

/** Benchmarks time the compiled command line: refuse to run without it. */
function requireBuild(script) {
    if (!fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"))) {
        console.error(`${script}: dist/ is missing; run \`npm run build\` first`);
        process.exit(2);
    }
}

/** A fake passphrase-provider ciphertext: nothing benchmarked decrypts, so any v1: string will do. */
function fakeSecure(i) {
    return { secure: `v1:${Buffer.from(`salt${i}`).toString("base64")}:${Buffer.from(`ciphertext-${i}`.padEnd(48, "x")).toString("base64")}` };
}

const PROVIDERS = ["istio", "linkerd", "nginx", "kubernetes"];

/** Service `i` of a generated stack: every provider in turn, every other one with a migration. */
function generatedService(i) {
    const name = `svc-${String(i).padStart(3, "0")}`;
    const provider = PROVIDERS[i % PROVIDERS.length];
    const version = `1.${i % 20}.${(i % 7) + 1}`;
    return [
        name,
        {
            image: `registry.example.com/bench/${name}`,
            version,
            previousVersion: `1.${i % 20}.0`,
            port: 8080,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            replicas: { min: 2, max: 6 },
            canary: { provider, ...(provider === "nginx" ? { host: `${name}.bench.example.com` } : {}) },
            ...(i % 2 === 0
                ? {
                      migration: {
                          command: ["/app/migrate", "up"],
                          downgradeCommand: ["/app/migrate", "down"],
                          phase: "expand",
                          backupCommand: ["/app/backup"],
                          databaseUrl: fakeSecure(i),
                      },
                  }
                : {}),
            notification: "releases",
            evidence: {
                ciRun: `https://ci.example.com/bench/${name}/1`,
                review: `https://git.example.com/bench/${name}/pull/1`,
                securityScan: `https://scan.example.com/${name}-${version}`,
                performanceReport: `https://perf.example.com/${name}-${version}`,
            },
        },
    ];
}

/** The `config:` of a stack with `count` generated services. */
function generatedStack(count, environment) {
    return {
        config: {
            "releasectl:environment": environment,
            "releasectl:namespace": "bench",
            "releasectl:notifications": { releases: { type: "slack", channel: "#releases", address: fakeSecure(0) } },
            "releasectl:services": Object.fromEntries(Array.from({ length: count }, (_, i) => generatedService(i))),
        },
    };
}

/**
 * Runs `args` with node `runs` times (after one warm-up); returns sorted wall times in ms. Any
 * exit code but those in `codes` (default 0) stops the bench with the command's stderr.
 */
function time(args, cwd, runs, env = process.env, codes = [0]) {
    const devNull = fs.openSync(os.devNull, "w");
    const samples = [];
    try {
        for (let i = 0; i <= runs; i++) {
            const start = process.hrtime.bigint();
            const result = spawnSync(process.execPath, args, { cwd, env, stdio: ["ignore", devNull, "pipe"] });
            const ms = Number(process.hrtime.bigint() - start) / 1e6;
            if (!codes.includes(result.status)) throw new Error(`node ${args.join(" ")} exited ${result.status} in ${cwd}: ${result.stderr}`);
            if (i > 0) samples.push(ms);
        }
    } finally {
        fs.closeSync(devNull);
    }
    return samples.sort((a, b) => a - b);
}

const median = (xs) => (xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);

/**
 * Prints the cases (`{name, samples, target?(ms, baseMs), targetText?}`, the first being the
 * `node -e 0` baseline) as a table and sets exit code 1 when a target is missed.
 */
function report(cases) {
    const base = median(cases[0].samples);
    const rows = cases.map((c) => {
        const ms = median(c.samples);
        return {
            case: c.name,
            runs: String(c.samples.length),
            "median ms": ms.toFixed(1),
            "min ms": c.samples[0].toFixed(1),
            "max ms": c.samples[c.samples.length - 1].toFixed(1),
            "x node -e 0": (ms / base).toFixed(2),
            target: c.targetText ?? "",
            result: c.target ? (c.target(ms, base) ? "PASS" : "MISS") : "",
        };
    });
    printTable(rows);
}

/**
 * Prints rows of strings (the first column left-aligned, the rest right-aligned) under a line
 * naming the machine, and sets exit code 1 when a row's `result` is MISS.
 */
function printTable(rows) {
    const columns = Object.keys(rows[0]);
    const widths = columns.map((col) => Math.max(col.length, ...rows.map((r) => r[col].length)));
    const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
    // Other work on the machine slows every case alike; the load average says how busy it was.
    const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
    console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "unknown CPU"}, load average ${load}`);
    console.log(line(columns));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const row of rows) console.log(line(columns.map((c) => row[c])));
    process.exitCode = rows.some((r) => r.result === "MISS") ? 1 : 0;
}

/** git for the benches' throwaway repositories: no user or system config, a fixed identity, releasectl's own variables cleared. */
const GIT_ENV = {
    ...process.env,
    GIT_CONFIG_GLOBAL: os.devNull,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
    RELEASECTL_NOW: "",
    RELEASECTL_BRANCH: "",
    RELEASECTL_STACK: "",
};

/** One `node ARGS` run: its wall time in ms and stdout; a failed run ends the bench with its stderr. */
function runNode(args, env, cwd) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, cwd, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
        console.error(`failed: node ${args.join(" ")}\n${result.stderr}`);
        process.exit(1);
    }
    return { ms, stdout: result.stdout };
}

module.exports = { ROOT, BIN, RUNS, LARGE_RUNS, GIT_ENV, requireBuild, fakeSecure, generatedStack, time, median, report, printTable, runNode };
