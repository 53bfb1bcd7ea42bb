#!/usr/bin/env node
// @ts-check
"use strict";
/**
 * releasectl's traffic simulator for the real-cluster test suite (issue 11).
 *
 * kwok's pods are fake: no process serves anything. This process stands in for the application's
 * /metrics of every such pod. It lists the cluster's pods through the API server every
 * `--interval`, and for each Running pod that has a container port named `http` (the port the
 * program's Deployments declare; migration Job pods have none) it serves the request metrics the
 * application would export:
 *
 *   http_requests_total{code}                      counter, one series per status code seen
 *   http_request_duration_seconds_bucket{le}       histogram (with _sum and _count)
 *   app_build_info{version}                        gauge 1
 *
 * at `/pods/<namespace>/<pod>/metrics`, and lists one scrape target per pod at `/sd` for
 * Prometheus' http_sd_configs, with the target labels `namespace`, `pod` and `service`, as
 * Kubernetes service discovery plus the usual relabelling would attach them. So the series that
 * reach Prometheus are `http_requests_total{namespace,pod,service,code,job,instance}` and so on,
 * what the program's MetricTemplates (builders/canary.ts) and alert expressions (builders/promql.ts)
 * select on.
 *
 * Traffic: while a pod is Ready and not terminating, it receives `rps` requests per second, of
 * which the share `errorRate` answers `errorCode` (500) and the rest `successCode` (200); the
 * request durations follow a distribution whose p99, as histogram_quantile(0.99, ...) reads it off
 * the histogram's buckets, is exactly `latencyMs` (see latencyDistribution). These are set per
 * service and version by the test (PUT /behaviour, or --behaviour FILE). Counters advance in real
 * time and continuously (fractional values, so rates are exact and noiseless), start at 0 when the
 * simulator first sees a pod, and start again at 0 when the pod's containers restart or a pod of
 * the same name has a new UID, as a restarted process' counters do.
 *
 * Plain JavaScript with Node built-ins and the repository's `yaml` dependency, so it runs with
 * `node` and no build step. `node simulator.js --help` lists the flags.
 */

const fs = require("fs");
const http = require("http");
const https = require("https");
const path = require("path");
const { performance } = require("perf_hooks");
const YAML = require("yaml");

/** client_golang's and prom-client's default buckets (prometheus.DefBuckets), in seconds. */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What a pod does when the behaviour names neither its service nor its version: healthy. */
const DEFAULT_BEHAVIOUR = Object.freeze({ rps: 10, errorRate: 0, latencyMs: 50, errorCode: "500", successCode: "200" });

const BEHAVIOUR_KEYS = Object.keys(DEFAULT_BEHAVIOUR);

/**
 * The metric and label names, as `alerts.metrics` defaults them (config/defaults.ts).
 * @typedef {{ requestsTotal: string, durationBucket: string, statusLabel: string }} MetricNames
 * @type {Readonly<MetricNames>}
 */
const DEFAULT_METRICS = Object.freeze({
    requestsTotal: "http_requests_total",
    durationBucket: "http_request_duration_seconds_bucket",
    statusLabel: "code",
});

const VERSION_ANNOTATION = "releasectl.dev/version";
const VERSION_LABEL = "app.kubernetes.io/version";
/** Flagger rewrites only the selector label (app.kubernetes.io/name) on the primary's pods; instance stays the service. */
const SERVICE_LABEL = "app.kubernetes.io/instance";
const NAME_LABEL = "app.kubernetes.io/name";

