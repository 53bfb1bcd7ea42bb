/**
 * The semver functions releasectl uses, as one would use npm's package: `import * as semver
 * from "../semver"`. Parsing and order are config/semver.ts's (the package's semantics, without
 * its start-up cost); `inc`, whose rules for pre-releases are the package's own, is the
 * package's, loaded when a next version is computed.
 */
export { compare, compareBuild, gt, lt, major, minor, patch, prerelease, valid } from "../config/semver";

type Inc = typeof import("semver/functions/inc");

/** The package's inc (loaded on first use). */
export const inc: Inc = ((...args: unknown[]) => (require("semver/functions/inc") as (...a: unknown[]) => string | null)(...args)) as Inc;
