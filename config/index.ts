export * from "./types";
export * from "./errors";
export * from "./load";
export * from "./defaults";
export * from "./duration";
export * from "./versions";
export * from "./quantity";
