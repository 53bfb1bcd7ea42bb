#!/usr/bin/env node
// Writes docs/configuration.md, the configuration reference, from config/schema.ts (the
// declaration the loader reads every stack key through). test/config/schema.test.ts fails when
// the file is out of date: run `node scripts/gen-config-docs.js` after changing a key.
// `--check` only compares, and exits 1 when the file differs.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
const { configurationMarkdown, CONFIGURATION_DOC } = require(path.join(root, "config/schema-docs.ts"));

const file = path.join(root, CONFIGURATION_DOC);
const text = configurationMarkdown();
const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
if (process.argv.includes("--check")) {
    if (current !== text) {
        process.stderr.write(`${CONFIGURATION_DOC} is out of date with config/schema.ts; run: node scripts/gen-config-docs.js\n`);
        process.exit(1);
    }
    process.exit(0);
}
if (current === text) {
    process.stdout.write(`${CONFIGURATION_DOC} is up to date\n`);
} else {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    process.stdout.write(`wrote ${CONFIGURATION_DOC}\n`);
}
