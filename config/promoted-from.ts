import { Fields } from "./fields";
import { Reader } from "./reader";
import { SERVICE } from "./schema";
import { PromotedFrom } from "./types";

/**
 * `promotedFrom: {stack, commit, version}`: where the release came from, written by
 * `releasectl promote` (the stack it passed, the commit of that stack's file whose
 * configuration was copied, and the version). Bound to one version, so provenance written for
 * an earlier release never speaks for a later one; the checklist's
 * deployment-promoted-from-earlier-stack reads it from the Deployment. Its keys are declared in
 * schema.ts.
 */
export function parsePromotedFrom(r: Reader, raw: unknown, at: string): PromotedFrom | undefined {
    if (raw === undefined || raw === null) return undefined;
    const m = Fields.read(r, SERVICE.keys.promotedFrom, raw, at);
    if (!m) return undefined;
    const stack = m.string("stack");
    const commit = m.string("commit");
    const written = m.get("version");
    const version = m.string("version", { value: typeof written === "number" ? String(written) : written });
    return stack === undefined || commit === undefined || version === undefined ? undefined : { stack, commit, version };
}
