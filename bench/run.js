#!/usr/bin/env node
"use strict";
// Runs every benchmark in this folder (npm run bench), one after the other so they do not
// compete for the machine's two cores. Benchmarks measure the compiled CLI: build first.
// `node bench/run.js check render` runs only the benches whose names start so. The slow ones in
// OPT_IN (fleet.js: the real engine on fleets of services, minutes to an hour) run only when named.
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
const only = process.argv.slice(2);
const OPT_IN = new Set(["fleet.js"]);
const scripts = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".js") && f !== "run.js" && !f.startsWith("_"))
    .filter((f) => (only.length === 0 ? !OPT_IN.has(f) : only.some((o) => f.startsWith(o))))
    .sort();
let failed = 0;
for (const script of scripts) {
    console.log(`\n### ${script}`);
    const result = spawnSync(process.execPath, [path.join(__dirname, script)], { stdio: "inherit", cwd: root });
    if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
