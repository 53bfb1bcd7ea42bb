import { NotificationConfig, ServiceConfig } from "../config/types";
import { commonLabels, kubeNames } from "./names";
import { buildSecret } from "./secret";
import { Manifest, SecretBinding } from "./types";

/** The Secret holding the webhook address; Flagger reads its `address` key. */
export function buildWebhookSecret(s: ServiceConfig, n: NotificationConfig): { manifest: Manifest; secrets: SecretBinding[] } {
    return buildSecret(s, kubeNames.webhookSecret(s), "notification", "address", n.address);
}

export function buildAlertProvider(s: ServiceConfig, n: NotificationConfig): Manifest {
    return {
        apiVersion: "flagger.app/v1beta1",
        kind: "AlertProvider",
        metadata: { name: kubeNames.alertProvider(s), namespace: s.namespace, labels: commonLabels(s, "notification") },
        spec: {
            type: n.type,
            ...(n.channel ? { channel: n.channel } : {}),
            username: n.username,
            secretRef: { name: kubeNames.webhookSecret(s) },
        },
    };
}
