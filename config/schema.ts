import { isPrometheusDuration, parseDuration } from "./duration";
import { isCpuQuantity, isMemoryQuantity } from "./quantity";
import { CANARY_PROVIDERS, MIGRATION_PHASES, NOTIFICATION_TYPES, WHEN_UNSATISFIABLE } from "./types";
import { isSemVer } from "./versions";

/** keysOf's answers (declared first: the declarations below call it). */
const KEYS = new WeakMap<ObjectField, readonly string[]>();

/**
 * The stack keys, declared once: type, default, pattern or allowed values, range, description
 * and secret-ness of every `releasectl:*` key and of each service's keys. The loader
 * (`load.ts`) reads every key through this declaration (the allowed keys of each map, ranges,
 * patterns, defaults and the text of its messages); `json-schema.ts` publishes it as a JSON
 * Schema for editors (`releasectl schema`), `schema-docs.ts` writes docs/configuration.md from
 * it, and a test holds Pulumi.yaml's `config:` declarations to it. Rules between keys (max at
 * least min, limits at least requests, host required for nginx, ...) stay code in the loader.
 */

/** A length limit tighter than the 64 KiB of any value (checked by limits.ts before any key is read). */
export interface Limit {
    readonly max: number;
    /** Why, as the message says it. */
    readonly why: string;
    /** A further check of the text's shape, returning the problem. */
    readonly check?: (s: string) => string | undefined;
}

interface Base {
    /** One or more sentences for docs/configuration.md, Pulumi.yaml and the editor's hover. */
    readonly description: string;
    /** The default as the reference shows it, where it is computed or differs from `default`. */
    readonly defaultText?: string;
    /** Must be present (and, for strings, not empty). */
    readonly required?: boolean;
    /** The type as the reference names it (duration, URL, quantity, ...). */
    readonly label?: string;
    /**
     * An optional key left empty (`key:`, null) reads as absent, like a missing key; this one
     * refuses null instead (a top-level map the engine hands the program as JSON text).
     */
    readonly nullRefused?: boolean;
}

export interface StringField extends Base {
    readonly kind: "string";
    readonly default?: string;
    /** Checked by the loader and published in the JSON Schema. */
    readonly pattern?: RegExp;
    /** Only these values (checked by the loader; an `enum` in the JSON Schema). */
    readonly enum?: readonly string[];
    /** A further check the JSON Schema cannot express (the loader runs it after `pattern`). */
    readonly check?: (s: string) => boolean;
    /** What the loader's message says is allowed. */
    readonly allowed?: string;
    /** The JSON Schema's stand-in for `check`, where one exists. */
    readonly jsonPattern?: string;
    /** A YAML number is read as its text (a CPU quantity written `cpu: 2`). */
    readonly acceptsNumber?: boolean;
    /** Values the JSON Schema refuses besides the pattern (the loader's `check` refuses them too). */
    readonly not?: readonly string[];
    readonly limit?: Limit;
    /** An image reference: registry credentials in it get their own fix. */
    readonly image?: true;
}

export interface IntegerField extends Base {
    readonly kind: "integer" | "number";
    readonly min: number;
    readonly max: number;
    readonly default: number;
}

export interface BooleanField extends Base {
    readonly kind: "boolean";
    readonly default: boolean;
}

/** A list of strings (argv), or one string run by `sh -c`. */
export interface CommandField extends Base {
    readonly kind: "command";
}

/** A Pulumi secret: in a stack file always a `secure:` value. */
export interface SecretField extends Base {
    readonly kind: "secret";
}

/** A value whose rule is code in the loader; `json` is its JSON Schema. */
export interface CustomField extends Base {
    readonly kind: "custom";
    readonly json: Record<string, unknown>;
    readonly default?: unknown;
}

export interface ObjectField<K extends string = string> extends Base {
    readonly kind: "object";
    /** In the order the loader's "Allowed keys" message lists them. */
    readonly keys: { readonly [key in K]: Field };
    /** Extra JSON Schema keywords (conditions between keys). */
    readonly json?: Record<string, unknown>;
    readonly default?: Record<string, never>;
    /** A limit on the value of every key of the map, declared or not. */
    readonly limitEach?: Limit;
}

/** A map from names the user chooses (services, notification targets, env) to values. */
export interface MapField extends Base {
    readonly kind: "map";
    /** What a name is, as the reference shows it (`<name>`, `<NAME>`). */
    readonly keyName: string;
    readonly keyPattern?: RegExp;
    readonly values: Field;
    readonly default?: Record<string, never>;
    /** At least one entry. */
    readonly minEntries?: number;
}

