#!/usr/bin/env node
"use strict";
// Times `releasectl check` from the compiled command line (dist/, run `npm run build` first)
// against a bare `node -e 0` measured in the same run: on the example stack (a clean git copy,
// so the repository checks run too) and on a generated stack of 500 services. Prints medians and
// checks the targets from issue 3: the example within 4x `node -e 0`, 500 services under 1.5 s.
// Exit 1 when a target is missed.
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { stringify } = require("yaml");

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "releasectl.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const LARGE_RUNS = Number(process.env.BENCH_LARGE_RUNS ?? 7);
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
};

if (!fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"))) {
    console.error("bench/check.js: dist/ is missing; run `npm run build` first");
    process.exit(2);
}

/** A fake passphrase-provider ciphertext: check never decrypts, so any v1: string will do. */
function fakeSecure(i) {
    return { secure: `v1:${Buffer.from(`salt${i}`).toString("base64")}:${Buffer.from(`ciphertext-${i}`.padEnd(48, "x")).toString("base64")}` };
}

const PROVIDERS = ["istio", "linkerd", "nginx", "kubernetes"];

/** Service `i` of a generated production stack: every provider in turn, every other one migrates. */
function service(i) {
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
            canary: { provider, ...(provider === "nginx" ? { host: `${name}.bench.example.com` } : {}) },
            ...(i % 2 === 0
                ? { migration: { command: ["/app/migrate", "up"], downgradeCommand: ["/app/migrate", "down"], phase: "expand", databaseUrl: fakeSecure(i) } }
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

/** A clean git repository on main holding `files` (name → text). */
function repository(prefix, files) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const git = (...args) => execFileSync("git", args, { cwd: dir, env: GIT_ENV, stdio: "ignore" });
    git("init", "--quiet", "--initial-branch=main");
    git("add", ".");
    git("commit", "--quiet", "-m", "bench");
    return dir;
}

const read = (f) => fs.readFileSync(path.join(ROOT, f), "utf8");
const example = repository("releasectl-bench-check-example-", { "Pulumi.yaml": read("Pulumi.yaml"), "Pulumi.production.yaml": read("Pulumi.production.yaml") });
const large = repository("releasectl-bench-check-500-", {
    "Pulumi.yaml": read("Pulumi.yaml"),
    "Pulumi.production.yaml": stringify(
        {
            config: {
                "releasectl:environment": "production",
                "releasectl:namespace": "bench",
                "releasectl:notifications": { releases: { type: "slack", channel: "#releases", address: fakeSecure(0) } },
                "releasectl:services": Object.fromEntries(Array.from({ length: 500 }, (_, i) => service(i))),
            },
        },
        { lineWidth: 0 },
    ),
});

/** Runs `args` with node `runs` times (after one warm-up); returns sorted wall times in ms. */
function time(args, cwd, runs) {
    const devNull = fs.openSync(os.devNull, "w");
    const samples = [];
    try {
        for (let i = 0; i <= runs; i++) {
            const start = process.hrtime.bigint();
            const result = spawnSync(process.execPath, args, { cwd, env: GIT_ENV, stdio: ["ignore", devNull, "pipe"] });
            const ms = Number(process.hrtime.bigint() - start) / 1e6;
            if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status} in ${cwd}: ${result.stderr}`);
            if (i > 0) samples.push(ms);
        }
    } finally {
        fs.closeSync(devNull);
    }
    return samples.sort((a, b) => a - b);
}

const median = (xs) => (xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);

try {
    const baseline = time(["-e", "0"], ROOT, RUNS);
    const check = (extra) => [BIN, "check", "--stack", "production", ...extra];
    const cases = [
        { name: "node -e 0", samples: baseline },
        { name: "check, example stack (git checks)", samples: time(check([]), example, RUNS), target: (ms, base) => ms <= 4 * base, targetText: "<= 4x node -e 0" },
        { name: "check, example stack, --no-repo", samples: time(check(["--no-repo"]), example, RUNS) },
        { name: "check, example stack, --json", samples: time(check(["--json"]), example, RUNS) },
        { name: "check, 500 services (git checks)", samples: time(check([]), large, LARGE_RUNS), target: (ms) => ms < 1500, targetText: "< 1500 ms" },
    ];
    const base = median(baseline);
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
    const columns = Object.keys(rows[0]);
    const widths = columns.map((col) => Math.max(col.length, ...rows.map((r) => r[col].length)));
    const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
    console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "unknown CPU"}`);
    console.log(line(columns));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const row of rows) console.log(line(columns.map((c) => row[c])));
    process.exitCode = rows.some((r) => r.result === "MISS") ? 1 : 0;
} finally {
    fs.rmSync(example, { recursive: true, force: true });
    fs.rmSync(large, { recursive: true, force: true });
}
