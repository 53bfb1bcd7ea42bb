import { ServiceObjects } from "../../builders/types";
import { ReleaseConfig } from "../../config/types";
import { describe } from "../../policies/lib/manifest";
import { RuleResource } from "../../policies/lib/rule";

/** The component type every service's objects are children of (components/serviceRelease.ts). */
export const COMPONENT_TYPE = "releasectl:index:ServiceRelease";

export interface CheckedResource extends RuleResource {
    readonly service: string;
    /** `checkout-deployment (Deployment shop/checkout)`, for output. */
    readonly label: string;
}

/**
 * The rendered release as the engine would show it to the policies: one component per service,
 * its objects as children with the URNs Pulumi gives them
 * (`urn:pulumi:<stack>::<project>::releasectl:index:ServiceRelease$<type>::<name>`), and
 * `dependsOn` turned into dependency URNs, so stack rules run unchanged offline.
 */
export function releaseResources(config: ReleaseConfig, releases: readonly ServiceObjects[]): CheckedResource[] {
    const prefix = `urn:pulumi:${config.stack}::${config.project}::`;
    const resources: CheckedResource[] = [];
    for (const release of releases) {
        resources.push({
            type: COMPONENT_TYPE,
            props: {},
            urn: `${prefix}${COMPONENT_TYPE}::${release.service}`,
            name: release.service,
            dependencies: [],
            service: release.service,
            label: `${release.service} (component)`,
        });
        const urnOf = (name: string, type: string) => `${prefix}${COMPONENT_TYPE}$${type}::${name}`;
        const typeByName = new Map(release.objects.map((o) => [o.name, o.type]));
        for (const object of release.objects) {
            resources.push({
                type: object.type,
                props: object.manifest,
                urn: urnOf(object.name, object.type),
                name: object.name,
                dependencies: object.dependsOn.map((dep) => urnOf(dep, typeByName.get(dep) ?? "unknown")),
                service: release.service,
                label: `${object.name} (${describe(object.type, object.manifest, object.name)})`,
            });
        }
    }
    return resources;
}
