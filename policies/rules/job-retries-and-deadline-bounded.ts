import { asNumber, JOB_KINDS, jobSpecOf } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

export const jobRetriesAndDeadlineBounded: ResourceRule = {
    scope: "resource",
    name: "job-retries-and-deadline-bounded",
    description: "Every Job (and CronJob template) sets backoffLimit and activeDeadlineSeconds explicitly.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Set spec.backoffLimit (releasectl's migrations use migration.backoffLimit, default 1) and spec.activeDeadlineSeconds " +
        "(migration.activeDeadlineSeconds, default 900). A migration that retries six times or runs forever holds the release and the database.",
    settings: [],
    kinds: JOB_KINDS,
    validate(resource) {
        const spec = jobSpecOf(resource.type, resource.props) ?? {};
        const violations: string[] = [];
        if (asNumber(spec.backoffLimit) === undefined) {
            violations.push("spec.backoffLimit is not set, so Kubernetes retries a failing Job 6 times, re-running a half-applied migration each time. Set it (0 or 1 for migrations).");
        }
        const deadline = asNumber(spec.activeDeadlineSeconds);
        if (deadline === undefined || deadline <= 0) {
            violations.push("spec.activeDeadlineSeconds is not set, so a hung Job runs forever and `pulumi up` waits on it. Set a deadline in seconds.");
        }
        return checked(violations);
    },
};
