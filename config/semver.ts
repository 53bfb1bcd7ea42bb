/**
 * SemVer parsing and order with npm's `semver` semantics (default options, not loose), written
 * here: loading even the package's single-function modules (its class, its ~40 regular
 * expressions) cost every command that compares two versions 3-7 ms of start-up, and the
 * policy pack pays it too. test/cli/semver.test.ts holds every function to the package's
 * answers on thousands of versions. The command line uses them through cli/semver.ts, which
 * adds the package's own `inc`.
 */

interface Parsed {
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
    readonly prerelease: readonly (string | number)[];
    readonly build: readonly string[];
    /** major.minor.patch[-prerelease], without build metadata (the package's `version`). */
    readonly version: string;
}

/** npm's semver FULL: an optional `v`, then SemVer 2.0.0. */
const FULL =
    /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*))*))?(?:\+([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*))?$/;
const MAX_LENGTH = 256;
/** The package's limit on one number's digits (MAX_SAFE_COMPONENT_LENGTH). */
const MAX_DIGITS = 250;
const NUMERIC = /^[0-9]+$/;

const cache = new Map<string, Parsed | null>();

function parse(version: unknown): Parsed | null {
    if (typeof version !== "string" || version.length > MAX_LENGTH) return null;
    const known = cache.get(version);
    if (known !== undefined) return known;
    const parsed = parseText(version);
    if (cache.size > 1000) cache.clear();
    cache.set(version, parsed);
    return parsed;
}

function parseText(version: string): Parsed | null {
    const m = FULL.exec(version.trim());
    if (m === null) return null;
    if ([m[1], m[2], m[3]].some((n) => n.length > MAX_DIGITS)) return null;
    const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
    // the package throws "Invalid major version" (and so on) beyond the safe integers
    if ([major, minor, patch].some((n) => n > Number.MAX_SAFE_INTEGER)) return null;
    const prerelease = m[4] === undefined ? [] : m[4].split(".").map((id) => (NUMERIC.test(id) && Number(id) < Number.MAX_SAFE_INTEGER ? Number(id) : id));
    const build = m[5] === undefined ? [] : m[5].split(".");
    return { major, minor, patch, prerelease, build, version: `${major}.${minor}.${patch}${prerelease.length ? `-${prerelease.join(".")}` : ""}` };
}

function parseOrThrow(version: string): Parsed {
    const parsed = parse(version);
    if (parsed === null) throw new TypeError(`Invalid Version: ${version}`);
    return parsed;
}

/** The package's compareIdentifiers: numbers below words, numbers by value, words by code unit. */
function compareIdentifiers(a: string | number, b: string | number): number {
    const an = NUMERIC.test(String(a));
    const bn = NUMERIC.test(String(b));
    const x = an ? Number(a) : a;
    const y = bn ? Number(b) : b;
    if (x === y) return 0;
    if (an && !bn) return -1;
    if (bn && !an) return 1;
    return x < y ? -1 : 1;
}

function compareLists(a: readonly (string | number)[], b: readonly (string | number)[]): number {
    for (let i = 0; ; i++) {
        if (i >= a.length && i >= b.length) return 0;
        if (i >= b.length) return 1;
        if (i >= a.length) return -1;
        const order = compareIdentifiers(a[i], b[i]);
        if (order !== 0) return order;
    }
}

function compareParsed(a: Parsed, b: Parsed): -1 | 0 | 1 {
    const main = compareIdentifiers(a.major, b.major) || compareIdentifiers(a.minor, b.minor) || compareIdentifiers(a.patch, b.patch);
    if (main !== 0) return main as -1 | 1;
    // a pre-release sorts before its release
    if (a.prerelease.length && !b.prerelease.length) return -1;
    if (!a.prerelease.length && b.prerelease.length) return 1;
    return compareLists(a.prerelease, b.prerelease) as -1 | 0 | 1;
}

/** -1, 0 or 1 as `a` orders before, with or after `b`; build metadata does not count. Throws on an invalid version. */
export function compare(a: string, b: string): -1 | 0 | 1 {
    return compareParsed(parseOrThrow(a), parseOrThrow(b));
}

/** compare, then build metadata (for a stable sort). */
export function compareBuild(a: string, b: string): -1 | 0 | 1 {
    const x = parseOrThrow(a);
    const y = parseOrThrow(b);
    return compareParsed(x, y) || (compareLists(x.build, y.build) as -1 | 0 | 1);
}

export function gt(a: string, b: string): boolean {
    return compare(a, b) > 0;
}

export function lt(a: string, b: string): boolean {
    return compare(a, b) < 0;
}

export function major(v: string): number {
    return parseOrThrow(v).major;
}

export function minor(v: string): number {
    return parseOrThrow(v).minor;
}

export function patch(v: string): number {
    return parseOrThrow(v).patch;
}

/** The pre-release identifiers (numbers for numeric ones), or null for a release or an invalid version. */
export function prerelease(v: string): (string | number)[] | null {
    const parsed = parse(v);
    return parsed && parsed.prerelease.length ? [...parsed.prerelease] : null;
}

/** The normalised version (no `v`, no build metadata), or null when it is not one. */
export function valid(v: unknown): string | null {
    return parse(v)?.version ?? null;
}
