#!/usr/bin/env node
"use strict";
// Times `releasectl history` and `releasectl rollback --dry-run` from the compiled command line
// (dist/, run `npm run build` first) on a repository whose stack file has 1,000 releases of
// checkout in its git history (plus 100 commits that change only the storefront), made in a
// second with `git fast-import`. Prints medians next to `node -e 0` and checks the target from
// issue 4: under 1 s each. Exit 1 when the target is missed.
const { execFileSync } = require("child_process");
const { runNode: time } = require("./_lib");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "releasectl.js");
const RELEASES = Number(process.env.BENCH_RELEASES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_MS = 1000;

if (!fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"))) {
    console.error("bench/history.js: dist/ is missing; run `npm run build` first");
    process.exit(2);
}

const PROJECT = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
const STACK = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");

/** The example stack with checkout at release `i` (1.i.0), as prepare would have left it. */
function checkoutRelease(i, storefrontStep) {
    const version = `1.${i}.0`;
    const previous = `1.${i - 1}.0`;
    // Every 50th release contracts the schema, with a downgrade; the rest expand.
    const contract = i % 50 === 0;
    return STACK.replace("      version: 2.4.1\n      previousVersion: 2.4.0\n", `      version: ${version}\n      previousVersion: ${previous}\n`)
        .replace('downgradeCommand: ["/app/migrate", "down", "--to", "2.4.0"]', `downgradeCommand: ["/app/migrate", "down", "--to", "${previous}"]`)
        .replace("        phase: expand\n", `        phase: ${contract ? "contract" : "expand"}\n`)
        .replace(/checkout-2\.4\.1/g, `checkout-${version}`)
        .replace("/shop/checkout/runs/8812", `/shop/checkout/runs/${8812 + i}`)
        .replace("        stepWeight: 10\n        maxWeight: 50\n      notification", `        stepWeight: ${10 + (storefrontStep % 10)}\n        maxWeight: 50\n      notification`);
}

/** A fast-import stream: Pulumi.yaml, then one commit per stack file version. */
function fastImportStream() {
    const chunks = [];
    const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    let when = Date.UTC(2024, 0, 1) / 1000;
    let mark = 0;
    let parent;
    const commit = (message, files) => {
        const blobs = files.map(([file, text]) => {
            chunks.push(`blob\nmark :${++mark}\n${data(text)}`);
            return [file, mark];
        });
        when += 3600;
        chunks.push(
            `commit refs/heads/main\nmark :${++mark}\nauthor Bench Release <bench@example.com> ${when} +0000\ncommitter Bench Release <bench@example.com> ${when} +0000\n${data(message)}` +
                (parent ? `from :${parent}\n` : "") +
                blobs.map(([file, m]) => `M 100644 :${m} ${file}\n`).join("") +
                "\n",
        );
        parent = mark;
    };
    let storefrontStep = 0;
    commit("release checkout 1.1.0", [
        ["Pulumi.yaml", PROJECT],
        ["Pulumi.production.yaml", checkoutRelease(1, storefrontStep)],
    ]);
    for (let i = 2; i <= RELEASES; i++) {
        commit(`release checkout 1.${i}.0`, [["Pulumi.production.yaml", checkoutRelease(i, storefrontStep)]]);
        if (i % 10 === 0) {
            storefrontStep++;
            commit(`tune storefront canary (${storefrontStep})`, [["Pulumi.production.yaml", checkoutRelease(i, storefrontStep)]]);
        }
    }
    return chunks.join("");
}

function makeRepo() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-bench-history-"));
    const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: path.join(dir, ".gitconfig") };
    const git = (args, input) => execFileSync("git", ["-C", dir, ...args], { env, input, stdio: ["pipe", "pipe", "inherit"] });
    const started = process.hrtime.bigint();
    git(["init", "-q", "-b", "main"]);
    git(["fast-import", "--quiet"], fastImportStream());
    git(["checkout", "-q", "-f", "HEAD", "--", "."]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const commits = Number(git(["rev-list", "--count", "HEAD"]).toString().trim());
    return { dir, env, ms, commits };
}


function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

const repo = makeRepo();
console.log(`repository: ${repo.commits} commits (${RELEASES} releases of checkout), built with git fast-import in ${repo.ms.toFixed(0)} ms`);
const cases = [
    ["node -e 0", ["-e", "0"]],
    ["releasectl history checkout", [BIN, "history", "checkout", "--stack", "production"]],
    ["releasectl history checkout --json", [BIN, "history", "checkout", "--stack", "production", "--json"]],
    ["releasectl rollback checkout --dry-run", [BIN, "rollback", "checkout", "--stack", "production", "--dry-run"]],
    [`releasectl rollback checkout --to 1.1.0 --dry-run`, [BIN, "rollback", "checkout", "--stack", "production", "--to", "1.1.0", "--dry-run"]],
];
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
    console.log(`${name.padEnd(48)} median ${m.toFixed(0).padStart(5)} ms  (min ${Math.min(...runs).toFixed(0)}, max ${Math.max(...runs).toFixed(0)}, ${RUNS} runs)${checked ? (m < TARGET_MS ? "  ok < 1 s" : "  MISSED 1 s") : ""}`);
    if (name === "releasectl history checkout") console.log(`  (${output.trimEnd().split("\n").length - 1} releases listed)`);
    if (name === "releasectl rollback checkout --to 1.1.0 --dry-run") {
        const downgrades = output.split("\n").filter((l) => /^\s+\d+\. undo /.test(l)).length;
        console.log(`  (crosses ${RELEASES - 1} releases, ${downgrades} contract downgrades listed)`);
    }
}
if (process.env.BENCH_KEEP) console.log(`kept ${repo.dir}`); else fs.rmSync(repo.dir, { recursive: true, force: true });
process.exit(missed ? 1 : 0);
