import { ServiceConfig } from "../config/types";
import { kubeNames } from "./names";

/**
 * PromQL expressions shared by the alert rules, the blue/green metric templates and
 * `releasectl ship`'s monitoring step, so all three watch the same numbers.
 */

/** Percentage of 5xx responses over the rate window. */
export function errorRatePercentExpr(s: ServiceConfig): string {
    const m = s.alerts.metrics;
    const w = s.alerts.rateWindow;
    return (
        `100 * sum(rate(${m.requestsTotal}{${m.selector},${m.statusLabel}=~"5.."}[${w}]))` +
        ` / sum(rate(${m.requestsTotal}{${m.selector}}[${w}]))`
    );
}

/** p99 request duration in milliseconds over the rate window. */
export function latencyP99MsExpr(s: ServiceConfig): string {
    const m = s.alerts.metrics;
    return `1000 * histogram_quantile(0.99, sum by (le) (rate(${m.durationBucket}{${m.selector}}[${s.alerts.rateWindow}])))`;
}

/**
 * Pods of the service: the target Deployment's and the Flagger primary's, named
 * `<deployment>-<pod-template-hash>-<5 random characters>`. The fixed-length suffix keeps out
 * other workloads that share the prefix, such as a StatefulSet pod `checkout-db-0`.
 */
export function podRegex(s: ServiceConfig): string {
    return `${s.name}(-primary)?-[a-z0-9]+-[a-z0-9]{5}`;
}

export function restartsExpr(s: ServiceConfig): string {
    return (
        `max by (pod) (increase(kube_pod_container_status_restarts_total{namespace="${s.namespace}",pod=~"${podRegex(s)}"}[${s.alerts.restartWindow}]))` +
        ` > ${s.alerts.restartsThreshold}`
    );
}

export function crashLoopExpr(s: ServiceConfig): string {
    return `max by (pod) (kube_pod_container_status_waiting_reason{namespace="${s.namespace}",pod=~"${podRegex(s)}",reason="CrashLoopBackOff"}) > 0`;
}

/**
 * flagger_canary_status: 0 running, 1 succeeded, 2 failed. The metric's own `namespace` label
 * (the Canary's) survives scraping only with honorLabels; a ServiceMonitor with the Flagger
 * chart's default (honorLabels false) stores it as `exported_namespace` and `namespace` is
 * Flagger's own. Unless `alerts.flaggerNamespaceLabel` names the label, both layouts match:
 * `exported_namespace`, or `namespace` on series that have no `exported_namespace`.
 */
export function canaryFailedExpr(s: ServiceConfig): string {
    const name = `name="${kubeNames.canary(s)}"`;
    const label = s.alerts.flaggerNamespaceLabel;
    const series = label
        ? `flagger_canary_status{${name},${label}="${s.namespace}"}`
        : `flagger_canary_status{${name},exported_namespace="${s.namespace}"} or flagger_canary_status{${name},namespace="${s.namespace}",exported_namespace=""}`;
    return `max(${series}) > 1`;
}

/**
 * The Job's Failed condition (backoffLimit or activeDeadlineSeconds exhausted), as
 * kube-state-metrics exports it. Not kube_job_status_failed: that counts failed pods, and a
 * migration whose first attempt fails and whose retry succeeds has one.
 */
export function migrationFailedExpr(s: ServiceConfig): string {
    return `max(kube_job_failed{namespace="${s.namespace}",job_name="${kubeNames.migrationJob(s)}",condition="true"}) > 0`;
}

export function replicasUnavailableExpr(s: ServiceConfig): string {
    return `max(kube_deployment_status_replicas_unavailable{namespace="${s.namespace}",deployment="${kubeNames.primaryDeployment(s)}"}) > 0`;
}
