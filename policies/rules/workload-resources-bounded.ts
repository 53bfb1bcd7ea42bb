import { containerLabel, containersOf, get, podSpecOf, WORKLOAD_KINDS } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

const REQUIRED = [
    ["requests", "cpu"],
    ["requests", "memory"],
    ["requests", "ephemeral-storage"],
    ["limits", "cpu"],
    ["limits", "memory"],
    ["limits", "ephemeral-storage"],
] as const;

export const workloadResourcesBounded: ResourceRule = {
    scope: "resource",
    name: "workload-resources-bounded",
    description: "Every container of every workload declares CPU, memory and ephemeral-storage requests and limits.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Set resources.requests and resources.limits (cpu, memory and ephemeral-storage) on each container; releasectl takes them from the service's resources setting. " +
        "Requests let the scheduler and the autoscaler work; limits keep one bad release from starving its neighbours (or filling the node's disk with logs and scratch files).",
    settings: [],
    kinds: WORKLOAD_KINDS,
    validate(resource) {
        const podSpec = podSpecOf(resource.type, resource.props);
        const violations: string[] = [];
        for (const ref of podSpec ? containersOf(podSpec) : []) {
            const missing = REQUIRED.filter(([kind, res]) => get(ref.container, "resources", kind, res) === undefined).map(([kind, res]) => `${kind}.${res}`);
            if (missing.length > 0) {
                violations.push(
                    `${containerLabel(ref)} sets no resources ${missing.join(", ")}: without requests the scheduler and autoscaler guess, without limits one bad release can starve its neighbours or fill the node's disk. Set them.`,
                );
            }
        }
        return checked(violations);
    },
};
