import * as pulumi from "@pulumi/pulumi";
import { withChecklistRule } from "../config/checklist-keys";
import { UserError } from "../config/errors";
import { parseReleaseConfig, PROJECT_KEYS } from "../config/load";
import { Field, keysOf, STACK } from "../config/schema";
import { ReleaseConfig } from "../config/types";

/** Keys declared as `type: object` in Pulumi.yaml (maps in schema.ts): the engine hands them over as JSON. */
const OBJECT_KEYS = new Set<string>(
    keysOf(STACK).filter((key) => {
        const kind = (STACK.keys as Record<string, Field>)[key].kind;
        return kind === "object" || kind === "map";
    }),
);

/**
 * The stack's configuration as the engine hands it to the program, through the same loader as
 * the command line. A bad value stops the program with the loader's one-line message (a
 * RunError prints without a stack trace).
 */
export function loadProgramConfig(): ReleaseConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
    const values: Record<string, unknown> = {};
    for (const key of PROJECT_KEYS) {
        const raw = pulumi.runtime.getConfig(`${project}:${key}`);
        if (raw === undefined) continue;
        if (!OBJECT_KEYS.has(key)) {
            values[key] = raw;
            continue;
        }
        try {
            values[key] = JSON.parse(raw);
        } catch {
            throw new pulumi.RunError(`pulumi config (stack ${stack}): ${project}:${key} is not a map; declare it as a YAML map in Pulumi.${stack}.yaml`);
        }
    }
    try {
        return parseReleaseConfig(values, {
            source: `Pulumi.${stack}.yaml`,
            stack,
            project,
            mode: "program",
            isSecretKey: (key) => isSecret?.(key) ?? false,
        });
    } catch (e) {
        if (e instanceof UserError) throw new pulumi.RunError(withChecklistRule(e));
        throw e;
    }
}
