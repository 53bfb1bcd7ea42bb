import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { buildServiceObjects } from "../../builders/service-objects";
import { Manifest } from "../../builders/types";
import { ReleaseConfig } from "../../config/types";
import { Doc } from "../helpers/manifests";
import { releaseConfig } from "../helpers/fixtures";
import { requirePromtool, runPromtool } from "../helpers/promtool";

/**
 * The Canary's analysis as Flagger v1.36.1 runs it (pkg/controller/scheduler_metrics.go): a
 * metric named `request-success-rate` or `request-duration` is the provider's builtin query,
 * whatever else it says; any other metric runs the MetricTemplate its templateRef names, rendered
 * with the Canary's model (toMetricModel). The rendered query is evaluated by Prometheus's own
 * engine (`promtool test rules`, promql_expr_test) on synthetic series. Flagger counts an empty
 * result or NaN as "no values found", a failed check (providers/prometheus.go RunQuery).
 */

interface Series {
    readonly series: string;
    readonly values: string;
}

const BUILTIN = ["request-success-rate", "request-duration"];

/** How Flagger evaluates each metric of the Canary: builtin by name, or the referenced template. */
function analysis(objects: readonly Manifest[]): { name: string; builtin: boolean; query?: string; thresholdRange: Doc }[] {
    const canary = objects.find((o) => o.kind === "Canary") as Doc;
    const target = canary.spec.targetRef.name;
    return canary.spec.analysis.metrics.map((metric: Doc) => {
        if (BUILTIN.includes(metric.name)) return { name: metric.name, builtin: true, thresholdRange: metric.thresholdRange };
        if (!metric.templateRef) throw new Error(`metric ${metric.name} is neither builtin nor a templateRef: Flagger rejects it`);
        const ref = metric.templateRef;
        const template = objects.find(
            (o) => o.kind === "MetricTemplate" && o.metadata.name === ref.name && (o.metadata.namespace ?? canary.metadata.namespace) === (ref.namespace ?? canary.metadata.namespace),
        ) as Doc;
        if (!template) throw new Error(`metric ${metric.name} refers to MetricTemplate ${ref.namespace}/${ref.name}, which the release does not declare`);
        // toMetricModel: target is targetRef.name; service, ingress and route fall back to it.
        const model: Record<string, string> = {
            name: canary.metadata.name,
            namespace: canary.metadata.namespace,
            target,
            service: canary.spec.service?.name ?? target,
            ingress: canary.spec.ingressRef?.name ?? target,
            route: canary.spec.routeRef?.name ?? target,
            interval: metric.interval ?? canary.spec.analysis.interval,
        };
        return { name: metric.name, builtin: false, query: renderQuery(template.spec.query, model), thresholdRange: metric.thresholdRange };
    });
}

/** Go text/template with Flagger's template functions (`{{ namespace }}` ...); anything else fails. */
function renderQuery(query: string, model: Record<string, string>): string {
    const rendered = query.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, fn: string) => {
        if (model[fn] === undefined) throw new Error(`template function ${fn} is not one of Flagger's: ${whole}`);
        return model[fn];
    });
    if (rendered.includes("{{")) throw new Error(`unrendered template action in ${rendered}`);
    return rendered;
}

function metric(config: ReleaseConfig, name: string) {
    const objects = buildServiceObjects(config, config.services[0]).objects.map((o) => o.manifest);
    const found = analysis(objects).find((m) => m.name === name);
    if (!found) throw new Error(`the Canary has no metric ${name}; it has ${analysis(objects).map((m) => m.name).join(", ")}`);
    return found;
}

