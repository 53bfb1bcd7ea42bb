import { ANNOTATIONS } from "../../builders/names";
import { annotation } from "./manifest";
import { NOT_A_RELEASE, notProduction, productionReason, releaseRecord } from "./release-record";
import { checked, notApplicable, ResourceRule, Severity } from "./rule";

/**
 * Evidence only people can give (a CI run, a review, a scan, a performance report) is recorded in
 * the release's configuration (`evidence:` in the stack file) and lands on the Deployment as
 * `releasectl.dev/evidence-<key>`. Production stacks require each piece; one rule per piece keeps
 * the checklist one line per item.
 */
/**
 * Whether a text (a link) names `version` as a whole version: `reports/checkout-2.4.1`,
 * `v2.4.1`, `?version=2.4.1`; not `2.4.10`, `12.4.1` or `2.4.1-rc.1`.
 */
export function namesVersion(text: string, version: string): boolean {
    const escaped = version.replace(/[.+^${}()|[\]\\*?]/g, "\\$&");
    return new RegExp(`(?:^|[^0-9A-Za-z.])v?${escaped}(?![0-9A-Za-z.+-]*[0-9A-Za-z])`).test(text);
}

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
            if (value !== undefined && value.trim() !== "") {
                // A link that names the version being replaced, and not this one, is that release's evidence.
                // Not for a rollback: it re-applies a version that shipped with its own evidence, the
                // links left in the file are the failed release's, and a rollback must never be held up.
                const previous = release.previousVersion;
                if (release.rollback || previous === undefined || previous === release.version || !namesVersion(value, previous) || namesVersion(value, release.version)) return checked([]);
                return checked([
                    `the evidence that ${spec.proves} (${key}: ${value}) names ${previous}, the version this release replaces, not ${release.version}: ` +
                        `evidence recorded for the previous release proves nothing about this one. Record ${release.version}'s own in evidence.${spec.configKey}.`,
                ]);
            }
            return checked([
                `the release of ${release.version} records no evidence that ${spec.proves} (${key}), and ${production}: ` +
                    `only people can confirm it, so the release must say where the proof is. Set evidence.${spec.configKey} for the service, e.g. ${spec.example}.`,
            ]);
        },
    };
}
