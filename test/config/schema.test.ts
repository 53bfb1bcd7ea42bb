import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { load } from "js-yaml";
import { stackFileJsonSchema } from "../../config/json-schema";
import { parseReleaseConfig, PROJECT_KEYS, STACK_FILE_KEYS } from "../../config/load";
import { Field, KeyOf, keysOf, NOTIFICATION, ObjectField, SERVICE, STACK } from "../../config/schema";
import type * as T from "../../config/types";
import { CONFIGURATION_DOC, configurationMarkdown, REGENERATE } from "../../config/schema-docs";
import { allProvidersValues, migrationValues, valuesWithService, validValues } from "../helpers/fixtures";
import { REPO } from "../helpers/project";

/**
 * config/schema.ts is the one declaration of the stack keys: the loader reads through it, the
 * JSON Schema editors use is made from it (checked here with a real validator against the
 * example stacks), Pulumi.yaml's declarations and docs/configuration.md agree with it.
 */

type Raw = Record<string, unknown>;

/**
 * Compile-time: the schema's keys are the typed configuration's fields (npx tsc fails when a
 * key is added to one and not the other). Where the loader turns keys into other fields, the
 * difference is spelled out.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type S = typeof SERVICE.keys;
export const SCHEMA_MATCHES_TYPES: [
    Same<KeyOf<typeof STACK>, Exclude<keyof T.ReleaseConfig, "project" | "stack" | "source">>,
    Same<KeyOf<typeof NOTIFICATION>, Exclude<keyof T.NotificationConfig, "name">>,
    Same<Exclude<KeyOf<typeof SERVICE>, "imageDigest">, Exclude<keyof T.ServiceConfig, "name" | "releaseTagPrefix">>,
    Same<KeyOf<S["probes"]>, keyof T.ProbeConfig>,
    Same<KeyOf<S["resources"]>, keyof T.ResourcesConfig>,
    Same<KeyOf<S["resources"]["keys"]["requests"]>, keyof T.ResourceAmounts>,
    Same<KeyOf<S["replicas"]>, keyof T.ReplicasConfig>,
    Same<KeyOf<S["disruptionBudget"]>, keyof T.DisruptionBudgetConfig>,
    Same<KeyOf<S["topologySpread"]>, keyof T.TopologySpreadConfig>,
    Same<Exclude<KeyOf<S["canary"]>, "smokeTestTimeout" | "loadTestTimeout">, Exclude<keyof T.CanaryConfig, "intervalSeconds">>,
    Same<KeyOf<S["migration"]>, keyof T.MigrationConfig>,
    Same<KeyOf<S["alerts"]>, keyof T.AlertsConfig>,
    Same<KeyOf<S["alerts"]["keys"]["metrics"]>, keyof T.MetricsConfig>,
    Same<KeyOf<S["evidence"]>, keyof T.EvidenceConfig>,
    Same<KeyOf<S["promotedFrom"]>, keyof T.PromotedFrom>,
    Same<KeyOf<S["rerelease"]>, keyof NonNullable<T.ServiceConfig["rerelease"]>>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];

function validator(): ValidateFunction {
    // strictRequired off: `then: {required: [host]}` names a key declared beside it, not in it.
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    return ajv.compile(stackFileJsonSchema());
}

/** A stack file's content (namespaced keys) from loader values (keys without the namespace). */
function stackFile(values: Raw, extra: Raw = {}): Raw {
    const config: Raw = {};
    for (const [key, value] of Object.entries(values)) if (value !== undefined) config[`releasectl:${key}`] = value;
    return { config, ...extra };
}

function loaderProblem(values: Raw): string | undefined {
    try {
        parseReleaseConfig(structuredClone(values), { source: "Pulumi.test.yaml", stack: "test", mode: "file" });
        return undefined;
    } catch (e) {
        return (e as Error).message;
    }
}

function errorsAt(validate: ValidateFunction, data: unknown): ErrorObject[] {
    expect(validate(data), "the schema accepts it").to.equal(false);
    return validate.errors ?? [];
}

