/**
 * The typed release configuration. The loader (`load.ts`) is the only producer; builders,
 * components, rules and the command line only consume it. Every field is filled: defaults are
 * applied by the loader, so nothing downstream repeats a default.
 */

/**
 * A value that is a Pulumi secret. Offline (reading a stack file) only the ciphertext is known;
 * inside the Pulumi program the engine hands over the plaintext. Builders never look inside:
 * they emit SECRET_PLACEHOLDER and a SecretBinding, and only the Pulumi component substitutes the
 * real value, wrapped in `pulumi.secret`.
 */
export interface SecretValue {
    readonly kind: "secret";
    /** Config path of the value, e.g. `releasectl:services.checkout.migration.databaseUrl`. */
    readonly path: string;
    /** The `secure:` ciphertext when read from a stack file. */
    readonly ciphertext?: string;
    /** The decrypted value, only inside the Pulumi program. Never print it. */
    readonly plaintext?: string;
}

/** What rendered manifests show instead of a secret's value. */
export const SECRET_PLACEHOLDER = "<secret>";

export type CanaryProvider = "istio" | "linkerd" | "nginx" | "kubernetes";
export const CANARY_PROVIDERS: readonly CanaryProvider[] = ["istio", "linkerd", "nginx", "kubernetes"];

export type MigrationPhase = "expand" | "contract";
export const MIGRATION_PHASES: readonly MigrationPhase[] = ["expand", "contract"];

export type NotificationType = "slack" | "msteams" | "discord" | "rocket" | "gchat";
export const NOTIFICATION_TYPES: readonly NotificationType[] = ["slack", "msteams", "discord", "rocket", "gchat"];

export interface ImageConfig {
    /** Registry and repository without tag, e.g. `registry.example.com/shop/checkout`. */
    readonly repository: string;
    /** `sha256:<64 hex>`; when set the image is pinned by digest (the tag is kept for humans). */
    readonly digest?: string;
}

export interface ProbeConfig {
    readonly readinessPath: string;
    readonly livenessPath: string;
    readonly initialDelaySeconds: number;
    readonly periodSeconds: number;
    readonly timeoutSeconds: number;
    readonly failureThreshold: number;
}

export interface ResourceAmounts {
    readonly cpu: string;
    readonly memory: string;
    /** Scratch space, logs and the writable layer (`ephemeral-storage`). */
    readonly ephemeralStorage: string;
}

export interface ResourcesConfig {
    readonly requests: ResourceAmounts;
    readonly limits: ResourceAmounts;
}

export interface ReplicasConfig {
    readonly min: number;
    readonly max: number;
    /** Average CPU utilisation (percent of requests) the HPA aims for. */
    readonly targetCpuUtilization: number;
}

export interface WebhookCommand {
    /** Command run by flagger-loadtester (`bash` task for smoke tests, `hey`/`ghz` for load). */
    readonly command: string;
    /** Go duration, e.g. `30s`. */
    readonly timeout: string;
}

export interface CanaryConfig {
    readonly provider: CanaryProvider;
    /** Go duration as written, e.g. `1m`. */
    readonly interval: string;
    readonly intervalSeconds: number;
    /**
     * The range of the analysis' rate() queries (each metric's `interval`, `{{ interval }}` in the
     * MetricTemplates): the analysis interval unless set. It must hold several scrapes: with a
     * Prometheus scrape interval above half of it, rate() sees one sample, the query answers no
     * value and Flagger counts a failed check against a healthy canary.
     */
    readonly metricWindow: string;
    /** Failed checks before Flagger rolls back. */
    readonly threshold: number;
    readonly maxWeight: number;
    readonly stepWeight: number;
    /** Blue/green (provider `kubernetes`): number of analysis runs. */
    readonly iterations: number;
    /** Minimum percentage of non-5xx responses. */
    readonly successRateMin: number;
    /** Maximum request duration in milliseconds. */
    readonly latencyMaxMs: number;
    readonly progressDeadlineSeconds: number;
    readonly loadTesterUrl: string;
    /**
     * Address of the ingress controller's Service (provider `nginx`): the default load test goes
     * through it with the Ingress host, since Flagger's nginx metrics count only ingress traffic.
     */
    readonly ingressControllerUrl: string;
    readonly smokeTest: WebhookCommand;
    readonly loadTest: WebhookCommand;
    /** Host for the Ingress (provider `nginx` only). */
    readonly host?: string;
    readonly ingressClassName: string;
}

export interface MigrationConfig {
    readonly command: readonly string[];
    readonly downgradeCommand: readonly string[];
    readonly phase: MigrationPhase;
    /** Image that runs the migration; defaults to the service's own image. */
    readonly image?: string;
    readonly backupCommand?: readonly string[];
    readonly backoffLimit: number;
    readonly activeDeadlineSeconds: number;
    readonly ttlSecondsAfterFinished: number;
    readonly databaseUrl: SecretValue;
}

export interface MetricsConfig {
    /** Counter of requests, labelled with the status code. */
    readonly requestsTotal: string;
    /** Histogram buckets of request duration in seconds. */
    readonly durationBucket: string;
    /** Label that carries the HTTP status code. */
    readonly statusLabel: string;
    /** Label matchers selecting this service's series, without braces. */
    readonly selector: string;
}

