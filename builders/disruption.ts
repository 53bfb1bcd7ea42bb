import { ServiceConfig } from "../config/types";
import { commonLabels, kubeNames, primarySelectorLabels } from "./names";
import { Manifest } from "./types";

/**
 * A PodDisruptionBudget for the pods that serve traffic: those of the `<service>-primary`
 * Deployment Flagger makes (Flagger creates no budget of its own). Our own Deployment is the
 * canary, scaled to 0 between releases, so its pods are left out. Unhealthy pods may always be
 * evicted, so a crash-looping pod does not block a node drain.
 */
export function buildDisruptionBudget(s: ServiceConfig): Manifest {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: kubeNames.disruptionBudget(s), namespace: s.namespace, labels: commonLabels(s, "availability") },
        spec: {
            maxUnavailable: s.disruptionBudget.maxUnavailable,
            selector: { matchLabels: primarySelectorLabels(s) },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        },
    };
}
