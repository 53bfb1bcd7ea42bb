import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { buildDeployment } from "../../builders/deployment";
import { buildMigrationJob } from "../../builders/migration";
import { ReleaseConfig, ServiceConfig } from "../../config/types";
import { migrationValues, parse, validService, validValues } from "../helpers/fixtures";
import { Doc } from "../helpers/manifests";

export const SIMULATOR = path.join(__dirname, "..", "..", "e2e", "cluster", "simulator", "simulator.js");

/**
 * A stack with blue/green services (`provider: kubernetes`, the one the cluster suite runs) in
 * `namespace`, at `versions` (service name to version), analysis interval and alert rate window
 * 10s as in the suite, each with a migration (whose Job pods must get no scrape target).
 */
export function blueGreenConfig(namespace: string, versions: Record<string, string>): ReleaseConfig {
    const values = validValues();
    values.namespace = namespace;
    values.services = Object.fromEntries(
        Object.entries(versions).map(([name, version]) => [
            name,
            {
                ...validService(),
                version,
                canary: { provider: "kubernetes", interval: "10s", threshold: 2 },
                alerts: { rateWindow: "10s" },
                migration: migrationValues(),
            },
        ]),
    );
    return parse(values);
}

let uids = 0;

export interface PodOptions {
    /** A pod of the `<name>-primary` Deployment Flagger makes from ours. */
    primary?: boolean;
    phase?: string;
    ready?: boolean;
    restarts?: number;
    uid?: string;
    terminating?: boolean;
}

/**
 * A pod as the ReplicaSet of the program's Deployment for `s` makes it (the pod template's labels,
 * annotations and containers), or of Flagger's primary: the same template with the selector
 * label `app.kubernetes.io/name` set to `<name>-primary` (makePrimaryLabels), and its status as
 * kwok reports it.
 */
export function servicePod(s: ServiceConfig, name: string, opts: PodOptions = {}): Doc {
    const template = (buildDeployment(s, "production").spec as Doc).template;
    const labels = { ...template.metadata.labels };
    if (opts.primary) labels["app.kubernetes.io/name"] = `${s.name}-primary`;
    return podObject(s.namespace, name, labels, { ...template.metadata.annotations, "flagger-id": "abc" }, template.spec, opts);
}

/** A pod of the service's migration Job (no ports: it serves nothing). */
export function migrationPod(s: ServiceConfig, name: string, opts: PodOptions = {}): Doc {
    const template = (buildMigrationJob(s).spec as Doc).template;
    return podObject(s.namespace, name, { ...template.metadata.labels }, { ...(template.metadata.annotations ?? {}) }, template.spec, opts);
}

function podObject(namespace: string, name: string, labels: Record<string, string>, annotations: Record<string, string>, spec: Doc, opts: PodOptions): Doc {
    const phase = opts.phase ?? "Running";
    const ready = opts.ready ?? phase === "Running";
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name,
            namespace,
            uid: opts.uid ?? `uid-${++uids}`,
            labels,
            annotations,
            ...(opts.terminating ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
        },
        spec: { ...spec, nodeName: "kwok-node-0" },
        status: {
            phase,
            conditions: [
                { type: "Initialized", status: "True" },
                { type: "Ready", status: ready ? "True" : "False" },
                { type: "ContainersReady", status: ready ? "True" : "False" },
                { type: "PodScheduled", status: "True" },
            ],
            containerStatuses: (spec.containers as Doc[]).map((c) => ({ name: c.name, ready, restartCount: opts.restarts ?? 0, image: c.image })),
        },
    };
}

export function podList(pods: Doc[]): object {
    return { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items: pods };
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

export interface SimulatorProcess {
    readonly child: ChildProcess;
    readonly url: string;
    readonly address: string;
    stderr(): string;
    /** SIGTERM, and the exit code. */
    stop(): Promise<number | null>;
}

/** simulator.js as the cluster scripts start it: a child process, port chosen by the simulator. */
export async function spawnSimulator(args: string[]): Promise<SimulatorProcess> {
    const child = spawn(process.execPath, [SIMULATOR, "--listen", "127.0.0.1:0", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the simulator did not start in 10 s:\n${stderr}`)), 10_000);
        child.stderr!.setEncoding("utf8");
        child.stderr!.on("data", (chunk: string) => {
            stderr += chunk;
            const m = /listening on http:\/\/([0-9.]+:\d+)/.exec(stderr);
            if (m) {
                clearTimeout(timer);
                resolve(m[1]);
            }
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the simulator exited with ${code}:\n${stderr}`));
        });
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return {
        child,
        address,
        url: `http://${address}`,
        stderr: () => stderr,
        stop: async () => {
            process.removeListener("exit", kill);
            if (child.exitCode === null) child.kill("SIGTERM");
            const timer = setTimeout(kill, 5000);
            const code = await exited;
            clearTimeout(timer);
            return code;
        },
    };
}

export interface ScrapingPrometheus {
    readonly url: string;
    query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
    stop(): Promise<void>;
}

/** A real Prometheus on a loopback port with `config` (an empty TSDB; it scrapes what the config says). */
export async function startScrapingPrometheus(config: string): Promise<ScrapingPrometheus> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-sim-prom-"));
    fs.writeFileSync(path.join(dir, "prometheus.yml"), config);
    const port = await freePort();
    let output = "";
    const child = spawn(
        "prometheus",
        [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
        { stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => (output = (output + chunk).slice(-20_000)));
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
        try {
            if ((await fetch(`${url}/-/ready`)).ok) break;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline || child.exitCode !== null) {
            kill();
            throw new Error(`prometheus did not become ready on ${url}:\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    return {
        url,
        async query(expr: string) {
            const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
            const body = (await res.json()) as Doc;
            if (body.status !== "success") throw new Error(`${expr}: ${JSON.stringify(body)}`);
            return body.data.result;
        },
        stop: () =>
            new Promise<void>((resolve) => {
                process.removeListener("exit", kill);
                const done = () => {
                    fs.rmSync(dir, { recursive: true, force: true });
                    resolve();
                };
                if (child.exitCode !== null) return done();
                child.once("exit", done);
                child.kill("SIGTERM");
            }),
    };
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}