/** @param {string} message */
function log(message) {
    process.stderr.write(`simulator: ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Durations

/**
 * Seconds in a duration such as `2s`, `500ms`, `1m` or a bare number of seconds.
 * @param {string | number} text
 * @returns {number}
 */
function parseDuration(text) {
    if (typeof text === "number") return text;
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text).trim());
    if (!m) throw new Error(`not a duration: ${text} (write 2s, 500ms or 1m)`);
    const n = Number(m[1]);
    return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
}

// ---------------------------------------------------------------------------------------------
// Kubeconfig and the API server

/**
 * @typedef {object} KubeConnection
 * @property {URL} server
 * @property {Buffer | undefined} ca
 * @property {Buffer | undefined} cert
 * @property {Buffer | undefined} key
 * @property {string | undefined} token
 * @property {boolean} insecure
 * @property {string | undefined} servername
 */

/**
 * The connection the kubeconfig's current context (or `contextName`) describes: the server, its
 * CA, a client certificate and key or a bearer token. File paths in it are relative to the
 * kubeconfig's directory, as kubectl reads them.
 * @param {string} file
 * @param {string} [contextName]
 * @returns {KubeConnection}
 */
function loadKubeconfig(file, contextName) {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const dir = path.dirname(path.resolve(file));
    const name = contextName ?? doc["current-context"];
    const find = (/** @type {string} */ list, /** @type {string} */ wanted) => {
        const entry = (doc[list] ?? []).find((/** @type {any} */ e) => e && e.name === wanted);
        if (!entry) throw new Error(`${file}: no ${list.replace(/s$/, "")} named ${JSON.stringify(wanted)}`);
        return entry;
    };
    if (!name) throw new Error(`${file}: no current-context (pass --context)`);
    const context = find("contexts", name).context ?? {};
    const cluster = find("clusters", context.cluster).cluster ?? {};
    const user = context.user ? (find("users", context.user).user ?? {}) : {};
    const material = (/** @type {any} */ data, /** @type {any} */ filePath) => {
        if (data) return Buffer.from(String(data), "base64");
        if (filePath) return fs.readFileSync(path.resolve(dir, String(filePath)));
        return undefined;
    };
    if (!cluster.server) throw new Error(`${file}: cluster ${context.cluster} has no server`);
    let token = user.token ? String(user.token) : undefined;
    if (!token && user.tokenFile) token = fs.readFileSync(path.resolve(dir, String(user.tokenFile)), "utf8").trim();
    return {
        server: new URL(String(cluster.server)),
        ca: material(cluster["certificate-authority-data"], cluster["certificate-authority"]),
        cert: material(user["client-certificate-data"], user["client-certificate"]),
        key: material(user["client-key-data"], user["client-key"]),
        token,
        insecure: cluster["insecure-skip-tls-verify"] === true,
        servername: cluster["tls-server-name"] ? String(cluster["tls-server-name"]) : undefined,
    };
}

/**
 * GET `apiPath` (with query) from the API server, as JSON.
 * @param {KubeConnection} conn
 * @param {string} apiPath
 * @returns {Promise<any>}
 */
function kubeGet(conn, apiPath) {
    const base = conn.server.pathname.replace(/\/+$/, "");
    const target = new URL(conn.server.origin + base + apiPath);
    const secure = target.protocol === "https:";
    /** @type {https.RequestOptions} */
    const options = {
        method: "GET",
        headers: { accept: "application/json", ...(conn.token ? { authorization: `Bearer ${conn.token}` } : {}) },
        timeout: 10_000,
    };
    if (secure) {
        Object.assign(options, {
            ca: conn.ca,
            cert: conn.cert,
            key: conn.key,
            rejectUnauthorized: !conn.insecure,
            ...(conn.servername ? { servername: conn.servername } : {}),
        });
    }
    return new Promise((resolve, reject) => {
        const req = (secure ? https : http).request(target, options, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => {
                if (res.statusCode !== 200) return reject(new Error(`GET ${apiPath}: HTTP ${res.statusCode} ${body.slice(0, 300)}`));
                try {
                    resolve(JSON.parse(body));
                } catch (e) {
                    reject(new Error(`GET ${apiPath}: not JSON: ${/** @type {Error} */ (e).message}`));
                }
            });
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${apiPath}: no answer in 10 s`)));
        req.on("error", reject);
        req.end();
    });
}

/**
 * Every pod of the cluster (or of `namespaces`), following `continue` tokens.
 * @param {KubeConnection} conn
 * @param {readonly string[]} namespaces
 * @returns {Promise<any[]>}
 */
