const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * Parses a Go/Prometheus style duration (`30s`, `1m`, `1m30s`, `500ms`, `2h`) into seconds.
 * Returns undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
    if (!DURATION.test(text)) return undefined;
    let seconds = 0;
    for (const match of text.matchAll(PART)) seconds += Number(match[1]) * UNIT_SECONDS[match[2]];
    return seconds;
}

/** Prometheus range durations accept only integers per unit (no `1.5m`). */
export function isPrometheusDuration(text: string): boolean {
    return /^(?:\d+(?:ms|s|m|h|d|w|y))+$/.test(text);
}
