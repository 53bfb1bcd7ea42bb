import * as fs from "fs";
import * as path from "path";

/** How the stand-in answers one invocation of a subcommand. */
export interface FakeAnswer {
    readonly code: number;
    readonly output: string;
}

export interface FakePulumiScript {
    /** Answers to successive `pulumi preview` calls; the last one repeats. Default: success. */
    readonly preview?: FakeAnswer[];
    /** Answers to successive `pulumi up` calls; the last one repeats. Default: success. */
    readonly up?: FakeAnswer[];
    /** Values `pulumi config get --path KEY` prints, by KEY. */
    readonly config?: Record<string, string>;
}

export interface FakeCall {
    readonly args: string[];
    /** For `up`: the stack file's content when it ran (what Pulumi would have deployed). */
    readonly stackFile?: string;
    /** The exit code the stand-in answered with (an `up` with 0 deployed `stackFile`). */
    readonly code: number;
}

/** What the real CLI prints for a successful preview/update and for the failures ship handles. */
export const ANSWERS = {
    previewOk: { code: 0, output: "Previewing update (production)\n\nResources:\n    ~ 3 to update\n    16 unchanged\n\nPolicies:\n    ✅ releasectl-checklist@v0.1.0 (local: policies)\n" },
    policyViolation: (policy: string) => ({
        code: 255,
        output:
            "Previewing update (production)\n\nPolicies:\n    ❌ releasectl-checklist@v0.1.0 (local: policies)\n" +
            `        - [mandatory] [severity: high]  ${policy}  (kubernetes:flagger.app/v1beta1:Canary: checkout-canary)\n` +
            "          The canary's success-rate minimum is below the pack's.\n\nerror: preview failed\n",
    }),
    upOk: { code: 0, output: "Updating (production)\n\nResources:\n    ~ 3 updated\n    16 unchanged\n\nDuration: 41s\n" },
    migrationFailed: {
        code: 255,
        output:
            "Updating (production)\n\n    kubernetes:batch/v1:Job (checkout-migrate-2.5.0):\n" +
            "      error: 1 error occurred:\n        * Job has failed: BackoffLimitExceeded\n\nerror: update failed\n",
    },
    updateConflict: {
        code: 255,
        output: "Updating (production)\n\nerror: [409] Conflict: Another update is currently in progress.\n",
    },
};

/**
 * Installs a stand-in `pulumi` executable in `dir/bin` (put it first on PATH). It records each
 * call's arguments (and, for `up`, the stack file it saw) and answers as the CLI does,
 * following `script`. It is a plain node script, so tests see real process boundaries.
 */
export function installFakePulumi(dir: string, script: FakePulumiScript): { binDir: string; calls: () => FakeCall[] } {
    const binDir = path.join(dir, "bin");
    fs.mkdirSync(binDir, { recursive: true });
    const state = path.join(dir, "fake-pulumi");
    fs.mkdirSync(state, { recursive: true });
    fs.writeFileSync(path.join(state, "script.json"), JSON.stringify(script));
    const exe = path.join(binDir, "pulumi");
    fs.writeFileSync(
        exe,
        `#!${process.execPath}
"use strict";
const fs = require("fs");
const path = require("path");
const state = ${JSON.stringify(state)};
const script = JSON.parse(fs.readFileSync(path.join(state, "script.json"), "utf8"));
const args = process.argv.slice(2);
const call = { args };
const command = args[0];
const stackAt = args.indexOf("--stack");
const stack = stackAt >= 0 ? args[stackAt + 1] : undefined;
if (command === "up" && stack) call.stackFile = fs.readFileSync(path.join(process.cwd(), "Pulumi." + stack + ".yaml"), "utf8");
function next(name, fallback) {
    const answers = script[name];
    if (!answers || answers.length === 0) return fallback;
    const counter = path.join(state, name + ".count");
    const n = fs.existsSync(counter) ? Number(fs.readFileSync(counter, "utf8")) : 0;
    fs.writeFileSync(counter, String(n + 1));
    return answers[Math.min(n, answers.length - 1)];
}
/** The first argument after \`config get\` that is neither a flag nor a flag's value. */
function configKey() {
    const withValue = new Set(["--stack", "-s", "--cwd", "-C", "--config-file"]);
    for (let i = 2; i < args.length; i++) {
        if (withValue.has(args[i])) { i++; continue; }
        if (!args[i].startsWith("-")) return args[i];
    }
    return undefined;
}
let answer;
if (command === "preview") answer = next("preview", ${JSON.stringify(ANSWERS.previewOk)});
else if (command === "up") answer = next("up", ${JSON.stringify(ANSWERS.upOk)});
else if (command === "config" && args[1] === "get") {
    const key = configKey();
    const value = (script.config || {})[key];
    answer = value === undefined ? { code: 255, output: "error: configuration key '" + key + "' not found for stack '" + stack + "'\\n" } : { code: 0, output: value + "\\n" };
} else if (command === "version") answer = { code: 0, output: "v3.274.1\\n" };
else answer = { code: 255, output: "error: the stand-in pulumi does not know " + command + "\\n" };
call.code = answer.code;
fs.appendFileSync(path.join(state, "calls.jsonl"), JSON.stringify(call) + "\\n");
(answer.code === 0 ? process.stdout : process.stderr).write(answer.output);
process.exitCode = answer.code;
`,
        { mode: 0o755 },
    );
    return {
        binDir,
        calls: () => {
            const file = path.join(state, "calls.jsonl");
            if (!fs.existsSync(file)) return [];
            return fs
                .readFileSync(file, "utf8")
                .split("\n")
                .filter(Boolean)
                .map((l) => JSON.parse(l) as FakeCall);
        },
    };
}
