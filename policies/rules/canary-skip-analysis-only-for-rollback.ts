import { ANNOTATIONS } from "../../builders/names";
import { annotation, get } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

export const canarySkipAnalysisOnlyForRollback: ResourceRule = {
    scope: "resource",
    name: "canary-skip-analysis-only-for-rollback",
    description: "A Canary skips its analysis (skipAnalysis: true) only for a release marked as a rollback to a known-good version.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Remove skipAnalysis from a normal release. To return fast to a known-good version use `releasectl rollback <service>`, " +
        `which marks the release as a rollback (${ANNOTATIONS.rollback}: "true") and only then skips the analysis.`,
    settings: [],
    kinds: ["flagger.app/Canary"],
    validate(resource) {
        if (get(resource.props, "spec", "skipAnalysis") !== true) return checked([]);
        if (annotation(resource.props, ANNOTATIONS.rollback) === "true") return checked([]);
        return checked([
            `spec.skipAnalysis is true but the release is not a rollback (${ANNOTATIONS.rollback} is not "true"): Flagger would promote the new version to all traffic without measuring it. ` +
                "Remove skipAnalysis, or release a rollback with releasectl rollback.",
        ]);
    },
};
