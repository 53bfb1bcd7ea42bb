import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { errorRatePercentExpr, latencyP99MsExpr } from "../../builders/promql";
import { buildServiceObjects } from "../../builders/service-objects";
import { Manifest } from "../../builders/types";
import { ReleaseConfig, ServiceConfig } from "../../config/types";
import { prometheusConfig } from "../../e2e/cluster/simulator/simulator";
import { FakeKubeApi } from "../helpers/fake-kube-api";
import { Doc } from "../helpers/manifests";
import { havePrometheus } from "../helpers/prometheus-server";
import { blueGreenConfig, migrationPod, podList, ScrapingPrometheus, servicePod, SimulatorProcess, sleep, spawnSimulator, startScrapingPrometheus } from "./helpers";

/**
 * The simulator as the cluster suite runs it: a child process listing pods from an API server,
 * a real Prometheus scraping it every second with the configuration of prometheus.yml.tmpl, and
 * the program's own MetricTemplate queries (builders/canary.ts) rendered as Flagger renders them
 * for a 10s analysis interval, and its alert expressions (builders/promql.ts), evaluated by that
 * Prometheus. The pods are shaped as the program's Deployments and Flagger's primaries make them.
 *
 *   shop/web      primary 1.4.1 (2 pods, 50 % errors, 2 s: a bad primary the canary query must not see)
 *                 canary 1.4.2 (1 pod, default behaviour: healthy), 1 canary pod not Ready,
 *                 1 Pending, 1 migration Job pod
 *   shop/api      primary 1.9.0 (2 pods, healthy), canary 2.0.0 (1 pod, 20 % errors, 800 ms: set by PUT)
 *   staging/web   canary 1.4.2 (1 pod, every request fails): another namespace, same names
 */

/** The Canary's template metrics, rendered as Flagger v1.36.1 renders them (see test/promtool/metric-templates.test.ts). */
function templateQueries(config: ReleaseConfig, s: ServiceConfig): Record<string, { query: string; max: number }> {
    const objects: Manifest[] = buildServiceObjects(config, s).objects.map((o) => o.manifest);
    const canary = objects.find((o) => o.kind === "Canary") as Doc;
    const result: Record<string, { query: string; max: number }> = {};
    for (const metric of canary.spec.analysis.metrics as Doc[]) {
        const template = objects.find((o) => o.kind === "MetricTemplate" && o.metadata.name === metric.templateRef?.name) as Doc;
        if (!template) throw new Error(`metric ${metric.name} has no template: provider kubernetes has no builtin metrics`);
        const model: Record<string, string> = {
            name: canary.metadata.name,
            namespace: canary.metadata.namespace,
            target: canary.spec.targetRef.name,
            service: canary.spec.service?.name ?? canary.spec.targetRef.name,
            interval: metric.interval ?? canary.spec.analysis.interval,
        };
        const query = (template.spec.query as string).replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, fn: string) => {
            if (model[fn] === undefined) throw new Error(`template function ${whole} is not one of Flagger's`);
            return model[fn];
        });
        result[metric.name] = { query, max: metric.thresholdRange.max };
    }
    return result;
}

