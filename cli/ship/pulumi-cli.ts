import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";

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
}

/**
 * Runs the CLI non-interactively and collects its output; `onLine` sees each line as it comes
 * (for live progress). `secret: true` keeps the output out of `onLine` entirely.
 */
export function runPulumi(
    binary: string,
    args: readonly string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv; onLine?: (line: string) => void; secret?: boolean },
): Promise<PulumiResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(binary, [...args, "--non-interactive"], {
            cwd: opts.cwd,
            env: { ...opts.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
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
        child.on("error", (e) => reject(new UserError(`cannot run ${binary}: ${e.message}`, "ENOPULUMI")));
        child.on("close", (code) => {
            if (pending && opts.onLine && !opts.secret) opts.onLine(pending);
            resolve({ code: code ?? 1, stdout, stderr });
        });
    });
}

/**
 * The policy names a failed preview or update reports as mandatory violations. Tolerant of the
 * CLI's two layouts: the current one, under the pack's line (`- [mandatory]  <policy>  (<type>:
 * <name>)`), and the older flat one (`[mandatory]  <pack>@v<version>  <policy>  (...)`).
 */
export function policyViolations(output: string): string[] {
    const names = new Set<string>();
    // `[mandatory] [severity: high]  rule  (type: name)` (CLI 3.27x), `[mandatory]  rule  (...)`,
    // or the older flat `[mandatory]  pack@v1.0.0  rule  (...)`.
    for (const match of output.matchAll(/\[mandatory\](?:\s+\[severity:\s*\w+\])?\s+(?:[\w.\/-]+@v?\d[\w.+-]*\s+)?([a-z0-9][a-z0-9-]*)/gi)) names.add(match[1]);
    return [...names];
}

/** The last lines that explain a failure, without the CLI's progress noise. */
export function failureSummary(result: PulumiResult, lines = 6): string {
    const text = `${result.stdout}\n${result.stderr}`
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /error|fail|violation|mandatory/i.test(l));
    return text.slice(-lines).join("; ") || `exit code ${result.code}`;
}
