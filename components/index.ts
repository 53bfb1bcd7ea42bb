export * from "./serviceRelease";
export * from "./kubernetesObject";
export * from "./programConfig";
export * from "./targetedServices";
