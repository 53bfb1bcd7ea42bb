import * as fs from "fs";
import * as path from "path";
import { UserError } from "../config/errors";
import { listStacks, loadStack, stackFilePath } from "../config/load";
import { ReleaseConfig, ServiceConfig } from "../config/types";
import { CommandContext } from "./context";
import { checkStackFile, existingDir } from "./paths";
import { didYouMean } from "./suggest";

/**
 * The project directory: the nearest folder upward holding Pulumi.yaml, from `--cwd` (which must
 * be an existing folder: a typo must not fall back to a parent's project) or the current folder.
 */
export function projectDir(ctx: CommandContext, cwdOption?: string): string {
    const start = cwdOption === undefined ? path.resolve(ctx.cwd) : existingDir("cwd", cwdOption, ctx.cwd);
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) break;
    }
    throw new UserError(`${start}: no Pulumi.yaml here or in any parent folder; run releasectl inside the project or pass --cwd DIR`, "ENOPROJECT");
}

/**
 * `--stack`, else $RELEASECTL_STACK, else the project's only stack file. A stack file that is
 * there but is no file (a folder, a dangling link, a pipe) is refused here.
 */
export function resolveStack(dir: string, stackOption: string | undefined, env: NodeJS.ProcessEnv): string {
    const stack = pickStack(dir, stackOption, env);
    const file = stackFilePath(dir, stack);
    checkStackFile(file, file);
    return stack;
}

function pickStack(dir: string, stackOption: string | undefined, env: NodeJS.ProcessEnv): string {
    const stack = stackOption ?? (env.RELEASECTL_STACK || undefined);
    if (stack !== undefined) {
        const given = stackOption !== undefined ? `--stack ${JSON.stringify(stack)}` : `RELEASECTL_STACK=${JSON.stringify(stack)}`;
        if (stack.includes("/")) {
            throw new UserError(`${given}: not a stack name; a stack is named by its Pulumi.<stack>.yaml file: for org/project/stack pass only the last part (--stack ${stack.split("/").pop() || "production"})`, "ENOSTACK");
        }
        if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(stack)) {
            throw new UserError(`${given}: not a stack name (letters, digits, ., _ and -, not starting with .), e.g. --stack production`, "ENOSTACK");
        }
        return stack;
    }
    const stacks = listStacks(dir);
    if (stacks.length === 1) return stacks[0];
    throw new UserError(
        stacks.length === 0
            ? `${dir}: no Pulumi.<stack>.yaml stack file; create one with pulumi stack init <name>`
            : `several stacks (${stacks.join(", ")}); choose one with --stack`,
        "ENOSTACK",
    );
}

export function loadProjectStack(ctx: CommandContext, opts: { cwd?: string; stack?: string }): { dir: string; stack: string; config: ReleaseConfig } {
    const dir = projectDir(ctx, opts.cwd);
    const stack = resolveStack(dir, opts.stack, ctx.env);
    return { dir, stack, config: loadStack(dir, stack) };
}

/** The named service, or a UserError listing the stack's services. */
export function findService(config: ReleaseConfig, name: string): ServiceConfig {
    const service = config.services.find((s) => s.name === name);
    if (!service) {
        throw new UserError(
            `${config.source}: releasectl:services has no service "${name}"${didYouMean(name, config.services.map((s) => s.name))}; services in stack ${config.stack}: ${config.services.map((s) => s.name).join(", ")}`,
            "ENOSERVICE",
        );
    }
    return service;
}
