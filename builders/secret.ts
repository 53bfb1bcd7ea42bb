import { SECRET_PLACEHOLDER, SecretValue, ServiceConfig } from "../config/types";
import { commonLabels } from "./names";
import { Manifest, SecretBinding } from "./types";

/**
 * An Opaque Secret holding one secret value under `key`: the manifest shows SECRET_PLACEHOLDER
 * and the binding tells the Pulumi component where the real value goes, so the two cannot drift.
 */
export function buildSecret(
    s: ServiceConfig,
    name: string,
    component: string,
    key: string,
    secret: SecretValue,
): { manifest: Manifest; secrets: SecretBinding[] } {
    return {
        manifest: {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name, namespace: s.namespace, labels: commonLabels(s, component) },
            type: "Opaque",
            stringData: { [key]: SECRET_PLACEHOLDER },
        },
        secrets: [{ path: ["stringData", key], secret }],
    };
}
