import { LIMITS } from "./limits";
import { Field, fieldLimits, keysOf, ObjectField, SERVICE, STACK } from "./schema";

/** Where the generated reference lives, and the command that writes it. */
export const CONFIGURATION_DOC = "docs/configuration.md";
export const REGENERATE = "node scripts/gen-config-docs.js";

/**
 * docs/configuration.md: the configuration reference, one row per key of schema.ts (type,
 * default, meaning), with the prose around it. `node scripts/gen-config-docs.js` writes it; a
 * test fails when the file and the schema differ.
 */
export function configurationMarkdown(): string {
    const stackRows: string[] = [];
    const top = STACK.keys as Record<string, Field>;
    for (const key of keysOf(STACK)) {
        const field = top[key];
        if (key === "services") {
            stackRows.push(row(`releasectl:services.<name>`, "map", field.required ? "required" : "unset", field.description));
            continue;
        }
        if (field.kind === "map" && field.values.kind === "object") {
            stackRows.push(row(`releasectl:${key}.${field.keyName}`, "map", defaultOf(field), field.description));
            stackRows.push(...objectRows(field.values, `releasectl:${key}.${field.keyName}.`));
            continue;
        }
        stackRows.push(fieldRow(`releasectl:${key}`, field));
    }
    const serviceRows = objectRows(SERVICE, "");
    const KiB = 1024;
    return `<!-- Generated from config/schema.ts by ${REGENERATE} (or releasectl schema --markdown); do not edit by hand. -->

# Configuration reference

A stack file (\`Pulumi.<stack>.yaml\`) holds the release. Keys live in the \`releasectl:\`
namespace and are declared with their types in \`Pulumi.yaml\`. One loader (\`config/load.ts\`)
reads them for the Pulumi program, \`render\`, \`check\` and every other command, through one
declaration of every key (\`config/schema.ts\`: type, default, range, pattern, description),
applies the defaults below, and rejects anything else with one line naming the file, the key
path, the bad value and what is allowed:

\`\`\`text
$ releasectl render --stack production
releasectl render: Pulumi.production.yaml: releasectl:services.checkout.canary.maxWeigth: unknown key; did you mean "maxWeight"? Allowed keys: provider, interval, ...
$ echo $?
2
\`\`\`

This page is generated from the same declaration (\`${REGENERATE}\`), and so is the JSON Schema
editors check a stack file with while it is typed.

## Completion and errors in the editor

\`releasectl schema\` prints the JSON Schema (draft-07) of a stack file. Write it into the
project once (and again after upgrading releasectl):

\`\`\`sh
releasectl schema --output releasectl.schema.json
\`\`\`

and name it on the first line of each stack file; the YAML language server (VS Code's YAML
extension, and other editors using \`yaml-language-server\`) then completes keys, shows each
key's description and default, and marks unknown keys, wrong types, values out of range and
values outside a key's allowed set as you type:

\`\`\`yaml
# yaml-language-server: $schema=./releasectl.schema.json
config:
  releasectl:namespace: shop
\`\`\`

The schema checks each key on its own (and that a canary of provider \`nginx\` has a \`host\`);
rules between keys (\`replicas.max\` at least \`min\`, limits at least requests, \`stepWeight\` at
most \`maxWeight\`, the notification target a service names, an interval of at least \`10s\`) and
the checks on secrets and sizes below are the loader's: \`releasectl render\` and \`check\` report them.

A key left empty (\`probes:\` with every line under it commented out, or \`kubeContext:\` with no
value: YAML reads either as null) is the key left out: its default applies. The one exception is
\`releasectl:notifications\`, which must name its targets when it is there.

## Stack keys

| key | type | default | meaning |
| --- | --- | --- | --- |
${stackRows.join("\n")}

## Service keys (\`releasectl:services.<name>.…\`)

Service names are DNS labels of at most 40 characters: lowercase letters, digits and \`-\`,
starting with a letter.

| key | type | default | meaning |
| --- | --- | --- | --- |
${serviceRows.join("\n")}

## Secrets

Secrets (\`address\`, \`databaseUrl\`) must be \`secure:\` values, set with
\`pulumi config set --secret --path 'releasectl:services.checkout.migration.databaseUrl' <value>\`;
a plain-text value is refused without echoing it. The Pulumi program puts the decrypted value
only into the Kubernetes Secret, wrapped as a Pulumi secret; \`render\` shows \`<secret>\`.

\`env\` holds no secrets: neither a \`secure:\` value nor a plain-text value under a secret's name
(the name's last segment is \`PASSWORD\`, \`PASSWD\`, \`PASS\`, \`PWD\` (not \`PWD\` alone), \`PASSPHRASE\`,
\`SECRET\`, \`TOKEN\`, \`CREDENTIAL(S)\`, \`APIKEY\` or \`KEY\`: \`DB_PASSWORD\`, \`STRIPE_API_KEY\`,
\`dbPassword\`) is accepted; keep such values in a Kubernetes Secret your platform manages. Only
the last segment counts (\`CACHE_KEY_PREFIX\`, \`TOKEN_TTL\` are settings), \`KEY\` after \`PUBLIC\`,
\`PUBLISHABLE\`, \`SITE\`, \`CACHE\`, \`SORT\`, \`PARTITION\`, \`ROUTING\`, \`PRIMARY\`, \`FOREIGN\`, \`OBJECT\`,
\`LOOKUP\` or \`IDEMPOTENCY\` is not a secret, and an empty value, a \`$(OTHER_VAR)\` reference or an
absolute file path is allowed under any name. In every string of the stack (env, URLs, commands,
evidence, images) a URL with a password (\`postgres://app:pw@db/orders\`; \`$VAR\`, \`\${VAR}\` or
\`$(VAR)\` as the password is fine), registry credentials in an image (\`user:pw@registry/app\`), a
PEM private key, a webhook URL, a GitHub, Slack or Stripe live token or an AWS access key id is
refused the same way, without echoing it; a migration gets its database URL from
\`migration.databaseUrl\` as \`$DATABASE_URL\`.

## Sizes

Sizes are limited, and a message gives the length found and the limit, never the value: a
stack file (and \`Pulumi.yaml\`) at most ${LIMITS.fileBytes / KiB / KiB} MiB, checked before it is parsed, UTF-8 text; any value
${LIMITS.value / KiB} KiB, any key ${LIMITS.key} characters; \`version\` ${maxOf("services.*.version")} (the image tag), \`image\` ${maxOf("services.*.image")}, \`migration.image\` ${maxOf("services.*.migration.image")}, \`canary.host\` and
\`ingressClassName\` ${maxOf("services.*.canary.host", "services.*.canary.ingressClassName")} (63 per DNS label), URLs and \`evidence\` links ${maxOf("prometheusUrl", "services.*.canary.loadTesterUrl", "services.*.canary.ingressControllerUrl", "services.*.alerts.runbookUrl", "services.*.evidence.*")}, \`renderYamlToDirectory\` ${maxOf("renderYamlToDirectory")}; a service's \`env\` ${LIMITS.env / KiB / KiB} MiB
in all, a migration command ${LIMITS.command / KiB} KiB in all; everything together ${LIMITS.expandedChars / KiB / KiB} MiB or ${LIMITS.expandedNodes.toLocaleString("en-US")} values,
counting what YAML aliases repeat (so an alias bomb is refused at once). Control characters other
than tab and newline are refused. A length in characters counts Unicode code points, as the JSON
Schema of \`releasectl schema\` does: an emoji is one.
`;
}

