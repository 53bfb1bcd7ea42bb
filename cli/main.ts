import { UserError } from "../config/errors";
import * as fs from "fs";
import * as path from "path";
import { Command, CommandContext, UsageError } from "./context";
import { didYouMean } from "./suggest";

/**
 * The version in releasectl's package.json: the nearest one upward from this module, which is
 * cli/ under ts-node and dist/cli/ when compiled (dist/ has no package.json of its own).
 */
function packageVersion(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
            if (pkg.name === "releasectl" && typeof pkg.version === "string") return pkg.version;
        }
        if (path.dirname(dir) === dir) throw new Error(`no package.json of releasectl above ${__dirname}`);
    }
}

/**
 * The command table. Each command's module is loaded only when it runs, so `releasectl render`
 * never pays for what `status` needs. Nothing here loads @pulumi/pulumi. A command that
 * `readsOnly` runs inside `rememberGitReads` (cli/git.ts): the same git query twice is one process.
 */
const COMMANDS: Record<string, { summary: string; load: () => Command; readsOnly?: true }> = {
    render: { summary: "print the Kubernetes objects a stack's release declares (offline)", load: () => require("./commands/render").render, readsOnly: true },
    check: { summary: "run the release checklist offline (the policy pack's rules plus git checks)", load: () => require("./commands/check").check, readsOnly: true },
    next: { summary: "the next version from the conventional commits since the last release tag", load: () => require("./commands/next").next, readsOnly: true },
    tag: { summary: "create the annotated release tag v<version> on HEAD (never pushes)", load: () => require("./commands/tag").tag },
    prepare: { summary: "write a service's next version into the stack file (previousVersion recorded, atomic, locked)", load: () => require("./commands/prepare").prepare },
    promote: { summary: "copy the release a stack runs into another stack (staging to production), recording where it came from", load: () => require("./commands/promote").promote },
    rollback: { summary: "re-apply an earlier release of a service from the stack file's git history", load: () => require("./commands/rollback").rollback },
    changelog: { summary: "the release notes of a service's version, from its commits (what prepare writes into the changelog)", load: () => require("./commands/changelog").changelog, readsOnly: true },
    history: { summary: "the releases of a service, from the stack file's git history", load: () => require("./commands/history").history, readsOnly: true },
    metrics: { summary: "the four DORA keys per service and stack (releases per week, lead time, change failure rate, time to restore) from the release history", load: () => require("./commands/metrics").metrics, readsOnly: true },
    diff: { summary: "unified diff of the rendered manifests of two releases of a service", load: () => require("./commands/diff").diff, readsOnly: true },
    status: { summary: "the Canary's phase and the Deployments' rollout, read from the cluster (--watch follows it)", load: () => require("./commands/status").status },
    ship: { summary: "the whole release in one command (check, commit, pulumi preview and up, canary, monitor, tag, announce), rolled back on failure", load: () => require("./commands/ship").ship },
    schema: { summary: "the JSON Schema of a stack file, for editors (completion and errors while typing Pulumi.<stack>.yaml)", load: () => require("./commands/schema").schema, readsOnly: true },
};

/** Registers a command (used by each command module's entry in the table above). */
export function commandNames(): string[] {
    return Object.keys(COMMANDS);
}

function usage(): string {
    const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
    const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
    return `releasectl: release management and rollback for services on Kubernetes

Usage: releasectl <command> [options]   (releasectl <command> --help for details)

Commands:
${lines.join("\n")}

Exit codes: 0 success, 1 a check or release failed (diff: the releases differ), 2 bad input (nothing was changed).
`;
}

/** Runs one command line; returns the exit code. Exit codes are decided here and only here. */
export async function main(
    argv: readonly string[],
    io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
    const stdout = io.stdout ?? process.stdout;
    const stderr = io.stderr ?? process.stderr;
    const debug = argv.includes("--debug");
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
        stdout.write(usage());
        return name === undefined ? 2 : 0;
    }
    if (name === "--version" || name === "version") {
        stdout.write(`${packageVersion()}\n`);
        return 0;
    }
    const entry = COMMANDS[name];
    if (!entry) {
        const meant = didYouMean(name, Object.keys(COMMANDS));
        stderr.write(`releasectl: unknown command "${name}"${meant}; commands: ${Object.keys(COMMANDS).join(", ")} (releasectl --help)\n`);
        return 2;
    }
    const ctx: CommandContext = { argv: rest, cwd: io.cwd ?? process.cwd(), stdout, stderr, env: io.env ?? process.env, debug };
    try {
        const command = entry.load();
        if (entry.readsOnly) return await (require("./git") as typeof import("./git")).rememberGitReads(() => command.run(ctx));
        return await command.run(ctx);
    } catch (e) {
        if (e instanceof UserError) {
            stderr.write(`releasectl ${name}: ${e.message.replace(/^releasectl \S+: /, "")}\n`);
            if (e instanceof UsageError) stderr.write(`(see releasectl ${name} --help)\n`);
            if (debug) stderr.write(`${e.stack}\n`);
            return e.exitCode;
        }
        const err = e as Error;
        stderr.write(`releasectl ${name}: internal error: ${err?.message ?? String(e)}\n`);
        stderr.write(debug ? `${err?.stack}\n` : "run again with --debug for a stack trace, and report it\n");
        return 70;
    }
}
