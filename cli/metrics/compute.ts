import { ReleaseEvent } from "./events";

/**
 * The four DORA keys of one service (or a whole stack) over a window, from its release events.
 * Pure: events and lead-time starts in, figures out. See `releasectl metrics --help` for the
 * definitions; the tests compute the same figures by hand.
 */

export interface Window {
    /** Seconds since the epoch; events at or after `since` and before `until` count. */
    readonly since: number;
    readonly until: number;
}

export interface ServiceEvents {
    readonly events: readonly ReleaseEvent[];
    /** For each event (same index), the author time of the release's first code commit, if any. */
    readonly firstCommit: readonly (number | undefined)[];
}

export interface Figures {
    readonly releases: number;
    readonly rollbacks: number;
    readonly perWeek: number;
    /** Seconds, one per release in the window that has code commits of its own. */
    readonly leadTimes: readonly number[];
    readonly leadTimeMedian?: number;
    readonly leadTimeP90?: number;
    /** Releases in the window whose next event is a rollback. */
    readonly failed: number;
    readonly changeFailureRate?: number;
    /** Seconds from each failed release to the rollback after it. */
    readonly restoreTimes: readonly number[];
    readonly timeToRestoreMedian?: number;
    /** Releases per week of the window, oldest week first. */
    readonly weekly: readonly number[];
}

const WEEK = 7 * 24 * 3600;

/** Middle value of the sorted samples; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number | undefined {
    if (values.length === 0) return undefined;
    const s = [...values].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile: the smallest sample with at least p % of the samples at or below it. */
export function percentile(values: readonly number[], p: number): number | undefined {
    if (values.length === 0) return undefined;
    const s = [...values].sort((a, b) => a - b);
    return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

export function weeksOf(window: Window): number {
    return Math.max(1, Math.ceil((window.until - window.since) / WEEK));
}

/** The per-release samples of one service, before they are summed. */
interface Samples {
    releases: number;
    rollbacks: number;
    leadTimes: number[];
    failed: number;
    restoreTimes: number[];
    weekly: number[];
}

function samplesOf(service: ServiceEvents, window: Window): Samples {
    const weeks = weeksOf(window);
    const s: Samples = { releases: 0, rollbacks: 0, leadTimes: [], failed: 0, restoreTimes: [], weekly: new Array(weeks).fill(0) };
    const { events, firstCommit } = service;
    events.forEach((e, i) => {
        if (e.time < window.since || e.time >= window.until) return;
        if (e.kind === "rollback") {
            s.rollbacks++;
            return;
        }
        s.releases++;
        s.weekly[Math.min(weeks - 1, Math.floor((e.time - window.since) / WEEK))]++;
        const first = firstCommit[i];
        if (first !== undefined) s.leadTimes.push(Math.max(0, e.time - first));
        const next = events[i + 1];
        if (next !== undefined && next.kind === "rollback") {
            s.failed++;
            s.restoreTimes.push(next.time - e.time);
        }
    });
    return s;
}

function figures(s: Samples, window: Window): Figures {
    const days = (window.until - window.since) / 86400;
    return {
        releases: s.releases,
        rollbacks: s.rollbacks,
        perWeek: days > 0 ? s.releases / (days / 7) : 0,
        leadTimes: s.leadTimes,
        leadTimeMedian: median(s.leadTimes),
        leadTimeP90: percentile(s.leadTimes, 90),
        failed: s.failed,
        changeFailureRate: s.releases > 0 ? s.failed / s.releases : undefined,
        restoreTimes: s.restoreTimes,
        timeToRestoreMedian: median(s.restoreTimes),
        weekly: s.weekly,
    };
}

export function serviceFigures(service: ServiceEvents, window: Window): Figures {
    return figures(samplesOf(service, window), window);
}

/** A stack's figures: every service's samples together (medians over all samples, rates over all releases). */
export function stackFigures(services: readonly ServiceEvents[], window: Window): Figures {
    const all: Samples = { releases: 0, rollbacks: 0, leadTimes: [], failed: 0, restoreTimes: [], weekly: new Array(weeksOf(window)).fill(0) };
    for (const service of services) {
        const s = samplesOf(service, window);
        all.releases += s.releases;
        all.rollbacks += s.rollbacks;
        all.leadTimes.push(...s.leadTimes);
        all.failed += s.failed;
        all.restoreTimes.push(...s.restoreTimes);
        s.weekly.forEach((n, i) => (all.weekly[i] += n));
    }
    return figures(all, window);
}

const BARS = "▁▂▃▄▅▆▇█";

/** One character per week: · for none, else a bar scaled to the busiest week. */
export function sparkline(weekly: readonly number[]): string {
    const max = Math.max(0, ...weekly);
    return weekly.map((n) => (n === 0 ? "·" : BARS[Math.min(7, Math.ceil((n / max) * 8) - 1)])).join("");
}

/** 2d 3h, 5h 12m, 45m, 30s. */
export function humanDuration(seconds: number | undefined): string {
    if (seconds === undefined) return "–";
    const s = Math.round(seconds);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
    if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
    if (m > 0) return `${m}m`;
    return `${s}s`;
}
