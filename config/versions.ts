/** The official SemVer 2.0.0 grammar (semver.org), without a leading `v`. */
const SEMVER =
    /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemVer(text: string): boolean {
    return SEMVER.test(text);
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
