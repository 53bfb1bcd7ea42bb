import { isPrerelease } from "../../config/versions";
import { NOT_A_RELEASE, notProduction, productionReason, releaseRecord } from "../lib/release-record";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

export const deploymentNoPrereleaseInProduction: ResourceRule = {
    scope: "resource",
    name: "deployment-no-prerelease-in-production",
    description: "Production stacks release only final versions, never prereleases such as 2.5.0-rc.1.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Release the final version to production (releasectl next without --prerelease, then releasectl prepare); " +
        "try prereleases on a staging stack. Which stacks are production is set by productionStacks/productionEnvironments.",
    settings: ["productionStacks", "productionEnvironments"],
    kinds: ["apps/Deployment"],
    validate(resource, ctx) {
        const release = releaseRecord(resource.props);
        if (!release) return notApplicable(NOT_A_RELEASE);
        const production = productionReason(ctx, release.environment);
        if (!production) return notApplicable(notProduction(ctx, release.environment));
        if (!isPrerelease(release.version)) return checked([]);
        return checked([
            `version ${release.version} is a prerelease, and ${production}: prereleases have not been declared ready and carry no compatibility promise. Release the final version instead.`,
        ]);
    },
};
