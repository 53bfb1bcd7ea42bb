import { listStacks, readProjectDefaults, readStackFile } from "../../config/load";

/**
 * What each stack file of a project holds, read without validating it: the environment it
 * deploys to (`releasectl:environment`, else the stack name) and its services' names. A fleet
 * split into a stack per group of services (docs/scale.md) is found through this index: a
 * command given a service finds the stack that holds it.
 */
export interface StackEntry {
    readonly stack: string;
    readonly environment: string;
    readonly services: readonly string[];
}

export interface StackIndex {
    readonly entries: readonly StackEntry[];
    /** The first stack file that could not be read (malformed YAML, not a map), if any. */
    readonly unreadable?: unknown;
}

export function stackIndex(dir: string, stacks: readonly string[] = listStacks(dir)): StackIndex {
    const project = readProjectDefaults(dir).project;
    const entries: StackEntry[] = [];
    let unreadable: unknown;
    for (const stack of stacks) {
        let config: Record<string, unknown>;
        try {
            config = readStackFile(dir, stack).config;
        } catch (e) {
            unreadable ??= e;
            continue;
        }
        const environment = config[`${project}:environment`];
        const services = config[`${project}:services`];
        entries.push({
            stack,
            environment: typeof environment === "string" && environment !== "" ? environment : stack,
            services: services !== null && typeof services === "object" && !Array.isArray(services) ? Object.keys(services) : [],
        });
    }
    return { entries, unreadable };
}
