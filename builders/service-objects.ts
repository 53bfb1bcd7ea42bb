import { ReleaseConfig, ServiceConfig } from "../config/types";
import { buildAlertProvider, buildWebhookSecret } from "./notification";
import { buildAutoscaler } from "./autoscaler";
import { buildCanary, buildMetricTemplates } from "./canary";
import { buildDeployment } from "./deployment";
import { buildDisruptionBudget } from "./disruption";
import { buildIngress } from "./ingress";
import { buildDatabaseSecret, buildMigrationJob } from "./migration";
import { buildPrometheusRule } from "./alerts";
import { releaseObject, ReleaseObject, ServiceObjects } from "./types";

/** Pulumi resource names of one service's objects (the N in URN ...::N); Kubernetes object names are kubeNames (names.ts). Long-lived ones never include the version. */
export const pulumiNames = {
    webhookSecret: (s: ServiceConfig) => `${s.name}-webhook-secret`,
    alertProvider: (s: ServiceConfig) => `${s.name}-alert-provider`,
    databaseSecret: (s: ServiceConfig) => `${s.name}-database-secret`,
    migrationJob: (s: ServiceConfig) => `${s.name}-migrate-${s.version}`,
    deployment: (s: ServiceConfig) => `${s.name}-deployment`,
    autoscaler: (s: ServiceConfig) => `${s.name}-autoscaler`,
    disruptionBudget: (s: ServiceConfig) => `${s.name}-disruption-budget`,
    ingress: (s: ServiceConfig) => `${s.name}-ingress`,
    metricTemplate: (s: ServiceConfig, metric: string) => `${s.name}-${metric}-template`,
    canary: (s: ServiceConfig) => `${s.name}-canary`,
    alertRules: (s: ServiceConfig) => `${s.name}-alert-rules`,
};

/**
 * Everything one service's release declares, in the order it is applied: secrets and the
 * notification target, the migration Job, the workload (which waits for the Job), its
 * autoscaler, disruption budget and ingress, the Canary, and the alert rules.
 */
export function buildServiceObjects(config: ReleaseConfig, s: ServiceConfig): ServiceObjects {
    const objects: ReleaseObject[] = [];
    const notification = config.notifications[s.notification];
    if (notification) {
        const secret = buildWebhookSecret(s, notification);
        objects.push(releaseObject(pulumiNames.webhookSecret(s), secret.manifest, { secrets: secret.secrets }));
        objects.push(releaseObject(pulumiNames.alertProvider(s), buildAlertProvider(s, notification), { dependsOn: [pulumiNames.webhookSecret(s)] }));
    }
    const deploymentDependsOn: string[] = [];
    // A rollback re-applies known-good code on the schema as it is: running the older release's
    // migration again against a newer schema fails with most migration tools (and a `contract`
    // rollback runs its downgrades by hand first, as `releasectl rollback` prints).
    if (s.migration && !s.rollback) {
        const secret = buildDatabaseSecret(s);
        objects.push(releaseObject(pulumiNames.databaseSecret(s), secret.manifest, { secrets: secret.secrets }));
        objects.push(
            releaseObject(pulumiNames.migrationJob(s), buildMigrationJob(s), {
                dependsOn: [pulumiNames.databaseSecret(s)],
                deleteBeforeReplace: true,
            }),
        );
        deploymentDependsOn.push(pulumiNames.migrationJob(s));
    }
    objects.push(releaseObject(pulumiNames.deployment(s), buildDeployment(s, config.environment), { dependsOn: deploymentDependsOn }));
    objects.push(releaseObject(pulumiNames.autoscaler(s), buildAutoscaler(s), { dependsOn: [pulumiNames.deployment(s)] }));
    if (s.disruptionBudget.enabled) objects.push(releaseObject(pulumiNames.disruptionBudget(s), buildDisruptionBudget(s)));
    const canaryDependsOn = [pulumiNames.deployment(s), pulumiNames.autoscaler(s)];
    if (s.canary.provider === "nginx") {
        objects.push(releaseObject(pulumiNames.ingress(s), buildIngress(s)));
        canaryDependsOn.push(pulumiNames.ingress(s));
    }
    for (const template of buildMetricTemplates(config, s)) {
        const metric = template.metadata.name.slice(s.name.length + 1);
        objects.push(releaseObject(pulumiNames.metricTemplate(s, metric), template));
        canaryDependsOn.push(pulumiNames.metricTemplate(s, metric));
    }
    if (notification) canaryDependsOn.push(pulumiNames.alertProvider(s));
    objects.push(releaseObject(pulumiNames.canary(s), buildCanary(config, s), { dependsOn: canaryDependsOn }));
    objects.push(releaseObject(pulumiNames.alertRules(s), buildPrometheusRule(s)));
    return { service: s.name, version: s.version, objects };
}

/** Every service of the stack, sorted by name. */
export function buildRelease(config: ReleaseConfig): ServiceObjects[] {
    return config.services.map((s) => buildServiceObjects(config, s));
}

/**
 * The stack output `services.<name>.objects`: each Kubernetes object's name under its kind, or
 * under `Kind/name` where a kind has several objects (Secrets always: a service has one per
 * notification and its database URL; MetricTemplates of a blue/green service: error rate and
 * latency), so no object is left out.
 */
export function objectNamesOf(manifests: readonly { readonly kind: string; readonly metadata: { readonly name: string } }[]): Record<string, string> {
    const count = new Map<string, number>();
    for (const m of manifests) count.set(m.kind, (count.get(m.kind) ?? 0) + 1);
    return Object.fromEntries(manifests.map((m) => [m.kind === "Secret" || (count.get(m.kind) ?? 0) > 1 ? `${m.kind}/${m.metadata.name}` : m.kind, m.metadata.name]));
}
