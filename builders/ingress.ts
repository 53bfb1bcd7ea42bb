import { ServiceConfig } from "../config/types";
import { commonLabels, kubeNames } from "./names";
import { Manifest } from "./types";

/**
 * The Ingress that the nginx provider splits traffic on (Flagger makes its `-canary` copy).
 *
 * `pulumi.com/skipAwait`: the Kubernetes provider would wait for Endpoints of the Service this
 * Ingress names and for `.status.loadBalancer`, but that Service (`<service>`, pointing at the
 * primary) is created by Flagger only once it initialises the Canary, and the Canary is declared
 * after this Ingress: `pulumi up` would wait 10 minutes and fail before the Canary exists.
 * Flagger owns the routing from then on, and `releasectl ship` follows the Canary itself.
 */
export function buildIngress(s: ServiceConfig): Manifest {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            name: kubeNames.ingress(s),
            namespace: s.namespace,
            labels: commonLabels(s, "ingress"),
            annotations: { "pulumi.com/skipAwait": "true" },
        },
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
