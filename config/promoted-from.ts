import { Reader } from "./reader";
import { PromotedFrom } from "./types";
import { isSemVer } from "./versions";

/** A stack name as a Pulumi.<stack>.yaml file names it. */
const STACK_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const COMMIT = /^[0-9a-f]{40}$/;

/**
 * `promotedFrom: {stack, commit, version}`: where the release came from, written by
 * `releasectl promote` (the stack it passed, the commit of that stack's file whose
 * configuration was copied, and the version). Bound to one version, so provenance written for
 * an earlier release never speaks for a later one; the checklist's
 * deployment-promoted-from-earlier-stack reads it from the Deployment.
 */
export function parsePromotedFrom(r: Reader, raw: unknown, at: string): PromotedFrom | undefined {
    if (raw === undefined || raw === null) return undefined;
    const m = r.map(raw, at, ["stack", "commit", "version"]);
    if (!m) return undefined;
    const stack = r.requiredString(m.stack, `${at}.stack`, { pattern: STACK_NAME, allowed: "the name of the stack the release passed before, e.g. staging" });
    const commit = r.requiredString(m.commit, `${at}.commit`, {
        pattern: COMMIT,
        allowed: "the full 40-character id of the commit of that stack's file the release was copied from (releasectl promote writes it)",
    });
    const version = r.requiredString(typeof m.version === "number" ? String(m.version) : m.version, `${at}.version`, {
        check: isSemVer,
        allowed: "the SemVer version promoted, e.g. 2.5.0",
    });
    return stack === undefined || commit === undefined || version === undefined ? undefined : { stack, commit, version };
}
