import * as fs from "fs";
import * as path from "path";
import { EngineEvent } from "../../cli/ship/pulumi-events";

/** How the stand-in answers one invocation of a subcommand. */
export interface FakeAnswer {
    readonly code: number;
    readonly output: string;
    /**
     * The engine events it writes to `--event-log` (sequence and timestamp added), as the real
     * CLI does; undefined: no log at all (a failure before the engine started).
     */
    readonly events?: readonly EngineEvent[];
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
    /** For `up --plan FILE`: the plan file it was given. */
    readonly plan?: string;
    /** RELEASECTL_TARGET_FILE when it ran, with the file's content then (null: no such file). */
    readonly targetFile?: { readonly path: string; readonly content: string | null };
}

/**
 * Engine events shaped as pulumi 3.274 writes them to `--event-log` (apitype.EngineEvent; compare
 * test/ship/fixtures/*.events.jsonl, captured from e2e/engine/bin/pulumi), for the example stack.
 */
export const EVENTS = {
    stackUrn: "urn:pulumi:production::releasectl::pulumi:pulumi:Stack::releasectl-production",
    /** A resource of a service's component, as the program registers it. */
    urn: (type: string, name: string) => `urn:pulumi:production::releasectl::releasectl:index:ServiceRelease$${type}::${name}`,
    prelude: (): EngineEvent => ({ preludeEvent: { config: { "releasectl:environment": "production", "releasectl:namespace": "shop" } } }),
    /** A step's resourcePreEvent and resOutputsEvent (`planning`: a preview's). */
    step(op: string, type: string, name: string, planning: boolean): EngineEvent[] {
        const urn = EVENTS.urn(type, name);
        const state = { type, urn, custom: true, id: "", parent: `urn:pulumi:production::releasectl::releasectl:index:ServiceRelease::checkout`, inputs: {}, outputs: {}, provider: "" };
        const metadata = { op, urn, type, old: op === "create" ? null : state, new: op === "delete" ? null : state, detailedDiff: null, provider: "" } as unknown as NonNullable<EngineEvent["resourcePreEvent"]>["metadata"];
        return [{ resourcePreEvent: { metadata, ...(planning ? { planning } : {}) } }, { resOutputsEvent: { metadata, ...(planning ? { planning } : {}) } }];
    },
    policy: (policy: string, type: string, name: string, message: string, severity = "high"): EngineEvent => ({
        policyEvent: {
            resourceUrn: EVENTS.urn(type, name),
            message,
            color: "never",
            policyName: policy,
            policyPackName: "releasectl-checklist",
            policyPackVersion: "0.1.0",
            policyPackVersionTag: "0.1.0",
            enforcementLevel: "mandatory",
            severity,
        } as NonNullable<EngineEvent["policyEvent"]>,
    }),
    diagnostic: (severity: string, message: string, urn?: string): EngineEvent => ({
        diagnosticEvent: { ...(urn ? { urn } : {}), prefix: `${severity}: `, message, color: "never", severity } as NonNullable<EngineEvent["diagnosticEvent"]>,
    }),
    summary: (isPreview: boolean, result: "succeeded" | "failed", resourceChanges: Record<string, number>, durationSeconds = 4): EngineEvent => ({
        summaryEvent: { maybeCorrupt: false, durationSeconds, resourceChanges, PolicyPacks: { "releasectl-checklist|local|policies": "0.1.0" }, isPreview, result },
    }),
    cancel: (): EngineEvent => ({ cancelEvent: {} }),
};