async function listPods(conn, namespaces) {
    const paths = namespaces.length === 0 ? ["/api/v1/pods"] : namespaces.map((ns) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`);
    const pods = [];
    for (const p of paths) {
        let token = "";
        do {
            const list = await kubeGet(conn, `${p}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ""}`);
            pods.push(...(list.items ?? []));
            token = list.metadata?.continue ?? "";
        } while (token);
    }
    return pods;
}

/**
 * @typedef {object} PodView
 * @property {string} uid
 * @property {string} namespace
 * @property {string} name
 * @property {string} service
 * @property {string} version       exact version (the releasectl.dev/version annotation) or the label value
 * @property {string} versionLabel  app.kubernetes.io/version
 * @property {boolean} ready        Ready and not terminating: receives traffic
 * @property {number} restarts      sum of the containers' restartCount
 */

/**
 * What the simulator needs of a pod, or undefined when the pod serves no metrics: not Running,
 * or no container port named `portName`.
 * @param {any} pod
 * @param {string} portName
 * @returns {PodView | undefined}
 */
function podView(pod, portName) {
    const meta = pod?.metadata ?? {};
    if (pod?.status?.phase !== "Running") return undefined;
    const containers = pod.spec?.containers ?? [];
    if (!containers.some((/** @type {any} */ c) => (c.ports ?? []).some((/** @type {any} */ p) => p.name === portName))) return undefined;
    const labels = meta.labels ?? {};
    const annotations = meta.annotations ?? {};
    const versionLabel = labels[VERSION_LABEL] ?? "";
    const conditions = pod.status.conditions ?? [];
    const ready = conditions.some((/** @type {any} */ c) => c.type === "Ready" && c.status === "True") && !meta.deletionTimestamp;
    const restarts = (pod.status.containerStatuses ?? []).reduce((/** @type {number} */ n, /** @type {any} */ c) => n + (c.restartCount ?? 0), 0);
    return {
        uid: meta.uid ?? `${meta.namespace}/${meta.name}`,
        namespace: meta.namespace ?? "default",
        name: meta.name,
        service: labels[SERVICE_LABEL] ?? String(labels[NAME_LABEL] ?? meta.name).replace(/-primary$/, ""),
        version: annotations[VERSION_ANNOTATION] ?? versionLabel,
        versionLabel,
        ready,
        restarts,
    };
}

// ---------------------------------------------------------------------------------------------
// Behaviour

/**
 * @typedef {{ rps: number, errorRate: number, latencyMs: number, errorCode: string, successCode: string }} Behaviour
 * @typedef {Record<string, Record<string, Partial<Behaviour>>>} BehaviourDoc
 *   `{ "<service>" | "<namespace>/<service>" | "*": { "<version>" | "*": { rps?, errorRate?, latencyMs?, errorCode?, successCode? } } }`
 */

/**
 * The document, checked; throws with the offending key.
 * @param {unknown} doc
 * @returns {BehaviourDoc}
 */
function validateBehaviour(doc) {
    const isMap = (/** @type {unknown} */ v) => typeof v === "object" && v !== null && !Array.isArray(v);
    if (!isMap(doc)) throw new Error('behaviour must be an object: { "<service>": { "<version>": { "errorRate": 0.05, "latencyMs": 800 } } }');
    for (const [service, versions] of Object.entries(/** @type {object} */ (doc))) {
        if (!isMap(versions)) throw new Error(`behaviour.${service} must be an object of versions ("*" for every version)`);
        for (const [version, b] of Object.entries(versions)) {
            const at = `behaviour.${service}.${version}`;
            if (!isMap(b)) throw new Error(`${at} must be an object`);
            for (const [key, value] of Object.entries(b)) {
                if (!BEHAVIOUR_KEYS.includes(key)) throw new Error(`${at}.${key} is not one of ${BEHAVIOUR_KEYS.join(", ")}`);
                if (key === "errorCode" || key === "successCode") {
                    if (!/^[1-5][0-9][0-9]$/.test(String(value))) throw new Error(`${at}.${key} must be an HTTP status code, got ${JSON.stringify(value)}`);
                } else if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
                    throw new Error(`${at}.${key} must be a number >= 0, got ${JSON.stringify(value)}`);
                } else if (key === "errorRate" && value > 1) {
                    throw new Error(`${at}.errorRate is a share of requests between 0 and 1, got ${value}`);
                } else if (key === "latencyMs" && value === 0) {
                    throw new Error(`${at}.latencyMs must be above 0`);
                }
            }
        }
    }
    return /** @type {BehaviourDoc} */ (doc);
}

/**
 * The behaviour of one pod: the defaults, overlaid field by field with the entries for any
 * service ("*"), then the service, then `<namespace>/<service>`; within each, version "*" and then
 * the exact version (or the version's label value).
 * @param {BehaviourDoc} doc
 * @param {{ namespace: string, service: string, version: string, versionLabel: string }} pod
 * @returns {Behaviour}
 */
function resolveBehaviour(doc, pod) {
    /** @type {Behaviour} */
    const result = { ...DEFAULT_BEHAVIOUR };
    for (const serviceKey of ["*", pod.service, `${pod.namespace}/${pod.service}`]) {
        const versions = doc[serviceKey];
        if (!versions) continue;
        const exact = versions[pod.version] ?? versions[pod.versionLabel];
        for (const b of [versions["*"], exact]) if (b) Object.assign(result, b);
    }
    result.errorCode = String(result.errorCode);
    result.successCode = String(result.successCode);
    return result;
}

// ---------------------------------------------------------------------------------------------
// Latency

/**
 * How requests spread over the histogram's buckets so that histogram_quantile(`quantile`, ...)
 * reads exactly `latencyMs`: Prometheus interpolates linearly inside a bucket, so the durations
 * are uniform within each bucket (a CDF linear between bucket bounds), and the bucket that holds
 * `latencyMs` gets the share that puts the quantile there. For 50 ms with the default buckets:
 * 99 % of requests in (25 ms, 50 ms], 1 % in (50 ms, 100 ms]. For 800 ms: 97.5 % in
 * (250 ms, 500 ms], 2.5 % in (500 ms, 1 s]. Exact down to 0.99 times the first bucket bound (a
 * lower latency reads as that) and up to the last bound (above it, every request lands in +Inf
 * and histogram_quantile returns the last bound).
 * @param {number} latencyMs
 * @param {readonly number[]} buckets ascending upper bounds in seconds, without +Inf
 * @param {number} [quantile]
 * @returns {{ shares: number[], meanSeconds: number }} shares[i] for (bucket[i-1], bucket[i]], shares[n] for +Inf
 */
function latencyDistribution(latencyMs, buckets, quantile = 0.99) {
    const n = buckets.length;
    const shares = new Array(n + 1).fill(0);
    const L = latencyMs / 1000;
    const lower = (/** @type {number} */ i) => (i === 0 ? 0 : buckets[i - 1]);
    const mid = (/** @type {number} */ i) => (i === n ? Math.max(L, buckets[n - 1] ?? L) : (lower(i) + buckets[i]) / 2);
    const k = buckets.findIndex((b) => L <= b);
    if (k === -1) {
        shares[n] = 1;
    } else {
        const t = (L - lower(k)) / (buckets[k] - lower(k)); // where L sits in its bucket, (0, 1]
        // F(lower) = below, F(upper) = upTo, linear in between, F(L) = quantile.
        let below;
        let upTo;
        if (k === 0) {
            below = 0;
            upTo = Math.min(1, quantile / t);
        } else if (t <= quantile) {
            upTo = 1;
            below = (quantile - t) / (1 - t);
        } else {
            below = 0;
            upTo = quantile / t;
        }
        if (k > 0) shares[k - 1] = below;
        shares[k] = upTo - below;
        shares[k + 1] += 1 - upTo; // the next bucket, or +Inf after the last
    }
    const meanSeconds = shares.reduce((sum, share, i) => sum + share * mid(i), 0);
    return { shares, meanSeconds };
}

// ---------------------------------------------------------------------------------------------
// One pod's counters

class PodCounters {
    /**
     * @param {number} now seconds (monotonic)
     * @param {number} bucketCount
     */
    constructor(now, bucketCount) {
        this.updated = now;
        /** @type {Map<string, number>} requests by status code */
        this.requests = new Map();
        this.count = 0;
        this.sum = 0;
        /** requests per bucket interval (not cumulative); the last is +Inf */
        this.perBucket = new Array(bucketCount + 1).fill(0);
    }

    /**
     * Requests from the last update until `now`, as `behaviour` answers them (none unless ready).
     * @param {number} now
     * @param {Behaviour} behaviour
     * @param {boolean} ready
     * @param {readonly number[]} buckets
     */
    advance(now, behaviour, ready, buckets) {
        const dt = now - this.updated;
        this.updated = now;
        if (!ready || dt <= 0 || behaviour.rps === 0) return;
        const n = behaviour.rps * dt;
        const errors = n * behaviour.errorRate;
        if (errors > 0) this.requests.set(behaviour.errorCode, (this.requests.get(behaviour.errorCode) ?? 0) + errors);
        if (n - errors > 0) this.requests.set(behaviour.successCode, (this.requests.get(behaviour.successCode) ?? 0) + (n - errors));
        const { shares, meanSeconds } = latencyDistribution(behaviour.latencyMs, buckets);
        shares.forEach((share, i) => (this.perBucket[i] += n * share));
        this.count += n;
        this.sum += n * meanSeconds;
    }
}

/** @param {number} v */
function num(v) {
    // Enough digits that rate() over a few seconds is exact; no exponent for ordinary values.
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
}

/** @param {string} v */
function labelValue(v) {
    return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** @param {number} le */
function leLabel(le) {
    return Number.isInteger(le) ? `${le}.0` : String(le);
}

// ---------------------------------------------------------------------------------------------
// The simulator

/**
 * @typedef {object} SimulatorOptions
 * @property {string} kubeconfig
 * @property {string} [context]
 * @property {string} [listen]           host:port, default 127.0.0.1:9464 (port 0: any free port)
 * @property {string} [behaviourFile]
 * @property {BehaviourDoc} [behaviour]  initial behaviour (after the file's)
 * @property {number} [intervalSeconds]  pod list period, default 2
 * @property {string[]} [namespaces]     only these namespaces (default all)
 * @property {string} [portName]         container port that marks a serving pod, default http
 * @property {Partial<MetricNames>} [metrics]
 * @property {number[]} [buckets]
 * @property {(line: string) => void} [log]  where log lines go (default stderr, prefixed "simulator: ")
 */

class Simulator {
    /** @param {SimulatorOptions} options */
    constructor(options) {
        this.options = options;
        this.log = options.log ?? log;
        this.conn = loadKubeconfig(options.kubeconfig, options.context);
        this.intervalMs = Math.max(100, Math.round((options.intervalSeconds ?? 2) * 1000));
        this.portName = options.portName ?? "http";
        this.namespaces = options.namespaces ?? [];
        this.metrics = { ...DEFAULT_METRICS, ...(options.metrics ?? {}) };
        if (!/_bucket$/.test(this.metrics.durationBucket)) throw new Error(`the duration metric must end in _bucket: ${this.metrics.durationBucket}`);
        this.histogram = this.metrics.durationBucket.replace(/_bucket$/, "");
        this.buckets = [...(options.buckets ?? DEFAULT_BUCKETS)].sort((a, b) => a - b);
        /** @type {BehaviourDoc} */
        this.behaviour = {};
        if (options.behaviourFile) this.behaviour = validateBehaviour(JSON.parse(fs.readFileSync(options.behaviourFile, "utf8")));
        if (options.behaviour) this.behaviour = validateBehaviour({ ...this.behaviour, ...options.behaviour });
        /** @type {Map<string, { view: PodView, counters: PodCounters }>} by namespace/name */
        this.pods = new Map();
        this.polls = 0;
        this.pollErrors = 0;
        /** @type {{ at: string, path: string, body: unknown }[]} webhook calls to /loadtester/ */
        this.loadTesterCalls = [];
        this.lastPollError = "";
        this.lastPollSuccess = 0;
        /** @type {NodeJS.Timeout | undefined} */
        this.timer = undefined;
        this.stopped = false;
        this.server = http.createServer((req, res) => this.handle(req, res));
        this.address = "";
    }

    now() {
        return performance.now() / 1000;
    }

    /** Listens, lists the pods once, and keeps listing them every interval. */
    async start() {
        const [host, portText] = splitHostPort(this.options.listen ?? "127.0.0.1:9464");
        await new Promise((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(Number(portText), host, () => resolve(undefined));
        });
        const addr = /** @type {import("net").AddressInfo} */ (this.server.address());
        this.address = `${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
        await this.poll();
        // After the first pod list, so that a script that waits for this line finds /sd filled.
        this.log(
            `listening on http://${this.address} (targets at /sd, behaviour at /behaviour), API server ${this.conn.server.origin}: ` +
                (this.polls > 0 ? `${this.pods.size} serving pods` : "pods not listed yet, /healthz answers 503 until they are"),
        );
        const loop = async () => {
            if (this.stopped) return;
            await this.poll();
            if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
        };
        this.timer = setTimeout(loop, this.intervalMs);
        return this;
    }

    async stop() {
        this.stopped = true;
        if (this.timer) clearTimeout(this.timer);
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(() => resolve(undefined)));
    }

    /** @param {PodView} view */
    behaviourOf(view) {
        return resolveBehaviour(this.behaviour, view);
    }

    /** Brings every pod's counters up to now under the behaviour and readiness in force until now. */
    advanceAll() {
        const now = this.now();
        for (const pod of this.pods.values()) pod.counters.advance(now, this.behaviourOf(pod.view), pod.view.ready, this.buckets);
    }

    async poll() {
        let items;
        try {
            items = await listPods(this.conn, this.namespaces);
        } catch (e) {
            this.pollErrors++;
            const message = /** @type {Error} */ (e).message;
            // The last known pods keep serving; one line per distinct error.
            if (message !== this.lastPollError) this.log(`listing pods failed (keeping the last known pods): ${message}`);
            this.lastPollError = message;
            return;
        }
        if (this.lastPollError) this.log("listing pods works again");
        this.lastPollError = "";
        this.polls++;
        this.lastPollSuccess = Date.now() / 1000;
        const now = this.now();
        const seen = new Set();
        for (const item of items) {
            const view = podView(item, this.portName);
            if (!view) continue;
            const key = `${view.namespace}/${view.name}`;
            seen.add(key);
            const known = this.pods.get(key);
            if (!known) {
                this.pods.set(key, { view, counters: new PodCounters(now, this.buckets.length) });
                this.log(`pod ${key} (service ${view.service}, version ${view.version || "?"}${view.ready ? "" : ", not ready"}) serves metrics from 0`);
                continue;
            }
            if (known.view.uid !== view.uid || view.restarts > known.view.restarts) {
                this.log(`pod ${key} ${known.view.uid !== view.uid ? "was replaced (new UID)" : `restarted (restarts ${view.restarts})`}: its counters start again at 0`);
                this.pods.set(key, { view, counters: new PodCounters(now, this.buckets.length) });
                continue;
            }
            // Requests until now were served in the old state.
            known.counters.advance(now, this.behaviourOf(known.view), known.view.ready, this.buckets);
            if (known.view.ready !== view.ready) this.log(`pod ${key} is ${view.ready ? "ready: receives traffic" : "not ready or terminating: no traffic"}`);
            known.view = view;
        }
        for (const key of [...this.pods.keys()]) {
            if (!seen.has(key)) {
                this.pods.delete(key);
                this.log(`pod ${key} is gone (or no longer Running): its target is removed`);
            }
        }
    }

    /** @param {BehaviourDoc} doc */
    setBehaviour(doc) {
        this.advanceAll();
        this.behaviour = doc;
        this.log(`behaviour: ${JSON.stringify(doc)}`);
    }

    /** http_sd targets: one per pod. */
    targets() {
        return [...this.pods.values()].map(({ view }) => ({
            targets: [this.address],
            labels: {
                __metrics_path__: `/pods/${encodeURIComponent(view.namespace)}/${encodeURIComponent(view.name)}/metrics`,
                namespace: view.namespace,
                pod: view.name,
                service: view.service,
            },
        }));
    }

    /**
     * The pod's /metrics, in the Prometheus text format 0.0.4.
     * @param {{ view: PodView, counters: PodCounters }} pod
     */
    exposition(pod) {
        const { view, counters } = pod;
        counters.advance(this.now(), this.behaviourOf(view), view.ready, this.buckets);
        const m = this.metrics;
        const lines = [];
        lines.push(`# HELP ${m.requestsTotal} HTTP requests served, by status code.`, `# TYPE ${m.requestsTotal} counter`);
        for (const code of [...counters.requests.keys()].sort()) {
            lines.push(`${m.requestsTotal}{${m.statusLabel}="${labelValue(code)}"} ${num(/** @type {number} */ (counters.requests.get(code)))}`);
        }
        const h = this.histogram;
        lines.push(`# HELP ${h} HTTP request duration in seconds.`, `# TYPE ${h} histogram`);
        let cumulative = 0;
        this.buckets.forEach((le, i) => {
            cumulative += counters.perBucket[i];
            lines.push(`${h}_bucket{le="${leLabel(le)}"} ${num(Math.min(cumulative, counters.count))}`);
        });
        lines.push(`${h}_bucket{le="+Inf"} ${num(counters.count)}`, `${h}_sum ${num(counters.sum)}`, `${h}_count ${num(counters.count)}`);
        lines.push("# HELP app_build_info The version this pod runs.", "# TYPE app_build_info gauge", `app_build_info{version="${labelValue(view.version)}"} 1`);
        return `${lines.join("\n")}\n`;
    }

    /** The simulator's own metrics. */
    selfMetrics() {
        const ready = [...this.pods.values()].filter((p) => p.view.ready).length;
        return [
            "# TYPE releasectl_simulator_pods gauge",
            `releasectl_simulator_pods{state="ready"} ${ready}`,
            `releasectl_simulator_pods{state="not_ready"} ${this.pods.size - ready}`,
            "# TYPE releasectl_simulator_pod_lists_total counter",
            `releasectl_simulator_pod_lists_total ${this.polls}`,
            "# TYPE releasectl_simulator_pod_list_errors_total counter",
            `releasectl_simulator_pod_list_errors_total ${this.pollErrors}`,
            "# TYPE releasectl_simulator_last_pod_list_timestamp_seconds gauge",
            `releasectl_simulator_last_pod_list_timestamp_seconds ${this.lastPollSuccess}`,
            "",
        ].join("\n");
    }

    /**
     * @param {http.IncomingMessage} req
     * @param {http.ServerResponse} res
     */
    handle(req, res) {
        const send = (/** @type {number} */ status, /** @type {string} */ body, type = "text/plain; charset=utf-8") => {
            res.writeHead(status, { "content-type": type });
            res.end(body);
        };
        const json = (/** @type {number} */ status, /** @type {unknown} */ value) => send(status, `${JSON.stringify(value, null, 2)}\n`, "application/json");
        const url = new URL(req.url ?? "/", "http://simulator");
        const method = req.method ?? "GET";
        const podPath = /^\/pods\/([^/]+)\/([^/]+)\/metrics$/.exec(url.pathname);
        if (method === "GET" && podPath) {
            const pod = this.pods.get(`${decodeURIComponent(podPath[1])}/${decodeURIComponent(podPath[2])}`);
            if (!pod) return send(404, "no such pod, or it is not Running\n");
            return send(200, this.exposition(pod), "text/plain; version=0.0.4; charset=utf-8");
        }
        if (method === "GET" && url.pathname === "/sd") return json(200, this.targets());
        if (method === "GET" && url.pathname === "/pods") {
            this.advanceAll();
            return json(
                200,
                [...this.pods.values()].map(({ view, counters }) => ({
                    ...view,
                    behaviour: this.behaviourOf(view),
                    requests: Object.fromEntries(counters.requests),
                    count: counters.count,
                })),
            );
        }
        if (method === "GET" && url.pathname === "/behaviour") return json(200, this.behaviour);
        if ((method === "PUT" || method === "PATCH") && url.pathname === "/behaviour") {
            let body = "";
            req.setEncoding("utf8");
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                try {
                    const doc = validateBehaviour(JSON.parse(body));
                    if (method === "PUT") {
                        this.setBehaviour(doc);
                    } else {
                        /** @type {BehaviourDoc} */
                        const merged = JSON.parse(JSON.stringify(this.behaviour));
                        for (const [service, versions] of Object.entries(doc)) {
                            merged[service] = merged[service] ?? {};
                            for (const [version, b] of Object.entries(versions)) merged[service][version] = { ...(merged[service][version] ?? {}), ...b };
                        }
                        this.setBehaviour(merged);
                    }
                    json(200, this.behaviour);
                } catch (e) {
                    send(400, `${/** @type {Error} */ (e).message}\n`);
                }
            });
            return;
        }
        // Stand-in for flagger-loadtester: the Canary's smoke-test (pre-rollout) and load-test
        // (rollout) webhooks POST here when the test stack sets canary.loadTesterUrl to
        // http://<listen>/loadtester/; it answers 200 (the check passes) and records the call. The
        // traffic itself is the simulator's, whatever the command in the metadata says.
        if (method === "POST" && (url.pathname === "/loadtester" || url.pathname.startsWith("/loadtester/"))) {
            let body = "";
            req.setEncoding("utf8");
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                /** @type {unknown} */
                let parsed = body;
                try {
                    parsed = JSON.parse(body);
                } catch {
                    // kept as text
                }
                this.loadTesterCalls.push({ at: new Date().toISOString(), path: url.pathname, body: parsed });
                if (this.loadTesterCalls.length > 1000) this.loadTesterCalls.shift();
                const p = /** @type {any} */ (parsed);
                this.log(`load tester: ${p?.metadata?.type ?? "webhook"} ${p?.name ?? ""} ${p?.namespace ?? ""} ${p?.phase ?? ""}`.replace(/\s+/g, " ").trim());
                send(200, "ok\n");
            });
            return;
        }
        if (method === "GET" && url.pathname === "/loadtester") return json(200, this.loadTesterCalls);
        if (method === "GET" && url.pathname === "/metrics") return send(200, this.selfMetrics(), "text/plain; version=0.0.4; charset=utf-8");
        if (method === "GET" && url.pathname === "/healthz") {
            return this.polls > 0 ? send(200, "ok\n") : send(503, `no pod list yet${this.lastPollError ? `: ${this.lastPollError}` : ""}\n`);
        }
        send(404, "not found: GET /sd, /pods, /pods/<namespace>/<pod>/metrics, /behaviour, /loadtester, /metrics, /healthz; PUT or PATCH /behaviour; POST /loadtester/\n");
    }
}

