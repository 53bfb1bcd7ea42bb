import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * What the cluster suite reads the cluster with: the built kubectl (on PATH through
 * `npm run cluster:exec`), the simulator's control endpoint and a loopback webhook. Everything
 * here runs inside the cluster's network namespace, where 127.0.0.1 is the only address.
 */

export const SIMULATOR = "http://127.0.0.1:9464";
export const PROMETHEUS = "http://127.0.0.1:9090";
export const CONTEXT = "releasectl";
export const NS = "shop";

/** Fails clearly when the suite is not run through `npm run test:cluster` (or cluster:exec). */
export function requireCluster(): void {
    if (!process.env.KUBECONFIG) {
        throw new Error("KUBECONFIG is not set: run the suite with npm run test:cluster (it starts the cluster), or npm run cluster:up and then npm run cluster:exec -- npx mocha ...");
    }
    const version = spawnSync("kubectl", ["version", "-o", "json"], { encoding: "utf8" });
    if (version.status !== 0) throw new Error(`the cluster does not answer (kubectl version): ${version.stderr}`);
}

export function kubectl(args: readonly string[], input?: string): { code: number; stdout: string; stderr: string } {
    const result = spawnSync("kubectl", ["--context", CONTEXT, ...args], { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
    return { code: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** The object as the API server returns it, or undefined when it does not exist. */
export function get(kind: string, name: string, namespace = NS): any | undefined {
    const result = kubectl(["get", kind, name, "-n", namespace, "-o", "json"]);
    if (result.code !== 0) {
        if (/NotFound|not found/.test(result.stderr)) return undefined;
        throw new Error(`kubectl get ${kind} ${name}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout);
}

export function list(kind: string, namespace = NS, selector?: string): any[] {
    const result = kubectl(["get", kind, "-n", namespace, "-o", "json", ...(selector ? ["-l", selector] : [])]);
    if (result.code !== 0) throw new Error(`kubectl get ${kind}: ${result.stderr}`);
    return JSON.parse(result.stdout).items;
}

export function condition(object: any, type: string): string | undefined {
    return (object?.status?.conditions ?? []).find((c: { type: string }) => c.type === type)?.status;
}

/** The version the Deployment's pod template runs (the image tag). */
export function imageVersion(deployment: any): string | undefined {
    const image: string | undefined = deployment?.spec?.template?.spec?.containers?.[0]?.image;
    return image?.split(":").pop();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every second until it returns a value other than undefined/false, or fails naming `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false | Promise<T | undefined | false>, describe?: () => string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value !== undefined && value !== false) return value as T;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${describe ? `: ${describe()}` : ""}`);
        await sleep(1000);
    }
}

/** Sets the simulator's behaviour (error rate and latency per service and version). */
export async function setBehaviour(behaviour: Record<string, Record<string, Record<string, number>>>): Promise<void> {
    const response = await fetch(`${SIMULATOR}/behaviour`, { method: "PUT", body: JSON.stringify(behaviour) });
    if (!response.ok) throw new Error(`PUT /behaviour: ${response.status} ${await response.text()}`);
}

/** One instant query against the cluster's Prometheus; the first sample's value, or undefined. */
export async function query(promql: string): Promise<number | undefined> {
    const response = await fetch(`${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; data: { result: { value: [number, string] }[] } };
    if (body.status !== "success") throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
    return body.data.result.length > 0 ? Number(body.data.result[0].value[1]) : undefined;
}

/**
 * A loopback webhook that records what is posted to it (Flagger's alerts and ship's announcements).
 * It runs in a process of its own: the suite blocks its own event loop in spawnSync (pulumi,
 * releasectl), and a server in the suite's process would leave Flagger's posts unanswered until
 * they time out ("context deadline exceeded" in Flagger's log).
 */
export class Webhook {
    private constructor(
        private readonly child: ChildProcess,
        private readonly port: number,
        private readonly file: string,
    ) {}

    static async start(): Promise<Webhook> {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-webhook-")), "received.jsonl");
        const script = `
            const http = require("http");
            const fs = require("fs");
            const server = http.createServer((req, res) => {
                let body = "";
                req.on("data", (c) => (body += c));
                req.on("end", () => {
                    fs.appendFileSync(${JSON.stringify(file)}, JSON.stringify({ path: req.url, body, at: Date.now() }) + "\\n");
                    res.writeHead(200, { "content-type": "text/plain" });
                    res.end("ok");
                });
            });
            server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));
            process.stdin.on("end", () => process.exit(0));
            process.stdin.resume();`;
        const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            child.stdout?.on("data", (c) => {
                out += c;
                if (out.includes("\n")) resolve(Number(out.trim()));
            });
            child.on("exit", (code) => reject(new Error(`the webhook process exited (${code})`)));
        });
        return new Webhook(child, port, file);
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}/services/T0/B0/cluster-webhook`;
    }

    get received(): { path: string; body: string; at: number }[] {
        if (!fs.existsSync(this.file)) return [];
        return fs.readFileSync(this.file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    }

    texts(): string[] {
        return this.received.map((r) => r.body);
    }

    close(): Promise<void> {
        return new Promise((r) => {
            this.child.once("exit", () => r());
            this.child.stdin?.end();
            setTimeout(() => this.child.kill(), 2000).unref();
        });
    }
}

export const KWOK_FAIL_MARKER = "releasectl-test-fail";
export const REPO_ROOT = path.join(__dirname, "..", "..", "..");

/**
 * Loads the PrometheusRules the program created, as the API server stores them, into the
 * cluster's Prometheus (no prometheus-operator runs here: up.sh points Prometheus at
 * $CLUSTER_DIR/prometheus/rules/*.yaml), and reloads it. JSON is YAML, so the groups are written as
 * the operator would hand them over. Returns the alert names loaded.
 */
export async function loadAlertRules(namespace = NS): Promise<string[]> {
    if (!process.env.CLUSTER_DIR) throw new Error("CLUSTER_DIR is not set: run through npm run test:cluster or cluster:exec");
    const dir = path.join(process.env.CLUSTER_DIR, "prometheus", "rules");
    fs.mkdirSync(dir, { recursive: true });
    const groups = list("prometheusrule", namespace).flatMap((r) =>
        (r.spec?.groups ?? []).map((g: { name: string }) => ({ ...g, name: `${r.metadata.namespace}/${r.metadata.name}/${g.name}` })),
    );
    const file = path.join(dir, `${namespace}.yaml`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ groups }));
    fs.renameSync(`${file}.tmp`, file);
    const response = await fetch(`${PROMETHEUS}/-/reload`, { method: "POST" });
    if (!response.ok) throw new Error(`POST /-/reload: ${response.status} ${await response.text()}`);
    const loaded = await fetch(`${PROMETHEUS}/api/v1/rules?type=alert`);
    const body = (await loaded.json()) as { data: { groups: { file: string; rules: { name: string }[] }[] } };
    const names = body.data.groups.filter((g) => g.file === file).flatMap((g) => g.rules.map((r) => r.name));
    if (names.length === 0) throw new Error(`Prometheus loaded no alert rule from ${file}`);
    return names;
}

/** The firing alerts of that name, as Prometheus' ALERTS series shows them, with their labels. */
export async function firing(alertname: string): Promise<Record<string, string>[]> {
    const response = await fetch(`${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(`ALERTS{alertname="${alertname}",alertstate="firing"}`)}`);
    const body = (await response.json()) as { data: { result: { metric: Record<string, string> }[] } };
    return body.data.result.map((r) => r.metric);
}
