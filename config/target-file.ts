import * as fs from "fs";

/**
 * `releasectl ship --target` sets this to a file it writes in its private (0700) plan folder and
 * removes when the release ends. The file names the stack and the services the release's
 * `--target` URNs cover; the program then declares only those services.
 */
export const TARGET_FILE_ENV = "RELEASECTL_TARGET_FILE";

/** What `ship --target` writes into the file RELEASECTL_TARGET_FILE names. */
export interface TargetFile {
    readonly stack: string;
    readonly services: readonly string[];
}

/** The services to declare, or why the variable is ignored (and every service declared). */
export type TargetChoice = { readonly services: ReadonlySet<string> } | { readonly ignored: string } | undefined;

/**
 * What RELEASECTL_TARGET_FILE asks of the program: undefined when it is not set, the services to
 * declare when it names ship's file for this stack, and otherwise why it is ignored.
 *
 * Everything that is not exactly ship's file for this stack declares every service, the safe
 * side: a whole-stack `pulumi up` that saw a subset would delete the rest. That is why the file
 * lives only as long as the release and names its stack; a variable left set in a shell after
 * the release points at a file that is gone.
 */
export function readTargetFile(env: NodeJS.ProcessEnv, stack: string, services: readonly string[]): TargetChoice {
    const file = env[TARGET_FILE_ENV];
    if (file === undefined || file === "") return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return { ignored: code === "ENOENT" ? "no such file (its release has ended)" : code !== undefined ? `unreadable (${code})` : "not JSON" };
    }
    const target = parsed as Partial<TargetFile> | null;
    if (target === null || typeof target !== "object" || typeof target.stack !== "string" || !Array.isArray(target.services)) {
        return { ignored: "not a target file ({ stack, services })" };
    }
    if (target.stack !== stack) return { ignored: `written for stack ${target.stack}, not ${stack}` };
    const known = new Set(services);
    const chosen = target.services.filter((s): s is string => typeof s === "string" && known.has(s));
    if (chosen.length === 0 || chosen.length !== target.services.length) {
        return { ignored: `names ${target.services.map(String).join(", ") || "no service"}, not a subset of this stack's services` };
    }
    return { services: new Set(chosen) };
}
