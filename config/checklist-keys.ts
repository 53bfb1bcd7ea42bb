import { ConfigError } from "./errors";

/**
 * Stack-file keys the loader rejects before any checklist rule can run, and the rule that would
 * have reported them. Bad input still stops the program or exits 2, but the message points at
 * the checklist item, in `releasectl check` and in `pulumi preview` alike.
 */
const RULE_FOR_KEY: readonly [RegExp, string][] = [
    [/\.migration\.downgradeCommand$/, "migration-reversible"],
    [/\.migration\.phase$/, "migration-reversible"],
    [/\.(?:previousV|v)ersion$/, "deployment-version-semver"],
];

export function checklistRuleFor(error: unknown): string | undefined {
    return error instanceof ConfigError ? RULE_FOR_KEY.find(([key]) => key.test(error.keyPath))?.[1] : undefined;
}

/** The error's message, with the checklist rule it stands for when there is one. */
export function withChecklistRule(error: Error): string {
    const rule = checklistRuleFor(error);
    return rule ? `${error.message} (checklist rule ${rule})` : error.message;
}
