import * as fs from "fs";
import * as path from "path";
import { defaultLoadTest, defaultMetricSelector, defaultSmokeTest } from "./defaults";
import { parseDuration } from "./duration";
import { ConfigError, UserError } from "./errors";
import { Fields } from "./fields";
import { checkValueTree, LIMITS, readConfigFile } from "./limits";
import { closest, ConfigMode, Reader } from "./reader";
import { compareQuantities } from "./quantity";
import {
    COMMIT_PATH_RULE,
    DISRUPTION_BUDGET,
    KeyOf,
    keysOf,
    LABEL_KEY,
    LABEL_VALUE,
    MAX_UNAVAILABLE_COUNT,
    MAX_UNAVAILABLE_PERCENT,
    NOTIFICATION,
    SERVICE,
    SERVICE_NAME,
    STACK,
    TOPOLOGY_SPREAD,
} from "./schema";
import {
    CanaryConfig,
    CanaryProvider,
    MigrationConfig,
    MigrationPhase,
    NotificationConfig,
    NotificationType,
    ReleaseConfig,
    ServiceConfig,
    WhenUnsatisfiable,
} from "./types";
import { parsePromotedFrom } from "./promoted-from";
import { readYamlValues } from "./yaml-values";

export const PROJECT = "releasectl";

/** Top-level keys of the `releasectl:` namespace (declared in schema.ts and Pulumi.yaml). */
export const PROJECT_KEYS: readonly string[] = keysOf(STACK);

type ServiceFields = Fields<typeof SERVICE>;

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
 * Throws one ConfigError naming the file, key path, value and what is allowed. Each key's type,
 * range, pattern and default come from its declaration in schema.ts; the rules between keys are
 * the code below.
 */
