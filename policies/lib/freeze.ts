import type { FreezeWindow } from "../settings";

/**
 * Change-freeze windows: fixed dates (`start`/`end`) or a recurring `cron` start with a
 * `duration`, read in an IANA `timeZone`. Everything takes the clock as a parameter.
 */

export interface FreezeSpan {
    readonly start: Date;
    readonly end: Date;
}

const OFFSET = /(?:[zZ]|[+-]\d\d:?\d\d)$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export function isTimeZone(zone: string): boolean {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return true;
    } catch {
        return false;
    }
}

/**
 * An instant from `2025-12-24T18:00:00+01:00` (offset given), or from a local date or date-time
 * such as `2025-12-24` / `2025-12-24T18:00` read in the time zone. Undefined when not a date.
 */
export function parseInstant(text: string, timeZone: string): Date | undefined {
    if (OFFSET.test(text)) {
        const t = Date.parse(text);
        return Number.isNaN(t) ? undefined : new Date(t);
    }
    const m = LOCAL.exec(text);
    if (!m) return undefined;
    const [y, mo, d, h, mi, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
    const wall = Date.UTC(y, mo - 1, d, h, mi, s);
    const check = new Date(wall);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
    // The zone's offset at the wall-clock time; a second pass settles days when the offset changes.
    let t = wall - zoneOffset(wall, timeZone);
    t = wall - zoneOffset(t, timeZone);
    return new Date(t);
}

/** Milliseconds the zone's wall clock is ahead of UTC at instant `t`. */
function zoneOffset(t: number, timeZone: string): number {
    const parts = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
    }).formatToParts(new Date(t));
    const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const wall = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
    return wall - Math.floor(t / 1000) * 1000;
}

const DURATION_PART = /(\d+)(d|h|m|s)/g;
const DURATION = /^(?:\d+(?:d|h|m|s))+$/;
const UNIT_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** `58h`, `2d12h`, `90m` → milliseconds; undefined when not a duration. */
export function parseWindowDuration(text: string): number | undefined {
    if (!DURATION.test(text)) return undefined;
    let ms = 0;
    for (const m of text.matchAll(DURATION_PART)) ms += Number(m[1]) * UNIT_MS[m[2]];
    return ms > 0 ? ms : undefined;
}

type CronParser = typeof import("cron-parser").CronExpressionParser;
let cronParser: CronParser | undefined;

/** cron-parser (and luxon under it) load only when a window uses cron. */
function cron(): CronParser {
    cronParser ??= (require("cron-parser") as typeof import("cron-parser")).CronExpressionParser;
    return cronParser;
}

/** Throws cron-parser's own message when the expression is not valid. */
export function checkCron(expression: string): void {
    cron().parse(expression, { tz: "UTC" });
}

/**
 * The occurrence of the window that covers `now`, if any. For cron windows that is the latest
 * start at or before `now` (the latest start reaches furthest, as every occurrence lasts as long).
 * The end is exclusive.
 */
export function spanCovering(window: FreezeWindow, now: Date): FreezeSpan | undefined {
    const zone = window.timeZone;
    if (window.cron !== undefined && window.duration !== undefined) {
        const duration = parseWindowDuration(window.duration);
        if (duration === undefined) return undefined;
        // prev() is strictly before currentDate; one second later includes a start at `now` itself.
        const start = cron().parse(window.cron, { currentDate: new Date(now.getTime() + 1000), tz: zone }).prev().toDate();
        const end = new Date(start.getTime() + duration);
        return start <= now && now < end ? { start, end } : undefined;
    }
    if (window.start !== undefined && window.end !== undefined) {
        const start = parseInstant(window.start, zone);
        const end = parseInstant(window.end, zone);
        if (!start || !end) return undefined;
        return start <= now && now < end ? { start, end } : undefined;
    }
    return undefined;
}

/** `2025-12-27 00:00 Europe/Berlin` (the wall clock in the window's zone). */
export function formatInZone(t: Date, timeZone: string): string {
    const parts = new Intl.DateTimeFormat("en-CA", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
    }).formatToParts(t);
    const v = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
    return `${v("year")}-${v("month")}-${v("day")} ${v("hour")}:${v("minute")} ${timeZone}`;
}
