import { Writable } from "stream";
import { main } from "../../cli/main";

export interface CliRun {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
    const chunks: Buffer[] = [];
    const stream = new Writable({
        write(chunk, _encoding, done) {
            chunks.push(Buffer.from(chunk));
            done();
        },
    });
    return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** Runs `releasectl <args>` in-process, as the binary would, capturing its output. */
export async function runCli(args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliRun> {
    const out = sink();
    const err = sink();
    const code = await main(args, { stdout: out.stream, stderr: err.stream, cwd: opts.cwd, env: opts.env });
    return { code, stdout: out.text(), stderr: err.text() };
}
