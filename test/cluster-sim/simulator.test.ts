import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import {
    DEFAULT_BUCKETS,
    latencyDistribution,
    loadKubeconfig,
    resolveBehaviour,
    Simulator,
    startSimulator,
    validateBehaviour,
} from "../../e2e/cluster/simulator/simulator";
import { FakeKubeApi } from "../helpers/fake-kube-api";
import { Doc } from "../helpers/manifests";
import { blueGreenConfig, migrationPod, podList, servicePod, SIMULATOR, sleep, spawnSimulator } from "./helpers";

/**
 * The traffic simulator of the real-cluster suite (e2e/cluster/simulator), without a cluster: a
 * fake API server lists pods shaped as the program's Deployments and Flagger's primaries make
 * them, and the tests read what the simulator serves. simulator-prometheus.test.ts has a real
 * Prometheus scrape it and runs the program's own queries.
 */

/** histogram_quantile as Prometheus computes it (promql/quantile.go bucketQuantile, linear in a bucket). */
function histogramQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number {
    const total = cumulative[cumulative.length - 1];
    const rank = q * total;
    const i = cumulative.findIndex((c) => c >= rank);
    if (i === bounds.length) return bounds[bounds.length - 1];
    const lower = i === 0 ? 0 : bounds[i - 1];
    const below = i === 0 ? 0 : cumulative[i - 1];
    return lower + ((bounds[i] - lower) * (rank - below)) / (cumulative[i] - below);
}

