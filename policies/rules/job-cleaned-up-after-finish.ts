import { asNumber, get } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

export const jobCleanedUpAfterFinish: ResourceRule = {
    scope: "resource",
    name: "job-cleaned-up-after-finish",
    description: "Every Job sets ttlSecondsAfterFinished, so finished Jobs and their pods are cleaned up.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
        "Set spec.ttlSecondsAfterFinished (releasectl uses migration.ttlSecondsAfterFinished, default 86400: a day to read the logs). " +
        "Per-version migration Jobs otherwise pile up, one per release.",
    settings: [],
    kinds: ["batch/Job"],
    validate(resource) {
        if (asNumber(get(resource.props, "spec", "ttlSecondsAfterFinished")) !== undefined) return checked([]);
        return checked([
            "spec.ttlSecondsAfterFinished is not set, so the finished Job and its pods stay forever and every release adds one more. Set it (e.g. 86400 keeps the logs for a day).",
        ]);
    },
};
