import { parseArgs, ParseArgsConfig } from "util";
import { UsageError } from "./context";

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
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    } catch (e) {
        const message = (e as Error).message.replace(/\. To specify a positional argument.*$/, "");
        throw new UsageError(`releasectl ${command}: ${message}; usage: ${positionals.usage}`, command);
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
