import { asObject, containersOf, podSpecOf, SERVING_KINDS } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

export const workloadProbesDefined: ResourceRule = {
    scope: "resource",
    name: "workload-probes-defined",
    description: "Every container of a serving workload (Deployment, StatefulSet, DaemonSet) has a readiness and a liveness probe.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Add readinessProbe and livenessProbe to each container (releasectl sets them from probes.readinessPath and probes.livenessPath). " +
        "Without readiness, traffic reaches pods that cannot serve and a rollout cannot tell a broken version; without liveness, hung pods are never restarted.",
    settings: [],
    kinds: SERVING_KINDS,
    validate(resource) {
        const podSpec = podSpecOf(resource.type, resource.props);
        const violations: string[] = [];
        for (const ref of podSpec ? containersOf(podSpec, { init: false }) : []) {
            const missing = (["readinessProbe", "livenessProbe"] as const).filter((p) => !asObject(ref.container[p]));
            if (missing.length === 0) continue;
            violations.push(
                `container ${ref.name} has no ${missing.join(" and no ")}: ` +
                    (missing.includes("readinessProbe")
                        ? "traffic would reach pods before they can serve, and the rollout would report a broken version as ready. "
                        : "a hung process would keep its pod forever. ") +
                    `Add ${missing.join(" and ")} (an httpGet on the service's health endpoints).`,
            );
        }
        return checked(violations);
    },
};
