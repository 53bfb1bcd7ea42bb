#!/usr/bin/env node
"use strict";
// Times `releasectl next` from the compiled command line (dist/, run `npm run build` first) on a
// repository of 10,000 conventional commits (BENCH_COMMITS) made with `git fast-import`: a release
// tag every 100 commits, the last one 9,000 commits back, so one run reads 1,000 commits, and
// `next --from <first commit>` reads them all. Two services live under services/<name>/; the
// per-service cases read one service's line (tags <service>-v<version>, commits under its path).
// Target (issue 12): as fast as before the per-service lines, under 1 s each.
// RELEASECTL_BIN times another build (e.g. one of an earlier commit) for comparison.
const { execFileSync } = require("child_process");
const { runNode: time } = require("./_lib");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.join(__dirname, "..");
const BIN = process.env.RELEASECTL_BIN ?? path.join(ROOT, "bin", "releasectl.js");
const COMMITS = Number(process.env.BENCH_COMMITS ?? 10000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_MS = 1000;

if (!process.env.RELEASECTL_BIN && !fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"))) {
    console.error("bench/next.js: dist/ is missing; run `npm run build` first");
    process.exit(2);
}

const KINDS = ["fix", "feat", "chore", "docs", "fix", "refactor", "perf", "fix", "test", "ci"];
const SERVICES = ["checkout", "storefront"];

function fastImportStream() {
    const chunks = [];
    const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    let when = Date.UTC(2020, 0, 1) / 1000;
    let mark = 0;
    let parent;
    const lastTagAt = COMMITS - 1000;
    for (let i = 1; i <= COMMITS; i++) {
        const service = SERVICES[i % 2];
        const kind = KINDS[i % KINDS.length];
        const message =
            i % 997 === 0
                ? `${kind}(${service}): change ${i}\n\nBody of change ${i}.\n\nBREAKING CHANGE:\nthe ${service} API changed in ${i}\n`
                : `${kind}(${service}): change ${i}\n\nBody of change ${i}, with a few words of explanation.\n\nRefs: #${i}\n`;
        chunks.push(`blob\nmark :${++mark}\n${data(`change ${i}\n`)}`);
        const blob = mark;
        when += 600;
        chunks.push(
            `commit refs/heads/main\nmark :${++mark}\nauthor Bench <bench@example.com> ${when} +0000\ncommitter Bench <bench@example.com> ${when} +0000\n${data(message)}` +
                (parent ? `from :${parent}\n` : "") +
                `M 100644 :${blob} services/${service}/file-${i % 50}.txt\n\n`,
        );
        parent = mark;
        if (i % 100 === 0 && i <= lastTagAt) {
            const n = i / 100;
            chunks.push(`reset refs/tags/v1.${n}.0\nfrom :${mark}\n\n`);
            chunks.push(`reset refs/tags/${service}-v1.${n}.0\nfrom :${mark}\n\n`);
        }
    }
    return chunks.join("");
}

function makeRepo() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-bench-next-"));
    const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: path.join(dir, ".gitconfig") };
    const git = (args, input) => execFileSync("git", ["-C", dir, ...args], { env, input, stdio: ["pipe", "pipe", "inherit"], maxBuffer: 1 << 28 });
    const started = process.hrtime.bigint();
    git(["init", "-q", "-b", "main"]);
    git(["fast-import", "--quiet"], fastImportStream());
    git(["checkout", "-q", "-f", "main"]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const first = git(["rev-list", "--max-parents=0", "HEAD"]).toString().trim();
    return { dir, env, ms, first };
}


const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const repo = makeRepo();
console.log(`repository: ${COMMITS} commits, built with git fast-import in ${repo.ms.toFixed(0)} ms; ${BIN}`);
const cases = [
    ["node -e 0", ["-e", "0"]],
    ["releasectl next", [BIN, "next"]],
    ["releasectl next --json", [BIN, "next", "--json"]],
    ["releasectl next --from <first commit>", [BIN, "next", "--from", repo.first]],
];
if (process.env.BENCH_PATHS !== "0") {
    cases.push(["releasectl next --path services/checkout --tag-prefix checkout-v", [BIN, "next", "--path", "services/checkout", "--tag-prefix", "checkout-v"]]);
}
let missed = false;
for (const [name, args] of cases) {
    const runs = [];
    let output = "";
    for (let i = 0; i < RUNS; i++) {
        const r = time(args, repo.env, repo.dir);
        runs.push(r.ms);
        output = r.stdout;
    }
    const m = median(runs);
    const checked = name.startsWith("releasectl");
    if (checked && m >= TARGET_MS) missed = true;
    const shown = name === "releasectl next --json" ? `${JSON.parse(output).commits.length} commits` : output.trim();
    console.log(`${name.padEnd(66)} median ${m.toFixed(0).padStart(5)} ms  (min ${Math.min(...runs).toFixed(0)}, max ${Math.max(...runs).toFixed(0)}, ${RUNS} runs)${checked ? (m < TARGET_MS ? "  ok < 1 s" : "  MISSED 1 s") : ""}  ${shown}`);
}
if (process.env.BENCH_KEEP) console.log(`kept ${repo.dir}`);
else fs.rmSync(repo.dir, { recursive: true, force: true });
process.exit(missed ? 1 : 0);
