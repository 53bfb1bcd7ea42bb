import { ANNOTATIONS } from "../../builders/names";
import { asNumber, get } from "../lib/manifest";
import { releaseRecord } from "../lib/release-record";
import { checked, ResourceRule } from "../lib/rule";

export const deploymentRollbackPlanRecorded: ResourceRule = {
    scope: "resource",
    name: "deployment-rollback-plan-recorded",
    description: "A release records the version it replaces, and every Deployment keeps old ReplicaSets (revisionHistoryLimit > 0).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Prepare releases with `releasectl prepare`, which records previousVersion; keep revisionHistoryLimit at 1 or more " +
        "(default 10) so Kubernetes can undo a rollout.",
    settings: [],
    kinds: ["apps/Deployment", "extensions/Deployment"],
    validate(resource) {
        const violations: string[] = [];
        const limit = asNumber(get(resource.props, "spec", "revisionHistoryLimit"));
        if (limit !== undefined && limit <= 0) {
            violations.push(
                `spec.revisionHistoryLimit is ${limit}: Kubernetes deletes every old ReplicaSet, so there is nothing to undo a rollout to. Set it to 1 or more (releasectl uses 10).`,
            );
        }
        const release = releaseRecord(resource.props);
        // A declared first release has no earlier version: its rollback plan is removing the service.
        if (release && release.previousVersion === undefined && !release.firstRelease) {
            violations.push(
                `the release of ${release.version} records no ${ANNOTATIONS.previousVersion}: nobody can tell what to roll back to. ` +
                    `Prepare the release with releasectl prepare (it records the version it replaces), set previousVersion in the stack file, or, for the service's very first release, set firstRelease: true.`,
            );
        }
        return checked(violations);
    },
};
