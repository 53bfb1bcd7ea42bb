import * as pulumi from "@pulumi/pulumi";
import { imageReference } from "../builders/image";
import { buildServiceObjects, objectNamesOf } from "../builders/service-objects";
import { ReleaseConfig, ServiceConfig } from "../config/types";
import { declareObject } from "./kubernetesObject";

export interface ServiceReleaseArgs {
    /** The stack's whole configuration (notification targets, environment). */
    readonly config: ReleaseConfig;
    /** The service to release, at the version its configuration names. */
    readonly service: ServiceConfig;
}

/**
 * One service's release: migration Job, Deployment, HPA, Canary, notifications and alert rules,
 * all declared from the pure builders. Children keep the builders' resource names, so long-lived
 * objects keep their URNs from version to version and per-version Jobs get new ones.
 */
export class ServiceRelease extends pulumi.ComponentResource {
    public readonly version: pulumi.Output<string>;
    public readonly image: pulumi.Output<string>;
    public readonly previousVersion: pulumi.Output<string | undefined>;
    public readonly rollback: pulumi.Output<boolean>;
    /** Kubernetes object names by kind (`Deployment`, `Canary`, `Job`, ...; `Kind/name` where a kind repeats). */
    public readonly objectNames: pulumi.Output<Record<string, string>>;
    /** The declared resources by Pulumi resource name. */
    public readonly resources: Readonly<Record<string, pulumi.CustomResource>>;

    constructor(name: string, args: ServiceReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("releasectl:index:ServiceRelease", name, {}, opts);
        const release = buildServiceObjects(args.config, args.service);
        const resources: Record<string, pulumi.CustomResource> = {};
        for (const object of release.objects) {
            const dependsOn = object.dependsOn.map((dep) => {
                const resource = resources[dep];
                if (!resource) throw new pulumi.ResourceError(`${object.name} depends on ${dep}, which is declared after it`, this);
                return resource;
            });
            resources[object.name] = declareObject(object, { parent: this, dependsOn });
        }
        this.resources = resources;
        this.version = pulumi.output(args.service.version);
        this.image = pulumi.output(imageReference(args.service));
        this.previousVersion = pulumi.output(args.service.previousVersion);
        this.rollback = pulumi.output(args.service.rollback);
        this.objectNames = pulumi.output(objectNamesOf(release.objects.map((o) => o.manifest)));
        this.registerOutputs({
            version: this.version,
            image: this.image,
            previousVersion: this.previousVersion,
            rollback: this.rollback,
            objectNames: this.objectNames,
        });
    }
}

/** The stack output `services.<name>` of a service, from its configuration alone (no resources). */
export function serviceOutputs(config: ReleaseConfig, service: ServiceConfig) {
    return {
        version: service.version,
        image: imageReference(service),
        previousVersion: service.previousVersion,
        rollback: service.rollback,
        objects: objectNamesOf(buildServiceObjects(config, service).objects.map((o) => o.manifest)),
    };
}
