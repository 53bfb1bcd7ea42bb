import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { loadProgramConfig, ServiceRelease, serviceOutputs, targetedServices } from "./components";

// One release per service, at the version the stack configuration names. Rolling back is
// re-applying an earlier configuration (releasectl rollback) and running `pulumi up` again.
const config = loadProgramConfig();

// With a directory set, manifests are written there instead of sent to a cluster; the provider
// then refuses a kubeconfig context, so none is passed.
const provider = new k8s.Provider("kubernetes", {
    context: config.renderYamlToDirectory === undefined ? config.kubeContext : undefined,
    namespace: config.namespace,
    renderYamlToDirectory: config.renderYamlToDirectory,
});

// Under `releasectl ship --target` only the released service is declared (the engine keeps the
// others as they are); otherwise, and always under a plain `pulumi up`, every service is.
const only = targetedServices(process.env, pulumi.getStack(), config.services.map((s) => s.name));
const declared = config.services.filter((s) => only === undefined || only.has(s.name));
const releases = new Map(
    declared.map((service) => [service.name, new ServiceRelease(service.name, { config, service }, { providers: { kubernetes: provider } })]),
);

/** Per service: version, image, previous version, rollback flag and object names. */
export const services = Object.fromEntries(
    config.services.map((service) => {
        const release = releases.get(service.name);
        if (release === undefined) return [service.name, serviceOutputs(config, service)];
        return [
            service.name,
            {
                version: release.version,
                image: release.image,
                previousVersion: release.previousVersion,
                rollback: release.rollback,
                objects: release.objectNames,
            },
        ];
    }),
);
export const namespace = config.namespace;
export const environment = config.environment;
