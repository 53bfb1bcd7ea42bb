import { parseArgs, ParseArgsConfig } from "util";
import { UsageError } from "./context";
import { didYouMean } from "./suggest";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every command accepts. */
export const COMMON_OPTIONS: Options = {
    help: { type: "boolean", short: "h" },
    debug: { type: "boolean" },
    cwd: { type: "string" },
};

/**
 * Parses a command's arguments with node's own parser; an unknown option or a missing value is a
 * UsageError naming it.
 */
export function parseCommandArgs<T extends Options>(
    command: string,
    argv: readonly string[],
    options: T,
    positionals: { min: number; max: number; usage: string },
) {
    const all: Options = { ...COMMON_OPTIONS, ...options };
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options: all, allowPositionals: true, strict: true });
    } catch (e) {
        throw new UsageError(`releasectl ${command}: ${parseProblem((e as Error).message, argv, all)}; usage: ${positionals.usage}`, command);
    }
    const values = parsed.values as { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : T[K]["multiple"] extends true ? string[] : string } & {
        help?: boolean;
        debug?: boolean;
        cwd?: string;
    };
    if (!values.help && (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max)) {
        throw new UsageError(
            `releasectl ${command}: expected ${positionals.min === positionals.max ? positionals.min : `${positionals.min} to ${positionals.max}`} argument(s), got ${parsed.positionals.length}; usage: ${positionals.usage}`,
            command,
        );
    }
    return { values, positionals: parsed.positionals };
}

/** node's parse error as one line: an unknown option with the option meant, a negative value with how to write it. */
function parseProblem(message: string, argv: readonly string[], options: Options): string {
    const ambiguous = /^Option '(-[^' ]+)' argument is ambiguous/.exec(message);
    if (ambiguous) {
        const value = argv[argv.indexOf(ambiguous[1]) + 1] ?? "";
        const long = Object.entries(options).find(([name, o]) => ambiguous[1] === `--${name}` || ambiguous[1] === `-${o.short}`)?.[0] ?? ambiguous[1].replace(/^-+/, "");
        return `${ambiguous[1]} ${value}: a value that starts with "-" is read as an option; write it joined: --${long}=${value}`;
    }
    const unknown = /^Unknown option '(-[^']*)'/.exec(message);
    if (unknown) {
        const names = Object.keys(options).map((n) => `--${n}`);
        return `unknown option ${unknown[1]}${didYouMean(unknown[1], names)}`;
    }
    return message.replace(/\. To specify a positional argument.*$/s, "");
}
