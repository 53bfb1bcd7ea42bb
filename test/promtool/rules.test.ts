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
    function promtoolTest(series: Series[], alert: string, evalTime: string, expAlerts: object[]) {
        const file = path.join(dir, `${alert}-${Math.random().toString(36).slice(2)}.test.yaml`);
        const test = {
            rule_files: ["rules.yaml"],
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
        const status = (value: number): Series => ({ series: 'flagger_canary_status{name="checkout",namespace="shop"}', values: `${value}x10` });

        it("fires when Flagger reports the canary failed", () => {
            expectPass(promtoolTest([status(2)], "CanaryFailed", "5m", [firing("CanaryFailed", 2)]));
        });

        it("stays silent when the canary succeeded", () => {
            expectPass(promtoolTest([status(1)], "CanaryFailed", "5m", []));
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
        const failed = (job: string, value: number): Series => ({ series: `kube_job_status_failed{namespace="shop",job_name="${job}"}`, values: `${value}x10` });

        it("fires when this version's migration Job failed", () => {
            expectPass(promtoolTest([failed("checkout-migrate-2-4-1", 1)], "MigrationFailed", "5m", [firing("MigrationFailed", 1)]));
        });

        it("stays silent while the Job has no failed pod", () => {
            expectPass(promtoolTest([failed("checkout-migrate-2-4-1", 0)], "MigrationFailed", "5m", []));
        });

        it("ignores a failed Job of another version", () => {
            expectPass(promtoolTest([failed("checkout-migrate-2-4-0", 1)], "MigrationFailed", "5m", []));
        });
    });
});
