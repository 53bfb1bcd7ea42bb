import { ANNOTATIONS } from "../../builders/names";
import { compare } from "../../config/semver";
import { isSemVer } from "../../config/versions";
import { NOT_A_RELEASE, releaseRecord } from "../lib/release-record";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

export const deploymentVersionMovesForward: ResourceRule = {
    scope: "resource",
    name: "deployment-version-moves-forward",
    description: "A release's version is newer than the version it replaces, unless the release is marked as a rollback.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "To go back to an earlier version use `releasectl rollback <service>`: it marks the release as a rollback (Flagger's fast path) " +
        "and refuses to cross a contract migration. Otherwise choose a newer version with releasectl next.",
    settings: [],
    kinds: ["apps/Deployment"],
    validate(resource) {
        const release = releaseRecord(resource.props);
        if (!release) return notApplicable(NOT_A_RELEASE);
        if (release.previousVersion === undefined) return notApplicable(`no ${ANNOTATIONS.previousVersion} recorded (a first release)`);
        if (!isSemVer(release.version) || !isSemVer(release.previousVersion)) {
            return notApplicable("a version is not SemVer; deployment-version-semver reports it");
        }
        if (release.rollback) return checked([]);
        const order = compare(release.version, release.previousVersion);
        if (order > 0) return checked([]);
        return checked([
            `version ${release.version} ${order === 0 ? "is the same as" : "is older than"} the version it replaces (${release.previousVersion}) and the release is not marked as a rollback: ` +
                `a release that goes back without being a rollback skips the checks that protect a rollback (migrations, fast promotion). ` +
                `Use releasectl rollback, or release a newer version.`,
        ]);
    },
};
