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
        // ephemeral-storage: the 64Mi /tmp emptyDir plus the kubelet's rotated logs (5 x 10Mi by
        // default) fit the request; the root filesystem is read-only, so nothing else grows.
        requests: { cpu: "100m", memory: "128Mi", ephemeralStorage: "128Mi" },
        limits: { cpu: "500m", memory: "256Mi", ephemeralStorage: "256Mi" },
    },
    replicas: { min: 2, max: 10, targetCpuUtilization: 75 },
    /** On by default when replicas.min > 1 (a single replica has nothing to spread or keep). */
    disruptionBudget: { maxUnavailable: 1 },
    topologySpread: {
        maxSkew: 1,
        // Soft, so a single-zone cluster or fewer nodes than replicas still schedules every pod.
        whenUnsatisfiable: "ScheduleAnyway",
        topologyKeys: ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
    },
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
        // Flagger's tutorials install the load tester into a namespace called `test`; a production
        // install runs it beside Flagger: helm upgrade -i flagger-loadtester flagger/loadtester -n flagger-system
        loadTesterUrl: "http://flagger-loadtester.flagger-system/",
        // The Service the ingress-nginx chart creates (release ingress-nginx, namespace ingress-nginx).
        ingressControllerUrl: "http://ingress-nginx-controller.ingress-nginx",
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

/**
 * Load test run by flagger-loadtester at every analysis step, unless configured. With an Ingress
 * (provider nginx) the traffic goes through the ingress controller with the Ingress host, as in
 * Flagger's own nginx tests: its nginx metrics count only requests the controller routed to the
 * canary, so traffic sent to the canary Service directly would not be analysed.
 */
export function defaultLoadTest(service: string, namespace: string, port: number, ingress?: { host: string; controllerUrl: string }): string {
    if (ingress) return `hey -z 1m -q 10 -c 2 -host ${ingress.host} ${ingress.controllerUrl.replace(/\/+$/, "")}/`;
    return `hey -z 1m -q 10 -c 2 http://${service}-canary.${namespace}:${port}/`;
}

/** Default label matchers for a service's request metrics. */
export function defaultMetricSelector(service: string, namespace: string): string {
    return `namespace="${namespace}",service="${service}"`;
}
