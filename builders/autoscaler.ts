import { ServiceConfig } from "../config/types";
import { commonLabels, kubeNames } from "./names";
import { Manifest } from "./types";

/** autoscaling/v2 HPA on CPU; Flagger clones it for the primary through the Canary's autoscalerRef. */
export function buildAutoscaler(s: ServiceConfig): Manifest {
    return {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: kubeNames.hpa(s), namespace: s.namespace, labels: commonLabels(s, "autoscaler") },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: kubeNames.deployment(s) },
            minReplicas: s.replicas.min,
            maxReplicas: s.replicas.max,
            metrics: [
                {
                    type: "Resource",
                    resource: { name: "cpu", target: { type: "Utilization", averageUtilization: s.replicas.targetCpuUtilization } },
                },
            ],
        },
    };
}
