import { ANNOTATIONS } from "../../builders/names";
import { isSemVer } from "../../config/versions";
import { NOT_A_RELEASE, releaseRecord } from "../lib/release-record";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

export const deploymentVersionSemver: ResourceRule = {
    scope: "resource",
    name: "deployment-version-semver",
    description: "A release's version and previous version are valid SemVer 2.0 (e.g. 2.4.1, 3.0.0-rc.1+build.7).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set the service's version in the stack file to a SemVer 2.0 version without a leading v (releasectl next proposes one); " +
        "rollback, history and the forward-only check compare versions by SemVer precedence.",
    settings: [],
    kinds: ["apps/Deployment"],
    validate(resource) {
        const release = releaseRecord(resource.props);
        if (!release) return notApplicable(NOT_A_RELEASE);
        const problems: string[] = [];
        if (!isSemVer(release.version)) {
            problems.push(
                `${ANNOTATIONS.version} is ${JSON.stringify(release.version)}, which is not SemVer 2.0: versions are compared to decide what is newer and what a rollback returns to. Use MAJOR.MINOR.PATCH, e.g. 2.4.1 (no leading v).`,
            );
        }
        if (release.previousVersion !== undefined && !isSemVer(release.previousVersion)) {
            problems.push(
                `${ANNOTATIONS.previousVersion} is ${JSON.stringify(release.previousVersion)}, which is not SemVer 2.0: the rollback target must be a version that shipped. Record it with releasectl prepare.`,
            );
        }
        return checked(problems);
    },
};