describe("Canary metric templates under promtool, as Flagger runs them", () => {
    let promtool: string;
    let dir: string;

    before(function () {
        promtool = requirePromtool(this);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-templates-"));
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /**
     * Evaluates `query` at `evalTime` on `series` (sampled every 15 s) and expects `value`, or no
     * sample at all when `value` is undefined. promtool compares floats exactly, so a quantile
     * that is 235.00000000000003 is compared rounded to whole milliseconds (`round(..)`).
     */
    function expectValue(query: string, series: Series[], value: number | undefined, evalTime = "10m") {
        const file = path.join(dir, `q-${Math.random().toString(36).slice(2)}.test.yaml`);
        const test = {
            rule_files: [],
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "15s",
                    input_series: series,
                    promql_expr_test: [{ expr: query, eval_time: evalTime, exp_samples: value === undefined ? [] : [{ labels: "{}", value }] }],
                },
            ],
        };
        fs.writeFileSync(file, stringify(test, { lineWidth: 0 }));
        const result = runPromtool(promtool, ["test", "rules", path.basename(file)], dir);
        expect(result.status, `${query}\n${result.output}`).to.equal(0);
        expect(result.output).to.include("SUCCESS");
    }

    describe("blue/green (provider kubernetes): error-rate", () => {
        const blueGreen = () => releaseConfig({ canary: { provider: "kubernetes" } });
        const CANARY_POD = "web-7d9c6b5f4-x2x7k";
        const PRIMARY_POD = "web-primary-6c8d9f7b5-q8l2m";
        const requests = (pod: string, code: string, perStep: number): Series => ({
            series: `http_requests_total{namespace="shop",pod="${pod}",code="${code}"}`,
            values: `0+${perStep}x60`,
        });

        it("is a template metric, not a builtin (there is no mesh to measure)", () => {
            expect(metric(blueGreen(), "error-rate").builtin).to.equal(false);
        });

        it("is 0 for a healthy canary that answers no 5xx (no 5xx series at all)", () => {
            expectValue(metric(blueGreen(), "error-rate").query!, [requests(CANARY_POD, "200", 100)], 0);
        });

        it("is 5 when 5 % of the canary's requests fail", () => {
            expectValue(metric(blueGreen(), "error-rate").query!, [requests(CANARY_POD, "200", 95), requests(CANARY_POD, "503", 5)], 5);
        });

        it("is 100 when every request of the canary fails", () => {
            expectValue(metric(blueGreen(), "error-rate").query!, [requests(CANARY_POD, "500", 10)], 100);
        });

        it("does not count 4xx responses as errors", () => {
            expectValue(metric(blueGreen(), "error-rate").query!, [requests(CANARY_POD, "200", 90), requests(CANARY_POD, "404", 10)], 0);
        });

        it("measures the canary's pods only, not the primary's", () => {
            expectValue(metric(blueGreen(), "error-rate").query!, [requests(CANARY_POD, "200", 100), requests(PRIMARY_POD, "500", 50)], 0);
        });

        it("has no value when the canary received no request at all, so Flagger fails the check instead of promoting an unmeasured version", () => {
            expectValue(metric(blueGreen(), "error-rate").query!, [requests(PRIMARY_POD, "200", 100)], undefined);
        });

        it("measures nothing when the window holds under two scrapes (10s interval, 15s scrapes), and canary.metricWindow makes the healthy canary measurable", () => {
            const healthy = [requests(CANARY_POD, "200", 100)];
            // The window defaults to the analysis interval: rate() over 10s sees one 15s-apart sample.
            const short = metric(releaseConfig({ canary: { provider: "kubernetes", interval: "10s" } }), "error-rate");
            expectValue(short.query!, healthy, undefined);
            const wide = metric(releaseConfig({ canary: { provider: "kubernetes", interval: "10s", metricWindow: "1m" } }), "error-rate");
            expectValue(wide.query!, healthy, 0);
            expect(metric(releaseConfig({ canary: { provider: "kubernetes", interval: "10s", metricWindow: "1m" } }), "latency").query).to.include("[1m]");
        });

        it("passes the threshold Flagger compares it with on a healthy canary", () => {
            const m = metric(releaseConfig({ canary: { provider: "kubernetes", successRateMin: 99 } }), "error-rate");
            expect(m.thresholdRange).to.deep.equal({ max: 1 });
            expectValue(`(${m.query}) <= ${m.thresholdRange.max}`, [requests(CANARY_POD, "200", 100)], 0);
        });
    });

    describe("nginx: p99 latency from the ingress controller's histogram", () => {
        const nginx = () => releaseConfig({ canary: { provider: "nginx", host: "shop.example.com", latencyMaxMs: 400 } });
        /** ingress-nginx labels requests it routed to the canary backend with `canary`; primary traffic has none. */
        const buckets = (canary: boolean, perStepByLe: Record<string, number>, ingress = "web"): Series[] =>
            Object.entries(perStepByLe).map(([le, perStep]) => ({
                series:
                    `nginx_ingress_controller_request_duration_seconds_bucket{namespace="shop",ingress="${ingress}",host="shop.example.com",status="200",` +
                    `service="${canary ? "web-canary" : "web-primary"}",canary="${canary ? "shop-web-canary-8080" : ""}",le="${le}"}`,
                values: `0+${perStep}x60`,
            }));
        const FAST = { "0.1": 90, "0.25": 100, "0.5": 100, "1": 100, "+Inf": 100 };
        const SLOW = { "0.1": 0, "0.25": 0, "0.5": 0, "1": 100, "+Inf": 100 };

        it("does not use Flagger's builtin request-duration (a mean of upstream connect latency, a metric newer ingress-nginx releases removed)", () => {
            const names = analysis(buildServiceObjects(nginx(), nginx().services[0]).objects.map((o) => o.manifest));
            expect(names.filter((m) => m.builtin).map((m) => m.name)).to.deep.equal(["request-success-rate"]);
        });

        it("is the canary's p99 in milliseconds: 235 ms", () => {
            expectValue(`round(${metric(nginx(), "latency").query})`, buckets(true, FAST), 235);
        });

        it("is 995 ms for a slow canary, above the latencyMaxMs Flagger compares it with", () => {
            const m = metric(nginx(), "latency");
            expect(m.thresholdRange).to.deep.equal({ max: 400 });
            expectValue(m.query!, buckets(true, SLOW), 995);
        });

        it("ignores the primary's traffic and other Ingresses", () => {
            const series = [...buckets(true, FAST), ...buckets(false, SLOW), ...buckets(true, SLOW, "admin")];
            expectValue(`round(${metric(nginx(), "latency").query})`, series, 235);
        });

        it("has no value when no request reached the canary through the ingress", () => {
            expectValue(metric(nginx(), "latency").query!, buckets(false, FAST), undefined);
        });
    });
});