/**
 * @param {string} text
 * @returns {[string, string]}
 */
function splitHostPort(text) {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
    if (!m) throw new Error(`--listen takes host:port, such as 127.0.0.1:9464: ${text}`);
    return [m[1] ?? m[2], m[3]];
}

/**
 * Starts a simulator in this process.
 * @param {SimulatorOptions} options
 */
async function startSimulator(options) {
    return new Simulator(options).start();
}

// ---------------------------------------------------------------------------------------------
// Prometheus configuration

const TEMPLATE = path.join(__dirname, "prometheus.yml.tmpl");

/**
 * The Prometheus configuration that scrapes the simulator at `simulator` (host:port), from
 * prometheus.yml.tmpl. `scrapeInterval` must leave at least two samples in the shortest rate
 * window the queries use (`{{ interval }}` of the Canary's analysis): 1s or 2s for a 10s interval.
 * @param {{ simulator: string, scrapeInterval?: string, sdRefreshInterval?: string, evaluationInterval?: string }} opts
 * @returns {string}
 */
function prometheusConfig(opts) {
    const scrape = opts.scrapeInterval ?? "1s";
    const values = {
        SIMULATOR: opts.simulator,
        SCRAPE_INTERVAL: scrape,
        SD_REFRESH_INTERVAL: opts.sdRefreshInterval ?? scrape,
        EVALUATION_INTERVAL: opts.evaluationInterval ?? scrape,
    };
    return fs.readFileSync(TEMPLATE, "utf8").replace(/@([A-Z_]+)@/g, (whole, key) => {
        const value = /** @type {Record<string, string>} */ (values)[key];
        if (value === undefined) throw new Error(`prometheus.yml.tmpl: unknown placeholder ${whole}`);
        return value;
    });
}

