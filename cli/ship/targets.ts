import { buildServiceObjects } from "../../builders/service-objects";
import { ReleaseConfig } from "../../config/types";
import { releaseResources } from "../checklist/resources";

/**
 * `ship --target`: the URNs of one service's resources, for `pulumi preview/up --target`. Those
 * of the release (its component and every object the new configuration declares) and those of
 * the configuration it replaces (so an object the release drops, such as the previous version's
 * migration Job, is deleted too). The engine still runs the whole program; it only leaves every
 * other resource of the stack as it is, changed or not.
 */
export function serviceTargets(before: ReleaseConfig, after: ReleaseConfig, service: string): string[] {
    const urns = new Set<string>();
    for (const config of [before, after]) {
        const s = config.services.find((x) => x.name === service);
        if (s === undefined) continue;
        for (const r of releaseResources(config, [buildServiceObjects(config, s)])) urns.add(r.urn);
    }
    return [...urns].sort();
}