export interface AlertsConfig {
    /** Percentage of 5xx responses above which `HighErrorRate` fires. */
    readonly errorRatePercent: number;
    /** p99 latency in milliseconds above which `HighLatency` fires. */
    readonly latencyP99Ms: number;
    /** Container restarts within `restartWindow` above which `PodsRestarting` fires. */
    readonly restartsThreshold: number;
    readonly restartWindow: string;
    /** How long a condition must hold before an alert fires. */
    readonly for: string;
    /** Range of the rate() windows. */
    readonly rateWindow: string;
    readonly runbookUrl: string;
    readonly metrics: MetricsConfig;
    /** Extra labels on the PrometheusRule, e.g. `release: kube-prometheus-stack` for the operator's ruleSelector. */
    readonly ruleLabels: Readonly<Record<string, string>>;
    /**
     * Label that carries the Canary's namespace on Flagger's own metrics. Undefined: match both
     * `exported_namespace` (a ServiceMonitor with honorLabels false, the chart default) and
     * `namespace` on series without `exported_namespace` (honorLabels true, Flagger's bundled Prometheus).
     */
    readonly flaggerNamespaceLabel?: string;
}

/** PodDisruptionBudget for the pods Flagger serves from (`<service>-primary`). */
export interface DisruptionBudgetConfig {
    readonly enabled: boolean;
    /** Whole number or percentage (`25%`) of primary pods that may be evicted at once. */
    readonly maxUnavailable: number | string;
}

export type WhenUnsatisfiable = "ScheduleAnyway" | "DoNotSchedule";
export const WHEN_UNSATISFIABLE: readonly WhenUnsatisfiable[] = ["ScheduleAnyway", "DoNotSchedule"];

/** topologySpreadConstraints of the pod template (Flagger rewrites the selectors for `-primary`). */
export interface TopologySpreadConfig {
    readonly enabled: boolean;
    readonly maxSkew: number;
    readonly whenUnsatisfiable: WhenUnsatisfiable;
    /** Node labels to spread across, e.g. `topology.kubernetes.io/zone`, `kubernetes.io/hostname`. */
    readonly topologyKeys: readonly string[];
}

/** Evidence only people can give, recorded with the release (links or ids). */
export interface EvidenceConfig {
    readonly ciRun?: string;
    readonly review?: string;
    readonly securityScan?: string;
    readonly performanceReport?: string;
}

/** Where a service's commits live (its version line); see services.<name>.commits. */
export interface CommitsConfig {
    /** Another repository holding the service's code (a folder, relative to the project); undefined: this one. */
    readonly repository?: string;
    /** Paths whose changes are the service's (relative to the project, or to `repository`); empty: all. */
    readonly paths: readonly string[];
}

/** The stack a release passed before this one, and the commit of that stack's file it was copied from. */
export interface PromotedFrom {
    readonly stack: string;
    /** Full commit id. */
    readonly commit: string;
    readonly version: string;
}

export interface ServiceConfig {
    readonly name: string;
    readonly namespace: string;
    readonly image: ImageConfig;
    /** Full SemVer 2.0, e.g. `2.4.1`, `3.0.0-rc.1+build.7`. */
    readonly version: string;
    /** The version this release replaces (recorded by `releasectl prepare`). */
    readonly previousVersion?: string;
    /** This release re-applies a known-good version: Flagger skips analysis. */
    readonly rollback: boolean;
    /** The service's first release: there is no earlier version; rolling back removes the service. */
    readonly firstRelease: boolean;
    /** Why a version that was rolled back is released again (the checklist asks in production). */
    readonly rerelease?: { readonly version: string; readonly reason: string };
    /** Where the release came from: written by `releasectl promote` (see PromotedFrom). */
    readonly promotedFrom?: PromotedFrom;
    /** Where its commits live: the version line next, prepare auto, ship auto, tag and history read. */
    readonly commits: CommitsConfig;
    /**
     * Release tags are `<tagPrefix><version>`. undefined: not set, so the default applies
     * (`v`, or `<service>-v` in a stack of several services sharing a repository).
     */
    readonly tagPrefix?: string;
    /** The prefix the service's next release tag gets (the set one or the default). */
    readonly releaseTagPrefix: string;
    readonly port: number;
    readonly probes: ProbeConfig;
    readonly resources: ResourcesConfig;
    readonly replicas: ReplicasConfig;
    readonly disruptionBudget: DisruptionBudgetConfig;
    readonly topologySpread: TopologySpreadConfig;
    readonly revisionHistoryLimit: number;
    readonly env: Readonly<Record<string, string>>;
    readonly canary: CanaryConfig;
    readonly migration?: MigrationConfig;
    readonly alerts: AlertsConfig;
    /** Name of an entry in the stack's `notifications`. */
    readonly notification: string;
    readonly evidence: EvidenceConfig;
}

export interface NotificationConfig {
    readonly name: string;
    readonly type: NotificationType;
    readonly channel?: string;
    readonly username: string;
    /** Webhook address: always a secret. */
    readonly address: SecretValue;
}

export interface ReleaseConfig {
    readonly project: string;
    readonly stack: string;
    /** Where the configuration came from (a stack file path, or `pulumi config`). */
    readonly source: string;
    readonly environment: string;
    readonly namespace: string;
    readonly kubeContext?: string;
    readonly renderYamlToDirectory?: string;
    readonly prometheusUrl?: string;
    readonly notifications: Readonly<Record<string, NotificationConfig>>;
    /** Sorted by name, so every output is in a stable order. */
    readonly services: readonly ServiceConfig[];
}