/** The pod's exposition, parsed into series text → value. */
async function scrape(url: string, namespace: string, pod: string): Promise<{ status: number; series: Map<string, number>; text: string }> {
    const res = await fetch(`${url}/pods/${namespace}/${pod}/metrics`);
    const text = await res.text();
    const series = new Map<string, number>();
    for (const line of text.split("\n")) {
        if (!line || line.startsWith("#")) continue;
        const at = line.lastIndexOf(" ");
        series.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
    return { status: res.status, series, text };
}

describe("traffic simulator (e2e/cluster/simulator): pods, counters and behaviour", () => {
    const shop = blueGreenConfig("shop", { web: "1.4.2" });
    const shopOld = blueGreenConfig("shop", { web: "1.4.1" });
    const [web] = shop.services;
    const [webOld] = shopOld.services;
    let api: FakeKubeApi;
    let dir: string;
    let kubeconfig: string;
    let sim: Simulator;
    let url: string;
    const logs: string[] = [];

    const pods = () => [
        servicePod(webOld, "web-primary-6c8d9f7b5-q8l2m", { primary: true, uid: "p1" }),
        servicePod(web, "web-7d9c6b5f4-x2x7k", { uid: "c1" }),
        servicePod(web, "web-7d9c6b5f4-n0tr3", { ready: false, uid: "c2" }),
        servicePod(web, "web-7d9c6b5f4-pend1", { phase: "Pending" }),
        servicePod(web, "web-7d9c6b5f4-gone1", { phase: "Succeeded" }),
        migrationPod(web, "web-migrate-1-4-2-x9x9x"),
    ];

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-sim-"));
        api = await FakeKubeApi.start();
        api.set("/api/v1/pods", podList(pods()));
        kubeconfig = api.writeKubeconfig(dir);
        sim = await startSimulator({
            kubeconfig,
            listen: "127.0.0.1:0",
            intervalSeconds: 60,
            behaviour: { web: { "1.4.1": { errorRate: 0.5 } } },
            log: (line) => logs.push(line),
        });
        url = `http://${sim.address}`;
    });

    after(async () => {
        await sim?.stop();
        await api?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("lists the pods of every namespace through the API server the kubeconfig names", () => {
        expect(api.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal(["GET /api/v1/pods"]);
    });

    it("gives each Running pod with an http port one scrape target with its namespace, pod and service; not Pending, finished or migration pods", async () => {
        const targets = (await (await fetch(`${url}/sd`)).json()) as Doc[];
        const byPod = Object.fromEntries(targets.map((t) => [t.labels.pod, t]));
        expect(Object.keys(byPod).sort()).to.deep.equal(["web-7d9c6b5f4-n0tr3", "web-7d9c6b5f4-x2x7k", "web-primary-6c8d9f7b5-q8l2m"]);
        expect(byPod["web-primary-6c8d9f7b5-q8l2m"]).to.deep.equal({
            targets: [sim.address],
            labels: { __metrics_path__: "/pods/shop/web-primary-6c8d9f7b5-q8l2m/metrics", namespace: "shop", pod: "web-primary-6c8d9f7b5-q8l2m", service: "web" },
        });
        expect(byPod["web-7d9c6b5f4-x2x7k"].labels.service, "the canary's pods are the same service").to.equal("web");
    });

    it("serves the application's metrics under the names alerts.metrics defaults to, without namespace or pod labels (Prometheus adds them)", async () => {
        const { status, text, series } = await scrape(url, "shop", "web-7d9c6b5f4-x2x7k");
        expect(status).to.equal(200);
        expect(text).to.include("# TYPE http_requests_total counter");
        expect(text).to.include("# TYPE http_request_duration_seconds histogram");
        expect([...series.keys()]).to.include.members([
            'http_requests_total{code="200"}',
            ...DEFAULT_BUCKETS.map((b) => `http_request_duration_seconds_bucket{le="${Number.isInteger(b) ? `${b}.0` : b}"}`),
            'http_request_duration_seconds_bucket{le="+Inf"}',
            "http_request_duration_seconds_sum",
            "http_request_duration_seconds_count",
            'app_build_info{version="1.4.2"}',
        ]);
        expect(text).to.not.match(/namespace=|pod=/);
    });

    it("advances the counters in real time at the pod's request rate (10 rps by default), with no 5xx series for a healthy version", async () => {
        const first = await scrape(url, "shop", "web-7d9c6b5f4-x2x7k");
        await sleep(1000);
        const second = await scrape(url, "shop", "web-7d9c6b5f4-x2x7k");
        const served = second.series.get('http_requests_total{code="200"}')! - first.series.get('http_requests_total{code="200"}')!;
        expect(served).to.be.within(9.5, 11);
        expect(second.series.get("http_request_duration_seconds_count")! - first.series.get("http_request_duration_seconds_count")!).to.be.closeTo(served, 1e-6);
        expect([...second.series.keys()].filter((k) => k.includes('code="5'))).to.deep.equal([]);
    });

    it("answers the version's error rate with 500s and the rest with 200s", async () => {
        const first = await scrape(url, "shop", "web-primary-6c8d9f7b5-q8l2m");
        await sleep(500);
        const second = await scrape(url, "shop", "web-primary-6c8d9f7b5-q8l2m");
        const delta = (k: string) => second.series.get(k)! - first.series.get(k)!;
        expect(delta('http_requests_total{code="500"}')).to.be.closeTo(delta('http_requests_total{code="200"}'), 1e-6);
        expect(second.series.get('app_build_info{version="1.4.1"}')).to.equal(1);
    });

    it("sends no traffic to a pod that is not Ready (its series stay at 0)", async () => {
        await sleep(200);
        const { status, series } = await scrape(url, "shop", "web-7d9c6b5f4-n0tr3");
        expect(status).to.equal(200);
        expect(series.get("http_request_duration_seconds_count")).to.equal(0);
        expect([...series.keys()].filter((k) => k.startsWith("http_requests_total"))).to.deep.equal([]);
    });

    it("puts the durations in the buckets so that histogram_quantile(0.99) reads the configured latency", async () => {
        const { series } = await scrape(url, "shop", "web-7d9c6b5f4-x2x7k");
        const cumulative = [...DEFAULT_BUCKETS.map((b) => series.get(`http_request_duration_seconds_bucket{le="${Number.isInteger(b) ? `${b}.0` : b}"}`)!), series.get('http_request_duration_seconds_bucket{le="+Inf"}')!];
        expect(histogramQuantile(0.99, DEFAULT_BUCKETS, cumulative) * 1000).to.be.closeTo(50, 1e-6);
    });

    it("starts a pod's counters again at 0 when its containers restart, and when a new pod of the same name appears", async () => {
        await sleep(300);
        const before = (await scrape(url, "shop", "web-7d9c6b5f4-x2x7k")).series.get("http_request_duration_seconds_count")!;
        expect(before).to.be.above(3);
        api.set("/api/v1/pods", podList(pods().map((p) => (p.metadata.name === "web-7d9c6b5f4-x2x7k" ? servicePod(web, p.metadata.name, { uid: "c1", restarts: 1 }) : p))));
        await sim.poll();
        const restarted = (await scrape(url, "shop", "web-7d9c6b5f4-x2x7k")).series.get("http_request_duration_seconds_count")!;
        expect(restarted).to.be.below(1);
        await sleep(300);
        api.set("/api/v1/pods", podList(pods().map((p) => (p.metadata.name === "web-7d9c6b5f4-x2x7k" ? servicePod(web, p.metadata.name, { uid: "c1-new" }) : p))));
        const grown = (await scrape(url, "shop", "web-7d9c6b5f4-x2x7k")).series.get("http_request_duration_seconds_count")!;
        expect(grown).to.be.above(restarted);
        await sim.poll();
        expect((await scrape(url, "shop", "web-7d9c6b5f4-x2x7k")).series.get("http_request_duration_seconds_count")!).to.be.below(1);
    });

    it("drops a pod's target and metrics when it is deleted or stops Running, and stops its traffic while it terminates", async () => {
        api.set(
            "/api/v1/pods",
            podList([servicePod(webOld, "web-primary-6c8d9f7b5-q8l2m", { primary: true, uid: "p1", terminating: true }), servicePod(web, "web-7d9c6b5f4-n0tr3", { ready: false, phase: "Failed", uid: "c2" })]),
        );
        await sim.poll();
        const targets = (await (await fetch(`${url}/sd`)).json()) as Doc[];
        expect(targets.map((t) => t.labels.pod)).to.deep.equal(["web-primary-6c8d9f7b5-q8l2m"]);
        expect((await scrape(url, "shop", "web-7d9c6b5f4-x2x7k")).status).to.equal(404);
        const first = await scrape(url, "shop", "web-primary-6c8d9f7b5-q8l2m");
        await sleep(300);
        const second = await scrape(url, "shop", "web-primary-6c8d9f7b5-q8l2m");
        expect(second.series.get("http_request_duration_seconds_count")).to.equal(first.series.get("http_request_duration_seconds_count"));
        api.set("/api/v1/pods", podList(pods()));
        await sim.poll();
    });

    it("keeps serving the last known pods when the API server fails, and says so once", async () => {
        api.onRequest((r) => (r.path === "/api/v1/pods" ? { status: 500, body: { kind: "Status", message: "etcd is down" } } : undefined));
        try {
            await sim.poll();
            await sim.poll();
            const targets = (await (await fetch(`${url}/sd`)).json()) as Doc[];
            expect(targets).to.have.length(3);
            const self = await (await fetch(`${url}/metrics`)).text();
            expect(self).to.include("releasectl_simulator_pod_list_errors_total 2");
            expect(logs.filter((l) => l.includes("etcd is down"))).to.have.length(1);
        } finally {
            api.onRequest(() => undefined);
        }
    });

    it("stands in for flagger-loadtester: answers Flagger's webhook POSTs with 200 and lists them", async () => {
        // CanaryWebhookPayload as Flagger v1.36.1 posts it (pkg/controller/webhook.go); above 202 fails the check.
        const payload = { name: "web", namespace: "shop", phase: "Progressing", checksum: "abc", metadata: { type: "bash", cmd: "curl -sSf http://web-canary.shop:8080/readyz" } };
        const res = await fetch(`${url}/loadtester/`, { method: "POST", body: JSON.stringify(payload), headers: { "content-type": "application/json" } });
        expect(res.status).to.equal(200);
        const calls = (await (await fetch(`${url}/loadtester`)).json()) as Doc[];
        expect(calls.map((c) => [c.path, c.body])).to.deep.equal([["/loadtester/", payload]]);
        expect(logs).to.include("load tester: bash web shop Progressing");
    });

    describe("behaviour through the control endpoint", () => {
        const send = async (method: string, body: unknown) => {
            const res = await fetch(`${url}/behaviour`, { method, body: typeof body === "string" ? body : JSON.stringify(body) });
            return { status: res.status, text: await res.text() };
        };

        it("PUT replaces the behaviour, PATCH merges into it per service and version, GET shows it", async () => {
            expect((await send("PUT", { web: { "1.4.2": { errorRate: 0.2, latencyMs: 800 } } })).status).to.equal(200);
            expect((await send("PATCH", { web: { "1.4.2": { rps: 20 } }, api: { "*": { latencyMs: 120 } } })).status).to.equal(200);
            expect(await (await fetch(`${url}/behaviour`)).json()).to.deep.equal({
                web: { "1.4.2": { errorRate: 0.2, latencyMs: 800, rps: 20 } },
                api: { "*": { latencyMs: 120 } },
            });
            const pods = (await (await fetch(`${url}/pods`)).json()) as Doc[];
            const canary = pods.find((p) => p.name === "web-7d9c6b5f4-x2x7k");
            expect(canary.behaviour).to.deep.equal({ rps: 20, errorRate: 0.2, latencyMs: 800, errorCode: "500", successCode: "200" });
            await send("PUT", { web: { "1.4.1": { errorRate: 0.5 } } });
        });

        it("refuses a behaviour it cannot apply with 400 and the reason, and keeps the one in force", async () => {
            for (const [body, reason] of [
                ["{", "JSON"],
                [{ web: { "1.4.2": { errorRate: 20 } } }, "errorRate is a share of requests between 0 and 1"],
                [{ web: { "1.4.2": { latencyMS: 800 } } }, "latencyMS is not one of"],
                [{ web: { "1.4.2": { errorCode: "oops" } } }, "errorCode must be an HTTP status code"],
                [{ web: [1] }, "behaviour.web must be an object"],
            ] as const) {
                const res = await send("PUT", body);
                expect(res.status, JSON.stringify(body)).to.equal(400);
                expect(res.text).to.include(reason);
            }
            expect(await (await fetch(`${url}/behaviour`)).json()).to.deep.equal({ web: { "1.4.1": { errorRate: 0.5 } } });
        });
    });
});

describe("traffic simulator: behaviour resolution, latency distribution, kubeconfig", () => {
    const pod = { namespace: "shop", service: "web", version: "1.4.0+build.7", versionLabel: "1.4.0_build.7" };

    it("is healthy by default: 10 rps, no errors, 50 ms", () => {
        expect(resolveBehaviour({}, pod)).to.deep.equal({ rps: 10, errorRate: 0, latencyMs: 50, errorCode: "500", successCode: "200" });
    });

    it('overlays "*", the service, then <namespace>/<service>; within each "*" then the exact version (or its label value)', () => {
        const doc = validateBehaviour({
            "*": { "*": { rps: 5 } },
            web: { "*": { latencyMs: 70 }, "1.4.0+build.7": { errorRate: 0.1 } },
            "shop/web": { "1.4.0_build.7": { errorCode: "503" } },
            "staging/web": { "*": { errorRate: 1 } },
            api: { "*": { latencyMs: 900 } },
        });
        expect(resolveBehaviour(doc, pod)).to.deep.equal({ rps: 5, errorRate: 0.1, latencyMs: 70, errorCode: "503", successCode: "200" });
        expect(resolveBehaviour(doc, { ...pod, namespace: "staging" }).errorRate).to.equal(1);
        expect(resolveBehaviour(doc, { ...pod, version: "1.5.0", versionLabel: "1.5.0" })).to.deep.equal({ rps: 5, errorRate: 0, latencyMs: 70, errorCode: "500", successCode: "200" });
    });

    it("reads the configured p99 exactly from the default buckets, from 5 ms to 10 s", () => {
        for (const ms of [5, 7, 10, 20, 49.5, 50, 60, 100, 240, 250, 300, 499, 500, 501, 800, 1000, 2000, 4000, 9000, 10_000]) {
            const { shares } = latencyDistribution(ms, DEFAULT_BUCKETS);
            let sum = 0;
            const cumulative = shares.map((s) => (sum += s));
            expect(sum, `${ms} ms: shares add up to 1`).to.be.closeTo(1, 1e-12);
            expect(histogramQuantile(0.99, DEFAULT_BUCKETS, cumulative) * 1000, `${ms} ms`).to.be.closeTo(ms, 1e-6);
        }
        // Beyond the last finite bound every request lands in +Inf: Prometheus reads the last bound.
        const { shares } = latencyDistribution(30_000, DEFAULT_BUCKETS);
        expect(shares[DEFAULT_BUCKETS.length]).to.equal(1);
    });

    it("reads a kubeconfig's server, CA, client certificate and key (files relative to it, or -data) and bearer token", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-sim-kc-"));
        try {
            fs.mkdirSync(path.join(dir, "pki"));
            fs.writeFileSync(path.join(dir, "pki", "ca.crt"), "CA");
            fs.writeFileSync(path.join(dir, "pki", "admin.crt"), "CERT");
            const file = path.join(dir, "kubeconfig");
            fs.writeFileSync(
                file,
                [
                    "apiVersion: v1",
                    "kind: Config",
                    "clusters:",
                    "- name: local",
                    "  cluster: { server: 'https://127.0.0.1:6443', certificate-authority: pki/ca.crt }",
                    "users:",
                    "- name: admin",
                    `  user: { client-certificate: pki/admin.crt, client-key-data: ${Buffer.from("KEY").toString("base64")} }`,
                    "- name: robot",
                    "  user: { token: abc }",
                    "contexts:",
                    "- { name: local, context: { cluster: local, user: admin } }",
                    "- { name: robot, context: { cluster: local, user: robot } }",
                    "current-context: local",
                ].join("\n"),
            );
            const conn = loadKubeconfig(file);
            expect(conn.server.href).to.equal("https://127.0.0.1:6443/");
            expect([String(conn.ca), String(conn.cert), String(conn.key), conn.token, conn.insecure]).to.deep.equal(["CA", "CERT", "KEY", undefined, false]);
            expect(loadKubeconfig(file, "robot").token).to.equal("abc");
            expect(() => loadKubeconfig(file, "nope")).to.throw(/no context named "nope"/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("traffic simulator: the command line", () => {
    let dir: string;
    let api: FakeKubeApi;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-sim-cli-"));
        api = await FakeKubeApi.start();
        api.set("/api/v1/pods", podList([servicePod(blueGreenConfig("shop", { web: "1.4.2" }).services[0], "web-7d9c6b5f4-x2x7k")]));
    });

    after(async () => {
        await api?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("starts with --kubeconfig, --listen, --behaviour and --interval, is healthy once it has listed the pods, and exits 0 on SIGTERM", async () => {
        const behaviour = path.join(dir, "behaviour.json");
        fs.writeFileSync(behaviour, JSON.stringify({ web: { "1.4.2": { latencyMs: 300 } } }));
        const sim = await spawnSimulator(["--kubeconfig", api.writeKubeconfig(dir), "--behaviour", behaviour, "--interval", "500ms"]);
        try {
            expect((await fetch(`${sim.url}/healthz`)).status).to.equal(200);
            expect(await (await fetch(`${sim.url}/behaviour`)).json()).to.deep.equal({ web: { "1.4.2": { latencyMs: 300 } } });
            expect(sim.stderr()).to.match(/pod shop\/web-7d9c6b5f4-x2x7k \(service web, version 1\.4\.2\) serves metrics from 0/);
        } finally {
            expect(await sim.stop()).to.equal(0);
        }
        expect(sim.stderr()).to.include("SIGTERM: stopping");
    });

    it("refuses unknown flags and a missing kubeconfig with exit 2, and a behaviour file it cannot apply with exit 1", () => {
        const unknown = spawnSync(process.execPath, [SIMULATOR, "--kubeconfg", "x"], { encoding: "utf8", env: { ...process.env, KUBECONFIG: "" } });
        expect([unknown.status, unknown.stderr]).to.satisfy(([status, stderr]: [number, string]) => status === 2 && stderr.includes("unknown argument --kubeconfg"));
        const missing = spawnSync(process.execPath, [SIMULATOR], { encoding: "utf8", env: { ...process.env, KUBECONFIG: "" } });
        expect(missing.status).to.equal(2);
        const bad = path.join(dir, "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ web: { "*": { errorRate: 5 } } }));
        const refused = spawnSync(process.execPath, [SIMULATOR, "--kubeconfig", api.writeKubeconfig(dir), "--listen", "127.0.0.1:0", "--behaviour", bad], { encoding: "utf8" });
        expect(refused.status).to.equal(1);
        expect(refused.stderr).to.include("errorRate is a share of requests between 0 and 1");
    });

    it("prints a Prometheus configuration for --listen that promtool accepts", function () {
        const config = execFileSync(process.execPath, [SIMULATOR, "--print-prometheus-config", "--listen", "127.0.0.1:19464", "--scrape-interval", "2s"], { encoding: "utf8" });
        expect(config).to.include("url: http://127.0.0.1:19464/sd");
        expect(config).to.include("scrape_interval: 2s");
        const promtool = spawnSync("promtool", ["--version"]);
        if (promtool.error) {
            if (process.env.CI === "true") throw new Error("promtool is not installed; CI installs it with apt-get install prometheus");
            return this.skip();
        }
        const file = path.join(dir, "prometheus.yml");
        fs.writeFileSync(file, config);
        const check = spawnSync("promtool", ["check", "config", file], { encoding: "utf8" });
        expect(check.status, `${check.stdout}${check.stderr}`).to.equal(0);
    });
});

describe("traffic simulator: an API server over HTTPS with client-certificate authentication, as the cluster's", () => {
    let dir: string;
    let server: https.Server;
    let sim: Simulator | undefined;
    const seen: { authorized: boolean; subject?: string }[] = [];

    before(async function () {
        const openssl = spawnSync("openssl", ["version"]);
        if (openssl.error) {
            if (process.env.CI === "true") throw new Error("openssl is missing");
            console.log("    openssl is not installed: skipped");
            return this.skip();
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-sim-tls-"));
        const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
        const key = (name: string) => run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`);
        key("ca");
        run("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=test-ca", "-days", "1", "-out", "ca.crt");
        for (const [name, subject, ext] of [
            ["server", "/CN=kube-apiserver", "subjectAltName=IP:127.0.0.1"],
            ["client", "/O=system:masters/CN=simulator", "extendedKeyUsage=clientAuth"],
        ]) {
            key(name);
            run("req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`);
            fs.writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
            run("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.crt`);
        }
        const read = (f: string) => fs.readFileSync(path.join(dir, f));
        const pod = servicePod(blueGreenConfig("shop", { web: "1.4.2" }).services[0], "web-7d9c6b5f4-x2x7k");
        server = https.createServer({ key: read("server.key"), cert: read("server.crt"), ca: read("ca.crt"), requestCert: true, rejectUnauthorized: true }, (req, res) => {
            const socket = req.socket as import("tls").TLSSocket;
            seen.push({ authorized: socket.authorized, subject: String(socket.getPeerCertificate()?.subject?.CN) });
            res.writeHead(req.url?.startsWith("/api/v1/pods") ? 200 : 404, { "content-type": "application/json" });
            res.end(JSON.stringify(podList([pod])));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        fs.writeFileSync(
            path.join(dir, "kubeconfig"),
            [
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                `- { name: kwok, cluster: { server: "https://127.0.0.1:${port}", certificate-authority: ca.crt } }`,
                "users:",
                "- { name: admin, user: { client-certificate: client.crt, client-key: client.key } }",
                "contexts:",
                "- { name: kwok, context: { cluster: kwok, user: admin } }",
                "current-context: kwok",
            ].join("\n"),
        );
    });

    after(async () => {
        await sim?.stop();
        if (server) await new Promise((resolve) => server.close(resolve));
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("verifies the server against the kubeconfig's CA and presents the client certificate", async () => {
        sim = await startSimulator({ kubeconfig: path.join(dir, "kubeconfig"), listen: "127.0.0.1:0", intervalSeconds: 60, log: () => undefined });
        const targets = (await (await fetch(`http://${sim.address}/sd`)).json()) as Doc[];
        expect(targets.map((t) => t.labels.pod)).to.deep.equal(["web-7d9c6b5f4-x2x7k"]);
        expect(seen[0]).to.deep.equal({ authorized: true, subject: "simulator" });
    });
});
