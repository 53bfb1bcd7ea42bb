/**
 * Defaults that follow from other keys. The fixed defaults of every key are declared with the
 * key in schema.ts; the loader applies both, nothing else does.
 */

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
