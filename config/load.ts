import * as fs from "fs";
import * as path from "path";
import { defaultLoadTest, defaultMetricSelector, defaultSmokeTest, DEFAULTS } from "./defaults";
import { parseDuration, isPrometheusDuration } from "./duration";
import { ConfigError, UserError } from "./errors";
import { checkValueTree, LIMITS, readConfigFile } from "./limits";
import { closest, ConfigMode, Reader } from "./reader";
import { compareQuantities, isCpuQuantity, isMemoryQuantity } from "./quantity";
import {
    CANARY_PROVIDERS,
    CanaryConfig,
    CanaryProvider,
    MIGRATION_PHASES,
    MigrationConfig,
    MigrationPhase,
    NOTIFICATION_TYPES,
    NotificationConfig,
    NotificationType,
    ReleaseConfig,
    ServiceConfig,
    WHEN_UNSATISFIABLE,
    WhenUnsatisfiable,
} from "./types";
import { isSemVer } from "./versions";
import { parsePromotedFrom } from "./promoted-from";
import { readYamlValues } from "./yaml-values";

export const PROJECT = "releasectl";

/** Top-level keys of the `releasectl:` namespace (declared in Pulumi.yaml). */
export const PROJECT_KEYS = [
    "environment",
    "namespace",
    "kubeContext",
    "renderYamlToDirectory",
    "prometheusUrl",
    "notifications",
    "services",
] as const;

const SERVICE_KEYS = [
    "image",
    "imageDigest",
    "version",
    "previousVersion",
    "rollback",
    "firstRelease",
    "rerelease",
    "promotedFrom",
    "commits",
    "tagPrefix",
    "namespace",
    "port",
    "probes",
    "resources",
    "replicas",
    "disruptionBudget",
    "topologySpread",
    "revisionHistoryLimit",
    "env",
    "canary",
    "migration",
    "alerts",
    "notification",
    "evidence",
];
const CANARY_KEYS = [
    "provider",
    "interval",
    "metricWindow",
    "threshold",
    "maxWeight",
    "stepWeight",
    "iterations",
    "successRateMin",
    "latencyMaxMs",
    "progressDeadlineSeconds",
    "loadTesterUrl",
    "smokeTest",
    "smokeTestTimeout",
    "loadTest",
    "loadTestTimeout",
    "host",
    "ingressClassName",
    "ingressControllerUrl",
];
const MIGRATION_KEYS = [
    "command",
    "downgradeCommand",
    "phase",
    "image",
    "backupCommand",
    "backoffLimit",
    "activeDeadlineSeconds",
    "ttlSecondsAfterFinished",
    "databaseUrl",
];
const ALERT_KEYS = [
    "errorRatePercent",
    "latencyP99Ms",
    "restartsThreshold",
    "restartWindow",
    "for",
    "rateWindow",
    "runbookUrl",
    "metrics",
    "ruleLabels",
    "flaggerNamespaceLabel",
];
const METRIC_KEYS = ["requestsTotal", "durationBucket", "statusLabel", "selector"];
const PROBE_KEYS = ["readinessPath", "livenessPath", "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"];
const EVIDENCE_KEYS = ["ciRun", "review", "securityScan", "performanceReport"];
const NOTIFICATION_KEYS = ["type", "channel", "username", "address"];

/** DNS-1123 label short enough to take the suffixes Flagger and releasectl add (`-primary`, `-migrate-…`). */
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An image repository as the distribution reference grammar defines it, without tag or digest. */
const REPOSITORY =
    /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
