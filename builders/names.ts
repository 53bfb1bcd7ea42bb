import { ServiceConfig } from "../config/types";
import { labelValueForVersion } from "../config/versions";

/** Kubernetes object names (metadata.name), in one place so builders, rules and the command line agree; Pulumi resource names are pulumiNames (service-objects.ts). */
export const kubeNames = {
    deployment: (s: ServiceConfig) => s.name,
    /** The Deployment Flagger creates and keeps serving the promoted version. */
    primaryDeployment: (s: ServiceConfig) => `${s.name}-primary`,
    hpa: (s: ServiceConfig) => s.name,
    /** Protects the primary's pods, the ones serving traffic; Flagger creates no budget of its own. */
    disruptionBudget: (s: ServiceConfig) => `${s.name}-primary`,
    canary: (s: ServiceConfig) => s.name,
    ingress: (s: ServiceConfig) => s.name,
    alertProvider: (s: ServiceConfig) => `${s.name}-${s.notification}`,
    webhookSecret: (s: ServiceConfig) => `${s.name}-${s.notification}-webhook`,
    databaseSecret: (s: ServiceConfig) => `${s.name}-database`,
    prometheusRule: (s: ServiceConfig) => `${s.name}-release-alerts`,
    metricTemplate: (s: ServiceConfig, metric: "error-rate" | "latency") => `${s.name}-${metric}`,
    migrationJob: (s: ServiceConfig) => migrationJobName(s.name, s.version),
};

/**
 * Migration Jobs are immutable, so each version gets its own: `checkout-migrate-2-4-1`.
 * Where dots-to-dashes would lose information (build metadata, upper case, dashes in the
 * prerelease) or the name would pass 63 characters, a hash of the exact version keeps it unique.
 */
export function migrationJobName(service: string, version: string): string {
    const slug = version.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const lossless = /^[0-9a-z.]+(?:-[0-9a-z.]+)?$/.test(version) && !version.slice(version.indexOf("-") + 1).includes("-");
    const base = `${service}-migrate-${slug}`;
    if (lossless && base.length <= 63) return base;
    // crypto loaded only here (~4 ms): most versions never need the hash
    const { createHash } = require("crypto") as typeof import("crypto");
    const hash = createHash("sha256").update(version).digest("hex").slice(0, 8);
    return `${base.slice(0, 63 - 9).replace(/-+$/, "")}-${hash}`;
}

export const ANNOTATIONS = {
    version: "releasectl.dev/version",
    previousVersion: "releasectl.dev/previous-version",
    rollback: "releasectl.dev/rollback",
    firstRelease: "releasectl.dev/first-release",
    migrationPhase: "releasectl.dev/migration-phase",
    downgradeCommand: "releasectl.dev/downgrade-command",
    environment: "releasectl.dev/environment",
    evidencePrefix: "releasectl.dev/evidence-",
    /** Provenance of a promoted release (releasectl promote): the stack, commit and version it passed. */
    promotedFromStack: "releasectl.dev/promoted-from-stack",
    promotedFromCommit: "releasectl.dev/promoted-from-commit",
    promotedVersion: "releasectl.dev/promoted-version",
} as const;

/** The recommended labels (app.kubernetes.io/*) plus the version. */
export function commonLabels(s: ServiceConfig, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": s.name,
        "app.kubernetes.io/instance": s.name,
        "app.kubernetes.io/version": labelValueForVersion(s.version),
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": s.name,
        "app.kubernetes.io/managed-by": "releasectl",
    };
}

/** Labels that select the service's pods: never the version (selectors are immutable). */
export function selectorLabels(s: ServiceConfig): Record<string, string> {
    return { "app.kubernetes.io/name": s.name };
}

/**
 * Labels of the pods of the primary Deployment Flagger makes from ours: Flagger takes the first
 * of its `-selector-labels` (default `app,name,app.kubernetes.io/name`) found in our selector,
 * and gives the primary's selector and pod template that label with the value `<value>-primary`
 * (pkg/canary/deployment_controller.go, makePrimaryLabels).
 */
export function primarySelectorLabels(s: ServiceConfig): Record<string, string> {
    return { "app.kubernetes.io/name": kubeNames.primaryDeployment(s) };
}
