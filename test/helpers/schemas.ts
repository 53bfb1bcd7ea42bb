import Ajv, { AnySchemaObject, ErrorObject, ValidateFunction } from "ajv";
import * as fs from "fs";
import { parseAllDocuments } from "yaml";
import { Manifest } from "../../builders/types";

/** The upstream CRDs the schema tests validate against: see scripts/fetch-crds.js (npm run crds). */
export type CrdName = "flagger" | "prometheusRule";
export type CrdFiles = Record<CrdName, string>;

const { fetchCrds } = require("../../scripts/fetch-crds") as {
    fetchCrds(options?: { names?: CrdName[]; force?: boolean }): CrdFiles;
};

let reportedMissing = false;

/**
 * The cached CRD files (fetched with Go on first use), or: under CI a failure (CI fetches them
 * in its set-up, so a missing CRD is a broken setup), elsewhere a skipped suite with one line
 * saying what is missing and how to get it.
 */
export function requireCrds(ctx: Mocha.Context): CrdFiles {
    try {
        return fetchCrds();
    } catch (e) {
        const message = (e as Error).message;
        if (process.env.CI === "true") throw new Error(message);
        if (!reportedMissing) console.log(`  skipped: ${message}`);
        reportedMissing = true;
        ctx.skip();
    }
}

type Schema = Record<string, unknown>;

/**
 * The API server prunes (or, with strict field validation, rejects) fields a structural schema
 * does not declare, so a misspelt field would silently vanish. To catch that here, every object
 * schema with `properties` and no `additionalProperties` of its own, and not marked
 * `x-kubernetes-preserve-unknown-fields`, is closed with `additionalProperties: false`.
 * Branches of allOf/anyOf/oneOf/not only add constraints to the object around them, so they
 * stay open. Nothing the CRD declares is loosened.
 */
export function closeStructuralSchema(schema: unknown, inBranch = false): unknown {
    if (Array.isArray(schema)) return schema.map((item) => closeStructuralSchema(item, inBranch));
    if (schema === null || typeof schema !== "object") return schema;
    const result: Schema = {};
    for (const [key, value] of Object.entries(schema as Schema)) {
        if (key === "properties" && value !== null && typeof value === "object") {
            // A map of names to schemas: recurse into the schemas, not the map itself.
            result[key] = Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, closeStructuralSchema(sub, inBranch)]));
        } else {
            result[key] = closeStructuralSchema(value, inBranch || ["allOf", "anyOf", "oneOf", "not"].includes(key));
        }
    }
    if (!inBranch && result.properties !== undefined && result.additionalProperties === undefined && result["x-kubernetes-preserve-unknown-fields"] !== true) {
        result.additionalProperties = false;
    }
    return result;
}

/**
 * An ajv instance that understands the Kubernetes extensions used in CRD schemas: the
 * `x-kubernetes-*` keywords and OpenAPI formats. `x-kubernetes-int-or-string` is enforced; CEL
 * rules (`x-kubernetes-validations`) cannot be evaluated here and are accepted as annotations.
 */
export function kubernetesAjv(): Ajv {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, code: { regExp: goRegExp } });
    ajv.addKeyword({
        keyword: "x-kubernetes-int-or-string",
        schemaType: "boolean",
        validate: (enabled: boolean, data: unknown) => !enabled || typeof data === "string" || Number.isInteger(data),
        errors: false,
    });
    for (const keyword of ["x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-embedded-resource"]) {
        ajv.addKeyword({ keyword, schemaType: ["array", "boolean", "string"] });
    }
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
    ajv.addFormat("double", { type: "number", validate: () => true });
    ajv.addFormat("string", { type: "string", validate: () => true });
    ajv.addFormat("url", { type: "string", validate: (s: string) => URL.canParse(s) });
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i);
    return ajv;
}

/**
 * CRD patterns are Go (RE2) regular expressions. The one RE2 construct the upstream CRDs use that
 * JavaScript lacks is a leading case-insensitive flag, `(?i)` (prometheus-operator writes
 * `^(?i)(abort|warn)?$`): it becomes the `i` flag. Anything else JavaScript cannot parse still
 * fails to compile.
 */
const goRegExp = Object.assign(
    (pattern: string, flags: string): RegExp => {
        const caseless = /^(\^?)\(\?i\)/.exec(pattern);
        return caseless ? new RegExp(caseless[1] + pattern.slice(caseless[0].length), `${flags}i`) : new RegExp(pattern, flags);
    },
    { code: "new RegExp" },
);

