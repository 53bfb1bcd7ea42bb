import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { main } from "../../cli/main";

/** The repository root (holds the example Pulumi.yaml and Pulumi.production.yaml). */
export const REPO = path.resolve(__dirname, "..", "..");

const made: string[] = [];

/**
 * A temporary project directory with the repository's Pulumi.yaml and example production stack,
 * plus any extra files (`{"Pulumi.broken.yaml": "..."}`). Removed by `removeTempProjects()`.
 */
export function tempProject(files: Record<string, string> = {}, opts: { example?: boolean } = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-test-"));
    made.push(dir);
    fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    if (opts.example ?? true) fs.copyFileSync(path.join(REPO, "Pulumi.production.yaml"), path.join(dir, "Pulumi.production.yaml"));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return dir;
}

export function removeTempProjects(): void {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A writable stream that keeps what is written to it. */
export class Capture extends Writable {
    text = "";
    override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
        this.text += chunk.toString();
        done();
    }
}

export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the command line in-process with captured streams, in `cwd`. */
export async function runCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await main(argv, { stdout, stderr, cwd, env });
    return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Every file under `dir` (relative paths, sorted) with its bytes and modification time. */
export function snapshot(dir: string): Record<string, { bytes: string; mtimeMs: number }> {
    const result: Record<string, { bytes: string; mtimeMs: number }> = {};
    const walk = (sub: string) => {
        for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
            const rel = path.join(sub, entry.name);
            if (entry.isDirectory()) walk(rel);
            else result[rel] = { bytes: fs.readFileSync(path.join(dir, rel)).toString("base64"), mtimeMs: fs.statSync(path.join(dir, rel)).mtimeMs };
        }
    };
    walk("");
    return result;
}
