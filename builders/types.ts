import { SecretValue } from "../config/types";

/** A Kubernetes object as plain data: what render prints and what the program declares. */
export interface Manifest {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: {
        readonly name: string;
        readonly namespace?: string;
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
    };
    readonly [field: string]: unknown;
}

/** Where a secret's value goes inside a manifest (builders write SECRET_PLACEHOLDER there). */
export interface SecretBinding {
    readonly path: readonly string[];
    readonly secret: SecretValue;
}

/**
 * One object of a release, with what Pulumi needs to declare it. `name` is the Pulumi resource
 * name: stable for long-lived objects, per version for per-version objects.
 */
export interface ReleaseObject {
    readonly name: string;
    /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
    readonly type: string;
    readonly manifest: Manifest;
    readonly secrets: readonly SecretBinding[];
    /** Resource names (of the same release) this object must wait for. */
    readonly dependsOn: readonly string[];
    /** Immutable objects with fixed names must be deleted before they are replaced. */
    readonly deleteBeforeReplace: boolean;
}

/** The Kubernetes objects one service's release declares, in apply order (the ServiceRelease component declares them as its children). */
export interface ServiceObjects {
    readonly service: string;
    readonly version: string;
    readonly objects: readonly ReleaseObject[];
}

export function typeToken(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

export function releaseObject(
    name: string,
    manifest: Manifest,
    extra: { secrets?: SecretBinding[]; dependsOn?: string[]; deleteBeforeReplace?: boolean } = {},
): ReleaseObject {
    return {
        name,
        type: typeToken(manifest.apiVersion, manifest.kind),
        manifest,
        secrets: extra.secrets ?? [],
        dependsOn: extra.dependsOn ?? [],
        deleteBeforeReplace: extra.deleteBeforeReplace ?? false,
    };
}
