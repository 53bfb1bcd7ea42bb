import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** True when the Debian `prometheus` package's binaries are here. Under CI they must be. */
export function havePrometheus(): boolean {
    try {
        execFileSync("promtool", ["--version"], { stdio: "ignore" });
        execFileSync("prometheus", ["--version"], { stdio: "ignore" });
        return true;
    } catch {
        if (process.env.CI === "true") throw new Error("prometheus/promtool are missing under CI: apt-get install -y prometheus");
        return false;
    }
}

export interface PrometheusServer {
    readonly url: string;
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/**
 * A real Prometheus server on a loopback port, with synthetic series loaded as TSDB blocks
 * through `promtool tsdb create-blocks-from openmetrics`. It stops by itself when the test
 * process exits.
 */
export async function startPrometheus(openMetrics: string): Promise<PrometheusServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-prom-"));
    const input = path.join(dir, "series.om");
    fs.writeFileSync(input, openMetrics.endsWith("# EOF\n") ? openMetrics : `${openMetrics}# EOF\n`);
    execFileSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", input, path.join(dir, "data")], { stdio: "pipe" });
    fs.writeFileSync(path.join(dir, "prometheus.yml"), "global:\n  scrape_interval: 1m\n");
    const port = await freePort();
    const child: ChildProcess = spawn(
        "prometheus",
        [
            `--config.file=${path.join(dir, "prometheus.yml")}`,
            `--storage.tsdb.path=${path.join(dir, "data")}`,
            `--web.listen-address=127.0.0.1:${port}`,
            "--storage.tsdb.retention.time=10y",
        ],
        { stdio: "ignore" },
    );
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
        try {
            const res = await fetch(`${url}/-/ready`);
            if (res.ok) break;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline || child.exitCode !== null) {
            kill();
            throw new Error(`prometheus did not become ready on ${url}`);
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    return {
        url,
        stop: () =>
            new Promise<void>((resolve) => {
                process.removeListener("exit", kill);
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => {
                    fs.rmSync(dir, { recursive: true, force: true });
                    resolve();
                });
                child.kill("SIGTERM");
            }),
    };
}

/**
 * OpenMetrics text for one service's request counters and latency histogram over the last
 * `minutes`, every 15 s, ending now: `errorRatio` of requests are 5xx, and every request takes
 * `latencyMs`.
 */
export function requestSeries(opts: { namespace: string; service: string; errorRatio: number; latencyMs: number; minutes?: number; rps?: number }): string {
    const now = Math.floor(Date.now() / 1000);
    const span = (opts.minutes ?? 30) * 60;
    const rps = opts.rps ?? 20;
    const labels = `namespace="${opts.namespace}",service="${opts.service}"`;
    const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5];
    const lines = ["# TYPE http_requests_total counter", "# TYPE http_request_duration_seconds histogram"];
    for (let t = now - span; t <= now; t += 15) {
        const total = (t - (now - span)) * rps;
        const errors = Math.round(total * opts.errorRatio);
        lines.push(`http_requests_total{${labels},code="200"} ${total - errors} ${t}`);
        lines.push(`http_requests_total{${labels},code="500"} ${errors} ${t}`);
        for (const le of buckets) lines.push(`http_request_duration_seconds_bucket{${labels},le="${le}"} ${opts.latencyMs / 1000 <= le ? total : 0} ${t}`);
        lines.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${total} ${t}`);
        lines.push(`http_request_duration_seconds_count{${labels}} ${total} ${t}`);
        lines.push(`http_request_duration_seconds_sum{${labels}} ${(total * opts.latencyMs) / 1000} ${t}`);
    }
    return `${lines.join("\n")}\n# EOF\n`;
}