describe("traffic simulator under a real Prometheus: the program's own queries read it as real service metrics", function () {
    this.timeout(90_000);
    const shop = blueGreenConfig("shop", { web: "1.4.2", api: "2.0.0" });
    const shopPrimary = blueGreenConfig("shop", { web: "1.4.1", api: "1.9.0" });
    const staging = blueGreenConfig("staging", { web: "1.4.2" });
    const svc = (c: ReleaseConfig, name: string) => c.services.find((s) => s.name === name)!;
    let dir: string;
    let api: FakeKubeApi;
    let sim: SimulatorProcess | undefined;
    let prom: ScrapingPrometheus | undefined;
    let started = 0;

    const value = async (expr: string): Promise<number | undefined> => {
        const result = await prom!.query(expr);
        if (result.length > 1) throw new Error(`${expr}: ${result.length} samples`);
        return result.length === 0 ? undefined : Number(result[0].value[1]);
    };

    before(async function () {
        if (!havePrometheus()) {
            console.log("    prometheus/promtool are not installed (apt-get install prometheus): skipped");
            return this.skip();
        }
        started = Date.now();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-sim-prom-test-"));
        api = await FakeKubeApi.start();
        api.set(
            "/api/v1/pods",
            podList([
                servicePod(svc(shopPrimary, "web"), "web-primary-6c8d9f7b5-q8l2m", { primary: true }),
                servicePod(svc(shopPrimary, "web"), "web-primary-6c8d9f7b5-r4t6z", { primary: true }),
                servicePod(svc(shop, "web"), "web-7d9c6b5f4-x2x7k"),
                servicePod(svc(shop, "web"), "web-7d9c6b5f4-n0tr3", { ready: false }),
                servicePod(svc(shop, "web"), "web-7d9c6b5f4-pend1", { phase: "Pending" }),
                migrationPod(svc(shop, "web"), "web-migrate-1-4-2-x9x9x"),
                servicePod(svc(shopPrimary, "api"), "api-primary-5f6d7c8b9-a1b2c", { primary: true }),
                servicePod(svc(shopPrimary, "api"), "api-primary-5f6d7c8b9-d3e4f", { primary: true }),
                servicePod(svc(shop, "api"), "api-6b7c8d9e5-k2l3m"),
                servicePod(svc(staging, "web"), "web-7d9c6b5f4-s7s7s"),
            ]),
        );
        const behaviour = path.join(dir, "behaviour.json");
        fs.writeFileSync(behaviour, JSON.stringify({ web: { "1.4.1": { errorRate: 0.5, latencyMs: 2000 } }, "staging/web": { "*": { errorRate: 1 } } }));
        sim = await spawnSimulator(["--kubeconfig", api.writeKubeconfig(dir), "--behaviour", behaviour, "--interval", "1s"]);
        // The test sets the bad version's behaviour through the control endpoint, as the suite will.
        const put = await fetch(`${sim.url}/behaviour`, {
            method: "PUT",
            body: JSON.stringify({
                web: { "1.4.1": { errorRate: 0.5, latencyMs: 2000 } },
                "staging/web": { "*": { errorRate: 1 } },
                api: { "2.0.0": { errorRate: 0.2, latencyMs: 800 } },
            }),
        });
        expect(put.status, await put.text()).to.equal(200);
        prom = await startScrapingPrometheus(prometheusConfig({ simulator: sim.address, scrapeInterval: "1s" }));
        // Every target scraped at least once, then 11 s of samples: a full 10s rate window.
        const deadline = Date.now() + 20_000;
        while ((await value('count(up{job="releasectl-simulator-pods"} == 1)')) !== 8) {
            if (Date.now() > deadline) throw new Error(`Prometheus did not scrape the 8 pod targets:\n${JSON.stringify(await prom.query("up"))}\n${sim.stderr()}`);
            await sleep(250);
        }
        await sleep(11_000);
    });

    after(async () => {
        await prom?.stop();
        const code = sim ? await sim.stop() : undefined;
        await api?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
        if (started) console.log(`    (simulator, Prometheus and queries: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
        if (sim) expect(code, "the simulator exits 0 on SIGTERM").to.equal(0);
    });

    it("scrapes one target per serving pod, labelled namespace, pod and service; no Pending or migration pods", async () => {
        const up = await prom!.query('up{job="releasectl-simulator-pods"}');
        const pods = up.map((r) => `${r.metric.namespace}/${r.metric.pod} ${r.metric.service}`).sort();
        expect(pods).to.deep.equal([
            "shop/api-6b7c8d9e5-k2l3m api",
            "shop/api-primary-5f6d7c8b9-a1b2c api",
            "shop/api-primary-5f6d7c8b9-d3e4f api",
            "shop/web-7d9c6b5f4-n0tr3 web",
            "shop/web-7d9c6b5f4-x2x7k web",
            "shop/web-primary-6c8d9f7b5-q8l2m web",
            "shop/web-primary-6c8d9f7b5-r4t6z web",
            "staging/web-7d9c6b5f4-s7s7s web",
        ]);
    });

    it("a healthy canary (web 1.4.2, default behaviour) measures error rate 0 and p99 50 ms, inside the Canary's thresholds, though its primary fails half its requests", async () => {
        const q = templateQueries(shop, svc(shop, "web"));
        expect(q["error-rate"].query).to.include('namespace="shop",pod=~"web-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"');
        expect(q["error-rate"].query).to.include("[10s]");
        const errorRate = await value(q["error-rate"].query);
        const latency = await value(q.latency.query);
        console.log(`    web 1.4.2: error-rate ${errorRate}, latency ${latency} ms (thresholds ${q["error-rate"].max}, ${q.latency.max})`);
        expect(errorRate).to.equal(0);
        expect(latency).to.be.closeTo(50, 0.5);
        expect(errorRate!).to.be.at.most(q["error-rate"].max);
        expect(latency!).to.be.at.most(q.latency.max);
    });

    it("a bad canary (api 2.0.0: errorRate 0.2, latencyMs 800) measures error rate 20 and p99 800 ms, beyond the thresholds", async () => {
        const q = templateQueries(shop, svc(shop, "api"));
        const errorRate = await value(q["error-rate"].query);
        const latency = await value(q.latency.query);
        console.log(`    api 2.0.0: error-rate ${errorRate}, latency ${latency} ms`);
        expect(errorRate).to.be.closeTo(20, 0.05);
        expect(latency).to.be.closeTo(800, 1);
        expect(errorRate!).to.be.above(q["error-rate"].max);
        expect(latency!).to.be.above(q.latency.max);
    });

    it("a pod of the same service in another namespace is not counted: staging/web fails every request and measures 100 there", async () => {
        expect(await value(templateQueries(staging, svc(staging, "web"))["error-rate"].query)).to.equal(100);
        expect(await value('sum(rate(http_requests_total{namespace="staging"}[10s]))')).to.be.above(5);
    });

    it("a canary pod that is not Ready adds no requests, and has series (0) as a running process would", async () => {
        expect(await value('sum(rate(http_request_duration_seconds_count{namespace="shop",pod="web-7d9c6b5f4-n0tr3"}[10s]))')).to.equal(0);
        expect(await value('sum(rate(http_request_duration_seconds_count{namespace="shop",pod="web-7d9c6b5f4-x2x7k"}[10s]))')).to.be.closeTo(10, 0.5);
    });

    it("the alert expressions (and ship's monitor step) select the service's pods, primary and canary, by the default selector namespace+service", async () => {
        const api2 = svc(shop, "api");
        expect(api2.alerts.metrics.selector).to.equal('namespace="shop",service="api"');
        // 2 healthy primary pods and 1 canary pod failing 20 %, 10 rps each: 2 of 30 requests fail.
        const apiErrors = await value(errorRatePercentExpr(api2));
        // 2 primary pods failing 50 % and 1 healthy canary pod: 10 of 30 requests fail.
        const webErrors = await value(errorRatePercentExpr(svc(shop, "web")));
        const webLatency = await value(latencyP99MsExpr(svc(shop, "web")));
        console.log(`    alert expressions: api error rate ${apiErrors} %, web error rate ${webErrors} %, web p99 ${webLatency} ms`);
        // Sums over pods scraped at slightly different instants: a few per cent of slack, not more.
        expect(apiErrors).to.be.closeTo(100 * (2 / 30), 0.4);
        expect(webErrors).to.be.closeTo(100 * (10 / 30), 1);
        expect(webLatency, "two thirds of web's requests take the primary's 2 s").to.be.above(1500);
    });
});
