import { ReleaseConfig, ServiceConfig } from "../config/types";
import { commonLabels, kubeNames, ANNOTATIONS } from "./names";
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
    const templateRef = (metric: "error-rate" | "latency") => ({ name: kubeNames.metricTemplate(s, metric), namespace: s.namespace });
    // Flagger runs a metric named request-success-rate or request-duration as its builtin query
    // whatever templateRef it carries, so template metrics take other names (error-rate, latency).
    const successRate = blueGreen
        ? { name: "error-rate", templateRef: templateRef("error-rate"), thresholdRange: { max: round(100 - c.successRateMin) }, interval: c.metricWindow }
        : { name: "request-success-rate", thresholdRange: { min: c.successRateMin }, interval: c.metricWindow };
    // The builtin request-duration is a P99 on istio and linkerd; on nginx it is the mean of
    // upstream connect latency, so nginx (and blue/green) measure the P99 with a template.
    const latency =
        blueGreen || c.provider === "nginx"
            ? { name: "latency", templateRef: templateRef("latency"), thresholdRange: { max: c.latencyMaxMs }, interval: c.metricWindow }
            : { name: "request-duration", thresholdRange: { max: c.latencyMaxMs }, interval: c.metricWindow };
    const metrics = [successRate, latency];
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
                providerRef: { name: kubeNames.alertProvider(s), namespace: s.namespace },
            },
        ],
    };
    const spec: Record<string, unknown> = {
        provider: c.provider,
        targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: kubeNames.deployment(s) },
        autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: kubeNames.hpa(s) },
        ...(c.provider === "nginx" ? { ingressRef: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: kubeNames.ingress(s) } } : {}),
        progressDeadlineSeconds: c.progressDeadlineSeconds,
        skipAnalysis: s.rollback,
        service: { port: s.port, targetPort: "http", portName: "http" },
        analysis,
    };
    return {
        apiVersion: "flagger.app/v1beta1",
        kind: "Canary",
        metadata: {
            name: kubeNames.canary(s),
            namespace: s.namespace,
            labels: commonLabels(s, "canary"),
            annotations: { [ANNOTATIONS.version]: s.version, [ANNOTATIONS.rollback]: String(s.rollback) },
        },
        spec,
    };
}

/**
 * The MetricTemplates the Canary's analysis refers to. Every query returns a number for a healthy
 * canary that receives traffic (Flagger counts an empty result or NaN as a failed check), and
 * nothing when the canary received no request at all: an unmeasured version is not promoted.
 *
 * Blue/green with provider `kubernetes` has no mesh to measure traffic, so Flagger's builtin
 * metrics are not available: its templates query the application's own metrics, scoped to the
 * canary's pods. The error rate is computed from the non-5xx series, as in Flagger's tutorials,
 * so a canary without a single 5xx (no 5xx series at all) measures 0.
 *
 * With provider `nginx`, the latency template is the P99 of the ingress controller's request
 * duration histogram for the requests it routed to the canary (`canary!=""`, the filter of
 * Flagger's own nginx success-rate query).
 */
export function buildMetricTemplates(config: ReleaseConfig, s: ServiceConfig): Manifest[] {
    const m = s.alerts.metrics;
    const canaryPods = `namespace="{{ namespace }}",pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"`;
    const address = config.prometheusUrl ?? DEFAULT_PROMETHEUS_URL;
    if (s.canary.provider !== "kubernetes" && s.canary.provider !== "nginx") return [];
    const template = (metric: "error-rate" | "latency", query: string): Manifest => ({
        apiVersion: "flagger.app/v1beta1",
        kind: "MetricTemplate",
        metadata: { name: kubeNames.metricTemplate(s, metric), namespace: s.namespace, labels: commonLabels(s, "analysis") },
        spec: { provider: { type: "prometheus", address }, query },
    });
    if (s.canary.provider === "nginx") {
        return [
            template(
                "latency",
                `1000 * histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{namespace="{{ namespace }}",ingress="{{ ingress }}",canary!=""}[{{ interval }}])))`,
            ),
        ];
    }
    return [
        template(
            "error-rate",
            // `or vector(0)`: a canary that fails every request has no non-5xx series and measures 100.
            `100 - 100 * (sum(rate(${m.requestsTotal}{${canaryPods},${m.statusLabel}!~"5.."}[{{ interval }}])) or vector(0)) / sum(rate(${m.requestsTotal}{${canaryPods}}[{{ interval }}]))`,
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
