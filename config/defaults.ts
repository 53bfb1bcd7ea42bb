/**
 * Defaults for everything a user should not have to repeat per service. The loader applies them;
 * nothing else does. README's configuration reference lists the same values.
 */
export const DEFAULTS = {
    port: 8080,
    probes: {
        readinessPath: "/readyz",
        livenessPath: "/livez",
        initialDelaySeconds: 5,
        periodSeconds: 10,
        timeoutSeconds: 2,
        failureThreshold: 3,
    },
    resources: {
        requests: { cpu: "100m", memory: "128Mi" },
        limits: { cpu: "500m", memory: "256Mi" },
    },
    replicas: { min: 2, max: 10, targetCpuUtilization: 75 },
    revisionHistoryLimit: 10,
    canary: {
        provider: "istio",
        interval: "1m",
        threshold: 5,
        maxWeight: 50,
        stepWeight: 10,
        iterations: 10,
        successRateMin: 99,
        latencyMaxMs: 500,
        progressDeadlineSeconds: 600,
        loadTesterUrl: "http://flagger-loadtester.test/",
        smokeTestTimeout: "30s",
        loadTestTimeout: "5s",
        ingressClassName: "nginx",
    },
    migration: {
        backoffLimit: 1,
        activeDeadlineSeconds: 900,
        ttlSecondsAfterFinished: 86400,
    },
    alerts: {
        errorRatePercent: 1,
        latencyP99Ms: 500,
        restartsThreshold: 3,
        restartWindow: "15m",
        for: "5m",
        rateWindow: "5m",
        runbookUrl: "https://runbooks.example.com/releasectl",
        metrics: {
            requestsTotal: "http_requests_total",
            durationBucket: "http_request_duration_seconds_bucket",
            statusLabel: "code",
        },
    },
    notificationUsername: "releasectl",
} as const;

/** Smoke test run by flagger-loadtester before any traffic moves, unless configured. */
export function defaultSmokeTest(service: string, namespace: string, port: number, readinessPath: string): string {
    return `curl -sSf --max-time 10 http://${service}-canary.${namespace}:${port}${readinessPath}`;
}

/** Load test run by flagger-loadtester at every analysis step, unless configured. */
export function defaultLoadTest(service: string, namespace: string, port: number): string {
    return `hey -z 1m -q 10 -c 2 http://${service}-canary.${namespace}:${port}/`;
}

/** Default label matchers for a service's request metrics. */
export function defaultMetricSelector(service: string, namespace: string): string {
    return `namespace="${namespace}",service="${service}"`;
}
