#!/usr/bin/env node
"use strict";
// The command line runs from the compiled output (npm ci runs the build through `prepare`),
// so it starts fast and never loads the TypeScript compiler or @pulumi/pulumi.
const path = require("path");
const fs = require("fs");
// V8's compile cache (Node 22.1+, in the OS temporary folder): later runs skip compiling the
// modules a command loads. Harmless where unsupported or unwritable.
require("module").enableCompileCache?.();
const entry = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(entry)) {
    process.stderr.write("releasectl: not built yet; run `npm ci` (or `npm run build`) in " + path.join(__dirname, "..") + "\n");
    process.exit(2);
}
require(entry)
    .main(process.argv.slice(2))
    .then((code) => {
        process.exitCode = code;
    });
