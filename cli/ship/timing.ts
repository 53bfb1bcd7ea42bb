import { parseDuration } from "../../config/duration";
import { UserError } from "../../config/errors";
import { ServiceConfig } from "../../config/types";

/** How long each waiting step of `releasectl ship` may take, and how often it looks. */
export interface ShipTiming {
    /** Time between looks at the cluster (canary and rollback steps). */
    readonly pollIntervalMs: number;
    /** How long the canary step follows Flagger before it counts as failed. */
    readonly watchTimeoutMs: number;
    /** Why the watch timeout is what it is (the computation, or the option). */
    readonly watchTimeoutWhy: string;
    /** Monitoring window after promotion; 0 skips the monitor step. */
    readonly monitorWindowMs: number;
    readonly monitorIntervalMs: number;
    readonly monitorIntervalWhy: string;
    /** How long the rollback may take until the previous version serves again. */
    readonly rollbackTimeoutMs: number;
}

export interface TimingOptions {
    readonly interval?: string;
    readonly watchTimeout?: string;
    readonly monitor?: string;
    readonly monitorInterval?: string;
    readonly rollbackTimeout?: string;
}

export const DEFAULTS = { interval: "5s", monitor: "5m", rollbackTimeout: "10m" } as const;

/** node's timers hold at most 2^31-1 ms (24.8 days); a longer wait fires at once, a tight loop. */
export const MAX_WAIT_MS = 2 ** 31 - 1;

/** `--name D` in milliseconds; `allowZero` accepts `0` (to skip a step). */
export function durationOption(name: string, value: string, allowZero = false): number {
    if (allowZero && /^0+(?:ms|s|m|h)?$/.test(value)) return 0;
    const seconds = parseDuration(value);
    if (seconds === undefined || Math.round(seconds * 1000) <= 0) {
        throw new UserError(`--${name} ${JSON.stringify(value)}: not a duration; use e.g. 30s, 5m or 1h30m${allowZero ? " (0 skips the step)" : ""}`, "EUSAGE");
    }
    if (seconds * 1000 > MAX_WAIT_MS) {
        throw new UserError(`--${name} ${JSON.stringify(value)}: longer than ${formatDuration(MAX_WAIT_MS)}, the longest wait a timer can hold; use e.g. 30s, 5m or 1h30m`, "EUSAGE");
    }
    return Math.round(seconds * 1000);
}

/** Analysis rounds Flagger runs before promoting: traffic steps, or blue/green iterations. */
export function analysisRounds(s: ServiceConfig): number {
    return s.canary.provider === "kubernetes" ? s.canary.iterations : Math.ceil(s.canary.maxWeight / s.canary.stepWeight);
}

/**
 * The canary watch's default bound: Flagger's progress deadline (the canary pods must be ready
 * within it), then one interval to notice the new revision, the analysis rounds, up to
 * `threshold` failed rounds, and one interval to promote and finalise. A canary that has
 * neither succeeded nor failed by then is stuck.
 */
export function defaultWatchTimeout(s: ServiceConfig): { ms: number; why: string } {
    const c = s.canary;
    const rounds = analysisRounds(s);
    const intervals = 1 + rounds + c.threshold + 1;
    const seconds = c.progressDeadlineSeconds + c.intervalSeconds * intervals;
    const what = c.provider === "kubernetes" ? `${rounds} iterations` : `${rounds} steps of ${c.stepWeight}% to ${c.maxWeight}%`;
    return {
        ms: seconds * 1000,
        why: `progress deadline ${c.progressDeadlineSeconds}s + interval ${c.interval} × (1 to start + ${what} + threshold ${c.threshold} + 1 to promote)`,
    };
}

export function shipTiming(opts: TimingOptions, s: ServiceConfig): ShipTiming {
    const watch = opts.watchTimeout === undefined ? defaultWatchTimeout(s) : { ms: durationOption("watch-timeout", opts.watchTimeout), why: "--watch-timeout" };
    return {
        pollIntervalMs: durationOption("interval", opts.interval ?? DEFAULTS.interval),
        watchTimeoutMs: watch.ms,
        watchTimeoutWhy: watch.why,
        monitorWindowMs: durationOption("monitor", opts.monitor ?? DEFAULTS.monitor, true),
        monitorIntervalMs: opts.monitorInterval === undefined ? s.canary.intervalSeconds * 1000 : durationOption("monitor-interval", opts.monitorInterval),
        monitorIntervalWhy: opts.monitorInterval === undefined ? `the canary interval of ${s.name}` : "--monitor-interval",
        rollbackTimeoutMs: durationOption("rollback-timeout", opts.rollbackTimeout ?? DEFAULTS.rollbackTimeout),
    };
}

/** `22m`, `1h5m`, `90s`, `250ms`: a duration as a person writes it. */
export function formatDuration(ms: number): string {
    if (ms < 1000) return `${ms}ms`;
    let s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}` || "0s";
}