export type Field = StringField | IntegerField | BooleanField | CommandField | SecretField | CustomField | ObjectField | MapField;

// ---------------------------------------------------------------------------------------------
// Patterns

/** DNS-1123 label short enough to take the suffixes Flagger and releasectl add (`-primary`, `-migrate-…`). */
export const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
export const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An image repository as the distribution reference grammar defines it, without tag or digest. */
export const REPOSITORY =
    /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
export const URL = /^https?:\/\/[^\s]+$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** DNS-1123 subdomain (length checked in limits.ts). */
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
export const HOSTNAME = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\.)+[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
/** A tag prefix: what git allows in a tag name, and nothing that ends the name early. */
const TAG_PREFIX = /^(?:[A-Za-z0-9][A-Za-z0-9._/@+-]*)?$/;
/** A relative path inside the repository: no leading /, no .. segment, no git pathspec magic. */
const COMMIT_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))(?!:)[^\0\n]+$/;
/** The official SemVer 2.0.0 grammar, without a leading `v` (versions.ts adds its length limits). */
const SEMVER_JSON =
    "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$";
/** Kubernetes label key: optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STACK_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const COMMIT = /^[0-9a-f]{40}$/;
/** A full image reference with a tag or digest (the second half of the check is code). */
const IMAGE_REFERENCE = /^[^\s:@]+(?::[0-9]+\/[^\s:@]+)?(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/**
 * Flagger's CRD checks intervals and webhook timeouts with the pattern `^[0-9]+(m|s)`: whole
 * seconds or minutes first, so `1h` or `1.5m` would pass Go's parser but fail at apply time.
 */
const FLAGGER_DURATION_NOTE = "(whole seconds or minutes first: Flagger's CRD rejects 1h and 1.5m)";
export function isFlaggerDuration(text: string): boolean {
    return parseDuration(text) !== undefined && /^[0-9]+(m|s)/.test(text);
}
const FLAGGER_DURATION_JSON = "^(?=[0-9]+(m|s))(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+$";
const PROMETHEUS_DURATION_JSON = "^(?:\\d+(?:ms|s|m|h|d|w|y))+$";

/** Label matchers without braces: `a="x",b=~"y.*"`. */
export function isSelector(text: string): boolean {
    const matcher = /\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*/y;
    let pos = 0;
    let count = 0;
    while (pos < text.length) {
        matcher.lastIndex = pos;
        if (!matcher.test(text)) return false;
        pos = matcher.lastIndex;
        count++;
        if (pos < text.length) {
            if (text[pos] !== ",") return false;
            pos++;
        }
    }
    return count > 0;
}
const MATCHER_JSON = '\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*(=|!=|=~|!~)\\s*"(?:[^"\\\\]|\\\\.)*"\\s*';
const SELECTOR_JSON = `^${MATCHER_JSON}(?:,${MATCHER_JSON})*$`;

// ---------------------------------------------------------------------------------------------
// Builders: each returns its field with the literal key types kept.

const str = (f: Omit<StringField, "kind">): StringField => ({ kind: "string", ...f });
/** A command flagger-loadtester runs for a webhook: any text that is not blank; its default is computed. */
const webhookCommand = (allowed: string, description: string, defaultText: string): StringField =>
    str({ check: (s) => s.trim() !== "", jsonPattern: "\\S", allowed, description, defaultText });
const int = (min: number, max: number, def: number, description: string, more: Partial<IntegerField> = {}): IntegerField => ({
    kind: "integer",
    min,
    max,
    default: def,
    description,
    ...more,
});
const num = (min: number, max: number, def: number, description: string): IntegerField => ({ kind: "number", min, max, default: def, description });
const bool = (def: boolean, description: string, more: Partial<BooleanField> = {}): BooleanField => ({ kind: "boolean", default: def, description, ...more });
/** An object field whose keys keep their own types (`SERVICE.keys.canary.keys.interval` is a StringField). */
export type ObjectSpec<T extends Record<string, Field>> = Omit<ObjectField<Extract<keyof T, string>>, "keys"> & { readonly keys: T };
function obj<T extends Record<string, Field>>(keys: T, description: string, more: Partial<Omit<ObjectField, "keys" | "kind">> = {}): ObjectSpec<T> {
    return { kind: "object", keys, description, ...more };
}
const flaggerDuration = (def: string | undefined, allowed: string, description: string, more: Partial<StringField> = {}): StringField =>
    str({ default: def, check: isFlaggerDuration, jsonPattern: FLAGGER_DURATION_JSON, allowed, description, label: "duration", ...more });
const promDuration = (def: string, description: string): StringField =>
    str({ default: def, check: isPrometheusDuration, jsonPattern: PROMETHEUS_DURATION_JSON, allowed: "a Prometheus duration such as 5m", description, label: "duration" });
const URL_LIMIT: Limit = { max: 2048, why: "a URL holds at most 2048 characters" };
const url = (def: string | undefined, allowed: string, description: string, more: Partial<StringField> = {}): StringField =>
    str({ default: def, pattern: URL, allowed, description, label: "URL", limit: URL_LIMIT, ...more });
const VERSION_LIMIT: Limit = { max: 128, why: "the version is the image tag, and a tag holds at most 128 characters" };

/** Every label of a host name holds at most 63 characters. */
function dnsLabels(host: string): string | undefined {
    const long = host.split(".").find((label) => label.length > 63);
    return long === undefined ? undefined : `is not allowed: each label of a DNS name holds at most 63 characters (one has ${long.length})`;
}

// ---------------------------------------------------------------------------------------------
// The service keys

export const PROBES = obj(
    {
        readinessPath: str({ default: "/readyz", pattern: HTTP_PATH, allowed: "an HTTP path starting with /", description: "path of the HTTP readiness probe" }),
        livenessPath: str({ default: "/livez", pattern: HTTP_PATH, allowed: "an HTTP path starting with /", description: "path of the HTTP liveness probe" }),
        initialDelaySeconds: int(0, 3600, 5, "seconds before the first probe"),
        periodSeconds: int(1, 3600, 10, "seconds between probes"),
        timeoutSeconds: int(1, 3600, 2, "seconds a probe may take"),
        failureThreshold: int(1, 100, 3, "failed probes in a row before the container counts as not ready (or is restarted)"),
    },
    "HTTP readiness and liveness probes of the service's container (named port `http`)",
);

// ephemeral-storage: the 64Mi /tmp emptyDir plus the kubelet's rotated logs (5 x 10Mi by
// default) fit the request; the root filesystem is read-only, so nothing else grows.
function amounts(defaults: { cpu: string; memory: string; ephemeralStorage: string }, what: string) {
    return obj(
        {
            cpu: str({ default: defaults.cpu, check: isCpuQuantity, jsonPattern: "^(?=.*[1-9])\\d+(?:\\.\\d+)?m?$", acceptsNumber: true, allowed: "a CPU quantity such as 250m or 1", description: `CPU ${what}`, label: "quantity" }),
            memory: str({ default: defaults.memory, check: isMemoryQuantity, jsonPattern: MEMORY_JSON, allowed: "a memory quantity such as 256Mi or 1Gi", description: `memory ${what}`, label: "quantity" }),
            ephemeralStorage: str({
                default: defaults.ephemeralStorage,
                check: isMemoryQuantity,
                jsonPattern: MEMORY_JSON,
                allowed: "a storage quantity such as 256Mi or 1Gi",
                description: `ephemeral storage ${what} (scratch space, the 64Mi \`/tmp\` and the container logs)`,
                label: "quantity",
            }),
        },
        `${what} of every container (the Deployment's, the migration Job's and its backup init container)`,
    );
}
const MEMORY_JSON = "^(?=.*[1-9])\\d+(?:\\.\\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E)?$";

export const RESOURCES = obj(
    {
        requests: amounts({ cpu: "100m", memory: "128Mi", ephemeralStorage: "128Mi" }, "requests"),
        limits: amounts({ cpu: "500m", memory: "256Mi", ephemeralStorage: "256Mi" }, "limits"),
    },
    "requests and limits of every container; each limit must be at least its request",
);

export const REPLICAS = obj(
    {
        min: int(1, 1000, 2, "HorizontalPodAutoscaler's lower bound (the Deployment has no `replicas`)"),
        max: int(1, 1000, 10, "HorizontalPodAutoscaler's upper bound; at least `min`", { defaultText: "`10`, or `min` when larger" }),
        targetCpuUtilization: int(1, 100, 75, "HPA CPU target, percent of requests"),
    },
    "HorizontalPodAutoscaler bounds and target",
);

/** disruptionBudget.maxUnavailable: a whole number in this range, or a percentage. */
export const MAX_UNAVAILABLE_COUNT = int(1, 1000, 1, "primary pods that may be evicted at once");
export const MAX_UNAVAILABLE_PERCENT = str({ pattern: /^([1-9][0-9]?|100)%$/, allowed: "a percentage from 1% to 100%", description: "share of primary pods that may be evicted at once" });

export const DISRUPTION_BUDGET = obj(
    {
        enabled: bool(false, "PodDisruptionBudget `<name>-primary` selecting the pods of Flagger's primary (`app.kubernetes.io/name: <name>-primary`), with `unhealthyPodEvictionPolicy: AlwaysAllow`", {
            defaultText: "`replicas.min > 1`",
        }),
        maxUnavailable: {
            kind: "custom",
            default: MAX_UNAVAILABLE_COUNT.default,
            label: "integer or percent",
            description: "primary pods that may be evicted at once: a whole number from 1, or a percentage from 1% to 100%, so node drains can proceed",
            json: {
                oneOf: [
                    { type: "integer", minimum: MAX_UNAVAILABLE_COUNT.min, maximum: MAX_UNAVAILABLE_COUNT.max },
                    { type: "string", pattern: MAX_UNAVAILABLE_PERCENT.pattern!.source },
                ],
            },
        },
    },
    "PodDisruptionBudget for the pods Flagger serves from",
);

export const TOPOLOGY_SPREAD = obj(
    {
        enabled: bool(false, "`topologySpreadConstraints` of the pod template; Flagger rewrites their selector to `<name>-primary` for the primary", { defaultText: "`replicas.min > 1`" }),
        maxSkew: int(1, 100, 1, "the largest difference in pods between two zones (or nodes)"),
        whenUnsatisfiable: str({
            default: "ScheduleAnyway",
            enum: WHEN_UNSATISFIABLE,
            allowed: WHEN_UNSATISFIABLE.join(" or "),
            description: "`ScheduleAnyway` (soft, so a single-zone cluster or fewer nodes than replicas still schedules every pod) or `DoNotSchedule` (hard)",
        }),
        topologyKeys: {
            kind: "custom",
            default: ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
            label: "list",
            description: "node labels to spread across: a non-empty list of distinct node label keys",
            json: { type: "array", minItems: 1, uniqueItems: true, items: { type: "string", pattern: LABEL_KEY.source } },
        },
    },
    "spreading the pods across zones and nodes",
);

const CANARY = obj(
    {
        provider: str({
            default: "istio",
            enum: CANARY_PROVIDERS,
            allowed: `one of ${CANARY_PROVIDERS.join(", ")}`,
            description:
                "`istio`, `linkerd` (2.12+: with the linkerd-smi extension), `nginx` (adds an Ingress, `ingressRef` and a p99 latency MetricTemplate) or `kubernetes` (blue/green with `iterations` and metric templates)",
        }),
        interval: flaggerDuration("1m", `a duration such as 30s or 1m ${FLAGGER_DURATION_NOTE}`, "analysis interval, at least `10s`"),
        metricWindow: flaggerDuration(
            undefined,
            `a duration such as 2m, at least 4 times Prometheus' scrape interval ${FLAGGER_DURATION_NOTE}`,
            "range of the analysis' `rate()` queries (each metric's `interval`, `{{ interval }}` in the MetricTemplates); make it at least 4× Prometheus' scrape interval: a window holding one scrape measures nothing, and Flagger fails a healthy canary with \"no values found\"",
            { defaultText: "the interval" },
        ),
        threshold: int(1, 100, 5, "failed checks before Flagger rolls back"),
        maxWeight: int(1, 100, 50, "largest share of traffic (percent) the canary gets"),
        stepWeight: int(1, 100, 10, "traffic step (percent); at most `maxWeight`"),
        iterations: int(1, 1000, 10, "blue/green analysis runs (provider `kubernetes`)"),
        successRateMin: num(0, 100, 99, "minimum percentage of non-5xx responses"),
        latencyMaxMs: int(
            1,
            600000,
            500,
            "maximum p99 request duration (ms): Flagger's builtin `request-duration` on istio and linkerd, the `<name>-latency` MetricTemplate on nginx (over `nginx_ingress_controller_request_duration_seconds_bucket`) and blue/green",
        ),
        progressDeadlineSeconds: int(60, 86400, 600, "Flagger gives up on a canary that makes no progress for this long"),
        // Flagger's tutorials install the load tester into a namespace called `test`; a production
        // install runs it beside Flagger: helm upgrade -i flagger-loadtester flagger/loadtester -n flagger-system
        loadTesterUrl: url("http://flagger-loadtester.flagger-system/", "an http(s) URL", "flagger-loadtester address"),
        smokeTest: webhookCommand("a shell command", "`pre-rollout` webhook run by flagger-loadtester before any traffic moves", "`curl -sSf --max-time 10 http://<name>-canary.<ns>:<port><readinessPath>`"),
        smokeTestTimeout: flaggerDuration("30s", `a duration such as 30s ${FLAGGER_DURATION_NOTE}`, "timeout of the smoke test"),
        loadTest: webhookCommand(
            "a command",
            "`rollout` webhook that generates traffic during analysis",
            "`hey -z 1m -q 10 -c 2 http://<name>-canary.<ns>:<port>/`; nginx: `hey -z 1m -q 10 -c 2 -host <host> <ingressControllerUrl>/`",
        ),
        loadTestTimeout: flaggerDuration("5s", `a duration such as 30s ${FLAGGER_DURATION_NOTE}`, "timeout of each load test call"),
        host: str({
            pattern: HOSTNAME,
            limit: { max: 253, why: "a DNS name holds at most 253 characters", check: dnsLabels },
            allowed: "a DNS host name such as shop.example.com", description: "host of the Ingress Flagger shifts traffic on (provider `nginx`)", defaultText: "required for nginx" }),
        ingressClassName: str({
            default: "nginx",
            pattern: DNS_SUBDOMAIN,
            limit: { max: 253, why: "an IngressClass name is a DNS subdomain of at most 253 characters" },
            allowed: "an IngressClass name: lowercase letters, digits, - and .",
            description: "IngressClass of the Ingress (provider `nginx`)",
        }),
        // The Service the ingress-nginx chart creates (release ingress-nginx, namespace ingress-nginx).
        ingressControllerUrl: url(
            "http://ingress-nginx-controller.ingress-nginx",
            "an http(s) URL of the ingress controller's Service",
            "nginx: the ingress controller's Service the default load test sends the Ingress host to",
        ),
    },
    "the Flagger Canary: traffic steps, analysis and webhooks",
    { json: { if: { properties: { provider: { const: "nginx" } }, required: ["provider"] }, then: { required: ["host"] } } },
);

const MIGRATION = obj(
    {
        command: { kind: "command", required: true, description: "the command that migrates the schema: a list of strings, or one shell line", defaultText: "required with a migration" },
        downgradeCommand: { kind: "command", required: true, description: "reverts this migration; rollbacks need it", defaultText: "required with a migration" },
        phase: str({
            required: true,
            enum: MIGRATION_PHASES,
            allowed: "expand (additive; the previous version still works) or contract (removes what the previous version needs)",
            description: "`expand` (additive, the previous version still works) or `contract` (removes what the previous version needs)",
        }),
        image: str({
            pattern: IMAGE_REFERENCE,
            image: true,
            limit: { max: 512, why: "an image reference: repository, tag and digest" },
            check: (s) => /[:@]/.test(s.replace(/^[^/]*:\d+\//, "")),
            jsonPattern: "^(?![^/]*:\\d+/[^:@]*$)(?=.*[:@])" + IMAGE_REFERENCE.source.slice(1),
            allowed: "a full image reference with a tag or digest, e.g. registry.example.com/team/migrator:1.2.0",
            description: "image that runs the migration",
            defaultText: "the service's image",
            label: "image ref",
        }),
        backupCommand: { kind: "command", description: "runs first (init container): no backup, no migration" },
        backoffLimit: int(0, 10, 1, "retries of the migration Job"),
        activeDeadlineSeconds: int(30, 86400, 900, "how long the migration Job may run"),
        ttlSecondsAfterFinished: int(0, 2592000, 86400, "how long the finished Job is kept"),
        databaseUrl: { kind: "secret", required: true, description: "`DATABASE_URL` for the Job, from a Secret" },
    },
    "the migration Job run before the new version serves",
    { defaultText: "unset: no migration Job" },
);

const METRICS = obj(
    {
        requestsTotal: str({ default: "http_requests_total", pattern: METRIC_NAME, allowed: "a metric name", description: "counter of requests, labelled with the status code" }),
        durationBucket: str({
            default: "http_request_duration_seconds_bucket",
            pattern: METRIC_NAME,
            allowed: "a histogram bucket metric name ending in _bucket",
            description: "histogram buckets of request duration in seconds",
        }),
        statusLabel: str({ default: "code", pattern: LABEL_NAME, allowed: "a label name", description: "label that carries the HTTP status code" }),
        selector: str({
            check: isSelector,
            jsonPattern: SELECTOR_JSON,
            allowed: 'label matchers without braces, e.g. namespace="shop",service="checkout"',
            description: "label matchers selecting the service's series",
            defaultText: '`namespace="<ns>",service="<name>"`',
            label: "matchers",
        }),
    },
    "your service's metric names",
);

const ALERTS = obj(
    {
        errorRatePercent: num(0, 100, 1, "percentage of 5xx responses above which `HighErrorRate` fires"),
        latencyP99Ms: int(1, 600000, 500, "p99 latency in milliseconds above which `HighLatency` fires"),
        restartsThreshold: int(1, 1000, 3, "container restarts within `restartWindow` above which `PodsRestarting` fires"),
        restartWindow: promDuration("15m", "window of `PodsRestarting`"),
        for: promDuration("5m", "how long a condition must hold before an alert fires"),
        rateWindow: promDuration("5m", "range of the `rate()` windows"),
        runbookUrl: url("https://runbooks.example.com/releasectl", "an http(s) URL", "base of each alert's `runbook_url`"),
        metrics: METRICS,
        ruleLabels: {
            kind: "map",
            keyName: "<key>",
            keyPattern: LABEL_KEY,
            values: str({ pattern: LABEL_VALUE, allowed: "a label value: at most 63 letters, digits, -, _ and .", description: "label value" }),
            description:
                "extra labels on the PrometheusRule, e.g. `release: kube-prometheus-stack` for the operator's `ruleSelector` (not `app.kubernetes.io/*`: releasectl sets those)",
            defaultText: "none",
        },
        flaggerNamespaceLabel: str({
            pattern: LABEL_NAME,
            allowed: "a Prometheus label name: exported_namespace (ServiceMonitor with honorLabels false) or namespace (honorLabels true)",
            description:
                "label holding the Canary's namespace on `flagger_canary_status`: `exported_namespace` (ServiceMonitor, `honorLabels: false`) or `namespace` (`honorLabels: true`, Flagger's bundled Prometheus); unset matches both",
            defaultText: "both",
            label: "label name",
        }),
    },
    "the PrometheusRule's alerts for the service",
);

const EVIDENCE_LINK = (what: string) => str({ description: `link to ${what}` });
const EVIDENCE = obj(
    {
        ciRun: EVIDENCE_LINK("the CI run that built and tested the release"),
        review: EVIDENCE_LINK("the review of the change"),
        securityScan: EVIDENCE_LINK("the security scan of the image"),
        performanceReport: EVIDENCE_LINK("the performance report"),
    },
    "links recorded with the release; required by the checklist for production stacks, and must be this release's (not naming the replaced version only, not unchanged since the previous release)",
    { limitEach: { max: 2048, why: "evidence is recorded as annotations; a link holds at most 2048 characters" } },
);

const RERELEASE = obj(
    {
        version: str({
            required: true,
            check: isSemVer,
            jsonPattern: SEMVER_JSON,
            allowed: "the SemVer version released again after its rollback, e.g. 2.5.0",
            description: "the version released again; counts only while `version` is this one",
            label: "SemVer",
        }),
        reason: str({
            required: true,
            check: (v) => v.trim().split(/\s+/).length >= 3,
            jsonPattern: "\\S+\\s+\\S+\\s+\\S+",
            allowed: 'a sentence saying why releasing this version again is safe now, e.g. "the canary failed on a Prometheus outage, not on 2.5.0 (INC-231)"',
            description: "a sentence (three words at least) saying why releasing it again is safe now",
        }),
    },
    "why a version that was rolled back is released again (`repository-version-not-rolled-back`); `prepare` removes it with the next version",
);

const PROMOTED_FROM = obj(
    {
        stack: str({ required: true, pattern: STACK_NAME, allowed: "the name of the stack the release passed before, e.g. staging", description: "the stack the release passed before" }),
        commit: str({
            required: true,
            pattern: COMMIT,
            allowed: "the full 40-character id of the commit of that stack's file the release was copied from (releasectl promote writes it)",
            description: "the full id of the commit of that stack's file whose configuration was copied",
        }),
        version: str({
            required: true,
            check: isSemVer,
            jsonPattern: SEMVER_JSON,
            allowed: "the SemVer version promoted, e.g. 2.5.0",
            description: "the version promoted; `prepare` removes `promotedFrom` for another version",
            label: "SemVer",
        }),
    },
    "where the release came from, written by `releasectl promote`. On the Deployment as `releasectl.dev/promoted-from-stack`, `-commit` and `releasectl.dev/promoted-version`; `deployment-promoted-from-earlier-stack` reads them",
);

const COMMITS = obj(
    {
        path: {
            kind: "custom",
            label: "string or list",
            defaultText: "unset (all commits)",
            description:
                "where the service's commits live in this repository (a monorepo): only commits that change these paths (relative to the project folder, or to `commits.repository`; no `..`) count for `next <service>`, `prepare`/`ship … auto`, `tag <service>` and the tag's message",
            json: { oneOf: [{ type: "string", pattern: COMMIT_PATH.source }, { type: "array", minItems: 1, items: { type: "string", pattern: COMMIT_PATH.source } }] },
        },
        repository: str({
            check: (v) => v.trim() !== "",
            allowed: "a folder holding the service's git repository, relative to the project, e.g. ../checkout",
            description: "the folder of the service's own repository (relative to the project), whose commits and tags make its version line; `commits.path` is then relative to it",
            defaultText: "unset (this repository)",
        }),
    },
    "where the service's commits live (its version line)",
);
/** One entry of commits.path. */
export const COMMIT_PATH_RULE = {
    pattern: COMMIT_PATH,
    allowed: "a path inside the repository, relative to the project (or to commits.repository), without .. or a leading /, e.g. services/checkout",
};

export const SERVICE = obj(
    {
        image: str({
            required: true,
            pattern: REPOSITORY,
            image: true,
            limit: { max: 255, why: "an image repository name holds at most 255 characters" },
            check: (v) => !/@/.test(v) && !/:[^/]*$/.test(v.replace(/^[^/]*:\d+\//, "")),
            allowed: "an image repository without tag or digest, e.g. registry.example.com/team/app (the tag is the version)",
            description: "image repository without tag or digest; the tag is the version (`+` in build metadata becomes `_`)",
        }),
        imageDigest: str({ pattern: DIGEST, allowed: "sha256: followed by 64 lowercase hex digits", description: "`sha256:…`: pin the image by digest as well" }),
        version: str({
            required: true,
            check: isSemVer,
            jsonPattern: SEMVER_JSON,
            limit: VERSION_LIMIT,
            allowed: "a SemVer 2.0 version such as 1.4.2, 2.0.0-rc.1 or 1.4.2+build.7 (no leading v)",
            description: "full SemVer 2.0 (`2.4.1`, `3.0.0-rc.1`, `1.2.3+build.7`), no leading `v`",
        }),
        previousVersion: str({
            check: isSemVer,
            jsonPattern: SEMVER_JSON,
            limit: VERSION_LIMIT,
            allowed: "a SemVer 2.0 version such as 1.4.1",
            description: "the version this release replaces (written by `releasectl prepare`)",
        }),
        rollback: bool(false, "this release re-applies a known-good version: Flagger skips analysis (written by `releasectl rollback`)"),
        firstRelease: bool(
            false,
            "the service's very first release: it replaces no version (not allowed with `previousVersion`; `prepare` removes it on the next release), and its rollback plan is removing the service",
        ),
        rerelease: RERELEASE,
        promotedFrom: PROMOTED_FROM,
        commits: COMMITS,
        tagPrefix: str({
            pattern: TAG_PREFIX,
            description:
                "release tags are `<tagPrefix><version>` (`checkout-v2.5.0`, `checkout@` for lerna's, `\"\"` for tags such as `2.5.0`); two services of one repository cannot share a prefix",
            defaultText: "`v`; `<service>-v` when the stack has several services sharing the repository",
        }),
        namespace: str({
            pattern: NAMESPACE,
            check: (v) => v !== "default",
            not: ["default"],
            allowed: 'a Kubernetes namespace name, not "default"',
            description: "per-service override of `releasectl:namespace`",
            defaultText: "stack namespace",
        }),
        port: int(1, 65535, 8080, "container port (named `http`)"),
        probes: PROBES,
        resources: RESOURCES,
        replicas: REPLICAS,
        disruptionBudget: DISRUPTION_BUDGET,
        topologySpread: TOPOLOGY_SPREAD,
        revisionHistoryLimit: int(1, 100, 10, "ReplicaSets kept for `kubectl rollout undo`"),
        env: {
            kind: "map",
            keyName: "<NAME>",
            keyPattern: ENV_NAME,
            values: {
                kind: "custom",
                label: "string",
                description: "",
                json: { anyOf: [{ type: "string" }, { type: "integer" }, { type: "boolean" }] },
            },
            description:
                "plain environment variables: text; whole numbers and `true`/`false` are taken as written (`8080`), other numbers must be quoted (`\"1.10\"`: unquoted YAML reads 1.1); not `APP_VERSION` (set by releasectl); secrets are refused here",
            defaultText: "none",
        },
        canary: CANARY,
        migration: MIGRATION,
        alerts: ALERTS,
        notification: str({ description: "name of an entry of `releasectl:notifications`", defaultText: "the only target, if one" }),
        evidence: EVIDENCE,
    },
    "one service",
);

export const NOTIFICATION = obj(
    {
        type: str({ required: true, enum: NOTIFICATION_TYPES, allowed: `one of ${NOTIFICATION_TYPES.join(", ")}`, description: "the chat service: `slack`, `msteams`, `discord`, `rocket` or `gchat`" }),
        channel: str({ description: "channel to post to" }),
        username: str({ default: "releasectl", description: "name the messages are posted under" }),
        address: { kind: "secret", required: true, description: "webhook URL" },
    },
    "one notification target",
);

// ---------------------------------------------------------------------------------------------
// The top-level keys, in Pulumi.yaml's order

export const STACK = obj(
    {
        environment: str({
            default: "",
            check: (s) => s === "" || /^[a-z0-9-]+$/.test(s),
            jsonPattern: "^[a-z0-9-]*$",
            allowed: "lowercase letters, digits and - (empty means the stack name)",
            description: "Environment this stack deploys to (e.g. production, staging). Policies treat stacks listed as production in the pack's config more strictly. Empty means the stack name.",
            defaultText: "the stack name",
        }),
        namespace: str({
            required: true,
            pattern: NAMESPACE,
            check: (s) => s !== "default",
            not: ["default"],
            allowed: 'a Kubernetes namespace name (lowercase letters, digits, -), not "default"',
            description: 'Kubernetes namespace the services are released into (not "default"). A service may override it.',
        }),
        kubeContext: str({ default: "", description: "kubeconfig context of the target cluster. Empty means the current context.", defaultText: "current context" }),
        renderYamlToDirectory: str({
            default: "",
            limit: { max: 4096, why: "a path holds at most 4096 characters" },
            description: "When set, the Kubernetes provider writes manifests to this directory instead of talking to a cluster.",
            defaultText: "unset",
        }),
        prometheusUrl: url("", "an http(s) URL", "Address of the Prometheus HTTP API used by `releasectl ship` to watch a release after promotion (and by the MetricTemplates of blue/green and nginx services).", {
            check: (s) => s === "" || URL.test(s),
            pattern: undefined,
            jsonPattern: `^$|${URL.source}`,
            defaultText: "unset",
        }),
        notifications: {
            kind: "map",
            keyName: "<name>",
            keyPattern: SERVICE_NAME,
            values: NOTIFICATION,
            default: {},
            nullRefused: true,
            description: "Notification targets by name: type (slack, msteams, discord, rocket, gchat), channel, username, address (secret webhook URL).",
        },
        services: {
            kind: "map",
            keyName: "<name>",
            keyPattern: SERVICE_NAME,
            values: SERVICE,
            required: true,
            minEntries: 1,
            description: `Services by name (DNS labels of at most 40 characters): ${keysOf(SERVICE).join(", ")}. See docs/configuration.md.`,
        },
    },
    "the `releasectl:` namespace of a stack",
);

/** The keys of an object field. */
export type KeyOf<S extends ObjectField> = Extract<keyof S["keys"], string>;

/** The allowed keys of an object field, in its declared order. */
export function keysOf(field: ObjectField): readonly string[] {
    let keys = KEYS.get(field);
    if (keys === undefined) KEYS.set(field, (keys = Object.freeze(Object.keys(field.keys))));
    return keys;
}


/** A path of keys below the namespace; `*` is any key of a map (not a list index). */
export type KeyPattern = readonly string[];

/** Every field below `root` (the namespace) with its key path, e.g. `["services", "*", "canary", "host"]`. */
export function fieldPaths(root: Field = STACK): { path: KeyPattern; field: Field }[] {
    const found: { path: KeyPattern; field: Field }[] = [];
    const below = (field: Field, path: KeyPattern) => {
        if (field.kind === "object") {
            const keys = field.keys as Record<string, Field>;
            for (const key of Object.keys(keys)) visit(keys[key], [...path, key]);
        } else if (field.kind === "map") {
            visit(field.values, [...path, "*"]);
        }
    };
    const visit = (field: Field, path: KeyPattern) => {
        found.push({ path, field });
        below(field, path);
    };
    below(root, []);
    return found;
}

/** The length limits of schema.ts by key path; an object's `limitEach` at `<object>.*`. */
export function fieldLimits(root: Field = STACK): { path: KeyPattern; limit: Limit }[] {
    const limits: { path: KeyPattern; limit: Limit }[] = [];
    for (const { path, field } of fieldPaths(root)) {
        if (field.kind === "string" && field.limit) limits.push({ path, limit: field.limit });
        if (field.kind === "object" && field.limitEach) limits.push({ path: [...path, "*"], limit: field.limitEach });
    }
    return limits;
}
