/**
 * Image references as the container runtime reads them (the distribution reference grammar):
 * `[host[:port]/]path[:tag][@digest]`. A first component is a registry host only when it has a
 * `.` or a `:` or is `localhost`; otherwise the image is on Docker Hub.
 */
export interface ImageReference {
    /** `registry.example.com`, `docker.io`, `localhost:5000`. */
    readonly registry: string;
    /** Registry and path, normalised: `docker.io/library/nginx`. */
    readonly name: string;
    readonly tag?: string;
    readonly digest?: string;
}

export function parseImage(reference: string): ImageReference {
    const at = reference.indexOf("@");
    const digest = at >= 0 ? reference.slice(at + 1) : undefined;
    const rest = at >= 0 ? reference.slice(0, at) : reference;
    const slash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    const tag = colon > slash ? rest.slice(colon + 1) : undefined;
    const path = colon > slash ? rest.slice(0, colon) : rest;
    const first = path.split("/")[0];
    const hasHost = path.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = hasHost ? first : "docker.io";
    const repository = hasHost ? path.slice(first.length + 1) : path.includes("/") ? path : `library/${path}`;
    return { registry, name: `${registry}/${repository}`, tag: tag || undefined, digest: digest || undefined };
}

/**
 * Whether an image comes from an allowed source. An entry is a registry host
 * (`registry.example.com`) or a path prefix (`registry.example.com/shop`), matched at `/`
 * boundaries so `registry.example.com/shop` does not allow `registry.example.com/shopping`.
 */
export function registryAllowed(image: ImageReference, allowed: readonly string[]): boolean {
    return allowed.some((entry) => {
        const prefix = entry.replace(/\/+$/, "");
        return image.name === prefix || image.name.startsWith(`${prefix}/`);
    });
}