/** A row per key of an object, and for each nested object its row and then its keys' rows. */
function objectRows(spec: ObjectField, prefix: string): string[] {
    const rows: string[] = [];
    const keys = spec.keys as Record<string, Field>;
    for (const key of Object.keys(keys)) {
        const field = keys[key];
        const name = `${prefix}${key}`;
        if (field.kind === "object") {
            rows.push(row(name, "map", field.defaultText ?? "—", field.description));
            rows.push(...objectRows(field, `${name}.`));
        } else if (field.kind === "map") {
            rows.push(row(`${name}.${field.keyName}`, typeOf(field.values), defaultOf(field), field.description));
        } else {
            rows.push(fieldRow(name, field));
        }
    }
    return rows;
}

function fieldRow(name: string, field: Field): string {
    return row(name, typeOf(field), defaultOf(field), field.description);
}

function row(name: string, type: string, def: string, meaning: string): string {
    return `| \`${name}\` | ${type} | ${def} | ${cell(meaning)} |`;
}

function typeOf(field: Field): string {
    const label = field.label;
    switch (field.kind) {
        case "integer":
        case "number":
            return `${label ?? field.kind} (${field.min} to ${field.max})`;
        case "secret":
            return "**secret**";
        case "string":
            return label ?? "string";
        case "object":
        case "map":
            return "map";
        default:
            return label ?? field.kind;
    }
}

function defaultOf(field: Field): string {
    if (field.defaultText !== undefined) return field.defaultText;
    const value = "default" in field ? field.default : undefined;
    if (value !== undefined && value !== "") {
        if (Array.isArray(value)) return `\`[${value.join(", ")}]\``;
        return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
    }
    return field.required ? "required" : "unset";
}

/** Text safe in a table cell. */
function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The length limit schema.ts declares at each of `paths` (dotted, `*` for any key), which must agree. */
function maxOf(...paths: string[]): number {
    const limits = fieldLimits();
    const found = paths.map((p) => limits.find((l) => l.path.join(".") === p)?.limit.max);
    if (found.some((m) => m === undefined) || new Set(found).size !== 1) {
        throw new Error(`docs: the length limits of ${paths.join(", ")} are ${found.join(", ")}: one declared limit each, all alike`);
    }
    return found[0]!;
}