/** The three resources a new checkout version changes. */
const RELEASE_STEPS = (planning: boolean) => [
    ...EVENTS.step("update", "kubernetes:apps/v1:Deployment", "checkout-deployment", planning),
    ...EVENTS.step("update", "kubernetes:flagger.app/v1beta1:Canary", "checkout-canary", planning),
    ...EVENTS.step("update", "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "checkout-alert-rules", planning),
];

/** What the real CLI prints and logs for a successful preview/update and for the failures ship handles. */
export const ANSWERS = {
    previewOk: {
        code: 0,
        output: "Previewing update (production)\n\nResources:\n    ~ 3 to update\n    16 unchanged\n\nPolicies:\n    ✅ releasectl-checklist@v0.1.0 (local: policies)\n",
        events: [EVENTS.prelude(), ...RELEASE_STEPS(true), EVENTS.summary(true, "succeeded", { update: 3, same: 16 }), EVENTS.cancel()],
    } as FakeAnswer,
    policyViolation: (policy: string): FakeAnswer => ({
        code: 255,
        output:
            "Previewing update (production)\n\nPolicies:\n    ❌ releasectl-checklist@v0.1.0 (local: policies)\n" +
            `        - [mandatory] [severity: high]  ${policy}  (kubernetes:flagger.app/v1beta1:Canary: checkout-canary)\n` +
            "          The canary's success-rate minimum is below the pack's.\n\nerror: preview failed\n",
        events: [
            EVENTS.prelude(),
            ...RELEASE_STEPS(true),
            EVENTS.policy(policy, "kubernetes:flagger.app/v1beta1:Canary", "checkout-canary", "The canary's success-rate minimum is below the pack's.\n"),
            EVENTS.diagnostic("error", "preview failed\n"),
            EVENTS.summary(true, "failed", { update: 3, same: 16 }),
            EVENTS.cancel(),
        ],
    }),
    upOk: {
        code: 0,
        output: "Updating (production)\n\nResources:\n    ~ 3 updated\n    16 unchanged\n\nDuration: 41s\n",
        events: [EVENTS.prelude(), ...RELEASE_STEPS(false), EVENTS.summary(false, "succeeded", { update: 3, same: 16 }, 41), EVENTS.cancel()],
    } as FakeAnswer,
    migrationFailed: {
        code: 255,
        output:
            "Updating (production)\n\n    kubernetes:batch/v1:Job (checkout-migrate-2.5.0):\n" +
            "      error: 1 error occurred:\n        * Job has failed: BackoffLimitExceeded\n\nerror: update failed\n",
        events: [
            EVENTS.prelude(),
            EVENTS.step("create", "kubernetes:batch/v1:Job", "checkout-migrate-2.5.0", false)[0],
            EVENTS.diagnostic("error", "1 error occurred:\n\t* Job has failed: BackoffLimitExceeded\n\n", EVENTS.urn("kubernetes:batch/v1:Job", "checkout-migrate-2.5.0")),
            { resOpFailedEvent: { metadata: EVENTS.step("create", "kubernetes:batch/v1:Job", "checkout-migrate-2.5.0", false)[0].resourcePreEvent!.metadata, status: 2, steps: 1 } },
            EVENTS.diagnostic("error", "update failed\n"),
            EVENTS.summary(false, "failed", { same: 16 }, 312),
            EVENTS.cancel(),
        ],
    } as FakeAnswer,
    /** Refused by the backend before the engine starts: an error line, no event log. */
    updateConflict: {
        code: 255,
        output: "Updating (production)\n\nerror: [409] Conflict: Another update is currently in progress.\n",
    } as FakeAnswer,
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
/** \`--event-log FILE\`: a debug flag the real CLI only knows with PULUMI_DEBUG_COMMANDS=true. */
const logAt = args.indexOf("--event-log");
const eventLog = logAt >= 0 ? args[logAt + 1] : undefined;
if (process.env.RELEASECTL_TARGET_FILE !== undefined) {
    const file = process.env.RELEASECTL_TARGET_FILE;
    call.targetFile = { path: file, content: fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null };
}
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
if (eventLog !== undefined && process.env.PULUMI_DEBUG_COMMANDS !== "true") answer = { code: 1, output: "error: unknown flag: --event-log\\n" };
else if (command === "preview") answer = next("preview", ${JSON.stringify(ANSWERS.previewOk)});
else if (command === "up") answer = next("up", ${JSON.stringify(ANSWERS.upOk)});
else if (command === "config" && args[1] === "get") {
    const key = configKey();
    const value = (script.config || {})[key];
    answer = value === undefined ? { code: 255, output: "error: configuration key '" + key + "' not found for stack '" + stack + "'\\n" } : { code: 0, output: value + "\\n" };
} else if (command === "version") answer = { code: 0, output: "v3.274.1\\n" };
else answer = { code: 255, output: "error: the stand-in pulumi does not know " + command + "\\n" };
/**
 * Update plans as the real engine treats them: a successful preview with \`--save-plan FILE\`
 * writes the plan (here: the stack file it previewed); \`up --plan FILE\` fails when the file is
 * missing, and refuses to apply when the stack file is no longer the one the plan was made from.
 */
const saveAt = args.indexOf("--save-plan");
const planAt = command === "up" ? args.indexOf("--plan") : -1;
if (saveAt >= 0 && answer.code === 0 && stack) {
    fs.writeFileSync(args[saveAt + 1], JSON.stringify({ stackFile: fs.readFileSync(path.join(process.cwd(), "Pulumi." + stack + ".yaml"), "utf8") }));
}
if (planAt >= 0 && answer.code === 0) {
    const planFile = args[planAt + 1];
    call.plan = planFile;
    if (!fs.existsSync(planFile)) answer = { code: 255, output: "error: open " + planFile + ": no such file or directory\\n" };
    else if (JSON.parse(fs.readFileSync(planFile, "utf8")).stackFile !== call.stackFile) {
        answer = { code: 255, output: "error: resource urn:pulumi:" + stack + "::releasectl::kubernetes:apps/v1:Deployment::checkout-deployment violates plan: properties changed\\n" };
    }
}
call.code = answer.code;
fs.appendFileSync(path.join(state, "calls.jsonl"), JSON.stringify(call) + "\\n");
if (eventLog !== undefined && answer.events) {
    const now = Math.floor(Date.now() / 1000);
    fs.writeFileSync(eventLog, answer.events.map((e, i) => JSON.stringify({ sequence: i + 1, timestamp: now, ...e }) + "\\n").join(""));
}
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
