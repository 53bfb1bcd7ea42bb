/**
 * Errors a user can act on. Each names where the problem is (file and key path), the bad value
 * and what is allowed. The command line turns a UserError into one line on stderr and exit 2;
 * only `--debug` shows a stack trace.
 */
export class UserError extends Error {
    /** Exit code the command line uses: 2 for bad input. */
    readonly exitCode: number = 2;
    constructor(message: string, readonly code: string = "EBADINPUT") {
        super(message);
        this.name = "UserError";
    }
}

/** A configuration value that is missing, of the wrong type, or not allowed. */
export class ConfigError extends UserError {
    constructor(
        readonly file: string,
        readonly keyPath: string,
        readonly problem: string,
        readonly value?: unknown,
        readonly more = 0,
    ) {
        super(
            `${file}: ${keyPath}` +
                (value === undefined ? "" : ` = ${describeValue(value)}`) +
                `: ${problem}` +
                (more > 0 ? ` (and ${more} more problem${more === 1 ? "" : "s"}; fix this one first)` : ""),
            "ECONFIG",
        );
        this.name = "ConfigError";
    }
}

/** Short, single-line rendering of a bad value; never prints a secret's content. */
export function describeValue(value: unknown): string {
    if (value === null) return "null";
    if (typeof value === "string") {
        const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
        return JSON.stringify(shown);
    }
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (Array.isArray(value)) return `a list of ${value.length}`;
    if (typeof value === "object") {
        if ("secure" in (value as object)) return "a secure value";
        return "a map";
    }
    return typeof value;
}
