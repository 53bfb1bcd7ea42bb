import { ConfigError } from "../config/errors";
import { checkCron, isTimeZone, parseInstant, parseWindowDuration } from "./lib/freeze";

/**
 * The pack's settings: one catalogue of JSON schemas with defaults. Each rule names the settings
 * it reads; those become its CrossGuard `configSchema`, so `--policy-pack-config` files and
 * `releasectl check --config` files have the same shape:
 *
 *     { "canary-thresholds-strict": { "successRateMin": 99.5 },
 *       "workload-outside-freeze-window": { "freezeWindows": [...] },
 *       "deployment-ci-run-recorded": "advisory" }
 *
 * The engine applies the schema defaults before a policy runs; tests and `releasectl check` do
 * not have the engine, so `readSettings` applies them too (a no-op inside the engine).
 */

export interface FreezeWindow {
    readonly name: string;
    /** Fixed window: an instant with offset, or a local date/date-time read in `timeZone`. */
    readonly start?: string;
    /** Exclusive end of a fixed window. */
    readonly end?: string;
    /** Recurring window: when it starts (5 or 6 fields, read in `timeZone`). */
    readonly cron?: string;
    /** How long each occurrence lasts: `58h`, `2d12h`. */
    readonly duration?: string;
    /** IANA time zone; UTC when left out. */
    readonly timeZone: string;
    /** Stacks the freeze applies to; the production stacks when left out. */
    readonly stacks?: readonly string[];
}

export interface Settings {
    readonly successRateMin: number;
    readonly latencyMaxMs: number;
    readonly productionStacks: readonly string[];
    readonly productionEnvironments: readonly string[];
    readonly allowedRegistries: readonly string[];
    readonly freezeWindows: readonly FreezeWindow[];
    readonly allowedBranches: Readonly<Record<string, readonly string[]>>;
    readonly tagFormat: string;
    readonly changelogFile: string;
    readonly promotionSources: readonly string[];
}

export type SettingKey = keyof Settings;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The subset of JSON Schema the pack uses. Structurally a @pulumi/policy PolicyConfigJSONSchema
 * (mutable arrays included), without importing that package: the command line loads this file.
 */
export interface JsonSchema {
    type?: "string" | "number" | "integer" | "boolean" | "object" | "array";
    description?: string;
    default?: JsonValue;
    minimum?: number;
    maximum?: number;
    minLength?: number;
    pattern?: string;
    items?: JsonSchema;
    properties?: { [key: string]: JsonSchema };
    required?: string[];
    additionalProperties?: boolean | JsonSchema;
}

const stringList = (description: string, defaults: string[]): JsonSchema => ({
    type: "array",
    description,
    items: { type: "string", minLength: 1 },
    default: defaults,
});

export const SETTINGS_SCHEMA: Readonly<Record<SettingKey, JsonSchema>> = {
    successRateMin: {
        type: "number",
        minimum: 0,
        maximum: 100,
        default: 99,
        description: "Lowest request-success-rate minimum (percent of non-5xx) a Canary may use.",
    },
    latencyMaxMs: {
        type: "integer",
        minimum: 1,
        default: 500,
        description: "Highest request-duration maximum (milliseconds) a Canary may use.",
    },
    productionStacks: stringList("Stack names treated as production.", ["production"]),
    productionEnvironments: stringList(
        "Environments treated as production: the `environment` stack tag or the environment a release records on its Deployment.",
        ["production"],
    ),
    allowedRegistries: stringList(
        "Registries (`registry.example.com`) or path prefixes (`registry.example.com/shop`) images may come from; empty allows any.",
        [],
    ),
    freezeWindows: {
        type: "array",
        description: "Change-freeze windows: {name, start, end} or {name, cron, duration}, with an optional timeZone (IANA, default UTC) and stacks (default: the production stacks).",
        default: [],
        items: {
            type: "object",
            required: ["name"],
            additionalProperties: false,
            properties: {
                name: { type: "string", minLength: 1 },
                start: { type: "string" },
                end: { type: "string" },
                cron: { type: "string" },
                duration: { type: "string" },
                timeZone: { type: "string" },
                stacks: { type: "array", items: { type: "string", minLength: 1 } },
            },
        },
    },
    allowedBranches: {
        type: "object",
        description: "Git branches a stack may be released from, by stack name (`*` for any other stack). Patterns: `*` matches within one path segment, `**` across segments.",
        additionalProperties: { type: "array", items: { type: "string", minLength: 1 } },
        default: { production: ["main", "release/*", "hotfix/*"] },
    },
    tagFormat: {
        type: "string",
        pattern: "\\{version\\}",
        default: "v{version}",
        description: "Name of a release's git tag: `{version}` and `{service}` are replaced.",
    },
    changelogFile: {
        type: "string",
        minLength: 1,
        default: "CHANGELOG.md",
        description: "Changelog that must have an entry for each released version, relative to the project directory.",
    },
    promotionSources: stringList(
        "Stacks a production release must have passed first: its Deployment must record a promotion (releasectl promote --from <stack>) of this very version from one of them. Empty: no earlier stack is required.",
        [],
    ),
};

