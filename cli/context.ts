import { UserError } from "../config/errors";

/** What every command receives: parsed options, output streams, and where the project is. */
export interface CommandContext {
    readonly argv: readonly string[];
    /** Project directory (holds Pulumi.yaml); `--cwd` or the current directory. */
    readonly cwd: string;
    readonly stdout: NodeJS.WritableStream;
    readonly stderr: NodeJS.WritableStream;
    readonly env: NodeJS.ProcessEnv;
    readonly debug: boolean;
}

export interface Command {
    readonly name: string;
    readonly summary: string;
    /** Full `--help` text, with at least one example. */
    readonly help: string;
    /** Returns the exit code: 0 success, 1 a failed check, 2 bad input (or throw UserError). */
    run(ctx: CommandContext): Promise<number>;
}

/** Thrown for a bad command line; main prints it with a pointer to `--help`. */
export class UsageError extends UserError {
    constructor(message: string, readonly command?: string) {
        super(message, "EUSAGE");
        this.name = "UsageError";
    }
}
