import { ANNOTATIONS } from "../../builders/names";
import { annotation } from "../lib/manifest";
import { NOT_A_RELEASE, notProduction, productionReason, releaseRecord } from "../lib/release-record";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

/**
 * What reaches production must be exactly what passed an earlier stack. `releasectl promote`
 * copies the release from the earlier stack and records where it came from
 * (`promotedFrom: {stack, commit, version}` in the stack file, on the Deployment as
 * releasectl.dev/promoted-from-stack, -commit and promoted-version); this rule requires that
 * record, naming one of the configured earlier stacks and this very version. A rollback
 * re-applies a release production already ran, so it needs no new promotion.
 */
export const deploymentPromotedFromEarlierStack: ResourceRule = {
    scope: "resource",
    name: "deployment-promoted-from-earlier-stack",
    description: "A production release has passed an earlier stack first: it records its promotion (stack and commit) from one of promotionSources, for this very version.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Release the version on the earlier stack first, then copy it with releasectl promote <service> --from <stack> --to <production stack> (or releasectl ship <service> --from <stack>), which records promotedFrom. " +
        "The earlier stacks are set by promotionSources (empty: not required); which stacks are production by productionStacks/productionEnvironments.",
    settings: ["promotionSources", "productionStacks", "productionEnvironments"],
    kinds: ["apps/Deployment"],
    validate(resource, ctx) {
        const sources = ctx.settings.promotionSources;
        if (sources.length === 0) return notApplicable("promotionSources names no earlier stack, so no promotion is required");
        const release = releaseRecord(resource.props);
        if (!release) return notApplicable(NOT_A_RELEASE);
        const production = productionReason(ctx, release.environment);
        if (!production) return notApplicable(notProduction(ctx, release.environment));
        if (release.rollback) return notApplicable(`a rollback release (re-applies ${release.version}, which production ran before): no new promotion is needed`);
        const from = annotation(resource.props, ANNOTATIONS.promotedFromStack);
        const commit = annotation(resource.props, ANNOTATIONS.promotedFromCommit);
        const version = annotation(resource.props, ANNOTATIONS.promotedVersion);
        const names = sources.join(" or ");
        const fix = `releasectl promote <service> --from ${sources[0]} --to ${ctx.stack}`;
        if (from === undefined || from.trim() === "") {
            return checked([
                `the release of ${release.version} records no promotion (${ANNOTATIONS.promotedFromStack}), and ${production}: nothing shows it passed ${names} first. Release it there, then copy it with ${fix}.`,
            ]);
        }
        if (!sources.includes(from)) {
            return checked([`the release of ${release.version} was promoted from stack ${from}, which is not one of promotionSources (${sources.join(", ")}), and ${production}. Promote it from ${names}: ${fix}.`]);
        }
        if (version !== release.version) {
            return checked([
                `the promotion recorded (${from}${commit ? ` at ${commit.slice(0, 7)}` : ""}) is of ${version ?? "no version"}, not of ${release.version}, the version this release deploys: ` +
                    `provenance of an earlier release proves nothing about this one. Promote ${release.version} from ${from}: ${fix}.`,
            ]);
        }
        if (commit === undefined || !/^[0-9a-f]{40}$/.test(commit)) {
            return checked([`the promotion from ${from} names no commit (${ANNOTATIONS.promotedFromCommit}), so what passed there cannot be found again. Promote it with ${fix}, which records the commit.`]);
        }
        return checked([]);
    },
};
