import { expect } from "chai";
import { buildRelease, buildServiceObjects } from "../../builders/service-objects";
import { Manifest, ReleaseObject } from "../../builders/types";
import { ReleaseConfig } from "../../config/types";

/**
 * Manifests are plain JSON-like data; tests read deep fields without restating the Kubernetes
 * types, so they see them as `any`.
 */
export type Doc = any;

export function doc(manifest: Manifest): Doc {
    return manifest;
}

/** Every object of every service of the stack, in render order. */
export function allObjects(config: ReleaseConfig): ReleaseObject[] {
    return buildRelease(config).flatMap((r) => [...r.objects]);
}

/** The objects of the first service of the stack. */
export function serviceObjects(config: ReleaseConfig): readonly ReleaseObject[] {
    return buildServiceObjects(config, config.services[0]).objects;
}

/** The single object of `kind` among the first service's objects. */
export function objectOfKind(config: ReleaseConfig, kind: string): ReleaseObject {
    const found = serviceObjects(config).filter((o) => o.manifest.kind === kind);
    expect(found, `objects of kind ${kind}`).to.have.length(1);
    return found[0];
}

export function kinds(objects: readonly ReleaseObject[]): string[] {
    return objects.map((o) => o.manifest.kind);
}