/** A rule's `configSchema`: the settings it reads, with their defaults. */
export function configSchemaFor(keys: readonly SettingKey[]): { properties: { [key: string]: JsonSchema } } {
    return { properties: Object.fromEntries(keys.map((k) => [k, structuredClone(SETTINGS_SCHEMA[k])])) };
}

export function defaultSettings(): Settings {
    return Object.fromEntries(Object.entries(SETTINGS_SCHEMA).map(([k, s]) => [k, structuredClone(s.default)])) as unknown as Settings;
}

const cache = new Map<string, Settings>();

/**
 * The typed settings of one rule: its configured values (checked against the schema and for
 * meaning: dates, cron, time zones) over the defaults. Throws a ConfigError naming `source`,
 * `<rule>.<key>` and the bad value.
 */
export function readSettings(rule: { name: string; settings: readonly SettingKey[] }, raw: Readonly<Record<string, unknown>>, source = "policy pack config"): Settings {
    const key = `${source}\0${rule.name}\0${JSON.stringify(raw)}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const settings: Record<string, unknown> = { ...defaultSettings() };
    for (const [name, value] of Object.entries(raw)) {
        if (name === "enforcementLevel") continue;
        if (!(rule.settings as readonly string[]).includes(name)) {
            throw new ConfigError(
                source,
                `${rule.name}.${name}`,
                rule.settings.length
                    ? `unknown setting; ${rule.name} reads ${rule.settings.join(", ")}`
                    : `unknown setting; ${rule.name} has no settings (only enforcementLevel)`,
            );
        }
        const problem = schemaProblem(SETTINGS_SCHEMA[name as SettingKey], value, `${rule.name}.${name}`);
        if (problem) throw new ConfigError(source, problem.path, problem.message, problem.value);
        settings[name] = value;
    }
    const result = settings as unknown as Settings;
    if (rule.settings.includes("freezeWindows")) checkFreezeWindows(result.freezeWindows, `${rule.name}.freezeWindows`, source);
    const withZones = { ...result, freezeWindows: result.freezeWindows.map((w) => ({ ...w, timeZone: w.timeZone ?? "UTC" })) };
    if (cache.size > 200) cache.clear();
    cache.set(key, withZones);
    return withZones;
}

function checkFreezeWindows(windows: readonly FreezeWindow[], at: string, source: string): void {
    windows.forEach((w, i) => {
        const here = `${at}[${i}]`;
        const zone = w.timeZone ?? "UTC";
        if (!isTimeZone(zone)) throw new ConfigError(source, `${here}.timeZone`, "is not an IANA time zone such as Europe/Berlin or UTC", zone);
        const fixed = w.start !== undefined || w.end !== undefined;
        const recurring = w.cron !== undefined || w.duration !== undefined;
        if (fixed === recurring) {
            throw new ConfigError(source, here, `window ${JSON.stringify(w.name)} needs either start and end (fixed dates) or cron and duration (recurring), not ${fixed ? "both" : "neither"}`);
        }
        if (fixed) {
            for (const k of ["start", "end"] as const) {
                const text = w[k];
                if (text === undefined) throw new ConfigError(source, `${here}.${k}`, "is required with a fixed window: a date (2025-12-24), a local date-time (2025-12-24T18:00) or an instant with offset (2025-12-24T18:00:00+01:00)");
                if (!parseInstant(text, zone)) throw new ConfigError(source, `${here}.${k}`, "is not a date (2025-12-24), local date-time (2025-12-24T18:00) or instant with offset", text);
            }
            if (parseInstant(w.end!, zone)! <= parseInstant(w.start!, zone)!) {
                throw new ConfigError(source, `${here}.end`, `must be after start (${w.start}); end is exclusive`, w.end);
            }
        } else {
            if (w.cron === undefined) throw new ConfigError(source, `${here}.cron`, "is required with duration: when each freeze starts, e.g. \"0 18 * * 5\" (Fridays 18:00)");
            if (w.duration === undefined) throw new ConfigError(source, `${here}.duration`, "is required with cron: how long each freeze lasts, e.g. \"62h\"");
            try {
                checkCron(w.cron);
            } catch (e) {
                throw new ConfigError(source, `${here}.cron`, `is not a cron expression: ${(e as Error).message}`, w.cron);
            }
            if (parseWindowDuration(w.duration) === undefined) throw new ConfigError(source, `${here}.duration`, "is not a duration such as 62h, 2d12h or 90m", w.duration);
        }
    });
}

export interface SchemaProblem {
    readonly path: string;
    readonly message: string;
    readonly value: unknown;
}

/** The first way `value` breaks `schema`, or undefined. Covers the keywords SETTINGS_SCHEMA uses. */
export function schemaProblem(schema: JsonSchema, value: unknown, path: string): SchemaProblem | undefined {
    const fail = (message: string): SchemaProblem => ({ path, message, value });
    switch (schema.type) {
        case "string":
            if (typeof value !== "string") return fail("must be a string");
            if (schema.minLength !== undefined && value.length < schema.minLength) return fail("must not be empty");
            if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) return fail(`must match ${schema.pattern}`);
            break;
        case "number":
        case "integer":
            if (typeof value !== "number" || !Number.isFinite(value)) return fail(`must be a number`);
            if (schema.type === "integer" && !Number.isInteger(value)) return fail("must be a whole number");
            if (schema.minimum !== undefined && value < schema.minimum) return fail(`must be at least ${schema.minimum}`);
            if (schema.maximum !== undefined && value > schema.maximum) return fail(`must be at most ${schema.maximum}`);
            break;
        case "boolean":
            if (typeof value !== "boolean") return fail("must be true or false");
            break;
        case "array":
            if (!Array.isArray(value)) return fail("must be a list");
            if (schema.items) {
                for (let i = 0; i < value.length; i++) {
                    const p = schemaProblem(schema.items, value[i], `${path}[${i}]`);
                    if (p) return p;
                }
            }
            break;
        case "object": {
            if (value === null || typeof value !== "object" || Array.isArray(value)) return fail("must be a map");
            const o = value as Record<string, unknown>;
            for (const r of schema.required ?? []) if (o[r] === undefined) return { path: `${path}.${r}`, message: "is required", value: undefined };
            for (const [k, v] of Object.entries(o)) {
                const declared = schema.properties?.[k];
                const extra = schema.additionalProperties;
                const sub = declared ?? (typeof extra === "object" ? extra : undefined);
                if (!sub) {
                    if (extra === false || schema.properties) {
                        return { path: `${path}.${k}`, message: `unknown key; allowed: ${Object.keys(schema.properties ?? {}).join(", ")}`, value: undefined };
                    }
                    continue;
                }
                const p = schemaProblem(sub, v, `${path}.${k}`);
                if (p) return p;
            }
            break;
        }
    }
    return undefined;
}