// ---------------------------------------------------------------------------------------------
// Command line

const USAGE = `usage: node e2e/cluster/simulator/simulator.js --kubeconfig PATH [options]

  --kubeconfig PATH        kubeconfig of the cluster (default $KUBECONFIG); client certificate,
                           bearer token and the CA are taken from its current context
  --context NAME           another context of the kubeconfig
  --listen HOST:PORT       where to serve (default 127.0.0.1:9464; port 0 picks a free port,
                           printed on stderr as "listening on http://HOST:PORT")
  --behaviour FILE         JSON: { "<service>": { "<version>": { "rps": 10, "errorRate": 0.2,
                           "latencyMs": 800 } } }; "*" matches any service or version; SIGHUP
                           reads it again
  --interval DURATION      how often to list the pods (default 2s)
  --namespace NS           only pods of NS (repeatable; default all namespaces)
  --port-name NAME         container port that marks a serving pod (default http)
  --requests-metric NAME   default http_requests_total
  --duration-metric NAME   histogram bucket series, default http_request_duration_seconds_bucket
  --status-label NAME      default code
  --buckets LIST           histogram bounds in seconds, default ${DEFAULT_BUCKETS.join(",")}
  --print-prometheus-config [--scrape-interval 1s]
                           print the Prometheus configuration that scrapes --listen, and exit
`;

