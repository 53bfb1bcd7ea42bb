#!/usr/bin/env node
"use strict";
// Times `releasectl metrics` from the compiled command line (dist/, run `npm run build` first)
// on a generated repository whose production stack file has 1,000 releases in its git history
// (checkout and storefront, each service's code in its own folder, one to three code commits
// before each release, every 11th release rolled back an hour or so later, every 40th
// reverted with git's message instead), made in about a second with `git fast-import`. Prints
// medians next to `node -e 0` and the table itself; the target from issue 15: under 1 s. Exit 1
// when the target is missed. BENCH_RELEASES, BENCH_RUNS and BENCH_KEEP=1 as in bench/history.js.
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { BIN, ROOT, requireBuild, time, report } = require("./_lib");

requireBuild("bench/metrics.js");
const RELEASES = Number(process.env.BENCH_RELEASES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const PROJECT = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
const BASE = fs
    .readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8")
    .replace("      image: registry.example.com/shop/checkout\n", "      image: registry.example.com/shop/checkout\n      commits:\n        path: services/checkout\n")
    .replace("      image: registry.example.com/shop/storefront\n", "      image: registry.example.com/shop/storefront\n      commits:\n        path: services/storefront\n");

function stack(checkout, storefront) {
    const line = (v) => `      version: ${v.version}\n      previousVersion: ${v.previous}\n${v.rollback ? "      rollback: true\n" : ""}`;
    return BASE.replace("      version: 2.4.1\n      previousVersion: 2.4.0\n", line(checkout)).replace("      version: 1.12.0\n      previousVersion: 1.11.3\n", line(storefront));
}

/** A deterministic pseudo-random sequence, so every run builds the same history. */
function random(seed) {
    let s = seed;
    return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function fastImportStream() {
    const chunks = [];
    const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    const rnd = random(42);
    let when = Date.UTC(2024, 0, 1) / 1000;
    let mark = 0;
    let parent;
    const commit = (message, files, gap) => {
        when += gap;
        const blobs = files.map(([file, text]) => {
            chunks.push(`blob\nmark :${++mark}\n${data(text)}`);
            return [file, mark];
        });
        chunks.push(
            `commit refs/heads/main\nmark :${++mark}\nauthor Bench Release <bench@example.com> ${when} +0000\ncommitter Bench Release <bench@example.com> ${when} +0000\n${data(message)}` +
                (parent ? `from :${parent}\n` : "") +
                blobs.map(([file, m]) => `M 100644 :${m} ${file}\n`).join("") +
                "\n",
        );
        parent = mark;
    };
    const current = { checkout: { n: 0, version: "1.0.0", previous: "0.9.0" }, storefront: { n: 0, version: "1.0.0", previous: "0.9.0" } };
    const text = () => stack(current.checkout, current.storefront);
    commit("first release", [["Pulumi.yaml", PROJECT], ["Pulumi.production.yaml", text()]], 0);
    for (let i = 1; i < RELEASES; i++) {
        const service = i % 3 === 0 ? "storefront" : "checkout";
        const codeCommits = 1 + Math.floor(rnd() * 3);
        for (let c = 0; c < codeCommits; c++) commit(`feat(${service}): change ${i}.${c}`, [[`services/${service}/file${i % 50}.txt`, `${i}.${c}\n`]], 3600 + Math.floor(rnd() * 36000));
        const s = current[service];
        const released = { n: s.n + 1, version: `1.${s.n + 1}.0`, previous: s.version };
        current[service] = released;
        commit(`release ${service} ${released.version}`, [["Pulumi.production.yaml", text()]], 1800 + Math.floor(rnd() * 7200));
        if (i % 11 === 0 || i % 40 === 0) {
            // back to the version before, an hour or two later
            current[service] = { n: released.n, version: released.previous, previous: released.version, rollback: i % 40 !== 0 };
            const message = i % 40 === 0 ? `Revert "release ${service} ${released.version}"` : `rollback ${service} to ${released.previous}`;
            commit(message, [["Pulumi.production.yaml", text()]], 3600 + Math.floor(rnd() * 3600));
        }
    }
    return { stream: chunks.join(""), last: when };
}

function makeRepo() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-bench-metrics-"));
    const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: path.join(dir, ".gitconfig") };
    const git = (args, input) => execFileSync("git", ["-C", dir, ...args], { env, input, stdio: ["pipe", "pipe", "inherit"] });
    const started = process.hrtime.bigint();
    git(["init", "-q", "-b", "main"]);
    const { stream, last } = fastImportStream();
    git(["fast-import", "--quiet"], stream);
    git(["checkout", "-q", "-f", "HEAD", "--", "."]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const commits = Number(git(["rev-list", "--count", "HEAD"]).toString().trim());
    return { dir, env, ms, commits, last };
}

const repo = makeRepo();
console.log(`repository: ${repo.commits} commits (${RELEASES} releases in Pulumi.production.yaml, with rollbacks and reverts), built with git fast-import in ${repo.ms.toFixed(0)} ms`);
// From the first release to the day after the last commit.
const window = ["--since", "2024-01-01", "--until", new Date((repo.last + 86400) * 1000).toISOString().slice(0, 10)];
const under1s = { target: (ms) => ms < 1000, targetText: "< 1000 ms" };
report([
    { name: "node -e 0", samples: time(["-e", "0"], repo.dir, RUNS, repo.env) },
    { name: "releasectl metrics (table)", samples: time([BIN, "metrics", ...window], repo.dir, RUNS, repo.env), ...under1s },
    { name: "releasectl metrics --json", samples: time([BIN, "metrics", "--json", ...window], repo.dir, RUNS, repo.env), ...under1s },
    { name: "releasectl metrics checkout --format csv", samples: time([BIN, "metrics", "checkout", "--format", "csv", ...window], repo.dir, RUNS, repo.env), ...under1s },
]);
console.log(`\n$ releasectl metrics ${window.join(" ")}`);
process.stdout.write(execFileSync(process.execPath, [BIN, "metrics", ...window], { cwd: repo.dir, env: repo.env, encoding: "utf8" }));
if (process.env.BENCH_KEEP) console.log(`kept ${repo.dir}`);
else fs.rmSync(repo.dir, { recursive: true, force: true });
