import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { alertRules, buildPrometheusRule } from "../../builders/alerts";
import { loadStack } from "../../config/load";
import { ServiceConfig } from "../../config/types";
import { REPO } from "../helpers/project";
import { renderedAnnotations, requirePromtool, rulesFile, runPromtool } from "../helpers/promtool";

/**
 * The alert rules of the example stack's checkout service (it has a migration, so all seven
 * alerts) run by Prometheus's own rule engine, through `promtool test rules`, against synthetic
 * series sampled every minute.
 */

interface Series {
    readonly series: string;
    readonly values: string;
}

const POD = "checkout-7d9c6b5f4-x2x7k";
const PRIMARY_POD = "checkout-primary-7d9c6b5f4-q8l2m";

describe("alert rules under promtool", () => {
    let promtool: string;
    let dir: string;
    let checkout: ServiceConfig;

    before(function () {
        promtool = requirePromtool(this);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-promtool-"));
        const config = loadStack(REPO, "production");
        checkout = config.services.find((s) => s.name === "checkout") as ServiceConfig;
        fs.writeFileSync(path.join(dir, "rules.yaml"), rulesFile([buildPrometheusRule(checkout)]));
        fs.writeFileSync(path.join(dir, "all-rules.yaml"), rulesFile(config.services.map(buildPrometheusRule)));
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    function rule(alert: string) {
        const found = alertRules(checkout).find((r) => r.alert === alert);
        if (!found) throw new Error(`checkout has no ${alert} rule`);
        return found;
    }

    /** Expected alert: the rule's labels plus the series labels it keeps, and its rendered annotations. */
    function firing(alert: string, value: number, seriesLabels: Record<string, string> = {}) {
        const r = rule(alert);
        return { exp_labels: { ...seriesLabels, ...r.labels }, exp_annotations: renderedAnnotations(r, value, seriesLabels) };
    }

    /** Runs one `promtool test rules` case: `series`, then `alert` evaluated at `evalTime`. */
    function promtoolTest(series: Series[], alert: string, evalTime: string, expAlerts: object[], ruleFile = "rules.yaml") {
        const file = path.join(dir, `${alert}-${Math.random().toString(36).slice(2)}.test.yaml`);
        const test = {
            rule_files: [ruleFile],
            evaluation_interval: "1m",
            tests: [{ interval: "1m", input_series: series, alert_rule_test: [{ eval_time: evalTime, alertname: alert, exp_alerts: expAlerts }] }],
        };
        fs.writeFileSync(file, stringify(test, { lineWidth: 0 }));
        return runPromtool(promtool, ["test", "rules", path.basename(file)], dir);
    }

    function expectPass(result: { status: number | null; output: string }) {
        expect(result.status, result.output).to.equal(0);
        expect(result.output).to.include("SUCCESS");
    }

    const requests = (code: string, perMinute: number): Series => ({
        series: `http_requests_total{namespace="shop",service="checkout",code="${code}"}`,
        values: `0+${perMinute}x20`,
    });
    const buckets = (perMinuteByLe: Record<string, number>): Series[] =>
        Object.entries(perMinuteByLe).map(([le, perMinute]) => ({
            series: `http_request_duration_seconds_bucket{namespace="shop",service="checkout",le="${le}"}`,
            values: `0+${perMinute}x20`,
        }));

    describe("promtool check rules", () => {
        it("accepts the rule groups of every service of the example stack", () => {
            const result = runPromtool(promtool, ["check", "rules", "all-rules.yaml"], dir);
            expect(result.status, result.output).to.equal(0);
            expect(result.output).to.include("SUCCESS: 13 rules found");
        });

        it("rejects a rules file with a broken expression", () => {
            const broken = fs.readFileSync(path.join(dir, "rules.yaml"), "utf8").replace("> 1\n", "> \n");
            fs.writeFileSync(path.join(dir, "broken.yaml"), broken);
            const result = runPromtool(promtool, ["check", "rules", "broken.yaml"], dir);
            expect(result.status).to.equal(1);
            expect(result.output).to.include("FAILED");
        });
    });

    describe("HighErrorRate", () => {
        it("fires when 5% of requests fail for longer than its for duration", () => {
            expectPass(promtoolTest([requests("200", 95), requests("500", 5)], "HighErrorRate", "15m", [firing("HighErrorRate", 5)]));
        });

        it("stays silent when 0.5% of requests fail", () => {
            expectPass(promtoolTest([requests("200", 199), requests("500", 1)], "HighErrorRate", "15m", []));
        });

        it("waits for its for duration before firing", () => {
            expectPass(promtoolTest([requests("200", 95), requests("500", 5)], "HighErrorRate", "4m", []));
        });

        it("ignores 4xx responses", () => {
            expectPass(promtoolTest([requests("200", 90), requests("404", 10)], "HighErrorRate", "15m", []));
        });
    });

    describe("HighLatency", () => {
        it("fires when the p99 is 995 ms", () => {
            const series = buckets({ "0.1": 0, "0.25": 0, "0.5": 0, "1": 100, "+Inf": 100 });
            expectPass(promtoolTest(series, "HighLatency", "15m", [firing("HighLatency", 995)]));
        });

        it("stays silent when the p99 is 235 ms", () => {
            const series = buckets({ "0.1": 90, "0.25": 100, "0.5": 100, "1": 100, "+Inf": 100 });
            expectPass(promtoolTest(series, "HighLatency", "15m", []));
        });
    });

    describe("PodsRestarting", () => {
        const restarts = (pod: string, values: string): Series => ({
            series: `kube_pod_container_status_restarts_total{namespace="shop",pod="${pod}",container="checkout"}`,
            values,
        });

        it("fires for a pod that restarted 15 times in the window", () => {
            expectPass(promtoolTest([restarts(POD, "0+1x20")], "PodsRestarting", "15m", [firing("PodsRestarting", 15, { pod: POD })]));
        });

        it("stays silent for a pod that restarted twice in the window", () => {
            expectPass(promtoolTest([restarts(POD, "0 0 0 0 0 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2")], "PodsRestarting", "15m", []));
        });

        it("ignores the migration Job's pods", () => {
            expectPass(promtoolTest([restarts("checkout-migrate-2-4-1-abcde", "0+1x20")], "PodsRestarting", "15m", []));
        });

        it("ignores a StatefulSet pod that shares the service's prefix", () => {
            expectPass(promtoolTest([restarts("checkout-db-0", "0+1x20")], "PodsRestarting", "15m", []));
        });
    });

    describe("PodsCrashLooping", () => {
        const waiting = (value: number): Series => ({
            series: `kube_pod_container_status_waiting_reason{namespace="shop",pod="${PRIMARY_POD}",container="checkout",reason="CrashLoopBackOff"}`,
            values: `${value}x15`,
        });

        it("fires for a primary pod in CrashLoopBackOff", () => {
            expectPass(promtoolTest([waiting(1)], "PodsCrashLooping", "10m", [firing("PodsCrashLooping", 1, { pod: PRIMARY_POD })]));
        });

        it("stays silent when no pod waits in CrashLoopBackOff", () => {
            expectPass(promtoolTest([waiting(0)], "PodsCrashLooping", "10m", []));
        });
    });

    describe("CanaryFailed", () => {
        /**
         * flagger_canary_status as Prometheus stores it when a ServiceMonitor with honorLabels
         * false (the Flagger chart's default) scrapes Flagger in flagger-system: the target's
         * namespace label wins and the metric's own becomes exported_namespace.
         */
        const scraped = (value: number, canaryNamespace = "shop", flaggerNamespace = "flagger-system"): Series => ({
            series: `flagger_canary_status{name="checkout",exported_namespace="${canaryNamespace}",namespace="${flaggerNamespace}",job="flagger",service="flagger",endpoint="http",pod="flagger-5d4f8b7c9-abcde"}`,
            values: `${value}x10`,
        });
        /** honorLabels true, or Flagger's bundled Prometheus (it writes the pod's namespace to kubernetes_namespace). */
        const honoured = (value: number, canaryNamespace = "shop"): Series => ({
            series: `flagger_canary_status{name="checkout",namespace="${canaryNamespace}",kubernetes_namespace="flagger-system"}`,
            values: `${value}x10`,
        });

        before(() => {
            const onlyNamespace = { ...checkout, alerts: { ...checkout.alerts, flaggerNamespaceLabel: "namespace" } };
            fs.writeFileSync(path.join(dir, "rules-namespace-label.yaml"), rulesFile([buildPrometheusRule(onlyNamespace)]));
        });

        it("fires when Flagger reports the canary failed, scraped by a ServiceMonitor with the chart's defaults (honorLabels false)", () => {
            expectPass(promtoolTest([scraped(2)], "CanaryFailed", "5m", [firing("CanaryFailed", 2)]));
        });

        it("fires when Flagger reports the canary failed, scraped with honorLabels true", () => {
            expectPass(promtoolTest([honoured(2)], "CanaryFailed", "5m", [firing("CanaryFailed", 2)]));
        });

        it("stays silent when the canary succeeded", () => {
            expectPass(promtoolTest([scraped(1), honoured(1)], "CanaryFailed", "5m", []));
        });

        it("ignores a failed canary of the same name in another namespace", () => {
            expectPass(promtoolTest([scraped(2, "staging"), honoured(2, "staging")], "CanaryFailed", "5m", []));
        });

        it("ignores another namespace's failed canary even when Flagger itself runs in the service's namespace", () => {
            expectPass(promtoolTest([scraped(2, "staging", "shop")], "CanaryFailed", "5m", []));
        });

        it("matches only the configured label when alerts.flaggerNamespaceLabel is set", () => {
            expectPass(promtoolTest([honoured(2)], "CanaryFailed", "5m", [firing("CanaryFailed", 2)], "rules-namespace-label.yaml"));
            expectPass(promtoolTest([scraped(2)], "CanaryFailed", "5m", [], "rules-namespace-label.yaml"));
        });
    });

    describe("ReplicasUnavailable", () => {
        const unavailable = (value: number): Series => ({
            series: 'kube_deployment_status_replicas_unavailable{namespace="shop",deployment="checkout-primary"}',
            values: `${value}x20`,
        });

        it("fires when primary replicas stay unavailable", () => {
            expectPass(promtoolTest([unavailable(2)], "ReplicasUnavailable", "10m", [firing("ReplicasUnavailable", 2)]));
        });

        it("stays silent when every replica is available", () => {
            expectPass(promtoolTest([unavailable(0)], "ReplicasUnavailable", "10m", []));
        });
    });

    describe("MigrationFailed", () => {
        /**
         * The series kube-state-metrics (v2) exports for a Job, minute by minute: pod counts
         * (kube_job_status_*) and, once the Job has a Complete or Failed condition,
         * kube_job_complete / kube_job_failed with condition="true"|"false"|"unknown".
         */
        const JOB = "checkout-migrate-2-4-1";
        const series = (metric: string, values: string, job = JOB, extra = ""): Series => ({
            series: `${metric}{namespace="shop",job_name="${job}"${extra}}`,
            values,
        });
        const condition = (metric: "kube_job_complete" | "kube_job_failed", from: number, job = JOB): Series[] =>
            (["true", "false", "unknown"] as const).map((c) =>
                series(metric, `${"_ ".repeat(from)}${c === "true" ? 1 : 0}x${9 - from}`, job, `,condition="${c}"`),
            );
        /** backoffLimit 1: the first pod fails at minute 2, the retry succeeds at minute 4. */
        const retrySucceeds = [
            series("kube_job_status_active", "1 1 1 1 0 0 0 0 0 0"),
            series("kube_job_status_failed", "0 0 1 1 1 1 1 1 1 1"),
            series("kube_job_status_succeeded", "0 0 0 0 1 1 1 1 1 1"),
            ...condition("kube_job_complete", 4),
        ];
        /** Both pods fail: the Job gets its Failed condition (BackoffLimitExceeded) at minute 4. */
        const jobFails = (job = JOB) => [
            series("kube_job_status_active", "1 1 1 1 0 0 0 0 0 0", job),
            series("kube_job_status_failed", "0 0 1 1 2 2 2 2 2 2", job),
            ...condition("kube_job_failed", 4, job),
        ];

        it("stays silent when the first attempt fails and the retry succeeds", () => {
            expectPass(promtoolTest(retrySucceeds, "MigrationFailed", "3m", []));
            expectPass(promtoolTest(retrySucceeds, "MigrationFailed", "8m", []));
        });

        it("fires when this version's migration Job has failed (its Failed condition is true)", () => {
            expectPass(promtoolTest(jobFails(), "MigrationFailed", "5m", [firing("MigrationFailed", 1)]));
        });

        it("stays silent while the Job retries, before it has failed", () => {
            expectPass(promtoolTest(jobFails(), "MigrationFailed", "3m", []));
        });

        it("ignores a failed Job of another version", () => {
            expectPass(promtoolTest(jobFails("checkout-migrate-2-4-0"), "MigrationFailed", "5m", []));
        });
    });
});
