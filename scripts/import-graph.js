#!/usr/bin/env node
"use strict";
// Prints the import graph of cli/ by folder: for each folder under cli/ (cli/ itself is "."),
// the cli/ folders its files import (static `import ... from`, `export ... from`, `require()`
// and `import()` of relative paths). Then lists every import of cli/commands/ from a file
// outside cli/commands/ and cli/main.ts (the layer rule: commands are the edge, nothing below
// imports them). Exits 0 either way; it reports, it does not judge.
// Usage: node scripts/import-graph.js
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "cli");

function walk(dir) {
    const out = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) out.push(...walk(full));
        else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
    }
    return out;
}

function specifiers(text) {
    const found = [];
    const patterns = [
        /\bimport\s+(?:type\s+)?[^'"]*?from\s*['"]([^'"]+)['"]/g,
        /\bexport\s+[^'";]*?from\s*['"]([^'"]+)['"]/g,
        /\bimport\s*['"]([^'"]+)['"]/g,
        /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
        /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    ];
    for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) found.push(match[1]);
    }
    return found;
}

function folderOf(file) {
    const rel = path.relative(cli, path.dirname(file));
    return rel === "" ? "." : rel.split(path.sep).join("/");
}

const graph = new Map();
const upward = [];
for (const file of walk(cli).sort()) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    const relFile = path.relative(root, file).split(path.sep).join("/");
    for (const spec of specifiers(fs.readFileSync(file, "utf8"))) {
        if (!spec.startsWith(".")) continue;
        const target = path.resolve(path.dirname(file), spec);
        const relTarget = path.relative(cli, target);
        if (relTarget.startsWith("..")) continue;
        const to = relTarget.includes(path.sep) ? folderOf(target + ".ts") : ".";
        if (to !== from) graph.get(from).add(to);
        const inCommands = relTarget.split(path.sep)[0] === "commands";
        if (inCommands && from !== "commands" && relFile !== "cli/main.ts") {
            upward.push(`${relFile} -> cli/${relTarget.split(path.sep).join("/")}`);
        }
    }
}

console.log("cli/ folder -> cli/ folders it imports");
for (const [from, tos] of [...graph.entries()].sort()) {
    console.log(`  ${from.padEnd(10)} -> ${[...tos].sort().join(", ") || "(none)"}`);
}
console.log("");
console.log(`imports of cli/commands/ from outside cli/commands/ and cli/main.ts: ${upward.length}`);
for (const line of upward) console.log(`  ${line}`);
