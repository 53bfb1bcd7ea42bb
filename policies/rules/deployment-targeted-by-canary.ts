import { asString, get, metadataName } from "../lib/manifest";
import { releaseRecord } from "../lib/release-record";
import { checked, notApplicable, StackRule, Violation } from "../lib/rule";
import { describeResource, key, namespaceOf, ofKind } from "../lib/stack";

export const deploymentTargetedByCanary: StackRule = {
    scope: "stack",
    name: "deployment-targeted-by-canary",
    description: "Every release's Deployment is the target of a Flagger Canary, so traffic shifts in steps and a bad version is rolled back automatically.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "releasectl declares a Canary for every service; outside releasectl, add a flagger.app/v1beta1 Canary in the same namespace whose spec.targetRef names the Deployment.",
    settings: [],
    validate(resources) {
        const releases = ofKind(resources, "apps/Deployment").filter((d) => releaseRecord(d.props) !== undefined);
        if (releases.length === 0) return notApplicable("the stack declares no release (no Deployment with a releasectl.dev/version annotation)");
        const targets = new Set(
            ofKind(resources, "flagger.app/Canary")
                .filter((c) => asString(get(c.props, "spec", "targetRef", "kind")) === "Deployment")
                .map((c) => key(namespaceOf(c), asString(get(c.props, "spec", "targetRef", "name")))),
        );
        const violations: Violation[] = [];
        for (const d of releases) {
            const targeted = targets.has(key(namespaceOf(d), metadataName(d.props)));
            if (!targeted) {
                violations.push({
                    urn: d.urn,
                    message:
                        `${describeResource(d)} is not the target of any Canary: the new version would take all traffic at once and nothing would roll it back on bad metrics. ` +
                        "Declare a Canary whose targetRef names it.",
                });
            }
        }
        return checked(violations);
    },
};
