/** The official SemVer 2.0.0 grammar (semver.org), without a leading `v`. */
const SEMVER =
    /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** npm's semver, which orders versions here, holds at most 256 characters and safe integers. */
const MAX_LENGTH = 256;

export function isSemVer(text: string): boolean {
    return SEMVER.test(text) && semVerLimitProblem(text) === undefined;
}

/**
 * Why a text the SemVer grammar accepts still cannot be a version here: too long, or a number
 * beyond what can be compared exactly (npm's semver refuses both). undefined: no such problem.
 */
export function semVerLimitProblem(text: string): string | undefined {
    const m = SEMVER.exec(text);
    if (m === null) return undefined;
    if (text.length > MAX_LENGTH) return `longer than ${MAX_LENGTH} characters`;
    if ([m[1], m[2], m[3]].some((n) => Number(n) > Number.MAX_SAFE_INTEGER)) return `a number above ${Number.MAX_SAFE_INTEGER}, the largest that can be compared`;
    return undefined;
}

export function isPrerelease(version: string): boolean {
    const m = SEMVER.exec(version);
    return m !== null && m[4] !== undefined;
}

/**
 * The image tag for a version. Container image tags cannot hold `+`, so build metadata is joined
 * with `_` (the convention Helm and Docker users follow): `1.4.0+build.7` → `1.4.0_build.7`.
 */
export function imageTagForVersion(version: string): string {
    return version.replace(/\+/g, "_");
}

/**
 * A Kubernetes label value for a version: at most 63 characters of `[A-Za-z0-9._-]`, starting
 * and ending alphanumeric. `+` becomes `_`; longer versions are cut (the annotation keeps the
 * exact version).
 */
export function labelValueForVersion(version: string): string {
    let value = imageTagForVersion(version).replace(/[^A-Za-z0-9._-]/g, "_");
    if (value.length > 63) value = value.slice(0, 63);
    return value.replace(/[^A-Za-z0-9]+$/, "");
}
