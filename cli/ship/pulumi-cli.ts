import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UserError } from "../../config/errors";
import { EngineEvent, EngineReport, errorLine, parseEventLog, readEvents } from "./pulumi-events";

/**
 * The pulumi binary: $PULUMI_BINARY, else `pulumi` on PATH. Missing is bad input (exit 2),
 * found before anything changes.
 */
export function findPulumi(env: NodeJS.ProcessEnv): string {
    const explicit = env.PULUMI_BINARY;
    if (explicit) {
        if (!isExecutable(explicit)) {
            throw new UserError(`PULUMI_BINARY=${explicit}: no executable file there; point it at the pulumi CLI or unset it to use pulumi on PATH`, "ENOPULUMI");
        }
        return explicit;
    }
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (!dir) continue;
        const candidate = path.join(dir, "pulumi");
        if (isExecutable(candidate)) return candidate;
    }
    throw new UserError(
        "the pulumi CLI is not on PATH and PULUMI_BINARY is not set; install it (https://www.pulumi.com/docs/install/) or set PULUMI_BINARY=/path/to/pulumi",
        "ENOPULUMI",
    );
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

export interface PulumiResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /**
     * The engine's events (`--event-log`) when asked for with `events: true`; undefined when the
     * CLI wrote none (it failed before the engine started: a bad flag, the stack locked).
     */
    readonly events?: readonly EngineEvent[];
}

/**
 * Runs the CLI non-interactively and collects its output; `onLine` sees each line as it comes
 * (for live progress). `secret: true` keeps the output out of `onLine` entirely. `events: true`
 * (preview, up) also has the CLI log its engine events (`--event-log`, a debug flag the CLI only
 * takes with PULUMI_DEBUG_COMMANDS=true, as the Automation API runs it) to a file of its own,
 * read into `events` once the CLI ends; what it prints stays as it is, for the person.
 */
export function runPulumi(
    binary: string,
    args: readonly string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv; onLine?: (line: string) => void; secret?: boolean; events?: boolean },
): Promise<PulumiResult> {
    const logDir = opts.events ? fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-events-")) : undefined;
    const log = logDir === undefined ? undefined : path.join(logDir, "events.jsonl");
    const readLog = (): EngineEvent[] | undefined => {
        if (log === undefined || logDir === undefined) return undefined;
        try {
            return fs.existsSync(log) ? parseEventLog(fs.readFileSync(log, "utf8")) : undefined;
        } finally {
            fs.rmSync(logDir, { recursive: true, force: true });
        }
    };
    return new Promise<PulumiResult>((resolve, reject) => {
        const child = spawn(binary, [...args, ...(log === undefined ? [] : ["--event-log", log]), "--non-interactive"], {
            cwd: opts.cwd,
            env: { ...opts.env, PULUMI_SKIP_UPDATE_CHECK: "true", ...(log === undefined ? {} : { PULUMI_DEBUG_COMMANDS: "true" }) },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        let pending = "";
        const feed = (chunk: string) => {
            if (opts.secret || !opts.onLine) return;
            pending += chunk;
            const lines = pending.split("\n");
            pending = lines.pop() ?? "";
            for (const line of lines) opts.onLine(line);
        };
        child.stdout.setEncoding("utf8").on("data", (c: string) => {
            stdout += c;
            feed(c);
        });
        child.stderr.setEncoding("utf8").on("data", (c: string) => {
            stderr += c;
            feed(c);
        });
        child.on("error", (e) => {
            readLog();
            reject(new UserError(`cannot run ${binary}: ${e.message}`, "ENOPULUMI"));
        });
        child.on("close", (code) => {
            if (pending && opts.onLine && !opts.secret) opts.onLine(pending);
            const events = readLog();
            resolve({ code: code ?? 1, stdout, stderr, ...(events === undefined ? {} : { events }) });
        });
    });
}

/** What a failed preview or update reports: from its events, what ship needs to say why. */
export interface PulumiFailure {
    readonly report: EngineReport;
    /** The mandatory policies violated, each once, in the order reported. */
    readonly policies: readonly string[];
    /** The errors in one line (the events' errors, else the error lines the CLI printed). */
    readonly summary: string;
}

export function pulumiFailure(result: PulumiResult): PulumiFailure {
    const report = readEvents(result.events ?? []);
    const policies = [...new Set(report.violations.map((v) => v.policy))];
    return { report, policies, summary: errorLine(report) ?? printedErrors(result) };
}

/**
 * The error lines the CLI printed, for a failure before its engine started (the events hold no
 * error then: `error: [409] Conflict: Another update is currently in progress.`).
 */
export function printedErrors(result: PulumiResult, lines = 6): string {
    const text = `${result.stdout}\n${result.stderr}`
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /error|fail|violation|mandatory/i.test(l));
    return text.slice(-lines).join("; ") || `exit code ${result.code}`;
}
