import { ANNOTATIONS } from "../../builders/names";
import { annotation, metadataName } from "../lib/manifest";
import { releaseRecord } from "../lib/release-record";
import { checked, notApplicable, RuleResource, StackRule, Violation } from "../lib/rule";
import { dependencyGraph, describeResource, key, namespaceOf, ofKind, serviceOf } from "../lib/stack";

export const migrationJobPrecedesDeployment: StackRule = {
    scope: "stack",
    name: "migration-job-precedes-deployment",
    description: "A release that changes the schema has a migration Job for its version, and its Deployment waits for that Job (dependsOn); a rollback runs none.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Declare the service's migration in the stack file: releasectl creates a Job per version and makes the Deployment depend on it, so `pulumi up` " +
        "stops before the new code if the migration fails. Outside releasectl, pass the Job in the Deployment's dependsOn.",
    settings: [],
    validate(resources) {
        const jobs = ofKind(resources, "batch/Job").filter((j) => annotation(j.props, ANNOTATIONS.migrationPhase) !== undefined);
        // A rollback release runs no migration: known-good code goes back on the schema as it is.
        const deployments = ofKind(resources, "apps/Deployment").filter(
            (d) => annotation(d.props, ANNOTATIONS.migrationPhase) !== undefined && annotation(d.props, ANNOTATIONS.rollback) !== "true",
        );
        if (jobs.length === 0 && deployments.length === 0) return notApplicable("no release in the stack declares a database migration");
        const dependsOn = dependencyGraph(resources);
        const serviceKey = (r: RuleResource) => key(namespaceOf(r), serviceOf(r));
        const jobsOf = new Map<string, RuleResource[]>();
        for (const j of jobs) jobsOf.set(serviceKey(j), [...(jobsOf.get(serviceKey(j)) ?? []), j]);
        const deploymentsOf = new Map<string, RuleResource[]>();
        for (const d of deployments) deploymentsOf.set(serviceKey(d), [...(deploymentsOf.get(serviceKey(d)) ?? []), d]);
        const violations: Violation[] = [];
        for (const d of deployments) {
            const version = releaseRecord(d.props)?.version;
            const own = (serviceOf(d) === undefined ? [] : (jobsOf.get(serviceKey(d)) ?? [])).filter((j) => annotation(j.props, ANNOTATIONS.version) === version);
            if (own.length === 0) {
                violations.push({
                    urn: d.urn,
                    message:
                        `${describeResource(d)} declares a ${annotation(d.props, ANNOTATIONS.migrationPhase)} migration for ${version ?? "its version"}, but the stack has no migration Job for that version: ` +
                        "the new code would run against the old schema. Declare the migration (releasectl creates the Job).",
                });
                continue;
            }
            for (const j of own) {
                if (!dependsOn(d, j)) {
                    violations.push({
                        urn: d.urn,
                        message:
                            `${describeResource(d)} does not wait for migration Job ${metadataName(j.props) ?? j.name}: Pulumi may roll out the new code before the schema is migrated, ` +
                            "or even when the migration fails. Make the Deployment depend on the Job (dependsOn).",
                    });
                }
            }
        }
        for (const j of jobs) {
            const candidates = serviceOf(j) === undefined ? [] : (deploymentsOf.get(serviceKey(j)) ?? []);
            if (!candidates.some((d) => dependsOn(d, j))) {
                violations.push({
                    urn: j.urn,
                    message:
                        `migration ${describeResource(j)} is not awaited by the Deployment of its service (${serviceOf(j) ?? "unknown"}): nothing stops the rollout when it fails. ` +
                        "Make the service's Deployment depend on it and record the migration on the Deployment.",
                });
            }
        }
        return checked(violations);
    },
};
