import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ReleaseObject } from "../builders/types";

/**
 * Declares one builder object as a Kubernetes resource. The manifest is passed through
 * unchanged, except that every secret binding gets the real value wrapped in `pulumi.secret`,
 * so it is encrypted in state and never printed.
 */
export function declareObject(object: ReleaseObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    // The builders' manifests are plain data checked against the real schemas in the tests,
    // so they are handed to the typed classes as they are.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const args: any = withSecrets(object);
    const resourceOpts: pulumi.CustomResourceOptions = { ...opts, deleteBeforeReplace: object.deleteBeforeReplace || undefined };
    switch (object.type) {
        case "kubernetes:core/v1:Secret":
            return new k8s.core.v1.Secret(object.name, args, resourceOpts);
        case "kubernetes:apps/v1:Deployment":
            return new k8s.apps.v1.Deployment(object.name, args, resourceOpts);
        case "kubernetes:batch/v1:Job":
            return new k8s.batch.v1.Job(object.name, args, resourceOpts);
        case "kubernetes:autoscaling/v2:HorizontalPodAutoscaler":
            return new k8s.autoscaling.v2.HorizontalPodAutoscaler(object.name, args, resourceOpts);
        case "kubernetes:policy/v1:PodDisruptionBudget":
            return new k8s.policy.v1.PodDisruptionBudget(object.name, args, resourceOpts);
        case "kubernetes:networking.k8s.io/v1:Ingress":
            return new k8s.networking.v1.Ingress(object.name, args, resourceOpts);
        case "kubernetes:flagger.app/v1beta1:Canary":
        case "kubernetes:flagger.app/v1beta1:AlertProvider":
        case "kubernetes:flagger.app/v1beta1:MetricTemplate":
        case "kubernetes:monitoring.coreos.com/v1:PrometheusRule":
            return new k8s.apiextensions.CustomResource(object.name, args, resourceOpts);
        default:
            throw new pulumi.ResourceError(`releasectl has no resource class for ${object.type} (object ${object.name})`, opts.parent);
    }
}

/** A deep copy of the manifest with each secret binding replaced by its secret Output. */
function withSecrets(object: ReleaseObject): Record<string, unknown> {
    if (object.secrets.length === 0) return object.manifest as Record<string, unknown>;
    const copy = structuredClone(object.manifest) as Record<string, unknown>;
    for (const binding of object.secrets) {
        if (binding.secret.plaintext === undefined) {
            throw new pulumi.RunError(
                `${binding.secret.path} has no value inside the Pulumi program; set it with: pulumi config set --secret --path '${binding.secret.path}' <value>`,
            );
        }
        let node = copy;
        for (const key of binding.path.slice(0, -1)) node = node[key] as Record<string, unknown>;
        node[binding.path[binding.path.length - 1]] = pulumi.secret(binding.secret.plaintext);
    }
    return copy;
}
