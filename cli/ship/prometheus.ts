import { ServiceConfig } from "../../config/types";
import { errorRatePercentExpr, latencyP99MsExpr } from "../../builders/promql";

/** One signal watched after promotion: the alert rules' expression and its threshold. */
export interface Signal {
    readonly name: "error rate" | "p99 latency";
    readonly expr: string;
    readonly threshold: number;
    readonly unit: string;
}

/** The same expressions as the HighErrorRate and HighLatency alert rules of the service. */
export function signalsFor(s: ServiceConfig): Signal[] {
    return [
        { name: "error rate", expr: errorRatePercentExpr(s), threshold: s.alerts.errorRatePercent, unit: "%" },
        { name: "p99 latency", expr: latencyP99MsExpr(s), threshold: s.alerts.latencyP99Ms, unit: "ms" },
    ];
}

export interface Sample {
    readonly signal: Signal;
    /** undefined when Prometheus returned no series (no traffic, or the metric is missing). */
    readonly value: number | undefined;
    readonly breached: boolean;
}

/** Thrown when Prometheus cannot be reached or answers with an error. */
export class PrometheusError extends Error {}

/** Runs an instant query through the HTTP API (`/api/v1/query`) and returns the largest value. */
export async function queryScalar(baseUrl: string, expr: string, timeoutMs = 10_000): Promise<number | undefined> {
    const url = new URL("api/v1/query", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
    let response: Response;
    try {
        response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ query: expr }).toString(),
            signal: AbortSignal.timeout(timeoutMs),
        });
    } catch (e) {
        throw new PrometheusError(`cannot reach Prometheus at ${baseUrl}: ${(e as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as
        | { status: string; error?: string; data?: { resultType: string; result: { value: [number, string] }[] | [number, string] } }
        | undefined;
    if (!response.ok || body?.status !== "success" || !body.data) {
        throw new PrometheusError(`Prometheus at ${baseUrl} answered ${response.status}: ${body?.error ?? "no result"}`);
    }
    const { resultType, result } = body.data;
    if (resultType === "scalar") return parse((result as [number, string])[1]);
    const values = (result as { value: [number, string] }[]).map((r) => parse(r.value[1])).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : Math.max(...values);
}

function parse(text: string): number | undefined {
    const n = Number(text);
    return Number.isNaN(n) ? undefined : n;
}

/** Queries every signal once; a value above its threshold is a breach. */
export async function sampleSignals(baseUrl: string, signals: readonly Signal[]): Promise<Sample[]> {
    const samples: Sample[] = [];
    for (const signal of signals) {
        const value = await queryScalar(baseUrl, signal.expr);
        samples.push({ signal, value, breached: value !== undefined && value > signal.threshold });
    }
    return samples;
}

export interface MonitorResult {
    readonly ok: boolean;
    readonly rounds: number;
    readonly breach?: Sample;
    /** Set when Prometheus could not be queried `maxConsecutiveErrors` rounds in a row. */
    readonly error?: string;
    readonly last: readonly Sample[];
}

/**
 * Watches the signals for `windowMs`, every `intervalMs`, and stops at the first breach.
 * A round whose queries fail (Prometheus restarting, a network blip) is retried at the next
 * interval; `maxConsecutiveErrors` failed rounds in a row, or a window with no answered round,
 * end the watch as not ok: a release nobody can see is not known to be healthy. Without
 * `maxConsecutiveErrors`, the first error is thrown.
 * `sleep` and `now` are injectable so tests do not wait in real time.
 */
export async function monitor(opts: {
    baseUrl: string;
    signals: readonly Signal[];
    windowMs: number;
    intervalMs: number;
    maxConsecutiveErrors?: number;
    onSample?: (samples: readonly Sample[], round: number) => void;
    onError?: (error: PrometheusError, round: number) => void;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
}): Promise<MonitorResult> {
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const now = opts.now ?? Date.now;
    const end = now() + opts.windowMs;
    let rounds = 0;
    let errors = 0;
    let answered = 0;
    let last: Sample[] = [];
    for (;;) {
        rounds++;
        try {
            last = await sampleSignals(opts.baseUrl, opts.signals);
            errors = 0;
            answered++;
            opts.onSample?.(last, rounds);
        } catch (e) {
            if (!(e instanceof PrometheusError) || opts.maxConsecutiveErrors === undefined) throw e;
            errors++;
            opts.onError?.(e, rounds);
            if (errors >= opts.maxConsecutiveErrors) {
                return { ok: false, rounds, error: `${e.message} (${errors} rounds in a row)`, last };
            }
        }
        const breach = last.find((s) => s.breached);
        if (breach) return { ok: false, rounds, breach, last };
        if (now() + opts.intervalMs > end) {
            if (answered === 0) return { ok: false, rounds, error: `no round of the window could query Prometheus`, last };
            return { ok: true, rounds, last };
        }
        await sleep(opts.intervalMs);
    }
}

export function describeSample(s: Sample): string {
    const value = s.value === undefined ? "no data" : `${round(s.value)}${s.signal.unit}`;
    return `${s.signal.name} ${value} (limit ${s.signal.threshold}${s.signal.unit})`;
}

function round(n: number): string {
    return (Math.round(n * 100) / 100).toString();
}
