import { ServiceConfig } from "../config/types";
import { containerResources } from "./deployment";
import { imageReference } from "./image";
import { ANNOTATIONS, commonLabels, kubeNames } from "./names";
import { buildSecret } from "./secret";
import { containerSecurityContext, podSecurityContext, TMP_MOUNT, TMP_VOLUME } from "./security";
import { Manifest, SecretBinding } from "./types";

/** Secret with the database URL the migration reads (`DATABASE_URL`). */
export function buildDatabaseSecret(s: ServiceConfig): { manifest: Manifest; secrets: SecretBinding[] } {
    if (!s.migration) throw new Error(`service ${s.name} declares no migration`);
    return buildSecret(s, kubeNames.databaseSecret(s), "migration", "DATABASE_URL", s.migration.databaseUrl);
}

/**
 * The schema change for this version. Named per version because Jobs are immutable. Pulumi
 * waits for it to complete before the Deployment changes; `replaceUnready` lets the next
 * `pulumi up` replace a failed run, and the await timeout outlasts the Job's own deadline.
 * The backup, when configured, runs first as an init container: no backup, no migration.
 */
export function buildMigrationJob(s: ServiceConfig): Manifest {
    const m = s.migration;
    if (!m) throw new Error(`service ${s.name} declares no migration`);
    const labels = { ...commonLabels(s, "migration"), "app.kubernetes.io/name": `${s.name}-migrate` };
    const image = m.image ?? imageReference(s);
    const databaseEnv = [
        { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: kubeNames.databaseSecret(s), key: "DATABASE_URL" } } },
        { name: "APP_VERSION", value: s.version },
    ];
    const container = (name: string, command: readonly string[]) => ({
        name,
        image,
        imagePullPolicy: "IfNotPresent",
        command: [...command],
        env: databaseEnv,
        resources: containerResources(s),
        securityContext: containerSecurityContext(),
        volumeMounts: [TMP_MOUNT],
    });
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name: kubeNames.migrationJob(s),
            namespace: s.namespace,
            labels,
            annotations: {
                [ANNOTATIONS.version]: s.version,
                [ANNOTATIONS.migrationPhase]: m.phase,
                [ANNOTATIONS.downgradeCommand]: JSON.stringify(m.downgradeCommand),
                "pulumi.com/replaceUnready": "true",
                "pulumi.com/timeoutSeconds": String(m.activeDeadlineSeconds + 60),
            },
        },
        spec: {
            backoffLimit: m.backoffLimit,
            activeDeadlineSeconds: m.activeDeadlineSeconds,
            ttlSecondsAfterFinished: m.ttlSecondsAfterFinished,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: "Never",
                    automountServiceAccountToken: false,
                    securityContext: podSecurityContext(),
                    ...(m.backupCommand ? { initContainers: [container("backup", m.backupCommand)] } : {}),
                    containers: [container("migrate", m.command)],
                    volumes: [TMP_VOLUME],
                },
            },
        },
    };
}
