// The stack-file edit that prepares a release: a service's version set, previousVersion
// recorded, the marks that spoke for the old version removed. Pure text in, text out. Layer:
// cli/stack/ (beside stack/edit.ts it uses; called by the prepare and promote operations and ship).
import * as semver from "../semver";
import { UserError } from "../../config/errors";
import { isSemVer } from "../../config/versions";
import { readService, removeServiceKey, ServiceLocation, setServiceKey } from "./edit";

/**
 * The new stack file text: `version` set, `previousVersion` recording the version it replaces,
 * and no `rollback` mark (a prepared release is a normal, analysed one). Pure.
 */
export function prepareEdit(text: string, loc: ServiceLocation, version: string, stack: string): { text: string; from: string } {
    const service = readService(text, loc);
    if (service === undefined) throw new UserError(`${loc.file}: no service "${loc.service}"`, "ENOSERVICE");
    const from = String(service.version);
    if (!isSemVer(from)) throw new UserError(`${loc.file}: ${loc.project}:services.${loc.service}.version = ${JSON.stringify(from)} is not SemVer; fix it first`, "ECONFIG");
    const order = semver.compare(version, from);
    if (order === 0) {
        throw new UserError(
            `${loc.service} is at ${from} already` + (version !== from ? ` (${version} differs only in build metadata, which SemVer does not order)` : "") + `; choose a later version (releasectl next)`,
            "ENOTFORWARD",
        );
    }
    if (order < 0) {
        throw new UserError(
            `${loc.service}: ${version} does not move forward from ${from}; going back is a rollback: releasectl rollback ${loc.service} --to ${version} --stack ${stack}`,
            "ENOTFORWARD",
        );
    }
    let out = setServiceKey(text, loc, "version", version);
    out = setServiceKey(out, loc, "previousVersion", from, { after: "version" });
    out = removeServiceKey(out, loc, "rollback", false);
    // once a version replaces it, the first release is history
    out = removeServiceKey(out, loc, "firstRelease", false);
    // a re-release reason speaks for one version only
    const rerelease = service.rerelease as { version?: unknown } | undefined;
    if (rerelease !== undefined && rerelease !== null && String(rerelease.version) !== version) out = removeServiceKey(out, loc, "rerelease", false);
    // provenance speaks for the version promoted (releasectl promote writes it again for its own)
    const promoted = service.promotedFrom as { version?: unknown } | undefined;
    if (promoted !== undefined && promoted !== null && String(promoted.version) !== version) out = removeServiceKey(out, loc, "promotedFrom", false);
    return { text: out, from };
}
