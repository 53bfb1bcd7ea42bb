import { ServiceConfig } from "../config/types";
import { imageReference } from "./image";
import { ANNOTATIONS, commonLabels, kubeNames, selectorLabels } from "./names";
import { containerSecurityContext, podSecurityContext, TMP_MOUNT, TMP_VOLUME } from "./security";
import { Manifest } from "./types";

/** Annotations that record the release on the Deployment (rules and `status` read them). */
export function releaseAnnotations(s: ServiceConfig, environment: string): Record<string, string> {
    const annotations: Record<string, string> = {
        [ANNOTATIONS.version]: s.version,
        [ANNOTATIONS.rollback]: String(s.rollback),
        [ANNOTATIONS.environment]: environment,
    };
    if (s.previousVersion) annotations[ANNOTATIONS.previousVersion] = s.previousVersion;
    if (s.firstRelease) annotations[ANNOTATIONS.firstRelease] = "true";
    if (s.migration) {
        annotations[ANNOTATIONS.migrationPhase] = s.migration.phase;
        annotations[ANNOTATIONS.downgradeCommand] = JSON.stringify(s.migration.downgradeCommand);
    }
    if (s.promotedFrom) {
        annotations[ANNOTATIONS.promotedFromStack] = s.promotedFrom.stack;
        annotations[ANNOTATIONS.promotedFromCommit] = s.promotedFrom.commit;
        annotations[ANNOTATIONS.promotedVersion] = s.promotedFrom.version;
    }
    for (const [key, value] of Object.entries(s.evidence)) {
        if (value) annotations[`${ANNOTATIONS.evidencePrefix}${kebab(key)}`] = value;
    }
    return annotations;
}

/**
 * The workload. No `spec.replicas`: the HPA (and Flagger, through it) owns scaling, and a value
 * here would fight them under server-side apply.
 */
export function buildDeployment(s: ServiceConfig, environment: string): Manifest {
    const labels = commonLabels(s, "server");
    const probe = (path: string) => ({
        httpGet: { path, port: "http" },
        initialDelaySeconds: s.probes.initialDelaySeconds,
        periodSeconds: s.probes.periodSeconds,
        timeoutSeconds: s.probes.timeoutSeconds,
        failureThreshold: s.probes.failureThreshold,
    });
    const env = [
        { name: "APP_VERSION", value: s.version },
        ...Object.keys(s.env)
            .sort()
            .map((name) => ({ name, value: s.env[name] })),
    ];
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: kubeNames.deployment(s),
            namespace: s.namespace,
            labels,
            annotations: releaseAnnotations(s, environment),
        },
        spec: {
            revisionHistoryLimit: s.revisionHistoryLimit,
            progressDeadlineSeconds: s.canary.progressDeadlineSeconds,
            selector: { matchLabels: selectorLabels(s) },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
            template: {
                metadata: {
                    labels,
                    // A rollback release marks its pods: re-applying exactly the spec Flagger last
                    // promoted is "a manual rollback" to Flagger, which then starts no analysis and
                    // leaves the Canary Failed (so the CanaryFailed alert keeps firing and status
                    // says FAILED while the previous version serves). With the mark the rollback is a
                    // new revision that Flagger promotes at once (skipAnalysis) and reports Succeeded.
                    annotations: { [ANNOTATIONS.version]: s.version, ...(s.rollback ? { [ANNOTATIONS.rollback]: "true" } : {}) },
                },
                spec: {
                    automountServiceAccountToken: false,
                    securityContext: podSecurityContext(),
                    terminationGracePeriodSeconds: 30,
                    ...(s.topologySpread.enabled ? { topologySpreadConstraints: topologySpreadConstraints(s) } : {}),
                    containers: [
                        {
                            name: s.name,
                            image: imageReference(s),
                            imagePullPolicy: "IfNotPresent",
                            ports: [{ name: "http", containerPort: s.port, protocol: "TCP" }],
                            env,
                            readinessProbe: probe(s.probes.readinessPath),
                            livenessProbe: probe(s.probes.livenessPath),
                            resources: containerResources(s),
                            securityContext: containerSecurityContext(),
                            volumeMounts: [TMP_MOUNT],
                        },
                    ],
                    volumes: [TMP_VOLUME],
                },
            },
        },
    };
}

/**
 * Spread across zones and nodes. The selector names our Deployment's pods; when Flagger makes the
 * primary from this template it rewrites selector values equal to the Deployment's name to
 * `<name>-primary` (getPrimaryDeploymentTemplateSpec), so each Deployment spreads its own pods.
 */
export function topologySpreadConstraints(s: ServiceConfig): Record<string, unknown>[] {
    const t = s.topologySpread;
    return t.topologyKeys.map((topologyKey) => ({
        maxSkew: t.maxSkew,
        topologyKey,
        whenUnsatisfiable: t.whenUnsatisfiable,
        labelSelector: { matchLabels: selectorLabels(s) },
    }));
}

/** CPU, memory and ephemeral-storage requests and limits, as every container of the release gets them. */
export function containerResources(s: ServiceConfig): { requests: Record<string, string>; limits: Record<string, string> } {
    const amounts = (a: ServiceConfig["resources"]["requests"]) => ({ cpu: a.cpu, memory: a.memory, "ephemeral-storage": a.ephemeralStorage });
    return { requests: amounts(s.resources.requests), limits: amounts(s.resources.limits) };
}

function kebab(key: string): string {
    return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
