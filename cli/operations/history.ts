// The history operation: a service's releases from the stack file's git history (refusing a
// service that never appears in it, with did-you-mean) and its release tags by version.
// Layer: cli/operations/, the domain operations the commands call; imports only lower layers
// (cli/stack/, cli/versions/, config/, cli/ root utilities), never cli/commands/ or cli/ship/.
import { UserError } from "../../config/errors";
import { loadStack, readStackFile } from "../../config/load";
import { listTags } from "../git";
import { projectName } from "../stack/project-name";
import { readServiceHistory, ServiceHistory } from "../stack/history";
import { didYouMean } from "../suggest";
import { serviceLine, serviceTagPrefix } from "../versions/version-line";

/** The service's history, or a UserError when the service never appears in it. */
export function serviceHistory(dir: string, stack: string, service: string, env: NodeJS.ProcessEnv): ServiceHistory {
    const project = projectName(dir);
    const history = readServiceHistory(dir, stack, project, service, env);
    if (history.releases.length === 0) {
        // the stack file is read for the message only (a malformed one is reported as such)
        const services = readStackFile(dir, stack).config[`${project}:services`];
        const names = services && typeof services === "object" ? Object.keys(services as object) : [];
        throw new UserError(`${history.file}: service "${service}" has no release in the file's git history${didYouMean(service, names)}; services in stack ${stack}: ${names.join(", ") || "none"}`, "ENOSERVICE");
    }
    return history;
}

/**
 * The service's release tags (<tagPrefix><version> of its version line, in the repository its
 * commits live in), by version. Empty when the stack's configuration cannot be read or the
 * service is no longer in it: the history itself never depends on it.
 */
export function releaseTags(dir: string, stack: string, service: string, env: NodeJS.ProcessEnv): Map<string, string> {
    const tags = new Map<string, string>();
    try {
        const config = loadStack(dir, stack);
        const found = config.services.find((s) => s.name === service);
        if (found === undefined) return tags;
        const ctx = { dir, stack, project: projectName(dir), config, service: found, env };
        const prefix = serviceTagPrefix(ctx);
        const repo = serviceLine(dir, config, found, env).repo;
        for (const name of listTags(repo, prefix, env)) tags.set(name.slice(prefix.length), name);
    } catch (e) {
        // A stack that does not load now (or a service line it cannot resolve): no tags shown
        // rather than no history. Anything else is a defect and is reported.
        if (!(e instanceof UserError)) throw e;
    }
    return tags;
}
