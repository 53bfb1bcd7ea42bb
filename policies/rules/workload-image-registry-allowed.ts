import { parseImage, registryAllowed } from "../lib/image";
import { asString, containerLabel, containersOf, podSpecOf, WORKLOAD_KINDS } from "../lib/manifest";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

export const workloadImageRegistryAllowed: ResourceRule = {
    scope: "resource",
    name: "workload-image-registry-allowed",
    description: "Every image comes from a registry (or registry path) listed in the pack's allowedRegistries.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Push the image to an allowed registry and reference it from there, or, if the registry is trusted, add it to " +
        "allowedRegistries of workload-image-registry-allowed in the pack config.",
    settings: ["allowedRegistries"],
    kinds: WORKLOAD_KINDS,
    validate(resource, ctx) {
        const allowed = ctx.settings.allowedRegistries;
        if (allowed.length === 0) return notApplicable("no allowedRegistries configured, so images may come from any registry");
        const podSpec = podSpecOf(resource.type, resource.props);
        const violations: string[] = [];
        for (const ref of podSpec ? containersOf(podSpec) : []) {
            const image = asString(ref.container.image);
            if (image === undefined) continue;
            const parsed = parseImage(image);
            if (!registryAllowed(parsed, allowed)) {
                violations.push(
                    `${containerLabel(ref)} runs ${image} from ${parsed.name}, which is outside the allowed registries (${allowed.join(", ")}): images from elsewhere have not passed your registry's scanning and retention. Use an image from an allowed registry.`,
                );
            }
        }
        return checked(violations);
    },
};
