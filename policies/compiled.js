"use strict";
// The policy pack's entry (package.json "main"): the pack as `npm ci` (its `prepare`, tsc) or
// `npm run build` compiled it into dist/policies/. Pulumi's run-policy-pack registers ts-node
// with `typeCheck: true` (not configurable), so running index.ts would type-check the whole
// pack on every preview and up (~3-4 s); CI type-checks it (`tsc --noEmit -p policies`), and
// this file refuses to run JavaScript older than its TypeScript source, so an edit is never
// silently ignored.
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const dist = path.join(root, "dist");
const entry = path.join(dist, "policies", "index.js");
const rebuild = `run \`npm run build\` in ${root} (npm ci does it too)`;
if (!fs.existsSync(entry)) throw new Error(`releasectl policy pack: ${entry} does not exist; ${rebuild}`);
module.exports = require(entry);
for (const file of Object.keys(require.cache)) {
    if (!file.startsWith(dist + path.sep) || !file.endsWith(".js")) continue;
    const source = path.join(root, path.relative(dist, file)).replace(/\.js$/, ".ts");
    let stale = false;
    try {
        stale = fs.statSync(source).mtimeMs > fs.statSync(file).mtimeMs;
    } catch {
        continue; // no TypeScript source (or it went away): nothing to compare
    }
    if (stale) throw new Error(`releasectl policy pack: ${path.relative(root, source)} changed after it was compiled to ${path.relative(root, file)}; ${rebuild}`);
}