/**
 * Flagger's published CRD continues a few multi-line single-quoted descriptions at the key's own
 * indentation. Go's YAML parser (kubectl) accepts that; the YAML 1.2 spec, and so the `yaml`
 * package, requires the continuation to be indented further. This indents those continuation
 * lines by two spaces; it only ever touches the text of quoted scalars.
 */
export function repairQuotedContinuations(text: string): string {
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const start = /^(\s*)[\w$-]+: '(.*)$/.exec(lines[i]);
        if (!start || closesQuote(start[2])) continue;
        const indent = start[1].length;
        for (let j = i + 1; j < lines.length; j++) {
            const lineIndent = /^\s*/.exec(lines[j])?.[0].length ?? 0;
            if (lineIndent <= indent) lines[j] = `  ${lines[j]}`;
            if (closesQuote(lines[j])) {
                i = j;
                break;
            }
        }
    }
    return lines.join("\n");
}

/** Whether a line of single-quoted text ends the scalar ('' is an escaped quote). */
function closesQuote(text: string): boolean {
    return /(^|[^'])'(?:'')*\s*$/.test(text.replace(/''/g, ""));
}

/** Compiled validators, by kind, for the given version of each CRD in a YAML file. */
export function crdValidators(file: string, versionName: string): Record<string, ValidateFunction> {
    const ajv = kubernetesAjv();
    const validators: Record<string, ValidateFunction> = {};
    for (const document of parseAllDocuments(repairQuotedContinuations(fs.readFileSync(file, "utf8")))) {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
        const crd = document.toJS() as {
            kind?: string;
            spec?: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: AnySchemaObject } }[] };
        } | null;
        if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
        const version = crd.spec.versions.find((v) => v.name === versionName);
        if (!version) continue;
        validators[crd.spec.names.kind] = ajv.compile(closeStructuralSchema(version.schema.openAPIV3Schema) as AnySchemaObject);
    }
    if (Object.keys(validators).length === 0) throw new Error(`${file} declares no CRD of version ${versionName}`);
    return validators;
}

/** Compiled validators for each kind the Flagger CRDs declare (v1beta1). */
export function flaggerValidators(file: string): Record<string, ValidateFunction> {
    return crdValidators(file, "v1beta1");
}

/** The compiled validator of the prometheus-operator PrometheusRule CRD (monitoring.coreos.com/v1). */
export function prometheusRuleValidator(file: string): ValidateFunction {
    const validate = crdValidators(file, "v1").PrometheusRule;
    if (!validate) throw new Error(`${file} does not declare PrometheusRule`);
    return validate;
}

/** "instancePath message" per ajv error, for assertion messages. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
    return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${e.params.additionalProperty})` : ""}`);
}

type ModelClass = new (data: unknown) => { validate(): void };

/**
 * kubernetes-models classes for the built-in kinds and PrometheusRule. They are ESM-only
 * packages, so they are loaded with a real dynamic import.
 */
export async function modelClasses(): Promise<Record<string, ModelClass>> {
    const [core, apps, autoscaling, batch, networking, policy, monitoring] = await Promise.all([
        import("kubernetes-models/v1"),
        import("kubernetes-models/apps/v1"),
        import("kubernetes-models/autoscaling/v2"),
        import("kubernetes-models/batch/v1"),
        import("kubernetes-models/networking.k8s.io/v1"),
        import("kubernetes-models/policy/v1"),
        import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1"),
    ]);
    return {
        "v1/Secret": core.Secret as unknown as ModelClass,
        "apps/v1/Deployment": apps.Deployment as unknown as ModelClass,
        "autoscaling/v2/HorizontalPodAutoscaler": autoscaling.HorizontalPodAutoscaler as unknown as ModelClass,
        "batch/v1/Job": batch.Job as unknown as ModelClass,
        "networking.k8s.io/v1/Ingress": networking.Ingress as unknown as ModelClass,
        "policy/v1/PodDisruptionBudget": policy.PodDisruptionBudget as unknown as ModelClass,
        "monitoring.coreos.com/v1/PrometheusRule": monitoring.PrometheusRule as unknown as ModelClass,
    };
}

export function modelKey(manifest: Manifest): string {
    return `${manifest.apiVersion}/${manifest.kind}`;
}
