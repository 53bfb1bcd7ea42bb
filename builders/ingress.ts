import { ServiceConfig } from "../config/types";
import { commonLabels, names } from "./names";
import { Manifest } from "./types";

/** The Ingress that the nginx provider splits traffic on (Flagger makes its `-canary` copy). */
export function buildIngress(s: ServiceConfig): Manifest {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: names.ingress(s), namespace: s.namespace, labels: commonLabels(s, "ingress") },
        spec: {
            ingressClassName: s.canary.ingressClassName,
            rules: [
                {
                    host: s.canary.host,
                    http: {
                        paths: [
                            {
                                path: "/",
                                pathType: "Prefix",
                                backend: { service: { name: s.name, port: { number: s.port } } },
                            },
                        ],
                    },
                },
            ],
        },
    };
}
