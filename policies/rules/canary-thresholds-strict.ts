import { asArray, asNumber, asObject, asString, get } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

/** Floating-point slack: 100 - 99.9 is not exactly 0.1. */
const EPSILON = 1e-9;

/**
 * The success-rate and latency gates of a Canary's analysis: Flagger's builtin metrics, or the
 * `error-rate`/`latency` templates releasectl uses for blue/green (no mesh to measure traffic).
 */
function gates(metrics: readonly unknown[]): { successMin?: number; latencyMax?: number; names: string[] } {
    let successMin: number | undefined;
    let latencyMax: number | undefined;
    const names: string[] = [];
    for (const m of metrics) {
        const metric = asObject(m);
        if (!metric) continue;
        const name = asString(metric.name) ?? "";
        names.push(name);
        const min = asNumber(get(metric, "thresholdRange", "min"));
        const max = asNumber(get(metric, "thresholdRange", "max"));
        if (name === "request-success-rate" && min !== undefined) successMin = Math.max(successMin ?? -Infinity, min);
        if (name === "error-rate" && max !== undefined) successMin = Math.max(successMin ?? -Infinity, 100 - max);
        if ((name === "request-duration" || name === "latency") && max !== undefined) latencyMax = Math.min(latencyMax ?? Infinity, max);
    }
    return { successMin, latencyMax, names };
}

export const canaryThresholdsStrict: ResourceRule = {
    scope: "resource",
    name: "canary-thresholds-strict",
    description: "A Canary's analysis gates on success rate and latency at least as strictly as the pack's successRateMin and latencyMaxMs (99 % and 500 ms by default).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set canary.successRateMin and canary.latencyMaxMs of the service in the stack file within the pack's limits " +
        "(request-success-rate thresholdRange.min ≥ successRateMin, request-duration thresholdRange.max ≤ latencyMaxMs). " +
        "To change the limits for everyone, set successRateMin/latencyMaxMs of canary-thresholds-strict in the pack config.",
    settings: ["successRateMin", "latencyMaxMs"],
    kinds: ["flagger.app/Canary"],
    validate(resource, ctx) {
        const { successRateMin, latencyMaxMs } = ctx.settings;
        const analysis = asObject(get(resource.props, "spec", "analysis"));
        if (!analysis) {
            return checked([
                "the Canary has no spec.analysis, so Flagger promotes whatever runs. Add request-success-rate and request-duration metrics to spec.analysis.metrics.",
            ]);
        }
        const g = gates(asArray(analysis.metrics));
        const violations: string[] = [];
        if (g.successMin === undefined) {
            violations.push(
                `the analysis has no success-rate gate (metrics: ${g.names.join(", ") || "none"}), so a version that fails requests is promoted. ` +
                    `Add request-success-rate with thresholdRange.min ${successRateMin}.`,
            );
        } else if (g.successMin + EPSILON < successRateMin) {
            violations.push(
                `the analysis accepts a success rate of ${round(g.successMin)} %, below the required ${successRateMin} %: a version failing ${round(100 - g.successMin)} % of requests would be promoted. ` +
                    `Set canary.successRateMin to ${successRateMin} or more.`,
            );
        }
        if (g.latencyMax === undefined) {
            violations.push(
                `the analysis has no latency gate (metrics: ${g.names.join(", ") || "none"}), so a slow version is promoted. Add request-duration with thresholdRange.max ${latencyMaxMs}.`,
            );
        } else if (g.latencyMax > latencyMaxMs + EPSILON) {
            violations.push(
                `the analysis accepts request durations up to ${g.latencyMax} ms, above the allowed ${latencyMaxMs} ms: a version that slows users down would be promoted. ` +
                    `Set canary.latencyMaxMs to ${latencyMaxMs} or less.`,
            );
        }
        return checked(violations);
    },
};

function round(n: number): number {
    return Math.round(n * 1000) / 1000;
}
