import { Reader } from "./reader";
import { Field, KeyOf, keysOf, ObjectField, StringField } from "./schema";

/**
 * One map of the stack read through its declaration in schema.ts: the allowed keys (unknown
 * ones are reported with a did-you-mean), and each key's type, range, pattern, allowed values,
 * default and the text the message gives. The loader names a key; the schema says the rest.
 */
export class Fields<S extends ObjectField = ObjectField, K extends string = KeyOf<S>> {
    private constructor(
        readonly r: Reader,
        readonly spec: S,
        readonly raw: Readonly<Record<string, unknown>>,
        /** Key path of the map, e.g. `releasectl:services.checkout.canary`. */
        readonly at: string,
        /** What joins the map's path and a key: `.`, or `:` after the project's namespace. */
        private readonly separator = ".",
    ) {}

    /**
     * The top-level values of the `project:` namespace (the loader reports their unknown keys
     * itself, naming the namespace): keys are `project:key`.
     */
    static top<S extends ObjectField>(r: Reader, spec: S, values: Readonly<Record<string, unknown>>, project: string): Fields<S> {
        return new Fields(r, spec, values, project, ":");
    }

    /** The map at `at`, or undefined when it is absent or not a map (the Reader records why). */
    static read<S extends ObjectField>(r: Reader, spec: S, raw: unknown, at: string): Fields<S> | undefined {
        const record = r.map(raw, at, keysOf(spec));
        return record === undefined ? undefined : new Fields(r, spec, record, at);
    }

    /** The map at `at`, or an empty one (every key takes its default). */
    static readOrEmpty<S extends ObjectField>(r: Reader, spec: S, raw: unknown, at: string): Fields<S> {
        return Fields.read(r, spec, raw, at) ?? new Fields(r, spec, {}, at);
    }

    path(key: K): string {
        return `${this.at}${this.separator}${key}`;
    }

    /** The schema's default of a number or boolean key (where the loader computes a default from it). */
    defaultOf(key: K): number | boolean {
        const spec = this.field(key);
        if (spec.kind !== "integer" && spec.kind !== "number" && spec.kind !== "boolean") throw new Error(`schema: ${this.path(key)} has no scalar default`);
        return spec.default;
    }

    get(key: K): unknown {
        return this.raw[key];
    }

    field(key: K): Field {
        return (this.spec.keys as Record<string, Field>)[key];
    }

    /** The nested map `key` (empty when absent). */
    child<C extends K>(key: C): Fields<Extract<S["keys"][C], ObjectField>> {
        const spec = this.field(key);
        if (spec.kind !== "object") throw new Error(`schema: ${this.path(key)} is not a map`);
        return Fields.readOrEmpty(this.r, spec as Extract<S["keys"][C], ObjectField>, this.raw[key], this.path(key));
    }

    /** The text as written (no default), checked by pattern, allowed values and check. */
    string(key: K, opts: { allowed?: string; value?: unknown } = {}): string | undefined {
        const spec = this.stringField(key);
        let value = "value" in opts ? opts.value : this.raw[key];
        if (spec.acceptsNumber && typeof value === "number") value = String(value);
        const rule = opts.allowed === undefined ? ruleOf(spec) : { ...ruleOf(spec), allowed: opts.allowed };
        return spec.required ? this.r.requiredString(value, this.path(key), rule) : this.r.string(value, this.path(key), rule);
    }

    /** The text, or the default (the schema's, or `fallback` where it is computed). */
    stringOr(key: K, fallback?: string): string {
        const value = this.string(key) ?? fallback ?? this.stringField(key).default;
        if (value === undefined) throw new Error(`schema: ${this.path(key)} has no default`);
        return value;
    }

    /** A whole number or a number within the schema's range; the default when absent or refused. */
    number(key: K, fallback?: number): number {
        const spec = this.field(key);
        if (spec.kind !== "integer" && spec.kind !== "number") throw new Error(`schema: ${this.path(key)} is not a number`);
        const read = spec.kind === "integer" ? this.r.integer : this.r.number;
        return read.call(this.r, this.raw[key], this.path(key), spec.min, spec.max, fallback ?? spec.default);
    }

    boolean(key: K, fallback?: boolean): boolean {
        const spec = this.field(key);
        if (spec.kind !== "boolean") throw new Error(`schema: ${this.path(key)} is not a boolean`);
        return this.r.boolean(this.raw[key], this.path(key), fallback ?? spec.default);
    }

    command(key: K): string[] | undefined {
        if (this.field(key).kind !== "command") throw new Error(`schema: ${this.path(key)} is not a command`);
        return this.r.command(this.raw[key], this.path(key));
    }

    private stringField(key: K): StringField {
        const spec = this.field(key);
        if (spec.kind !== "string") throw new Error(`schema: ${this.path(key)} is not a string`);
        return spec;
    }
}

type Rule = { pattern?: RegExp; check?: (s: string) => boolean; allowed?: string };
const RULES = new WeakMap<StringField, Rule>();

/** What Reader.string checks for a string field: its pattern, allowed values and check. */
function ruleOf(spec: StringField): Rule {
    let rule = RULES.get(spec);
    if (rule === undefined) {
        const allowed = spec.enum;
        const check =
            allowed && spec.check
                ? (s: string) => allowed.includes(s) && spec.check!(s)
                : allowed
                  ? (s: string) => allowed.includes(s)
                  : spec.check;
        rule = { pattern: spec.pattern, check, allowed: spec.allowed };
        RULES.set(spec, rule);
    }
    return rule;
}
