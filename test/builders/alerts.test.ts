import { expect } from "chai";
import { alertRules, buildPrometheusRule, MIGRATION_ALERT, REQUIRED_ALERTS } from "../../builders/alerts";
import { ServiceConfig } from "../../config/types";
import { doc } from "../helpers/manifests";
import { serviceConfig, serviceWithMigration } from "../helpers/fixtures";

function rule(s: ServiceConfig, alert: string) {
    const found = alertRules(s).find((r) => r.alert === alert);
    if (!found) throw new Error(`no rule ${alert}`);
    return found;
}

describe("buildPrometheusRule", () => {
    it("is a monitoring.coreos.com/v1 PrometheusRule with one group for the service", () => {
        const pr = doc(buildPrometheusRule(serviceConfig()));
        expect([pr.apiVersion, pr.kind, pr.metadata.name, pr.metadata.namespace]).to.deep.equal(["monitoring.coreos.com/v1", "PrometheusRule", "web-release-alerts", "shop"]);
        expect(pr.spec.groups.map((g: { name: string }) => g.name)).to.deep.equal(["releasectl.web"]);
    });

    it("carries every required alert", () => {
        expect(alertRules(serviceConfig()).map((r) => r.alert)).to.deep.equal([...REQUIRED_ALERTS]);
    });

    it("adds MigrationFailed only when the release has a migration", () => {
        expect(alertRules(serviceConfig()).map((r) => r.alert)).not.to.include(MIGRATION_ALERT);
        expect(alertRules(serviceWithMigration()).map((r) => r.alert)).to.include(MIGRATION_ALERT);
    });

    it("labels every rule with service, version, severity and namespace", () => {
        for (const r of alertRules(serviceWithMigration())) {
            expect(r.labels, r.alert).to.have.all.keys("service", "version", "severity", "namespace");
            expect([r.labels.service, r.labels.version, r.labels.namespace], r.alert).to.deep.equal(["web", "1.4.2", "shop"]);
            expect(["critical", "warning"], r.alert).to.include(r.labels.severity);
        }
    });

    it("writes a version with build metadata as a valid label value", () => {
        expect(rule(serviceConfig({ version: "1.4.2+build.7" }), "HighErrorRate").labels.version).to.equal("1.4.2_build.7");
    });

    it("annotates every rule with summary, description and runbook_url", () => {
        for (const r of alertRules(serviceWithMigration())) {
            expect(r.annotations, r.alert).to.have.all.keys("summary", "description", "runbook_url");
            expect(r.annotations.summary, r.alert).to.include("web 1.4.2");
        }
    });

    it("links each rule to its section of the configured runbook", () => {
        const r = rule(serviceConfig({ alerts: { runbookUrl: "https://wiki.example.com/runbooks/web" } }), "HighErrorRate");
        expect(r.annotations.runbook_url).to.equal("https://wiki.example.com/runbooks/web#high-error-rate");
    });

    it("fires HighErrorRate above the configured percentage of 5xx", () => {
        const r = rule(serviceConfig({ alerts: { errorRatePercent: 2.5 } }), "HighErrorRate");
        expect(r.expr).to.match(/^100 \* sum\(rate\(http_requests_total\{namespace="shop",service="web",code=~"5\.\."\}\[5m\]\)\) \/ sum\(rate\(http_requests_total\{namespace="shop",service="web"\}\[5m\]\)\) > 2\.5$/);
        expect(r.labels.severity).to.equal("critical");
    });

    it("fires HighLatency above the configured p99 in ms", () => {
        expect(rule(serviceConfig({ alerts: { latencyP99Ms: 750 } }), "HighLatency").expr).to.equal(
            '1000 * histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",service="web"}[5m]))) > 750',
        );
    });

    it("uses the configured metric names, status label, selector and windows", () => {
        const s = serviceConfig({
            alerts: { rateWindow: "2m", metrics: { requestsTotal: "requests", statusLabel: "status", selector: 'app="web"' } },
        });
        expect(rule(s, "HighErrorRate").expr).to.equal('100 * sum(rate(requests{app="web",status=~"5.."}[2m])) / sum(rate(requests{app="web"}[2m])) > 1');
    });

    it("holds conditions for the configured for duration", () => {
        const s = serviceConfig({ alerts: { for: "10m" } });
        expect([rule(s, "HighErrorRate").for, rule(s, "HighLatency").for, rule(s, "ReplicasUnavailable").for]).to.deep.equal(["10m", "10m", "10m"]);
    });

    it("fires PodsRestarting above the restart threshold within the window, per pod", () => {
        const expr = rule(serviceConfig({ alerts: { restartsThreshold: 5, restartWindow: "30m" } }), "PodsRestarting").expr;
        expect(expr).to.match(/^max by \(pod\) \(increase\(kube_pod_container_status_restarts_total\{namespace="shop",pod=~"web\(-primary\)\?-\[a-z0-9\]\+-\[a-z0-9\]\{5\}"\}\[30m\]\)\) > 5$/);
    });

    it("watches crash loops of both the canary and the primary pods", () => {
        expect(rule(serviceConfig(), "PodsCrashLooping").expr).to.include('pod=~"web(-primary)?-[a-z0-9]+-[a-z0-9]{5}",reason="CrashLoopBackOff"');
    });

    // What these expressions match on scraped series is tested under promtool (test/promtool/rules.test.ts).
    it("fires CanaryFailed when flagger_canary_status reports failure, whichever label holds the Canary's namespace", () => {
        const expr = rule(serviceConfig(), "CanaryFailed").expr;
        expect(expr).to.include('flagger_canary_status{name="web",exported_namespace="shop"}');
        expect(expr).to.include('flagger_canary_status{name="web",namespace="shop",exported_namespace=""}');
        expect(expr).to.match(/ > 1$/);
    });

    it("reads the Canary's namespace from alerts.flaggerNamespaceLabel when it is set", () => {
        expect(rule(serviceConfig({ alerts: { flaggerNamespaceLabel: "namespace" } }), "CanaryFailed").expr).to.equal('max(flagger_canary_status{name="web",namespace="shop"}) > 1');
    });

    it("fires MigrationFailed on the Failed condition of this version's Job", () => {
        expect(rule(serviceWithMigration(), MIGRATION_ALERT).expr).to.equal('max(kube_job_failed{namespace="shop",job_name="web-migrate-1-4-2",condition="true"}) > 0');
    });

    it("fires ReplicasUnavailable for the primary Deployment Flagger serves from", () => {
        expect(rule(serviceConfig(), "ReplicasUnavailable").expr).to.include('deployment="web-primary"');
    });
});
