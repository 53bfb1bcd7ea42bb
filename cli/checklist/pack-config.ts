import * as fs from "fs";
import { describeValue, UserError } from "../../config/errors";
import { readSettings, Settings, SettingKey } from "../../policies/settings";
import { ENFORCEMENT_LEVELS, EnforcementLevel } from "../../policies/lib/rule";
import { existingFile } from "../paths";

/**
 * The pack config file (`pulumi preview --policy-pack-config FILE`), read by `releasectl check
 * --config FILE` with the same meaning: `{"<rule>": "<level>" | {"enforcementLevel"?, ...settings}}`
 * plus `"all"` for every rule's level. The repository checks take their settings from the same
 * file (the engine ignores names it does not know). Stricter than the engine on purpose: an
 * unknown rule or setting is a typo, reported as bad input.
 */

export interface RuleDeclaration {
    readonly name: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly settings: readonly SettingKey[];
}

export interface ChecklistConfig {
    /** The file, as the user named it; undefined when no file was given. */
    readonly source?: string;
    levelOf(rule: string): EnforcementLevel;
    settingsOf(rule: string): Settings;
}

export function loadChecklistConfig(file: string | undefined, cwd: string, rules: readonly RuleDeclaration[]): ChecklistConfig {
    if (file === undefined) return parseChecklistConfig({}, undefined, rules);
    const full = existingFile("config", file, cwd);
    let text: string;
    try {
        text = fs.readFileSync(full, "utf8");
    } catch (e) {
        throw new UserError(`--config ${file}: cannot be read (${(e as NodeJS.ErrnoException).code}); pass the pack config file (JSON), e.g. --config policies/config.example.json`, "ENOCONFIG");
    }
    let value: unknown;
    try {
        value = text.trim() === "" ? {} : JSON.parse(text);
    } catch (e) {
        throw new UserError(`${file}: not valid JSON (${(e as Error).message}); the pack config is a JSON object keyed by rule name`, "ECONFIG");
    }
    return parseChecklistConfig(value, file, rules);
}

/**
 * The pack config for a command that reads only repository checks' settings (the changelog's
 * file): without a file, the defaults of those checks alone, so the pack's 40 rule modules are
 * not loaded; a file is still checked against every rule and check (a typo in it is an error in
 * every command), which loads them. `settingsOf` a pack rule is an error without a file.
 */
export function loadRepositoryChecksConfig(file: string | undefined, cwd: string): ChecklistConfig {
    const { REPOSITORY_CHECKS } = require("./repository-checks") as typeof import("./repository-checks");
    if (file === undefined) return parseChecklistConfig({}, undefined, REPOSITORY_CHECKS);
    return loadChecklistConfig(file, cwd, (require("./run") as typeof import("./run")).DECLARATIONS);
}

export function parseChecklistConfig(value: unknown, source: string | undefined, rules: readonly RuleDeclaration[]): ChecklistConfig {
    const where = source ?? "pack config";
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new UserError(`${where}: must be a JSON object keyed by rule name, e.g. {"canary-thresholds-strict": {"successRateMin": 99}}`, "ECONFIG");
    }
    const byName = new Map(rules.map((r) => [r.name, r]));
    const levels = new Map<string, EnforcementLevel>(rules.map((r) => [r.name, r.enforcementLevel]));
    const raw = new Map<string, Record<string, unknown>>();
    const entries = Object.entries(value as Record<string, unknown>);
    const levelIn = (key: string, entry: unknown): EnforcementLevel | undefined => {
        const level = typeof entry === "string" ? entry : (entry as Record<string, unknown>).enforcementLevel;
        if (level === undefined) return undefined;
        if (!(ENFORCEMENT_LEVELS as readonly unknown[]).includes(level)) {
            throw new UserError(`${where}: ${key}${typeof entry === "string" ? "" : ".enforcementLevel"} = ${describeValue(level)}: not an enforcement level; use ${ENFORCEMENT_LEVELS.join(", ")}`, "ECONFIG");
        }
        return level as EnforcementLevel;
    };
    // "all" first, then each rule: the order in which Pulumi applies them.
    for (const [key, entry] of entries.filter(([k]) => k === "all")) {
        if (typeof entry !== "string" && (entry === null || typeof entry !== "object" || Array.isArray(entry))) {
            throw new UserError(`${where}: all = ${describeValue(entry)}: must be an enforcement level or {"enforcementLevel": ...}`, "ECONFIG");
        }
        const level = levelIn(key, entry);
        if (level) for (const r of rules) levels.set(r.name, level);
    }
    for (const [key, entry] of entries.filter(([k]) => k !== "all")) {
        const rule = byName.get(key);
        if (!rule) {
            throw new UserError(`${where}: ${key}: no such rule; rules: ${nearest(key, [...byName.keys()])}`, "ECONFIG");
        }
        if (typeof entry !== "string" && (entry === null || typeof entry !== "object" || Array.isArray(entry))) {
            throw new UserError(`${where}: ${key} = ${describeValue(entry)}: must be an enforcement level (${ENFORCEMENT_LEVELS.join(", ")}) or a map of settings`, "ECONFIG");
        }
        const level = levelIn(key, entry);
        if (level) levels.set(key, level);
        if (typeof entry === "object") raw.set(key, entry as Record<string, unknown>);
    }
    // Every rule's settings are read now, so a bad value stops the command before anything runs.
    const settings = new Map(rules.map((r) => [r.name, readSettings(r, raw.get(r.name) ?? {}, where)]));
    return {
        source,
        levelOf: (rule) => levels.get(rule) ?? "advisory",
        settingsOf: (rule) => {
            const s = settings.get(rule);
            if (!s) throw new Error(`no rule ${rule}`);
            return s;
        },
    };
}

/** The closest rule names first, so a typo's fix is at the front of the message. */
function nearest(name: string, names: readonly string[]): string {
    const score = (candidate: string) => {
        const a = new Set(name.split("-"));
        return candidate.split("-").filter((w) => a.has(w)).length;
    };
    return [...names].sort((x, y) => score(y) - score(x) || x.localeCompare(y)).join(", ");
}
