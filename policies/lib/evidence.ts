import { ANNOTATIONS } from "../../builders/names";
import { annotation } from "./manifest";
import { NOT_A_RELEASE, notProduction, productionReason, releaseRecord } from "./release";
import { checked, notApplicable, ResourceRule, Severity } from "./rule";

/**
 * Evidence only people can give (a CI run, a review, a scan, a performance report) is recorded in
 * the release's configuration (`evidence:` in the stack file) and lands on the Deployment as
 * `releasectl.dev/evidence-<key>`. Production stacks require each piece; one rule per piece keeps
 * the checklist one line per item.
 */
export function evidenceRule(spec: {
    name: string;
    /** Annotation suffix, e.g. `ci-run`. */
    annotationKey: string;
    /** Stack file key under `evidence:`, e.g. `ciRun`. */
    configKey: string;
    /** What it proves, e.g. `all CI checks passed`. */
    proves: string;
    example: string;
    severity: Severity;
}): ResourceRule {
    const key = `${ANNOTATIONS.evidencePrefix}${spec.annotationKey}`;
    return {
        scope: "resource",
        name: spec.name,
        description: `A production release records evidence that ${spec.proves} (${key}).`,
        enforcementLevel: "mandatory",
        severity: spec.severity,
        remediationSteps:
            `Add the link to the service's configuration in the stack file: services.<name>.evidence.${spec.configKey}: ${spec.example}. ` +
            "Which stacks are production is set by productionStacks/productionEnvironments.",
        settings: ["productionStacks", "productionEnvironments"],
        kinds: ["apps/Deployment"],
        validate(resource, ctx) {
            const release = releaseRecord(resource.props);
            if (!release) return notApplicable(NOT_A_RELEASE);
            const production = productionReason(ctx, release.environment);
            if (!production) return notApplicable(notProduction(ctx, release.environment));
            const value = annotation(resource.props, key);
            if (value !== undefined && value.trim() !== "") return checked([]);
            return checked([
                `the release of ${release.version} records no evidence that ${spec.proves} (${key}), and ${production}: ` +
                    `only people can confirm it, so the release must say where the proof is. Set evidence.${spec.configKey} for the service, e.g. ${spec.example}.`,
            ]);
        },
    };
}
