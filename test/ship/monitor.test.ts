import { expect } from "chai";
import { describeSample, monitor, PrometheusError, queryScalar, signalsFor } from "../../cli/ship/prometheus";
import { parseReleaseConfig } from "../../config/load";
import { ServiceConfig } from "../../config/types";
import { havePrometheus, PrometheusServer, requestSeries, startPrometheus } from "../helpers/prometheus-server";

function checkout(): ServiceConfig {
    const config = parseReleaseConfig(
        {
            namespace: "shop",
            notifications: { releases: { type: "slack", address: { secure: "v1:x" } } },
            services: { checkout: { image: "registry.example.com/shop/checkout", version: "2.4.1" } },
        },
        { source: "test", stack: "production", mode: "file" },
    );
    return config.services[0];
}

const noWait = { sleep: async () => undefined };

describe("ship monitoring against a real Prometheus server", function () {
    let healthy: PrometheusServer;
    let failing: PrometheusServer;

    before(async function () {
        if (!havePrometheus()) this.skip();
        healthy = await startPrometheus(requestSeries({ namespace: "shop", service: "checkout", errorRatio: 0.001, latencyMs: 80 }));
        failing = await startPrometheus(requestSeries({ namespace: "shop", service: "checkout", errorRatio: 0.05, latencyMs: 80 }));
    });

    after(async () => {
        await healthy?.stop();
        await failing?.stop();
    });

    it("measures the error rate with the alert rule's expression", async () => {
        const [errorRate] = signalsFor(checkout());
        const value = await queryScalar(failing.url, errorRate.expr);
        expect(value).to.be.closeTo(5, 0.2);
    });

    it("passes a healthy service over the whole window", async () => {
        let t = 0;
        const result = await monitor({ baseUrl: healthy.url, signals: signalsFor(checkout()), windowMs: 180_000, intervalMs: 60_000, now: () => t, sleep: async (ms) => void (t += ms) });
        expect(result.ok).to.equal(true);
        expect(result.rounds).to.equal(4);
        const [errorRate, latency] = result.last.map(describeSample);
        expect(errorRate).to.match(/^error rate 0\.1\d*% \(limit 1%\)$/);
        expect(latency).to.match(/^p99 latency 99(\.\d+)?ms \(limit 500ms\)$/);
    });

    it("fails at the first round when 5% of requests fail", async () => {
        const result = await monitor({ baseUrl: failing.url, signals: signalsFor(checkout()), windowMs: 300_000, intervalMs: 60_000, ...noWait });
        expect(result.ok).to.equal(false);
        expect(result.rounds).to.equal(1);
        expect(result.breach?.signal.name).to.equal("error rate");
        expect(describeSample(result.breach!)).to.match(/^error rate (4\.\d+|5)% \(limit 1%\)$/);
    });

    it("treats no data as no breach, and says so", async () => {
        const service = { ...checkout(), alerts: { ...checkout().alerts, metrics: { ...checkout().alerts.metrics, selector: 'namespace="shop",service="absent"' } } };
        const result = await monitor({ baseUrl: healthy.url, signals: signalsFor(service), windowMs: 0, intervalMs: 60_000, ...noWait });
        expect(result.ok).to.equal(true);
        expect(describeSample(result.last[0])).to.equal("error rate no data (limit 1%)");
    });

    it("reports an unreachable Prometheus as an error naming the address", async () => {
        let error: unknown;
        try {
            await queryScalar("http://127.0.0.1:1", "up");
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(PrometheusError);
        expect((error as Error).message).to.match(/^cannot reach Prometheus at http:\/\/127\.0\.0\.1:1/);
    });
});

describe("ship monitoring when Prometheus does not answer", () => {
    const unreachable = "http://127.0.0.1:1";

    it("fails after three rounds in a row without an answer, saying why", async () => {
        const errors: number[] = [];
        const result = await monitor({ baseUrl: unreachable, signals: signalsFor(checkout()), windowMs: 600_000, intervalMs: 60_000, maxConsecutiveErrors: 3, onError: (_e, round) => errors.push(round), ...noWait });
        expect(result.ok).to.equal(false);
        expect(errors).to.deep.equal([1, 2, 3]);
        expect(result.error).to.match(/^cannot reach Prometheus at http:\/\/127\.0\.0\.1:1: .* \(3 rounds in a row\)$/);
    });

    it("fails a window in which no round was answered", async () => {
        const result = await monitor({ baseUrl: unreachable, signals: signalsFor(checkout()), windowMs: 0, intervalMs: 60_000, maxConsecutiveErrors: 3, ...noWait });
        expect(result).to.deep.include({ ok: false, rounds: 1, error: "no round of the window could query Prometheus" });
    });
});
