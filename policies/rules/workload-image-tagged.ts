import { parseImage } from "../lib/image";
import { asString, containerLabel, containersOf, podSpecOf, WORKLOAD_KINDS } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

export const workloadImageTagged: ResourceRule = {
    scope: "resource",
    name: "workload-image-tagged",
    description: "Every container of every workload names its image with a tag or a digest.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Add the version tag (`registry.example.com/team/app:1.4.2`) or a digest (`@sha256:...`) to the image; " +
        "an image without either means `latest`.",
    settings: [],
    kinds: WORKLOAD_KINDS,
    validate(resource) {
        const podSpec = podSpecOf(resource.type, resource.props);
        const violations: string[] = [];
        for (const ref of podSpec ? containersOf(podSpec) : []) {
            const image = asString(ref.container.image);
            if (image === undefined) {
                violations.push(`${containerLabel(ref)} names no image. Set image to a tagged reference such as registry.example.com/team/app:1.4.2.`);
                continue;
            }
            const parsed = parseImage(image);
            if (parsed.tag === undefined && parsed.digest === undefined) {
                violations.push(
                    `${containerLabel(ref)} runs ${image} without a tag or digest, which the runtime reads as \`latest\`: the code that runs can change without a release. Add the version tag or a digest.`,
                );
            }
        }
        return checked(violations);
    },
};