/**
 * @param {string[]} argv
 */
function parseArgs(argv) {
    /** @type {Record<string, string | string[] | boolean>} */
    const flags = {};
    const repeatable = new Set(["namespace"]);
    const booleans = new Set(["print-prometheus-config", "help"]);
    const known = new Set([
        "kubeconfig",
        "context",
        "listen",
        "behaviour",
        "interval",
        "namespace",
        "port-name",
        "requests-metric",
        "duration-metric",
        "status-label",
        "buckets",
        "scrape-interval",
        ...booleans,
    ]);
    for (let i = 0; i < argv.length; i++) {
        const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
        if (!m || !known.has(m[1])) throw new Error(`unknown argument ${argv[i]}\n\n${USAGE}`);
        const name = m[1];
        if (booleans.has(name)) {
            flags[name] = true;
            continue;
        }
        const value = m[2] ?? argv[++i];
        if (value === undefined) throw new Error(`--${name} needs a value`);
        if (repeatable.has(name)) flags[name] = [...(/** @type {string[]} */ (flags[name]) ?? []), value];
        else flags[name] = value;
    }
    return flags;
}

async function main() {
    let flags;
    try {
        flags = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${/** @type {Error} */ (e).message}\n`);
        process.exit(2);
    }
    if (flags.help) {
        process.stdout.write(USAGE);
        return;
    }
    const str = (/** @type {string} */ name) => (typeof flags[name] === "string" ? /** @type {string} */ (flags[name]) : undefined);
    const listen = str("listen") ?? process.env.SIMULATOR_LISTEN ?? "127.0.0.1:9464";
    if (flags["print-prometheus-config"]) {
        process.stdout.write(prometheusConfig({ simulator: listen, scrapeInterval: str("scrape-interval") }));
        return;
    }
    const kubeconfig = str("kubeconfig") ?? (process.env.KUBECONFIG ?? "").split(path.delimiter)[0];
    if (!kubeconfig) {
        process.stderr.write(`--kubeconfig (or KUBECONFIG) is required\n\n${USAGE}`);
        process.exit(2);
    }
    const behaviourFile = str("behaviour") ?? process.env.SIMULATOR_BEHAVIOUR;
    /** @type {Simulator | undefined} */
    let simulator;
    const shutdown = (/** @type {string} */ signal) => {
        log(`${signal}: stopping`);
        if (!simulator) process.exit(0);
        simulator.stop().then(() => process.exit(0));
        setTimeout(() => process.exit(0), 2000).unref();
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
    try {
        simulator = await startSimulator({
            kubeconfig,
            context: str("context"),
            listen,
            behaviourFile,
            intervalSeconds: parseDuration(str("interval") ?? "2s"),
            namespaces: /** @type {string[] | undefined} */ (flags.namespace),
            portName: str("port-name"),
            metrics: {
                ...(str("requests-metric") ? { requestsTotal: str("requests-metric") } : {}),
                ...(str("duration-metric") ? { durationBucket: str("duration-metric") } : {}),
                ...(str("status-label") ? { statusLabel: str("status-label") } : {}),
            },
            buckets: str("buckets")
                ? /** @type {string} */ (str("buckets")).split(",").map((b) => {
                      const v = Number(b);
                      if (!Number.isFinite(v) || v <= 0) throw new Error(`--buckets: not a bound in seconds: ${b}`);
                      return v;
                  })
                : undefined,
        });
    } catch (e) {
        log(`cannot start: ${/** @type {Error} */ (e).message}`);
        process.exit(1);
    }
    const running = simulator;
    process.on("SIGHUP", () => {
        if (!behaviourFile) return log("SIGHUP: no --behaviour file to read again");
        try {
            running.setBehaviour(validateBehaviour(JSON.parse(fs.readFileSync(behaviourFile, "utf8"))));
        } catch (e) {
            log(`SIGHUP: ${behaviourFile} not applied: ${/** @type {Error} */ (e).message}`);
        }
    });
}

module.exports = {
    DEFAULT_BUCKETS,
    DEFAULT_BEHAVIOUR,
    DEFAULT_METRICS,
    Simulator,
    startSimulator,
    prometheusConfig,
    latencyDistribution,
    resolveBehaviour,
    validateBehaviour,
    loadKubeconfig,
    podView,
    parseDuration,
};

if (require.main === module) main();
