import { parseImage } from "../lib/image";
import { asString, containerLabel, containersOf, podSpecOf, WORKLOAD_KINDS } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

export const workloadImageNotLatest: ResourceRule = {
    scope: "resource",
    name: "workload-image-not-latest",
    description: "No container of any workload runs an image tagged `latest`.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Tag images with the version they were built from (releasectl uses the release's version) or pin them by digest; " +
        "`latest` moves, so the same manifest runs different code over time and a rollback cannot bring the old code back.",
    settings: [],
    kinds: WORKLOAD_KINDS,
    validate(resource) {
        const podSpec = podSpecOf(resource.type, resource.props);
        const violations: string[] = [];
        for (const ref of podSpec ? containersOf(podSpec) : []) {
            const image = asString(ref.container.image);
            if (image !== undefined && parseImage(image).tag === "latest") {
                violations.push(
                    `${containerLabel(ref)} runs ${image}: \`latest\` moves, so what runs depends on when a node pulled it and a rollback cannot restore the old code. Use a version tag or a digest.`,
                );
            }
        }
        return checked(violations);
    },
};