export function parseReleaseConfig(values: Record<string, unknown>, ctx: ParseContext): ReleaseConfig {
    const project = ctx.project ?? PROJECT;
    const r = new Reader(ctx.source, ctx.mode, (top) => ctx.isSecretKey?.(`${project}:${top}`) ?? false);
    const k = (key: string) => `${project}:${key}`;
    // Sizes, control characters and plain-text credentials, before any key is read.
    checkValueTree(r, values, project);

    for (const key of Object.keys(values)) {
        if (!PROJECT_KEYS.includes(key)) {
            const hint = closest(key, PROJECT_KEYS);
            r.fail(k(key), `unknown key` + (hint ? `; did you mean "${hint}"?` : ";") + ` Allowed keys in the ${project} namespace: ${PROJECT_KEYS.join(", ")}`);
        }
    }

    const top = Fields.top(r, STACK, values, project);
    const namespace = top.string("namespace") ?? "invalid";
    const environment = emptyToUndefined(top.string("environment")) ?? ctx.stack;
    const kubeContext = emptyToUndefined(top.string("kubeContext"));
    const renderYamlToDirectory = emptyToUndefined(top.string("renderYamlToDirectory"));
    const prometheusUrl = emptyToUndefined(top.string("prometheusUrl"));

    const notifications: Record<string, NotificationConfig> = {};
    // null at the top level: the engine hands the program no JSON map for it (nullRefused in schema.ts)
    if (values.notifications === null) r.fail(k("notifications"), "is empty: name the notification targets under it, or remove the key for none");
    const rawNotifications = r.map(values.notifications, k("notifications")) ?? {};
    for (const [name, raw] of Object.entries(rawNotifications)) {
        const at = `${k("notifications")}.${name}`;
        if (!SERVICE_NAME.test(name)) r.fail(at, "is not a valid name: lowercase letters, digits and -, at most 40 characters");
        const n = Fields.read(r, NOTIFICATION, raw, at);
        if (!n) {
            r.fail(at, "must be a map with type, channel and address");
            continue;
        }
        const type = n.string("type") as NotificationType | undefined;
        const address = r.secret(n.get("address"), n.path("address"), "notifications", n.path("address"));
        notifications[name] = {
            name,
            type: type ?? "slack",
            channel: n.string("channel"),
            username: n.stringOr("username"),
            address: address ?? { kind: "secret", path: n.path("address") },
        };
    }

    const services: ServiceConfig[] = [];
    const rawServices = r.map(values.services, k("services"));
    if (!rawServices || Object.keys(rawServices).length === 0) {
        if (rawServices !== undefined || values.services === undefined || values.services === null) {
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
    const s = Fields.read(r, SERVICE, raw, at);
    if (!s) return r.fail(at, "must be a map with at least image and version", raw);

    const repository = s.string("image");
    const digest = s.string("imageDigest");
    const version = s.string("version");
    const previousVersion = emptyToUndefined(s.string("previousVersion"));
    const firstRelease = s.boolean("firstRelease");
    if (firstRelease && previousVersion !== undefined) {
        r.fail(s.path("firstRelease"), `is not allowed with previousVersion (${previousVersion}): a first release replaces no version; remove one of them`, true);
    }
    const commits = parseCommits(r, s.get("commits"), s.path("commits"));
    const tagPrefix = s.string("tagPrefix", {
        allowed: `a git tag name start without spaces or ~^:?*[\\ (the tag is <tagPrefix><version>), e.g. ${name}-v, ${name}@ or v; "" for tags such as 1.2.3`,
    });
    const releaseTagPrefix = tagPrefix ?? (serviceCount > 1 && commits.repository === undefined ? `${name}-v` : "v");
    const namespace = s.string("namespace") ?? stackNamespace;
    const port = s.number("port");

    const p = s.child("probes");
    const probes = {
        readinessPath: p.stringOr("readinessPath"),
        livenessPath: p.stringOr("livenessPath"),
        initialDelaySeconds: p.number("initialDelaySeconds"),
        periodSeconds: p.number("periodSeconds"),
        timeoutSeconds: p.number("timeoutSeconds"),
        failureThreshold: p.number("failureThreshold"),
    };

    const resources = parseResources(s);

    const rep = s.child("replicas");
    const min = rep.number("min");
    const max = rep.number("max", Math.max(rep.defaultOf("max") as number, min));
    if (max < min) r.fail(rep.path("max"), `is not allowed: must be at least replicas.min (${min})`, max);
    const replicas = { min, max, targetCpuUtilization: rep.number("targetCpuUtilization") };

    const disruptionBudget = parseDisruptionBudget(s.child("disruptionBudget"), min);
    const topologySpread = parseTopologySpread(s.child("topologySpread"), min);

    const canary = parseCanary(s.child("canary"), name, namespace, port, probes.readinessPath);
    const migration = s.get("migration") === undefined || s.get("migration") === null ? undefined : parseMigration(r, s.get("migration"), s.path("migration"));
    const alerts = parseAlerts(s.child("alerts"), name, namespace);

    const notificationNames = Object.keys(notifications);
    const notification = s.string("notification") ?? (notificationNames.length === 1 ? notificationNames[0] : undefined);
    if (notification === undefined) {
        r.fail(
            s.path("notification"),
            notificationNames.length === 0
                ? "is required: declare a target under releasectl:notifications and name it here"
                : `is required: name one of ${notificationNames.join(", ")}`,
        );
    } else if (!notifications[notification]) {
        r.fail(
            s.path("notification"),
            `names no entry of releasectl:notifications` + (notificationNames.length ? ` (declared: ${notificationNames.join(", ")})` : " (none declared)"),
            notification,
        );
    }

    const e = s.child("evidence");
    const evidence = Object.fromEntries(
        keysOf(e.spec)
            .map((key) => [key, emptyToUndefined(e.string(key as KeyOf<typeof e.spec>))])
            .filter(([, v]) => v !== undefined),
    );
    const rerelease = parseRerelease(r, s.get("rerelease"), s.path("rerelease"));

    return {
        name,
        namespace,
        image: { repository: repository ?? "invalid", digest },
        version: version ?? "0.0.0",
        previousVersion,
        rollback: s.boolean("rollback"),
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
        revisionHistoryLimit: s.number("revisionHistoryLimit"),
        env: r.stringMap(s.get("env"), s.path("env")),
        canary,
        migration,
        alerts,
        notification: notification ?? "",
        evidence,
        rerelease,
        promotedFrom: parsePromotedFrom(r, s.get("promotedFrom"), s.path("promotedFrom")),
    };
}

/**
 * `rerelease: {version, reason}`: why a version that was rolled back may be released again
 * (the checklist's repository-version-not-rolled-back). Bound to one version, so a reason
 * written for an earlier re-release never speaks for a later one.
 */
function parseRerelease(r: Reader, raw: unknown, at: string): ServiceConfig["rerelease"] {
    if (raw === undefined || raw === null) return undefined;
    const m = Fields.read(r, SERVICE.keys.rerelease, raw, at);
    if (!m) return undefined;
    const written = m.get("version");
    const version = m.string("version", { value: typeof written === "number" ? String(written) : written });
    const reason = m.string("reason");
    return version === undefined || reason === undefined ? undefined : { version, reason: reason.trim() };
}

function parseCommits(r: Reader, raw: unknown, at: string): ServiceConfig["commits"] {
    if (raw === undefined || raw === null) return { paths: [] };
    const c = Fields.read(r, SERVICE.keys.commits, raw, at);
    if (!c) {
        r.fail(at, "must be a map with path (the service's folder in this repository) and/or repository (the folder of its own repository), e.g. commits: {path: services/checkout}", raw);
        return { paths: [] };
    }
    const repository = emptyToUndefined(c.string("repository"));
    const paths: string[] = [];
    const listed = c.get("path");
    if (Array.isArray(listed)) {
        if (listed.length === 0) r.fail(c.path("path"), "is an empty list: give at least one path, or remove path to count every commit", listed);
        listed.forEach((p, i) => {
            const v = r.requiredString(p, `${c.path("path")}[${i}]`, COMMIT_PATH_RULE);
            if (v !== undefined) paths.push(v);
        });
    } else if (listed !== undefined && listed !== null) {
        const v = r.requiredString(listed, c.path("path"), COMMIT_PATH_RULE);
        if (v !== undefined) paths.push(v);
    }
    return { repository, paths };
}

function parseResources(s: ServiceFields): ServiceConfig["resources"] {
    const res = s.child("resources");
    const amounts = (key: "requests" | "limits") => {
        const m = res.child(key);
        return { cpu: m.stringOr("cpu"), memory: m.stringOr("memory"), ephemeralStorage: m.stringOr("ephemeralStorage") };
    };
    const requests = amounts("requests");
    const limits = amounts("limits");
    for (const kind of ["cpu", "memory", "ephemeralStorage"] as const) {
        const cmp = compareQuantities(requests[kind], limits[kind], kind === "cpu" ? "cpu" : "memory");
        if (cmp !== undefined && cmp > 0) {
            s.r.fail(`${res.path("limits")}.${kind}`, `is not allowed: must be at least requests.${kind} (${requests[kind]})`, limits[kind]);
        }
    }
    return { requests, limits };
}

function parseCanary(c: Fields<typeof SERVICE.keys.canary>, service: string, namespace: string, port: number, readinessPath: string): CanaryConfig {
    const r = c.r;
    const provider = c.stringOr("provider") as CanaryProvider;
    const interval = c.stringOr("interval");
    const intervalSeconds = parseDuration(interval) ?? 60;
    if (intervalSeconds < 10) r.fail(c.path("interval"), "is not allowed: Flagger needs an interval of at least 10s", interval);
    const metricWindow = c.stringOr("metricWindow", interval);
    if ((parseDuration(metricWindow) ?? 60) < 10) r.fail(c.path("metricWindow"), "is not allowed: a rate() window under 10s holds too few scrapes to measure anything; use at least 4 times Prometheus' scrape interval, e.g. 1m", metricWindow);
    const maxWeight = c.number("maxWeight");
    const stepWeight = c.number("stepWeight");
    if (stepWeight > maxWeight) r.fail(c.path("stepWeight"), `is not allowed: must not exceed maxWeight (${maxWeight})`, stepWeight);
    const host = c.string("host");
    if (provider === "nginx" && host === undefined) {
        r.fail(c.path("host"), "is required for provider nginx: the host name of the Ingress Flagger shifts traffic on");
    }
    const ingressControllerUrl = c.stringOr("ingressControllerUrl");
    return {
        provider,
        interval,
        intervalSeconds,
        metricWindow,
        threshold: c.number("threshold"),
        maxWeight,
        stepWeight,
        iterations: c.number("iterations"),
        successRateMin: c.number("successRateMin"),
        latencyMaxMs: c.number("latencyMaxMs"),
        progressDeadlineSeconds: c.number("progressDeadlineSeconds"),
        loadTesterUrl: c.stringOr("loadTesterUrl"),
        ingressControllerUrl,
        smokeTest: {
            command: c.string("smokeTest") ?? defaultSmokeTest(service, namespace, port, readinessPath),
            timeout: c.stringOr("smokeTestTimeout"),
        },
        loadTest: {
            command:
                c.string("loadTest") ??
                defaultLoadTest(service, namespace, port, provider === "nginx" && host !== undefined ? { host, controllerUrl: ingressControllerUrl } : undefined),
            timeout: c.stringOr("loadTestTimeout"),
        },
        host,
        ingressClassName: c.stringOr("ingressClassName"),
    };
}

function parseMigration(r: Reader, raw: unknown, at: string): MigrationConfig | undefined {
    const m = Fields.read(r, SERVICE.keys.migration, raw, at);
    if (!m) return undefined;
    const command = m.command("command") ?? (r.fail(m.path("command"), "is required: the command that migrates the schema"), undefined);
    const downgradeCommand =
        m.command("downgradeCommand") ??
        (r.fail(m.path("downgradeCommand"), "is required: every migration names its downgrade (the command that reverts it), so a rollback is possible"), undefined);
    const phase = m.string("phase") as MigrationPhase | undefined;
    const topPath = at.replace(/^[^:]+:/, "");
    const [topKey] = topPath.split(".");
    return {
        command: command ?? [],
        downgradeCommand: downgradeCommand ?? [],
        phase: phase ?? "expand",
        image: m.string("image"),
        backupCommand: m.command("backupCommand"),
        backoffLimit: m.number("backoffLimit"),
        activeDeadlineSeconds: m.number("activeDeadlineSeconds"),
        ttlSecondsAfterFinished: m.number("ttlSecondsAfterFinished"),
        databaseUrl: r.secret(m.get("databaseUrl"), m.path("databaseUrl"), topKey, m.path("databaseUrl")) ?? { kind: "secret", path: m.path("databaseUrl") },
    };
}

function parseAlerts(a: Fields<typeof SERVICE.keys.alerts>, service: string, namespace: string): ServiceConfig["alerts"] {
    const m = a.child("metrics");
    const selector = m.string("selector");
    return {
        errorRatePercent: a.number("errorRatePercent"),
        latencyP99Ms: a.number("latencyP99Ms"),
        restartsThreshold: a.number("restartsThreshold"),
        restartWindow: a.stringOr("restartWindow"),
        for: a.stringOr("for"),
        rateWindow: a.stringOr("rateWindow"),
        runbookUrl: a.stringOr("runbookUrl"),
        metrics: {
            requestsTotal: m.stringOr("requestsTotal"),
            durationBucket: m.stringOr("durationBucket"),
            statusLabel: m.stringOr("statusLabel"),
            selector: selector ?? defaultMetricSelector(service, namespace),
        },
        ruleLabels: parseRuleLabels(a.r, a.get("ruleLabels"), a.path("ruleLabels")),
        flaggerNamespaceLabel: a.string("flaggerNamespaceLabel"),
    };
}

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

function parseDisruptionBudget(b: Fields<typeof DISRUPTION_BUDGET>, minReplicas: number): ServiceConfig["disruptionBudget"] {
    const written = b.get("maxUnavailable");
    const maxUnavailable =
        typeof written === "string" && /%$/.test(written)
            ? b.r.string(written, b.path("maxUnavailable"), MAX_UNAVAILABLE_PERCENT) ?? MAX_UNAVAILABLE_COUNT.default
            : b.r.integer(written, b.path("maxUnavailable"), MAX_UNAVAILABLE_COUNT.min, MAX_UNAVAILABLE_COUNT.max, MAX_UNAVAILABLE_COUNT.default);
    return { enabled: b.boolean("enabled", minReplicas > 1), maxUnavailable };
}

function parseTopologySpread(t: Fields<typeof TOPOLOGY_SPREAD>, minReplicas: number): ServiceConfig["topologySpread"] {
    let topologyKeys = TOPOLOGY_SPREAD.keys.topologyKeys.default as readonly string[];
    const keys = t.get("topologyKeys");
    if (keys !== undefined && keys !== null) {
        if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string" && LABEL_KEY.test(k)) || new Set(keys).size !== keys.length) {
            t.r.fail(t.path("topologyKeys"), "must be a non-empty list of distinct node label keys, e.g. [topology.kubernetes.io/zone, kubernetes.io/hostname]", keys);
        } else {
            topologyKeys = keys as string[];
        }
    }
    return {
        enabled: t.boolean("enabled", minReplicas > 1),
        maxSkew: t.number("maxSkew"),
        whenUnsatisfiable: t.stringOr("whenUnsatisfiable") as WhenUnsatisfiable,
        topologyKeys,
    };
}

function emptyToUndefined(value: string | undefined): string | undefined {
    return value === "" ? undefined : value;
}

// ---------------------------------------------------------------------------------------------
// Stack files

/** Top-level keys Pulumi allows in a stack file besides `config`. */
export const STACK_FILE_KEYS: readonly string[] = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

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
