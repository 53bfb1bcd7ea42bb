// The render operation: the releases a stack declares (built by builders/, optionally one
// service's) as multi-document YAML or as one file per object under a folder. Layer:
// cli/operations/, the domain operations the commands and ship/ call; imports only lower
// layers (builders/, config/, cli/ root utilities), never cli/commands/ or cli/ship/.
import { buildRelease } from "../../builders/service-objects";
import { ServiceObjects } from "../../builders/types";
import { ReleaseConfig } from "../../config/types";
import { findService } from "../project";
import type { RenderDirResult } from "../render-dir";
import { manifestToYaml } from "../yaml-output";

/** The releases the stack declares, optionally narrowed to one service. */
export function renderReleases(config: ReleaseConfig, service?: string): ServiceObjects[] {
    const releases = buildRelease(config);
    if (service === undefined) return releases;
    findService(config, service);
    return releases.filter((r) => r.service === service);
}

/** One stack's releases; `environment` set when the stack was rendered as one of an environment's. */
export interface StackReleases {
    readonly stack: string;
    readonly releases: readonly ServiceObjects[];
    readonly environment?: string;
}

/**
 * Multi-document YAML of every object, in apply order, each headed by its Pulumi resource (and
 * its stack, when an environment's stacks are rendered together).
 */
export function releasesToYaml(stacks: readonly StackReleases[]): string {
    const docs: string[] = [];
    for (const { stack, releases, environment } of stacks) {
        const prefix = environment === undefined ? "" : `stack ${stack}: `;
        for (const release of releases) {
            for (const object of release.objects) {
                docs.push(`# ${prefix}${release.service}/${object.name} (${object.type})\n${manifestToYaml(object.manifest)}`);
            }
        }
    }
    return docs.join("---\n");
}

/** One file per object under `out` (`<service>/NN-<kind>-<name>.yaml`), in apply order; see writeRenderDir. */
export function writeReleases(stacks: readonly StackReleases[], out: string, cwd: string): RenderDirResult {
    const files = stacks.flatMap((s) => s.releases).flatMap((release) =>
        release.objects.map((object, i) => ({
            rel: `${release.service}/${String(i + 1).padStart(2, "0")}-${object.manifest.kind.toLowerCase()}-${object.manifest.metadata.name}.yaml`,
            content: manifestToYaml(object.manifest),
        })),
    );
    // loaded for --out only: render to stdout and diff never write a folder
    const { writeRenderDir } = require("../render-dir") as typeof import("../render-dir");
    return writeRenderDir(out, cwd, files);
}
