import { ReleaseConfig, ServiceConfig } from "../config/types";
import { commonLabels, names, ANNOTATIONS } from "./names";
import { Manifest } from "./types";

export const DEFAULT_PROMETHEUS_URL = "http://prometheus-operated.monitoring:9090";

/**
 * The Flagger Canary: stepped traffic (or blue/green iterations for provider `kubernetes`),
 * success-rate and latency analysis, a smoke test before any traffic moves, a load test during
 * analysis, and alerts to the service's AlertProvider. A rollback release skips analysis so a
 * known-good version is promoted at once.
 */
export function buildCanary(config: ReleaseConfig, s: ServiceConfig): Manifest {
    const c = s.canary;
    const blueGreen = c.provider === "kubernetes";
    const metrics = blueGreen
        ? [
              { name: "error-rate", templateRef: { name: names.metricTemplate(s, "error-rate"), namespace: s.namespace }, thresholdRange: { max: round(100 - c.successRateMin) }, interval: c.interval },
              { name: "latency", templateRef: { name: names.metricTemplate(s, "latency"), namespace: s.namespace }, thresholdRange: { max: c.latencyMaxMs }, interval: c.interval },
          ]
        : [
              { name: "request-success-rate", thresholdRange: { min: c.successRateMin }, interval: c.interval },
              { name: "request-duration", thresholdRange: { max: c.latencyMaxMs }, interval: c.interval },
          ];
    const analysis: Record<string, unknown> = {
        interval: c.interval,
        threshold: c.threshold,
        ...(blueGreen ? { iterations: c.iterations } : { maxWeight: c.maxWeight, stepWeight: c.stepWeight }),
        metrics,
        webhooks: [
            {
                name: "smoke-test",
                type: "pre-rollout",
                url: c.loadTesterUrl,
                timeout: c.smokeTest.timeout,
                metadata: { type: "bash", cmd: c.smokeTest.command },
            },
            {
                name: "load-test",
                type: "rollout",
                url: c.loadTesterUrl,
                timeout: c.loadTest.timeout,
                metadata: { type: "cmd", cmd: c.loadTest.command },
            },
        ],
        alerts: [
            {
                name: s.notification,
                severity: "info",
                providerRef: { name: names.alertProvider(s), namespace: s.namespace },
            },
        ],
    };
    const spec: Record<string, unknown> = {
        provider: c.provider,
        targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: names.deployment(s) },
        autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: names.hpa(s) },
        ...(c.provider === "nginx" ? { ingressRef: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: names.ingress(s) } } : {}),
        progressDeadlineSeconds: c.progressDeadlineSeconds,
        skipAnalysis: s.rollback,
        service: { port: s.port, targetPort: "http", portName: "http" },
        analysis,
    };
    return {
        apiVersion: "flagger.app/v1beta1",
        kind: "Canary",
        metadata: {
            name: names.canary(s),
            namespace: s.namespace,
            labels: commonLabels(s, "canary"),
            annotations: { [ANNOTATIONS.version]: s.version, [ANNOTATIONS.rollback]: String(s.rollback) },
        },
        spec,
    };
}

/**
 * Blue/green with provider `kubernetes` has no mesh to measure traffic, so Flagger's builtin
 * metrics are not available: these templates query the application's own metrics, with the same
 * expressions as the alert rules but scoped to the canary's pods.
 */
export function buildMetricTemplates(config: ReleaseConfig, s: ServiceConfig): Manifest[] {
    const m = s.alerts.metrics;
    const canaryPods = `namespace="{{ namespace }}",pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"`;
    const address = config.prometheusUrl ?? DEFAULT_PROMETHEUS_URL;
    const template = (metric: "error-rate" | "latency", query: string): Manifest => ({
        apiVersion: "flagger.app/v1beta1",
        kind: "MetricTemplate",
        metadata: { name: names.metricTemplate(s, metric), namespace: s.namespace, labels: commonLabels(s, "analysis") },
        spec: { provider: { type: "prometheus", address }, query },
    });
    return [
        template(
            "error-rate",
            `100 * sum(rate(${m.requestsTotal}{${canaryPods},${m.statusLabel}=~"5.."}[{{ interval }}])) / sum(rate(${m.requestsTotal}{${canaryPods}}[{{ interval }}]))`,
        ),
        template(
            "latency",
            `1000 * histogram_quantile(0.99, sum by (le) (rate(${m.durationBucket}{${canaryPods}}[{{ interval }}])))`,
        ),
    ];
}

function round(n: number): number {
    return Math.round(n * 1000) / 1000;
}
