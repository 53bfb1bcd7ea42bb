import * as fs from "fs";
import * as path from "path";
import { UserError } from "../config/errors";
import { listStacks, loadStack, stackFilePath } from "../config/load";
import { ReleaseConfig, ServiceConfig } from "../config/types";
import { CommandContext } from "./context";
import { checkStackFile, existingDir } from "./paths";
import { stackIndex } from "./stack/stack-index";
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
 * `--stack`, else $RELEASECTL_STACK, else the project's only stack file. Given the service the
 * command acts on, it also finds the service's stack by itself: among several stack files, the
 * one that holds the service; and a `--stack` that names no stack file but an environment
 * (`releasectl:environment`, a fleet split into a stack per group: docs/scale.md), that
 * environment's stack that holds the service. A stack file that is there but is no file (a
 * folder, a dangling link, a pipe) is refused here.
 */
export function resolveStack(dir: string, stackOption: string | undefined, env: NodeJS.ProcessEnv, service?: string): string {
    const stack = pickStack(dir, stackOption, env, service);
    const file = stackFilePath(dir, stack);
    checkStackFile(file, file);
    return stack;
}

function pickStack(dir: string, stackOption: string | undefined, env: NodeJS.ProcessEnv, service: string | undefined): string {
    const stack = stackOption ?? (env.RELEASECTL_STACK || undefined);
    if (stack !== undefined) {
        const given = stackOption !== undefined ? `--stack ${JSON.stringify(stack)}` : `RELEASECTL_STACK=${JSON.stringify(stack)}`;
        if (stack.includes("/")) {
            throw new UserError(`${given}: not a stack name; a stack is named by its Pulumi.<stack>.yaml file: for org/project/stack pass only the last part (--stack ${stack.split("/").pop() || "production"})`, "ENOSTACK");
        }
        if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(stack)) {
            throw new UserError(`${given}: not a stack name (letters, digits, ., _ and -, not starting with .), e.g. --stack production`, "ENOSTACK");
        }
        if (service === undefined || fs.existsSync(stackFilePath(dir, stack))) return stack;
        return environmentStack(dir, stack, given, service) ?? stack;
    }
    const stacks = listStacks(dir);
    if (stacks.length === 1) return stacks[0];
    if (stacks.length > 1 && service !== undefined) return holderStack(dir, stacks, service);
    throw new UserError(
        stacks.length === 0
            ? `${dir}: no Pulumi.<stack>.yaml stack file; create one with pulumi stack init <name>`
            : `several stacks (${stacks.join(", ")}); choose one with --stack`,
        "ENOSTACK",
    );
}

/**
 * The stacks of environment `name` (`releasectl:environment`, a fleet split into a stack per
 * group: docs/scale.md) when no `Pulumi.<name>.yaml` exists, for the commands that act on every
 * stack of an environment (`check --stack production`); undefined when `name` is a stack file
 * or no stack deploys to it.
 */
export function environmentStacks(dir: string, name: string): string[] | undefined {
    if (fs.existsSync(stackFilePath(dir, name))) return undefined;
    const index = stackIndex(dir);
    // an unreadable stack file might be one of them: say so rather than check without it
    if (index.unreadable !== undefined) throw index.unreadable;
    const inEnvironment = index.entries.filter((e) => e.environment === name);
    // one stack per service and environment, as every command given the service demands
    for (const { services } of inEnvironment) {
        for (const service of services) {
            const holders = inEnvironment.filter((e) => e.services.includes(service));
            if (holders.length > 1) throw inSeveralStacks(`--stack ${name}`, service, name, holders);
        }
    }
    return inEnvironment.length === 0 ? undefined : inEnvironment.map((e) => e.stack);
}

function inSeveralStacks(given: string, service: string, environment: string, holders: readonly { stack: string }[]): UserError {
    return new UserError(
        `${given}: service "${service}" is in several stacks of environment ${environment} (${holders.map((e) => e.stack).join(", ")}); a service belongs to one stack per environment: choose one with --stack and remove the service from the other`,
        "ENOSTACK",
    );
}

/**
 * `--stack X` where no Pulumi.X.yaml exists: the stack of environment X that holds the service,
 * undefined when no stack deploys to X (the caller then reports the missing stack file).
 */
function environmentStack(dir: string, environment: string, given: string, service: string): string | undefined {
    const index = stackIndex(dir);
    const inEnvironment = index.entries.filter((e) => e.environment === environment);
    if (inEnvironment.length === 0) {
        if (index.unreadable !== undefined) throw index.unreadable;
        return undefined;
    }
    const holders = inEnvironment.filter((e) => e.services.includes(service));
    if (holders.length === 1 && index.unreadable === undefined) return holders[0].stack;
    if (index.unreadable !== undefined) throw index.unreadable;
    const names = inEnvironment.map((e) => e.stack).join(", ");
    if (holders.length === 0) {
        throw new UserError(
            `${given}: no stack file Pulumi.${environment}.yaml, and none of environment ${environment}'s stacks (${names}) holds service "${service}"${didYouMean(service, inEnvironment.flatMap((e) => e.services))}; pass the stack that holds it with --stack`,
            "ENOSERVICE",
        );
    }
    throw inSeveralStacks(given, service, environment, holders);
}

/** No `--stack`, several stack files: the one that holds the service. */
function holderStack(dir: string, stacks: readonly string[], service: string): string {
    const index = stackIndex(dir, stacks);
    const holders = index.entries.filter((e) => e.services.includes(service));
    if (holders.length === 1 && index.unreadable === undefined) return holders[0].stack;
    if (index.unreadable !== undefined) throw index.unreadable;
    if (holders.length === 0) {
        throw new UserError(
            `no stack holds service "${service}"${didYouMean(service, index.entries.flatMap((e) => e.services))}; stacks: ${index.entries.map((e) => `${e.stack} (${e.services.join(", ") || "no services"})`).join("; ")}`,
            "ENOSERVICE",
        );
    }
    throw new UserError(`service "${service}" is in several stacks (${holders.map((e) => e.stack).join(", ")}); choose one with --stack`, "ENOSTACK");
}

/** The project, its stack (found by the service when one is given: `resolveStack`) and its configuration. */
export function loadProjectStack(ctx: CommandContext, opts: { cwd?: string; stack?: string; service?: string }): { dir: string; stack: string; config: ReleaseConfig } {
    const dir = projectDir(ctx, opts.cwd);
    const stack = resolveStack(dir, opts.stack, ctx.env, opts.service);
    return { dir, stack, config: loadStack(dir, stack, { cwd: ctx.cwd }) };
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
