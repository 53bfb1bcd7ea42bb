#!/usr/bin/env node
"use strict";
// Regenerates the tables of docs/checklist.md (the checklist items, the rules, the pack
// settings) from policies/checklist.ts, the rules and the pack's settings schema, between the
// file's <!-- generated:NAME --> and <!-- end:NAME --> markers; the prose around them is kept.
// test/check/checklist-docs.test.ts fails when the file is stale.
// Usage: node scripts/gen-checklist-docs.js   (after npm run build: it reads dist/)
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const file = path.join(root, "docs", "checklist.md");
let reference;
try {
    reference = require(path.join(root, "dist", "cli", "checklist", "reference.js"));
} catch (e) {
    process.stderr.write(`dist/cli/checklist/reference.js: not built (${e.code || e.message}); run npm run build first\n`);
    process.exit(2);
}
const text = fs.readFileSync(file, "utf8");
const next = reference.withGeneratedSections(text, "docs/checklist.md");
if (next === text) {
    process.stdout.write("docs/checklist.md: up to date\n");
} else {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, next);
    fs.renameSync(tmp, file);
    process.stdout.write("docs/checklist.md: regenerated\n");
}
