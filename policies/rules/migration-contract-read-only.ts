import { ANNOTATIONS } from "../../builders/names";
import { annotation, metadataName } from "../lib/manifest";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

export const migrationContractReadOnly: ResourceRule = {
    scope: "resource",
    name: "migration-contract-read-only",
    description: "A contract migration (one that removes what the previous version needs) is flagged: it needs read-only mode or a drained previous version while it runs.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Prefer expand/contract in two releases: first expand (additive), release the code that no longer needs the old schema, then contract. " +
        "If this contract must run now, put the service in read-only mode for the migration, and know that rolling back needs the downgrade command.",
    settings: [],
    kinds: ["batch/Job"],
    validate(resource) {
        const phase = annotation(resource.props, ANNOTATIONS.migrationPhase);
        if (phase === undefined) return notApplicable("declares no migration phase");
        if (phase !== "contract") return checked([]);
        return checked([
            `Job ${metadataName(resource.props) ?? resource.name} runs a contract migration: the previous version, still serving while it runs, loses what it needs. ` +
                "Switch the service to read-only mode (or drain it) for the migration, or split it into expand now and contract in a later release.",
        ]);
    },
};
