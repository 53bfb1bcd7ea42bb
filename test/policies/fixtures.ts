import * as path from "path";
import { buildRelease } from "../../builders/service-objects";
import { ServiceObjects } from "../../builders/types";
import { loadStack } from "../../config/load";
import { ReleaseConfig } from "../../config/types";
import { TestResource, urnFor } from "./runtime";

/**
 * One valid baseline: the example production stack (checkout with a migration, storefront
 * without). Each test takes an object from it and changes one field.
 */

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

let example: ReleaseConfig | undefined;
export function exampleConfig(): ReleaseConfig {
    example ??= loadStack(PROJECT_DIR, "production");
    return example;
}

/** The example's release objects as the engine would see them (URNs, dependencies). */
export function stackResources(config: ReleaseConfig = exampleConfig(), releases: ServiceObjects[] = buildRelease(config)): TestResource[] {
    const resources: TestResource[] = [];
    for (const release of releases) {
        const typeOf = new Map(release.objects.map((o) => [o.name, o.type]));
        for (const o of release.objects) {
            resources.push({
                type: o.type,
                props: structuredClone(o.manifest) as Record<string, unknown>,
                urn: urnFor(o.type, o.name, config.stack),
                name: o.name,
                dependencies: o.dependsOn.map((d) => urnFor(typeOf.get(d)!, d, config.stack)),
            });
        }
    }
    return resources;
}

/** The example's object of a kind for a service (checkout by default), as a fresh copy. */
export function exampleObject(kind: string, service = "checkout"): TestResource {
    const found = stackResources().find((r) => (r.props.kind as string) === kind && (r.name ?? "").startsWith(`${service}-`));
    if (!found) throw new Error(`no ${kind} for ${service} in the example`);
    return found;
}

/** A copy of `resource` with the field at `path` set (or removed with `undefined`). */
export function changed(resource: TestResource, path: readonly (string | number)[], value: unknown): TestResource {
    const props = structuredClone(resource.props);
    let node: Record<string | number, unknown> = props;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (value === undefined) {
        if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
        else delete node[last];
    } else {
        node[last] = value;
    }
    return { ...resource, props };
}

/** The stack with one resource replaced by a changed copy. */
export function stackWith(resources: readonly TestResource[], replaced: TestResource): TestResource[] {
    return resources.map((r) => (r.urn === replaced.urn ? replaced : r));
}

/** A Deployment written by hand, outside releasectl's builders: compliant with every workload rule. */
export function foreignDeployment(image = "registry.example.com/tools/proxy:1.25.3"): TestResource {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "edge-proxy",
        urn: "urn:pulumi:production::platform::kubernetes:apps/v1:Deployment::edge-proxy",
        props: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "edge-proxy", namespace: "edge" },
            spec: {
                selector: { matchLabels: { app: "edge-proxy" } },
                template: {
                    metadata: { labels: { app: "edge-proxy" } },
                    spec: {
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [
                            {
                                name: "proxy",
                                image,
                                readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
                                livenessProbe: { httpGet: { path: "/live", port: 8080 } },
                                resources: {
                                    requests: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "64Mi" },
                                    limits: { cpu: "500m", memory: "128Mi", "ephemeral-storage": "128Mi" },
                                },
                                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                            },
                        ],
                    },
                },
            },
        },
    };
}