const EXAMPLES = ["Pulumi.production.yaml", "Pulumi.staging.yaml"];

describe("stack key schema", () => {
    let validate: ValidateFunction;
    before(() => {
        validate = validator();
    });

    describe("the JSON Schema (releasectl schema)", () => {
        for (const file of EXAMPLES) {
            it(`accepts the example stack ${file}`, () => {
                const data = load(fs.readFileSync(path.join(REPO, file), "utf8"));
                expect(validate(data), JSON.stringify(validate.errors, null, 2)).to.equal(true);
            });
        }

        it("accepts the fixtures the loader accepts (every provider, a migration)", () => {
            for (const values of [validValues(), allProvidersValues(), valuesWithService({ migration: migrationValues() })]) {
                expect(loaderProblem(values)).to.equal(undefined);
                expect(validate(stackFile(values)), JSON.stringify(validate.errors, null, 2)).to.equal(true);
            }
        });

        it("rejects a value outside a key's allowed set", () => {
            const errors = errorsAt(validate, stackFile(valuesWithService({ canary: { provider: "traefik" } })));
            expect(errors.some((e) => e.instancePath === "/config/releasectl:services/web/canary/provider" && e.keyword === "enum")).to.equal(true);
            expect(loaderProblem(valuesWithService({ canary: { provider: "traefik" } }))).to.match(/canary\.provider = "traefik": is not allowed: must be one of istio, linkerd, nginx, kubernetes/);
        });

        it("rejects an unknown key of a service, of a nested map and of the namespace", () => {
            const nested = errorsAt(validate, stackFile(valuesWithService({ canary: { maxWeigth: 50 } })));
            expect(nested.some((e) => e.instancePath === "/config/releasectl:services/web/canary" && e.keyword === "additionalProperties" && e.params.additionalProperty === "maxWeigth")).to.equal(true);
            const service = errorsAt(validate, stackFile(valuesWithService({ imag: "x" })));
            expect(service.some((e) => e.instancePath === "/config/releasectl:services/web" && e.params.additionalProperty === "imag")).to.equal(true);
            const top = errorsAt(validate, stackFile({ ...validValues(), namespce: "shop" }));
            expect(top.some((e) => e.instancePath === "/config/releasectl:namespce")).to.equal(true);
        });

        it("accepts null (`key:` with no value) for exactly the optional keys the loader reads as unset", () => {
            // Every optional key, nested ones included, set to null in a valid stack: the editor's
            // verdict must be the loader's, both ways.
            const base = valuesWithService({ migration: migrationValues() });
            const service = Object.keys(base.services as Raw)[0];
            const notification = Object.keys(base.notifications as Raw)[0];
            const setIn = (values: Raw, at: readonly string[], value: unknown): Raw => {
                const copy = structuredClone(values);
                let cur = copy;
                for (const key of at.slice(0, -1)) {
                    if (cur[key] === null || typeof cur[key] !== "object") cur[key] = {};
                    cur = cur[key] as Raw;
                }
                cur[at[at.length - 1]] = value;
                return copy;
            };
            const differences: string[] = [];
            let tried = 0;
            const walk = (field: Field, at: readonly string[]) => {
                if (field.kind === "object") for (const [key, inner] of Object.entries(field.keys as Record<string, Field>)) walk(inner, [...at, key]);
                if (field.required) return;
                tried++;
                const values = setIn(base, at, null);
                const loader = loaderProblem(values) === undefined;
                const editor = validate(stackFile(values)) === true;
                if (loader !== editor) differences.push(`${at.join(".")}: the loader ${loader ? "accepts" : "refuses"} null, the JSON Schema ${editor ? "accepts" : "refuses"} it`);
            };
            for (const key of keysOf(STACK)) if (key !== "services" && key !== "notifications") walk((STACK.keys as Record<string, Field>)[key], [key]);
            walk(STACK.keys.notifications as Field, ["notifications"]);
            for (const key of keysOf(NOTIFICATION)) walk((NOTIFICATION.keys as Record<string, Field>)[key], ["notifications", notification, key]);
            for (const key of keysOf(SERVICE)) walk((SERVICE.keys as Record<string, Field>)[key], ["services", service, key]);
            expect(differences).to.deep.equal([]);
            expect(tried).to.be.greaterThan(80);
            // both verdicts occur: a scalar or a map left empty is unset (the same configuration as
            // without the key), the top-level notifications left empty is refused
            const parse = (values: Raw) => parseReleaseConfig(structuredClone(values), { source: "Pulumi.test.yaml", stack: "test", mode: "file" });
            const without = (values: Raw, at: readonly string[]) => {
                const copy = structuredClone(values);
                let cur = copy;
                for (const key of at.slice(0, -1)) {
                    if (cur[key] === null || typeof cur[key] !== "object") return copy;
                    cur = cur[key] as Raw;
                }
                delete cur[at[at.length - 1]];
                return copy;
            };
            for (const at of [["services", service, "canary", "host"], ["services", service, "probes"], ["services", service, "canary"], ["services", service, "env"]]) {
                expect(validate(stackFile(setIn(base, at, null))), at.join(".")).to.equal(true);
                expect(parse(setIn(base, at, null)), at.join(".")).to.deep.equal(parse(without(base, at)));
            }
            expect(validate(stackFile(setIn(base, ["notifications"], null)))).to.equal(false);
            expect(loaderProblem(setIn(base, ["notifications"], null))).to.match(/releasectl:notifications: is empty: name the notification targets under it, or remove the key for none/);
        });

        it("counts a length limit's characters as JSON Schema does: an emoji is one", () => {
            const link = (n: number) => `https://ci.example.com/${"x".repeat(n - "https://ci.example.com/".length - 1)}\u{1F680}`;
            // 2048 characters, 2049 UTF-16 units: within evidence's 2048 for both
            const fits = valuesWithService({ evidence: { ciRun: link(2048) } });
            expect(link(2048).length).to.equal(2049);
            expect(loaderProblem(fits)).to.equal(undefined);
            expect(validate(stackFile(fits)), JSON.stringify(validate.errors)).to.equal(true);
            const over = valuesWithService({ evidence: { ciRun: link(2049) } });
            expect(loaderProblem(over)).to.match(/services\.web\.evidence\.ciRun: is 2049 characters long; at most 2048 are allowed/);
            expect(errorsAt(validate, stackFile(over)).some((e) => e.keyword === "maxLength")).to.equal(true);
        });

        it("leaves other namespaces' keys alone", () => {
            expect(validate(stackFile(validValues(), {}))).to.equal(true);
            const data = stackFile(validValues());
            (data.config as Raw)["kubernetes:context"] = "prod";
            (data.config as Raw)["releasectl-extra:anything"] = { any: 1 };
            expect(validate(data), JSON.stringify(validate.errors)).to.equal(true);
        });

        it("rejects an unknown top-level key of the stack file, and names the loader's keys", () => {
            const errors = errorsAt(validate, { ...stackFile(validValues()), configs: {} });
            expect(errors.some((e) => e.keyword === "additionalProperties" && e.params.additionalProperty === "configs")).to.equal(true);
            expect(Object.keys((stackFileJsonSchema() as { properties: Raw }).properties)).to.deep.equal([...STACK_FILE_KEYS]);
        });

        it("wants a secret as a secure: value, never plain text", () => {
            const values = validValues();
            (values.notifications as Raw).releases = { type: "slack", address: "https://hooks.slack.com/services/T000/B000/XXXX" };
            const errors = errorsAt(validate, stackFile(values));
            expect(errors.some((e) => e.instancePath === "/config/releasectl:notifications/releases/address" && e.keyword === "type")).to.equal(true);
        });

        it("rejects the wrong type, a number out of range and a missing required key", () => {
            expect(errorsAt(validate, stackFile(valuesWithService({ port: "8080" }))).some((e) => e.instancePath.endsWith("/web/port") && e.keyword === "type")).to.equal(true);
            expect(errorsAt(validate, stackFile(valuesWithService({ canary: { maxWeight: 150 } }))).some((e) => e.keyword === "maximum")).to.equal(true);
            const noImage = valuesWithService({});
            delete ((noImage.services as Raw).web as Raw).image;
            expect(errorsAt(validate, stackFile(noImage)).some((e) => e.keyword === "required" && e.params.missingProperty === "image")).to.equal(true);
            const noNamespace = validValues();
            delete noNamespace.namespace;
            expect(errorsAt(validate, stackFile(noNamespace)).some((e) => e.params.missingProperty === "releasectl:namespace")).to.equal(true);
        });

        it("wants a host for a canary of provider nginx, as the loader does", () => {
            const values = valuesWithService({ canary: { provider: "nginx" } });
            expect(errorsAt(validate, stackFile(values)).some((e) => e.params.missingProperty === "host")).to.equal(true);
            expect(loaderProblem(values)).to.match(/canary\.host: is required for provider nginx/);
        });

        it("refuses every key's out-of-range number and unknown value, as the loader does with its own message", () => {
            let checked = 0;
            walk(SERVICE, [], (keyPath, field) => {
                const bad: unknown[] = [];
                if (field.kind === "integer" || field.kind === "number") bad.push(field.max + 1, field.min - 1);
                if (field.kind === "string" && field.enum) bad.push("not-one-of-them");
                for (const value of bad) {
                    const overrides = nest(keyPath, value);
                    // A migration's other keys are required: give them, so this key's problem is the first.
                    if (keyPath[0] === "migration") overrides.migration = { ...migrationValues(), ...(overrides.migration as Raw) };
                    const values = valuesWithService(overrides);
                    const loader = loaderProblem(values);
                    expect(loader, keyPath.join(".")).to.include(`releasectl:services.web.${keyPath.join(".")} = ${JSON.stringify(value)}: is not allowed: must be `);
                    expect(validate(stackFile(values)), `${keyPath.join(".")} = ${value}`).to.equal(false);
                    checked++;
                }
            });
            expect(checked).to.be.greaterThan(40);
        });

        it("accepts every one-key change of the example stack that the loader accepts", () => {
            // An editor must never mark what releasectl takes: each key of the production stack
            // set to each of these values, and each known key added with them.
            const example = (load(fs.readFileSync(path.join(REPO, "Pulumi.production.yaml"), "utf8")) as { config: Raw }).config;
            const values: Raw = {};
            for (const [key, value] of Object.entries(example)) values[key.replace(/^releasectl:/, "")] = value;
            const VALUES: unknown[] = [undefined, "", "x", "the quick brown fox", 0, 1, 2, 1.5, 100, 1000, true, false, [], ["a"], {}, { secure: "v1:x" }, "1m", "30s", "5m", "25%", "100%", "2", "256Mi", "1.2.3", "https://x.example.com", "/p", "istio", "nginx", "kubernetes", "expand", "contract", "DoNotSchedule", 'a="b"', "staging", "0".repeat(40)];
            let accepted = 0;
            const service = ((values.services as Raw).checkout ?? {}) as Raw;
            const paths: string[][] = [];
            walk(SERVICE, [], (keyPath) => paths.push(["services", "checkout", ...keyPath]));
            for (const key of Object.keys(service)) if (typeof service[key] === "object") paths.push(["services", "checkout", key]);
            for (const keyPath of paths) {
                for (const value of VALUES) {
                    const changed = structuredClone(values);
                    let node = changed as Raw;
                    for (const part of keyPath.slice(0, -1)) {
                        if (node[part] === null || typeof node[part] !== "object") node[part] = {};
                        node = node[part] as Raw;
                    }
                    if (value === undefined) delete node[keyPath[keyPath.length - 1]];
                    else node[keyPath[keyPath.length - 1]] = value;
                    if (loaderProblem(changed) !== undefined) continue;
                    accepted++;
                    expect(validate(stackFile(changed)), `${keyPath.join(".")} = ${JSON.stringify(value)}: ${JSON.stringify(validate.errors)}`).to.equal(true);
                }
            }
            expect(accepted).to.be.greaterThan(300);
        });
    });

    describe("Pulumi.yaml", () => {
        const project = load(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as { name: string; config: Record<string, { type?: string; default?: unknown; description?: string }> };

        it("declares exactly the schema's top-level keys, in its order", () => {
            expect(project.name).to.equal("releasectl");
            expect(Object.keys(project.config)).to.deep.equal(keysOf(STACK));
            expect([...PROJECT_KEYS]).to.deep.equal(keysOf(STACK));
        });

        for (const key of keysOf(STACK)) {
            it(`declares ${key} with the schema's type, default and description`, () => {
                const field = (STACK.keys as Record<string, Field>)[key];
                const declared = project.config[key];
                expect(declared.type).to.equal(field.kind === "map" || field.kind === "object" ? "object" : field.kind === "number" ? "number" : field.kind === "integer" ? "integer" : field.kind === "boolean" ? "boolean" : "string");
                expect(declared.description).to.equal(field.description);
                const schemaDefault = "default" in field ? field.default : undefined;
                if (schemaDefault === undefined) expect(declared, `${key} has no default in the schema`).to.not.have.property("default");
                else expect(declared.default).to.deep.equal(schemaDefault);
            });
        }
    });

    describe(CONFIGURATION_DOC, () => {
        it(`is what the schema generates (run ${REGENERATE} after changing a key)`, () => {
            const file = path.join(REPO, CONFIGURATION_DOC);
            expect(fs.existsSync(file), `${CONFIGURATION_DOC} is missing: run ${REGENERATE}`).to.equal(true);
            expect(fs.readFileSync(file, "utf8") === configurationMarkdown(), `${CONFIGURATION_DOC} is out of date with config/schema.ts: run ${REGENERATE}`).to.equal(true);
        });

        it("shows the loader's own message for a typo", () => {
            const example = /^releasectl render: (Pulumi\.production\.yaml: releasectl:services\.checkout\.canary\.maxWeigth: .*?)\.\.\.$/m.exec(configurationMarkdown());
            expect(example, "the example line").to.not.equal(null);
            const problem = loaderProblem(valuesWithService({ canary: { maxWeigth: 60 } }));
            expect(problem?.replace("Pulumi.test.yaml: releasectl:services.web.", "Pulumi.production.yaml: releasectl:services.checkout.").startsWith(example![1])).to.equal(true);
        });

        it("has a row for every key of the schema", () => {
            const text = configurationMarkdown();
            walk(SERVICE, [], (keyPath, field) => {
                const name = keyPath.join(".") + (field.kind === "map" ? `.${field.keyName}` : "");
                expect(text, name).to.include(`| \`${name}\` |`);
            });
            for (const key of keysOf(STACK)) expect(text).to.match(new RegExp(`\\| \`releasectl:${key}[.\`]`));
        });

        it("is what the README points to, with the editor's schema line, instead of a second table", () => {
            const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
            expect(readme).to.include(`(${CONFIGURATION_DOC})`);
            expect(readme).to.include("# yaml-language-server: $schema=./releasectl.schema.json");
            expect(readme).to.include("releasectl schema --output releasectl.schema.json");
            expect(configurationMarkdown()).to.include("# yaml-language-server: $schema=./releasectl.schema.json");
            expect(readme, "the key table lives in docs/configuration.md").to.not.match(/^\| `canary\.provider` \|/m);
            expect(readme).to.not.include("### Service keys");
        });
    });
});

/** Calls `visit` for every key below `spec` (nested maps too, and a user-named map itself). */
function walk(spec: ObjectField, at: string[], visit: (keyPath: string[], field: Field) => void): void {
    const keys = spec.keys as Record<string, Field>;
    for (const key of Object.keys(keys)) {
        const field = keys[key];
        if (field.kind === "object") walk(field, [...at, key], visit);
        else visit([...at, key], field);
    }
}

function nest(keyPath: string[], value: unknown): Raw {
    return keyPath.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Raw;
}
