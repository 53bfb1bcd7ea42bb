import { MIGRATION_PHASES } from "../../config/types";
import { ANNOTATIONS } from "../../builders/names";
import { annotation, groupKind, label } from "../lib/manifest";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

/** A downgrade command as recorded: a JSON list of non-empty strings. */
function parseCommand(text: string | undefined): string[] | undefined {
    if (text === undefined) return undefined;
    try {
        const value: unknown = JSON.parse(text);
        return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v !== "") ? (value as string[]) : undefined;
    } catch {
        return undefined;
    }
}

export const migrationReversible: ResourceRule = {
    scope: "resource",
    name: "migration-reversible",
    description: "Every database migration declares its phase (expand or contract) and the command that downgrades it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "In the stack file set migration.downgradeCommand (the command that reverts this migration) and migration.phase: expand (additive; " +
        `the previous version keeps working) or contract (removes what the previous version needs). Outside releasectl, annotate the Job with ${ANNOTATIONS.migrationPhase} ` +
        `and ${ANNOTATIONS.downgradeCommand} (a JSON list, e.g. ["/app/migrate","down"]).`,
    settings: [],
    kinds: ["batch/Job", "apps/Deployment"],
    validate(resource) {
        const props = resource.props;
        const phase = annotation(props, ANNOTATIONS.migrationPhase);
        const downgrade = annotation(props, ANNOTATIONS.downgradeCommand);
        const isJob = groupKind(resource.type) === "batch/Job";
        const declaresMigration =
            phase !== undefined || downgrade !== undefined || (isJob && label(props, "app.kubernetes.io/component") === "migration");
        if (!declaresMigration) return notApplicable("declares no database migration");
        const violations: string[] = [];
        if ((isJob || phase !== undefined) && !(MIGRATION_PHASES as readonly string[]).includes(phase ?? "")) {
            violations.push(
                `the migration declares ${phase === undefined ? "no phase" : `phase ${JSON.stringify(phase)}`} (${ANNOTATIONS.migrationPhase}): ` +
                    "without expand or contract nobody can tell whether the previous version survives it, so a rollback is a gamble. Declare the phase.",
            );
        }
        if (!parseCommand(downgrade)) {
            violations.push(
                `the migration ${downgrade === undefined ? "declares no downgrade" : `has a downgrade that is not a JSON list of strings (${downgrade})`} (${ANNOTATIONS.downgradeCommand}): ` +
                    "a schema change that cannot be reverted turns a rollback into an outage. Name the command that reverts it.",
            );
        }
        return checked(violations);
    },
};