const URL = /^https?:\/\/[^\s]+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** DNS-1123 subdomain (length checked in limits.ts). */
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const HOSTNAME = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\.)+[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

export interface ParseContext {
    /** Shown in every message: the stack file, or `pulumi config (stack S)`. */
    readonly source: string;
    readonly stack: string;
    readonly project?: string;
    readonly mode: ConfigMode;
    readonly isSecretKey?: (fullKey: string) => boolean;
}

/**
 * Turns the `releasectl:*` config values (keys without the namespace) into a ReleaseConfig.
 * Throws one ConfigError naming the file, key path, value and what is allowed.
 */
export function parseReleaseConfig(values: Record<string, unknown>, ctx: ParseContext): ReleaseConfig {
    const project = ctx.project ?? PROJECT;
    const r = new Reader(ctx.source, ctx.mode, (top) => ctx.isSecretKey?.(`${project}:${top}`) ?? false);
    const k = (key: string) => `${project}:${key}`;
    // Sizes, control characters and plain-text credentials, before any key is read.
    checkValueTree(r, values, project);

    for (const key of Object.keys(values)) {
        if (!(PROJECT_KEYS as readonly string[]).includes(key)) {
            const hint = closest(key, PROJECT_KEYS);
            r.fail(k(key), `unknown key` + (hint ? `; did you mean "${hint}"?` : ";") + ` Allowed keys in the ${project} namespace: ${PROJECT_KEYS.join(", ")}`);
        }
    }

    const namespace =
        r.requiredString(values.namespace, k("namespace"), {
            pattern: NAMESPACE,
            allowed: "a Kubernetes namespace name (lowercase letters, digits, -), not \"default\"",
            check: (s) => s !== "default",
        }) ?? "invalid";
    const environment = emptyToUndefined(r.string(values.environment, k("environment"), { check: (s) => s === "" || /^[a-z0-9-]+$/.test(s), allowed: "lowercase letters, digits and - (empty means the stack name)" })) ?? ctx.stack;
    const kubeContext = emptyToUndefined(r.string(values.kubeContext, k("kubeContext")));
    const renderYamlToDirectory = emptyToUndefined(r.string(values.renderYamlToDirectory, k("renderYamlToDirectory")));
    const prometheusUrl = emptyToUndefined(
        r.string(values.prometheusUrl, k("prometheusUrl"), { check: (s) => s === "" || URL.test(s), allowed: "an http(s) URL" }),
    );

    const notifications: Record<string, NotificationConfig> = {};
    const rawNotifications = r.map(values.notifications, k("notifications")) ?? {};
    for (const [name, raw] of Object.entries(rawNotifications)) {
        const at = `${k("notifications")}.${name}`;
        if (!SERVICE_NAME.test(name)) r.fail(at, "is not a valid name: lowercase letters, digits and -, at most 40 characters");
        const n = r.map(raw, at, NOTIFICATION_KEYS);
        if (!n) {
            r.fail(at, "must be a map with type, channel and address");
            continue;
        }
        const type = r.requiredString(n.type, `${at}.type`, {
            check: (s) => (NOTIFICATION_TYPES as readonly string[]).includes(s),
            allowed: `one of ${NOTIFICATION_TYPES.join(", ")}`,
        }) as NotificationType | undefined;
        const address = r.secret(n.address, `${at}.address`, "notifications", `${k("notifications")}.${name}.address`);
        notifications[name] = {
            name,
            type: type ?? "slack",
            channel: r.string(n.channel, `${at}.channel`),
            username: r.string(n.username, `${at}.username`) ?? DEFAULTS.notificationUsername,
            address: address ?? { kind: "secret", path: `${at}.address` },
        };
    }

    const services: ServiceConfig[] = [];
    const rawServices = r.map(values.services, k("services"));
    if (!rawServices || Object.keys(rawServices).length === 0) {
        if (rawServices !== undefined || values.services === undefined) {
            r.fail(k("services"), "is required: declare at least one service, e.g. services: {web: {image: registry.example.com/web, version: 1.0.0}}");
        }
    } else {
        for (const name of Object.keys(rawServices).sort()) {
            const service = parseService(r, name, rawServices[name], `${k("services")}.${name}`, namespace, notifications, Object.keys(rawServices).length);
            if (service) services.push(service);
        }
        // Two services of one repository on one tag line would take each other's versions.
        const lines = new Map<string, string>();
        for (const service of services) {
            const key = `${service.commits.repository ?? ""}\0${service.releaseTagPrefix}`;
            const other = lines.get(key);
            if (other !== undefined) {
                r.fail(
                    `${k("services")}.${service.name}.tagPrefix`,
                    `is ${other}'s too: two services of one repository would read each other's release tags as their own versions; give each its own, e.g. tagPrefix: ${service.name}-v`,
                    service.releaseTagPrefix,
                );
            }
            lines.set(key, service.name);
        }
    }

    r.throwIfProblems();
    return {
        project,
        stack: ctx.stack,
        source: ctx.source,
        environment,
        namespace,
        kubeContext,
        renderYamlToDirectory,
        prometheusUrl,
        notifications,
        services,
    };
}

function parseService(
    r: Reader,
    name: string,
    raw: unknown,
    at: string,
    stackNamespace: string,
    notifications: Record<string, NotificationConfig>,
    serviceCount: number,
): ServiceConfig | undefined {
    if (!SERVICE_NAME.test(name)) {
        r.fail(at, "is not a valid service name: lowercase letters, digits and -, starting with a letter, at most 40 characters");
    }
    const s = r.map(raw, at, SERVICE_KEYS);
    if (!s) return r.fail(at, "must be a map with at least image and version", raw);

    const repository = r.requiredString(s.image, `${at}.image`, {
        pattern: REPOSITORY,
        allowed: "an image repository without tag or digest, e.g. registry.example.com/team/app (the tag is the version)",
        check: (v) => !/@/.test(v) && !/:[^/]*$/.test(v.replace(/^[^/]*:\d+\//, "")),
    });
    const digest = r.string(s.imageDigest, `${at}.imageDigest`, { pattern: DIGEST, allowed: "sha256: followed by 64 lowercase hex digits" });
    const version = r.requiredString(s.version, `${at}.version`, {
        check: isSemVer,
        allowed: "a SemVer 2.0 version such as 1.4.2, 2.0.0-rc.1 or 1.4.2+build.7 (no leading v)",
    });
    const previousVersion = emptyToUndefined(
        r.string(s.previousVersion, `${at}.previousVersion`, { check: isSemVer, allowed: "a SemVer 2.0 version such as 1.4.1" }),
    );
    const firstRelease = r.boolean(s.firstRelease, `${at}.firstRelease`, false);
    if (firstRelease && previousVersion !== undefined) {
        r.fail(`${at}.firstRelease`, `is not allowed with previousVersion (${previousVersion}): a first release replaces no version; remove one of them`, true);
    }
    const commits = parseCommits(r, s.commits, `${at}.commits`);
    const tagPrefix = r.string(s.tagPrefix, `${at}.tagPrefix`, {
        pattern: TAG_PREFIX,
        allowed: `a git tag name start without spaces or ~^:?*[\\ (the tag is <tagPrefix><version>), e.g. ${name}-v, ${name}@ or v; "" for tags such as 1.2.3`,
    });
    const releaseTagPrefix = tagPrefix ?? (serviceCount > 1 && commits.repository === undefined ? `${name}-v` : "v");
    const namespace =
        r.string(s.namespace, `${at}.namespace`, {
            pattern: NAMESPACE,
            allowed: "a Kubernetes namespace name, not \"default\"",
            check: (v) => v !== "default",
        }) ?? stackNamespace;
    const port = r.integer(s.port, `${at}.port`, 1, 65535, DEFAULTS.port);

    const p = r.map(s.probes, `${at}.probes`, PROBE_KEYS) ?? {};
    const pathRule = { pattern: HTTP_PATH, allowed: "an HTTP path starting with /" };
    const probes = {
        readinessPath: r.string(p.readinessPath, `${at}.probes.readinessPath`, pathRule) ?? DEFAULTS.probes.readinessPath,
        livenessPath: r.string(p.livenessPath, `${at}.probes.livenessPath`, pathRule) ?? DEFAULTS.probes.livenessPath,
        initialDelaySeconds: r.integer(p.initialDelaySeconds, `${at}.probes.initialDelaySeconds`, 0, 3600, DEFAULTS.probes.initialDelaySeconds),
        periodSeconds: r.integer(p.periodSeconds, `${at}.probes.periodSeconds`, 1, 3600, DEFAULTS.probes.periodSeconds),
        timeoutSeconds: r.integer(p.timeoutSeconds, `${at}.probes.timeoutSeconds`, 1, 3600, DEFAULTS.probes.timeoutSeconds),
        failureThreshold: r.integer(p.failureThreshold, `${at}.probes.failureThreshold`, 1, 100, DEFAULTS.probes.failureThreshold),
    };

    const resources = parseResources(r, s.resources, `${at}.resources`);

    const rep = r.map(s.replicas, `${at}.replicas`, ["min", "max", "targetCpuUtilization"]) ?? {};
    const min = r.integer(rep.min, `${at}.replicas.min`, 1, 1000, DEFAULTS.replicas.min);
    const max = r.integer(rep.max, `${at}.replicas.max`, 1, 1000, Math.max(DEFAULTS.replicas.max, min));
    if (max < min) r.fail(`${at}.replicas.max`, `is not allowed: must be at least replicas.min (${min})`, max);
    const replicas = {
        min,
        max,
        targetCpuUtilization: r.integer(rep.targetCpuUtilization, `${at}.replicas.targetCpuUtilization`, 1, 100, DEFAULTS.replicas.targetCpuUtilization),
    };

    const disruptionBudget = parseDisruptionBudget(r, s.disruptionBudget, `${at}.disruptionBudget`, min);
    const topologySpread = parseTopologySpread(r, s.topologySpread, `${at}.topologySpread`, min);

    const canary = parseCanary(r, s.canary, `${at}.canary`, name, namespace, port, probes.readinessPath);
    const migration = s.migration === undefined || s.migration === null ? undefined : parseMigration(r, s.migration, `${at}.migration`);
    const alerts = parseAlerts(r, s.alerts, `${at}.alerts`, name, namespace);

    const notificationNames = Object.keys(notifications);
    const notification =
        r.string(s.notification, `${at}.notification`) ?? (notificationNames.length === 1 ? notificationNames[0] : undefined);
    if (notification === undefined) {
        r.fail(
            `${at}.notification`,
            notificationNames.length === 0
                ? "is required: declare a target under releasectl:notifications and name it here"
                : `is required: name one of ${notificationNames.join(", ")}`,
        );
    } else if (!notifications[notification]) {
        r.fail(
            `${at}.notification`,
            `names no entry of releasectl:notifications` + (notificationNames.length ? ` (declared: ${notificationNames.join(", ")})` : " (none declared)"),
            notification,
        );
    }

    const e = r.map(s.evidence, `${at}.evidence`, EVIDENCE_KEYS) ?? {};
    const evidence = Object.fromEntries(
        EVIDENCE_KEYS.map((key) => [key, emptyToUndefined(r.string(e[key], `${at}.evidence.${key}`))]).filter(([, v]) => v !== undefined),
    );
    const rerelease = parseRerelease(r, s.rerelease, `${at}.rerelease`);

    return {
        name,
        namespace,
        image: { repository: repository ?? "invalid", digest },
        version: version ?? "0.0.0",
        previousVersion,
        rollback: r.boolean(s.rollback, `${at}.rollback`, false),
        firstRelease,
        commits,
        tagPrefix,
        releaseTagPrefix,
        port,
        probes,
        resources,
        replicas,
        disruptionBudget,
        topologySpread,
        revisionHistoryLimit: r.integer(s.revisionHistoryLimit, `${at}.revisionHistoryLimit`, 1, 100, DEFAULTS.revisionHistoryLimit),
        env: r.stringMap(s.env, `${at}.env`),
        canary,
        migration,
        alerts,
        notification: notification ?? "",
        evidence,
        rerelease,
        promotedFrom: parsePromotedFrom(r, s.promotedFrom, `${at}.promotedFrom`),
    };
}

/**
 * `rerelease: {version, reason}`: why a version that was rolled back may be released again
 * (the checklist's repository-version-not-rolled-back). Bound to one version, so a reason
 * written for an earlier re-release never speaks for a later one.
 */
function parseRerelease(r: Reader, raw: unknown, at: string): ServiceConfig["rerelease"] {
    if (raw === undefined || raw === null) return undefined;
    const m = r.map(raw, at, ["version", "reason"]);
    if (!m) return undefined;
    const version = r.requiredString(typeof m.version === "number" ? String(m.version) : m.version, `${at}.version`, {
        check: isSemVer,
        allowed: "the SemVer version released again after its rollback, e.g. 2.5.0",
    });
    const reason = r.requiredString(m.reason, `${at}.reason`, {
        check: (v) => v.trim().split(/\s+/).length >= 3,
        allowed: "a sentence saying why releasing this version again is safe now, e.g. \"the canary failed on a Prometheus outage, not on 2.5.0 (INC-231)\"",
    });
    return version === undefined || reason === undefined ? undefined : { version, reason: reason.trim() };
}

/** A tag prefix: what git allows in a tag name, and nothing that ends the name early. */
const TAG_PREFIX = /^(?:[A-Za-z0-9][A-Za-z0-9._/@+-]*)?$/;
/** A relative path inside the repository: no leading /, no .. segment, no git pathspec magic. */
const COMMIT_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))(?!:)[^\0\n]+$/;

function parseCommits(r: Reader, raw: unknown, at: string): ServiceConfig["commits"] {
    if (raw === undefined || raw === null) return { paths: [] };
    const c = r.map(raw, at, ["path", "repository"]);
    if (!c) {
        r.fail(at, "must be a map with path (the service's folder in this repository) and/or repository (the folder of its own repository), e.g. commits: {path: services/checkout}", raw);
        return { paths: [] };
    }
    const repository = emptyToUndefined(r.string(c.repository, `${at}.repository`, { check: (v) => v.trim() !== "", allowed: "a folder holding the service's git repository, relative to the project, e.g. ../checkout" }));
    const paths: string[] = [];
    const pathRule = { pattern: COMMIT_PATH, allowed: "a path inside the repository, relative to the project (or to commits.repository), without .. or a leading /, e.g. services/checkout" };
    if (Array.isArray(c.path)) {
        if (c.path.length === 0) r.fail(`${at}.path`, "is an empty list: give at least one path, or remove path to count every commit", c.path);
        c.path.forEach((p, i) => {
            const v = r.requiredString(p, `${at}.path[${i}]`, pathRule);
            if (v !== undefined) paths.push(v);
        });
    } else if (c.path !== undefined && c.path !== null) {
        const v = r.requiredString(c.path, `${at}.path`, pathRule);
        if (v !== undefined) paths.push(v);
    }
    return { repository, paths };
}

function parseResources(r: Reader, raw: unknown, at: string): ServiceConfig["resources"] {
    const res = r.map(raw, at, ["requests", "limits"]) ?? {};
    const amounts = (value: unknown, key: "requests" | "limits") => {
        const m = r.map(value, `${at}.${key}`, ["cpu", "memory", "ephemeralStorage"]) ?? {};
        const d = DEFAULTS.resources[key];
        return {
            cpu: r.string(typeof m.cpu === "number" ? String(m.cpu) : m.cpu, `${at}.${key}.cpu`, { check: isCpuQuantity, allowed: "a CPU quantity such as 250m or 1" }) ?? d.cpu,
            memory: r.string(m.memory, `${at}.${key}.memory`, { check: isMemoryQuantity, allowed: "a memory quantity such as 256Mi or 1Gi" }) ?? d.memory,
            ephemeralStorage:
                r.string(m.ephemeralStorage, `${at}.${key}.ephemeralStorage`, { check: isMemoryQuantity, allowed: "a storage quantity such as 256Mi or 1Gi" }) ??
                d.ephemeralStorage,
        };
    };
    const requests = amounts(res.requests, "requests");
    const limits = amounts(res.limits, "limits");
    for (const kind of ["cpu", "memory", "ephemeralStorage"] as const) {
        const cmp = compareQuantities(requests[kind], limits[kind], kind === "cpu" ? "cpu" : "memory");
        if (cmp !== undefined && cmp > 0) {
            r.fail(`${at}.limits.${kind}`, `is not allowed: must be at least requests.${kind} (${requests[kind]})`, limits[kind]);
        }
    }
    return { requests, limits };
}

function parseCanary(
    r: Reader,
    raw: unknown,
    at: string,
    service: string,
    namespace: string,
    port: number,
    readinessPath: string,
): CanaryConfig {
    const c = r.map(raw, at, CANARY_KEYS) ?? {};
    const d = DEFAULTS.canary;
    const provider = (r.string(c.provider, `${at}.provider`, {
        check: (s) => (CANARY_PROVIDERS as readonly string[]).includes(s),
        allowed: `one of ${CANARY_PROVIDERS.join(", ")}`,
    }) ?? d.provider) as CanaryProvider;
    const interval = r.string(c.interval, `${at}.interval`, { check: isFlaggerDuration, allowed: `a duration such as 30s or 1m ${FLAGGER_DURATION_NOTE}` }) ?? d.interval;
    const intervalSeconds = parseDuration(interval) ?? 60;
    if (intervalSeconds < 10) r.fail(`${at}.interval`, "is not allowed: Flagger needs an interval of at least 10s", interval);
    const metricWindow =
        r.string(c.metricWindow, `${at}.metricWindow`, {
            check: isFlaggerDuration,
            allowed: `a duration such as 2m, at least 4 times Prometheus' scrape interval ${FLAGGER_DURATION_NOTE}`,
        }) ?? interval;
    if ((parseDuration(metricWindow) ?? 60) < 10) r.fail(`${at}.metricWindow`, "is not allowed: a rate() window under 10s holds too few scrapes to measure anything; use at least 4 times Prometheus' scrape interval, e.g. 1m", metricWindow);
    const maxWeight = r.integer(c.maxWeight, `${at}.maxWeight`, 1, 100, d.maxWeight);
    const stepWeight = r.integer(c.stepWeight, `${at}.stepWeight`, 1, 100, d.stepWeight);
    if (stepWeight > maxWeight) r.fail(`${at}.stepWeight`, `is not allowed: must not exceed maxWeight (${maxWeight})`, stepWeight);
    const timeout = (key: string, fallback: string) =>
        r.string(c[key], `${at}.${key}`, { check: isFlaggerDuration, allowed: `a duration such as 30s ${FLAGGER_DURATION_NOTE}` }) ?? fallback;
    const host = r.string(c.host, `${at}.host`, { pattern: HOSTNAME, allowed: "a DNS host name such as shop.example.com" });
    if (provider === "nginx" && host === undefined) {
        r.fail(`${at}.host`, "is required for provider nginx: the host name of the Ingress Flagger shifts traffic on");
    }
    const ingressControllerUrl =
        r.string(c.ingressControllerUrl, `${at}.ingressControllerUrl`, { pattern: URL, allowed: "an http(s) URL of the ingress controller's Service" }) ??
        d.ingressControllerUrl;
    return {
        provider,
        interval,
        intervalSeconds,
        metricWindow,
        threshold: r.integer(c.threshold, `${at}.threshold`, 1, 100, d.threshold),
        maxWeight,
        stepWeight,
        iterations: r.integer(c.iterations, `${at}.iterations`, 1, 1000, d.iterations),
        successRateMin: r.number(c.successRateMin, `${at}.successRateMin`, 0, 100, d.successRateMin),
        latencyMaxMs: r.integer(c.latencyMaxMs, `${at}.latencyMaxMs`, 1, 600000, d.latencyMaxMs),
        progressDeadlineSeconds: r.integer(c.progressDeadlineSeconds, `${at}.progressDeadlineSeconds`, 60, 86400, d.progressDeadlineSeconds),
        loadTesterUrl: r.string(c.loadTesterUrl, `${at}.loadTesterUrl`, { pattern: URL, allowed: "an http(s) URL" }) ?? d.loadTesterUrl,
        ingressControllerUrl,
        smokeTest: {
            command: r.string(c.smokeTest, `${at}.smokeTest`, { check: (s) => s.trim() !== "", allowed: "a shell command" }) ?? defaultSmokeTest(service, namespace, port, readinessPath),
            timeout: timeout("smokeTestTimeout", d.smokeTestTimeout),
        },
        loadTest: {
            command:
                r.string(c.loadTest, `${at}.loadTest`, { check: (s) => s.trim() !== "", allowed: "a command" }) ??
                defaultLoadTest(service, namespace, port, provider === "nginx" && host !== undefined ? { host, controllerUrl: ingressControllerUrl } : undefined),
            timeout: timeout("loadTestTimeout", d.loadTestTimeout),
        },
        host,
        ingressClassName:
            r.string(c.ingressClassName, `${at}.ingressClassName`, { pattern: DNS_SUBDOMAIN, allowed: "an IngressClass name: lowercase letters, digits, - and ." }) ??
            d.ingressClassName,
    };
}

function parseMigration(r: Reader, raw: unknown, at: string): MigrationConfig | undefined {
    const m = r.map(raw, at, MIGRATION_KEYS);
    if (!m) return undefined;
    const command = r.command(m.command, `${at}.command`) ?? (r.fail(`${at}.command`, "is required: the command that migrates the schema"), undefined);
    const downgradeCommand =
        r.command(m.downgradeCommand, `${at}.downgradeCommand`) ??
        (r.fail(`${at}.downgradeCommand`, "is required: every migration names its downgrade (the command that reverts it), so a rollback is possible"), undefined);
    const phase = r.requiredString(m.phase, `${at}.phase`, {
        check: (s) => (MIGRATION_PHASES as readonly string[]).includes(s),
        allowed: "expand (additive; the previous version still works) or contract (removes what the previous version needs)",
    }) as MigrationPhase | undefined;
    const topPath = at.replace(/^[^:]+:/, "");
    const [topKey] = topPath.split(".");
    return {
        command: command ?? [],
        downgradeCommand: downgradeCommand ?? [],
        phase: phase ?? "expand",
        image: r.string(m.image, `${at}.image`, {
            check: (s) => /^[^\s:@]+(?::[0-9]+\/[^\s:@]+)?(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(s) && /[:@]/.test(s.replace(/^[^/]*:\d+\//, "")),
            allowed: "a full image reference with a tag or digest, e.g. registry.example.com/team/migrator:1.2.0",
        }),
        backupCommand: r.command(m.backupCommand, `${at}.backupCommand`),
        backoffLimit: r.integer(m.backoffLimit, `${at}.backoffLimit`, 0, 10, DEFAULTS.migration.backoffLimit),
        activeDeadlineSeconds: r.integer(m.activeDeadlineSeconds, `${at}.activeDeadlineSeconds`, 30, 86400, DEFAULTS.migration.activeDeadlineSeconds),
        ttlSecondsAfterFinished: r.integer(m.ttlSecondsAfterFinished, `${at}.ttlSecondsAfterFinished`, 0, 2592000, DEFAULTS.migration.ttlSecondsAfterFinished),
        databaseUrl: r.secret(m.databaseUrl, `${at}.databaseUrl`, topKey, `${at}.databaseUrl`) ?? { kind: "secret", path: `${at}.databaseUrl` },
    };
}

function parseAlerts(r: Reader, raw: unknown, at: string, service: string, namespace: string): ServiceConfig["alerts"] {
    const a = r.map(raw, at, ALERT_KEYS) ?? {};
    const d = DEFAULTS.alerts;
    const promDuration = (key: string, fallback: string) =>
        r.string(a[key], `${at}.${key}`, { check: isPrometheusDuration, allowed: "a Prometheus duration such as 5m" }) ?? fallback;
    const m = r.map(a.metrics, `${at}.metrics`, METRIC_KEYS) ?? {};
    const selector = r.string(m.selector, `${at}.metrics.selector`, {
        check: isSelector,
        allowed: 'label matchers without braces, e.g. namespace="shop",service="checkout"',
    });
    return {
        errorRatePercent: r.number(a.errorRatePercent, `${at}.errorRatePercent`, 0, 100, d.errorRatePercent),
        latencyP99Ms: r.integer(a.latencyP99Ms, `${at}.latencyP99Ms`, 1, 600000, d.latencyP99Ms),
        restartsThreshold: r.integer(a.restartsThreshold, `${at}.restartsThreshold`, 1, 1000, d.restartsThreshold),
        restartWindow: promDuration("restartWindow", d.restartWindow),
        for: promDuration("for", d.for),
        rateWindow: promDuration("rateWindow", d.rateWindow),
        runbookUrl: r.string(a.runbookUrl, `${at}.runbookUrl`, { pattern: URL, allowed: "an http(s) URL" }) ?? d.runbookUrl,
        metrics: {
            requestsTotal: r.string(m.requestsTotal, `${at}.metrics.requestsTotal`, { pattern: METRIC_NAME, allowed: "a metric name" }) ?? d.metrics.requestsTotal,
            durationBucket: r.string(m.durationBucket, `${at}.metrics.durationBucket`, { pattern: METRIC_NAME, allowed: "a histogram bucket metric name ending in _bucket" }) ?? d.metrics.durationBucket,
            statusLabel: r.string(m.statusLabel, `${at}.metrics.statusLabel`, { pattern: LABEL_NAME, allowed: "a label name" }) ?? d.metrics.statusLabel,
            selector: selector ?? defaultMetricSelector(service, namespace),
        },
        ruleLabels: parseRuleLabels(r, a.ruleLabels, `${at}.ruleLabels`),
        flaggerNamespaceLabel: r.string(a.flaggerNamespaceLabel, `${at}.flaggerNamespaceLabel`, {
            pattern: LABEL_NAME,
            allowed: "a Prometheus label name: exported_namespace (ServiceMonitor with honorLabels false) or namespace (honorLabels true)",
        }),
    };
}

/** Kubernetes label key: optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function parseRuleLabels(r: Reader, raw: unknown, at: string): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(r.map(raw, at) ?? {})) {
        if (!LABEL_KEY.test(key) || key.split("/")[0].length > 253) {
            r.fail(`${at}.${key}`, "is not a Kubernetes label key (name of at most 63 letters, digits, -, _ and ., with an optional DNS prefix and /)");
        } else if (key.startsWith("app.kubernetes.io/")) {
            r.fail(`${at}.${key}`, "is not allowed: releasectl sets the app.kubernetes.io/ labels itself");
        } else {
            const v = r.string(value, `${at}.${key}`, { pattern: LABEL_VALUE, allowed: "a label value: at most 63 letters, digits, -, _ and ." });
            if (v !== undefined) labels[key] = v;
        }
    }
    return labels;
}

function parseDisruptionBudget(r: Reader, raw: unknown, at: string, minReplicas: number): ServiceConfig["disruptionBudget"] {
    const b = r.map(raw, at, ["enabled", "maxUnavailable"]) ?? {};
    const percent = typeof b.maxUnavailable === "string" && /%$/.test(b.maxUnavailable);
    const maxUnavailable = percent
        ? r.string(b.maxUnavailable, `${at}.maxUnavailable`, { pattern: /^([1-9][0-9]?|100)%$/, allowed: "a percentage from 1% to 100%" }) ?? DEFAULTS.disruptionBudget.maxUnavailable
        : r.integer(b.maxUnavailable, `${at}.maxUnavailable`, 1, 1000, DEFAULTS.disruptionBudget.maxUnavailable);
    return { enabled: r.boolean(b.enabled, `${at}.enabled`, minReplicas > 1), maxUnavailable };
}

function parseTopologySpread(r: Reader, raw: unknown, at: string, minReplicas: number): ServiceConfig["topologySpread"] {
    const t = r.map(raw, at, ["enabled", "maxSkew", "whenUnsatisfiable", "topologyKeys"]) ?? {};
    const d = DEFAULTS.topologySpread;
    let topologyKeys: readonly string[] = d.topologyKeys;
    if (t.topologyKeys !== undefined && t.topologyKeys !== null) {
        const keys = t.topologyKeys;
        if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string" && LABEL_KEY.test(k)) || new Set(keys).size !== keys.length) {
            r.fail(`${at}.topologyKeys`, "must be a non-empty list of distinct node label keys, e.g. [topology.kubernetes.io/zone, kubernetes.io/hostname]", keys);
        } else {
            topologyKeys = keys as string[];
        }
    }
    return {
        enabled: r.boolean(t.enabled, `${at}.enabled`, minReplicas > 1),
        maxSkew: r.integer(t.maxSkew, `${at}.maxSkew`, 1, 100, d.maxSkew),
        whenUnsatisfiable: (r.string(t.whenUnsatisfiable, `${at}.whenUnsatisfiable`, {
            check: (s) => (WHEN_UNSATISFIABLE as readonly string[]).includes(s),
            allowed: WHEN_UNSATISFIABLE.join(" or "),
        }) ?? d.whenUnsatisfiable) as WhenUnsatisfiable,
        topologyKeys,
    };
}

/**
 * Flagger's CRD checks intervals and webhook timeouts with the pattern `^[0-9]+(m|s)`: whole
 * seconds or minutes first, so `1h` or `1.5m` would pass Go's parser but fail at apply time.
 */
const FLAGGER_DURATION_NOTE = "(whole seconds or minutes first: Flagger's CRD rejects 1h and 1.5m)";
function isFlaggerDuration(text: string): boolean {
    return parseDuration(text) !== undefined && /^[0-9]+(m|s)/.test(text);
}

/** Label matchers without braces: `a="x",b=~"y.*"`. */
function isSelector(text: string): boolean {
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

function emptyToUndefined(value: string | undefined): string | undefined {
    return value === "" ? undefined : value;
}

// ---------------------------------------------------------------------------------------------
// Stack files

/** Top-level keys Pulumi allows in a stack file besides `config`. */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

export interface StackFile {
    readonly path: string;
    readonly stack: string;
    /** The whole `config:` map, namespaced keys. */
    readonly config: Record<string, unknown>;
}

/** `Pulumi.<stack>.yaml` beside `Pulumi.yaml` in the project directory. */
export function stackFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** Lists the stacks that have a stack file in the project directory. */
export function listStacks(projectDir: string): string[] {
    try {
        return fs
            .readdirSync(projectDir)
            .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
            .filter((s): s is string => s !== undefined)
            .sort();
    } catch {
        return [];
    }
}

/** Reads and parses a stack file; a missing or malformed file is a UserError naming it. */
export function readStackFile(projectDir: string, stack: string): StackFile {
    const file = stackFilePath(projectDir, stack);
    const text = readConfigFile(file, "a stack file");
    if (text === undefined) {
        const known = listStacks(projectDir);
        throw new UserError(
            `${file}: no such stack file; stack "${stack}" is unknown` +
                (known.length ? `. Known stacks: ${known.join(", ")} (choose one with --stack)` : `. Create it with: pulumi stack init ${stack}`),
            "ENOSTACK",
        );
    }
    return parseStackFileText(text, file, stack);
}

export function parseStackFileText(text: string, file: string, stack: string): StackFile {
    if (text.length > LIMITS.fileBytes) {
        throw new UserError(`${file}: is ${text.length} characters long; a stack file holds at most ${LIMITS.fileBytes} (${LIMITS.fileBytes / 1024 / 1024} MiB); keep large data out of it`, "EBADFILE");
    }
    const root = readYamlValues(text, file);
    if (root === null || root === undefined) return { path: file, stack, config: {} };
    if (typeof root !== "object" || Array.isArray(root)) {
        throw new ConfigError(file, "(top level)", "must be a map with a config: key", root);
    }
    for (const key of Object.keys(root)) {
        if (!STACK_FILE_KEYS.includes(key)) {
            throw new ConfigError(file, key, `unknown top-level key; a stack file may hold ${STACK_FILE_KEYS.join(", ")}`);
        }
    }
    const config = (root as Record<string, unknown>).config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new ConfigError(file, "config", "must be a map of namespaced keys, e.g. releasectl:services", config);
    }
    return { path: file, stack, config: config as Record<string, unknown> };
}

/** Project name and the defaults Pulumi.yaml declares for project keys (the CLI applies them). */
export function readProjectDefaults(projectDir: string): { project: string; defaults: Record<string, unknown> } {
    const file = path.join(projectDir, "Pulumi.yaml");
    const text = readConfigFile(file, "Pulumi.yaml");
    if (text === undefined) {
        throw new UserError(`${file}: not found; run releasectl in the project directory (the one holding Pulumi.yaml) or pass --cwd`, "ENOPROJECT");
    }
    const root = (readYamlValues(text, file) ?? {}) as { name?: unknown; config?: Record<string, unknown> };
    const project = typeof root.name === "string" ? root.name : PROJECT;
    const defaults: Record<string, unknown> = {};
    for (const [key, decl] of Object.entries(root.config ?? {})) {
        const full = key.includes(":") ? key : `${project}:${key}`;
        if (decl !== null && typeof decl === "object" && "default" in (decl as object)) {
            defaults[full] = (decl as { default: unknown }).default;
        } else if (decl === null || typeof decl !== "object") {
            defaults[full] = decl;
        }
    }
    return { project, defaults };
}

/** Picks the `project:` keys (namespace stripped) out of a namespaced config map. */
export function projectValues(config: Record<string, unknown>, project: string): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        if (key.startsWith(`${project}:`)) values[key.slice(project.length + 1)] = value;
    }
    return values;
}

/** Where the paths in a stack's messages are shown from. */
export interface LoadOptions {
    /**
     * The directory the command runs in (CommandContext.cwd): the stack file is named relative
     * to it. The Pulumi program, which has no other, leaves it out: the process's directory.
     */
    readonly cwd?: string;
}

/** Loads `Pulumi.<stack>.yaml` of the project in `projectDir` as the CLI would see it, offline. */
export function loadStack(projectDir: string, stack: string, opts: LoadOptions = {}): ReleaseConfig {
    const project = readProjectDefaults(projectDir);
    const parsed = readStackFile(projectDir, stack);
    // YAML errors name the file as joined from projectDir, as they always have; config errors relative to cwd.
    return stackConfig(project, stack, parsed, path.relative(opts.cwd ?? process.cwd(), parsed.path) || parsed.path);
}

/**
 * Validates the text of stack `stack` of the project in `projectDir`: the file as read by
 * `loadStack`, an edit before it is written, or a version of the file from git history. `shown`
 * names it in every message (e.g. `Pulumi.production.yaml@1a2b3c4`).
 */
export function parseStackText(projectDir: string, stack: string, text: string, shown: string): ReleaseConfig {
    const project = readProjectDefaults(projectDir);
    return stackConfig(project, stack, parseStackFileText(text, shown, stack), shown);
}

function stackConfig({ project, defaults }: { project: string; defaults: Record<string, unknown> }, stack: string, file: StackFile, shown: string): ReleaseConfig {
    return parseReleaseConfig(projectValues({ ...defaults, ...file.config }, project), { source: shown, stack, project, mode: "file" });
}
