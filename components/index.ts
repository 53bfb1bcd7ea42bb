export * from "./serviceRelease";
export * from "./kubernetesObject";
export * from "./programConfig";
