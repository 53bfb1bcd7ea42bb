import { ServiceConfig } from "../config/types";
import { labelValueForVersion } from "../config/versions";
import { commonLabels, kubeNames, ANNOTATIONS } from "./names";
import {
    canaryFailedExpr,
    crashLoopExpr,
    errorRatePercentExpr,
    latencyP99MsExpr,
    migrationFailedExpr,
    replicasUnavailableExpr,
    restartsExpr,
} from "./promql";
import { Manifest } from "./types";

export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
}

/** Alert names every release carries; the checklist's monitoring rule requires them. */
export const REQUIRED_ALERTS = [
    "HighErrorRate",
    "HighLatency",
    "PodsRestarting",
    "PodsCrashLooping",
    "CanaryFailed",
    "ReplicasUnavailable",
] as const;
export const MIGRATION_ALERT = "MigrationFailed";

export function alertRules(s: ServiceConfig): AlertRule[] {
    const a = s.alerts;
    const version = labelValueForVersion(s.version);
    const rule = (
        alert: string,
        expr: string,
        forDuration: string,
        severity: "critical" | "warning",
        summary: string,
        description: string,
    ): AlertRule => ({
        alert,
        expr,
        for: forDuration,
        labels: { service: s.name, version, severity, namespace: s.namespace },
        annotations: {
            summary,
            description,
            runbook_url: `${a.runbookUrl}#${alert.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase())}`,
        },
    });
    const rules = [
        rule(
            "HighErrorRate",
            `${errorRatePercentExpr(s)} > ${a.errorRatePercent}`,
            a.for,
            "critical",
            `${s.name} ${s.version}: more than ${a.errorRatePercent}% of requests fail`,
            `{{ $value | printf "%.2f" }}% of ${s.name} requests returned 5xx over ${a.rateWindow}. If it started with ${s.version}, roll back: releasectl rollback ${s.name}.`,
        ),
        rule(
            "HighLatency",
            `${latencyP99MsExpr(s)} > ${a.latencyP99Ms}`,
            a.for,
            "warning",
            `${s.name} ${s.version}: p99 latency above ${a.latencyP99Ms} ms`,
            `p99 latency of ${s.name} is {{ $value | printf "%.0f" }} ms over ${a.rateWindow} (limit ${a.latencyP99Ms} ms).`,
        ),
        rule(
            "PodsRestarting",
            restartsExpr(s),
            "0m",
            "warning",
            `${s.name} ${s.version}: pod {{ $labels.pod }} restarts`,
            `Pod {{ $labels.pod }} restarted {{ $value | printf "%.0f" }} times in ${a.restartWindow} (limit ${a.restartsThreshold}).`,
        ),
        rule(
            "PodsCrashLooping",
            crashLoopExpr(s),
            "2m",
            "critical",
            `${s.name} ${s.version}: pod {{ $labels.pod }} is crash looping`,
            `Pod {{ $labels.pod }} is in CrashLoopBackOff. Check its logs; roll back with releasectl rollback ${s.name}.`,
        ),
        rule(
            "CanaryFailed",
            canaryFailedExpr(s),
            "0m",
            "critical",
            `${s.name} ${s.version}: Flagger failed the canary and rolled back`,
            `Flagger's analysis of ${s.name} ${s.version} failed; traffic is back on the primary, but the stack still names ${s.version}. Run releasectl status ${s.name} --revert-on-failure.`,
        ),
        rule(
            "ReplicasUnavailable",
            replicasUnavailableExpr(s),
            a.for,
            "warning",
            `${s.name} ${s.version}: replicas unavailable`,
            `{{ $value | printf "%.0f" }} replicas of ${kubeNames.primaryDeployment(s)} are unavailable.`,
        ),
    ];
    if (s.migration && !s.rollback) {
        rules.push(
            rule(
                MIGRATION_ALERT,
                migrationFailedExpr(s),
                "0m",
                "critical",
                `${s.name} ${s.version}: migration Job failed`,
                `Job ${kubeNames.migrationJob(s)} failed; pulumi up stopped before the new code. Inspect with kubectl logs job/${kubeNames.migrationJob(s)} -n ${s.namespace}.`,
            ),
        );
    }
    return rules;
}

/**
 * The release's alert rules. `alerts.ruleLabels` adds the labels a Prometheus operator's
 * `ruleSelector` selects on (kube-prometheus-stack: `release: <helm release>`); without them the
 * operator ignores the object and no alert is ever evaluated.
 */
export function buildPrometheusRule(s: ServiceConfig): Manifest {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
            name: kubeNames.prometheusRule(s),
            namespace: s.namespace,
            labels: { ...s.alerts.ruleLabels, ...commonLabels(s, "monitoring") },
            annotations: { [ANNOTATIONS.version]: s.version },
        },
        spec: {
            groups: [{ name: `releasectl.${s.name}`, rules: alertRules(s) }],
        },
    };
}
