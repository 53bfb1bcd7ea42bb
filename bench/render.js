#!/usr/bin/env node
"use strict";
// Times `releasectl render` from the compiled command line (dist/, run `npm run build` first)
// against a bare `node -e 0` measured in the same run, for one service, the example stack and a
// generated stack of 500 services. Prints medians and checks the targets from issue 2:
// one service within 4x `node -e 0`, 500 services under 1 s. Exit 1 when a target is missed.
const fs = require("fs");
const os = require("os");
const path = require("path");
const { stringify } = require("yaml");
const { ROOT, BIN, RUNS, LARGE_RUNS, requireBuild, generatedStack, time, report } = require("./_lib");

requireBuild("bench/render.js");

/** A temporary project with the repository's Pulumi.yaml and a `bench` stack of `count` services. */
function benchProject(count) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `releasectl-bench-${count}-`));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), stringify(generatedStack(count, "bench"), { lineWidth: 0 }));
    return dir;
}

const one = benchProject(1);
const large = benchProject(500);
try {
    report([
        { name: "node -e 0", samples: time(["-e", "0"], ROOT, RUNS) },
        { name: "render, 1 service", samples: time([BIN, "render", "--stack", "bench"], one, RUNS), target: (ms, base) => ms <= 4 * base, targetText: "<= 4x node -e 0" },
        { name: "render, example stack (2 services)", samples: time([BIN, "render", "--stack", "production"], ROOT, RUNS) },
        { name: "render, 500 services", samples: time([BIN, "render", "--stack", "bench"], large, LARGE_RUNS), target: (ms) => ms < 1000, targetText: "< 1000 ms" },
    ]);
} finally {
    fs.rmSync(one, { recursive: true, force: true });
    fs.rmSync(large, { recursive: true, force: true });
}
