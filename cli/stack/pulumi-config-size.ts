import { parseStackFileText, readProjectDefaults } from "../../config/load";

/**
 * How many bytes a stack's configuration takes as the one environment string the Pulumi engine
 * hands the program in (`PULUMI_CONFIG=<json>`), and the policy pack in too (pulumi/pulumi#8680,
 * #20402). Linux refuses to start a process with any one environment string longer than
 * MAX_ARG_STRLEN (32 pages, 131,072 bytes with its terminating NUL): `pulumi preview` and `up` then
 * fail with "fork/exec node: argument list too long" before the program runs, so no policy and no
 * message of ours is ever reached. `releasectl check` (and `ship`'s pre-check) measures it first.
 *
 * The engine builds the string as the Go language host does: a JSON object (Go's json.Marshal) of
 * every key, `<namespace>:<key>`, to a string; an object value is itself JSON (json.Marshal of the
 * value, secrets decrypted), so its quotes are escaped a second time. Go's encoder escapes <, >, &,
 * U+2028 and U+2029 as \u00XX. A `secure:` value counts as its plaintext's length, which the
 * ciphertext tells exactly (`v1:<nonce>:<base64 of plaintext + 16-byte GCM tag>`); the plaintext's
 * bytes count as characters that need no escaping.
 */

/** Linux's MAX_ARG_STRLEN on 4 KiB pages: the longest one argument or environment string, NUL included. */
export const ENV_STRING_LIMIT = 131072;

/** Above this share of the limit `releasectl check` warns: a few more services will not fit. */
export const ENV_STRING_WARN_RATIO = 0.9;

/** The bytes of `PULUMI_CONFIG=<json>\0` for a stack's config section (keys as written) and Pulumi.yaml's project defaults. */
export function pulumiConfigEnvBytes(config: Record<string, unknown>, project: string, projectDefaults: Record<string, unknown> = {}): number {
    const flat: Record<string, string> = {};
    const put = (key: string, value: unknown) => {
        const full = key.includes(":") ? key : `${project}:${key}`;
        flat[full] = typeof value === "string" ? value : goJson(plain(value));
    };
    for (const [key, value] of Object.entries(projectDefaults)) put(key, value);
    for (const [key, value] of Object.entries(config)) {
        put(key, isSecure(value) ? "x".repeat(securePlaintextLength((value as { secure: string }).secure)) : value);
    }
    return Buffer.byteLength(`PULUMI_CONFIG=${goJson(flat)}`, "utf8") + 1;
}

/** JSON as Go's encoding/json writes it: JSON.stringify's output with the HTML-safe escapes. */
function goJson(value: unknown): string {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The value as the engine hands it over: `secure:` leaves replaced by a placeholder of their plaintext's length. */
function plain(value: unknown): unknown {
    if (isSecure(value)) return "x".repeat(securePlaintextLength((value as { secure: string }).secure));
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

function isSecure(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { secure?: unknown }).secure === "string";
}

/** `v1:<nonce>:<ciphertext>` (passphrase and cloud providers): the ciphertext less GCM's 16-byte tag; else the text's own length. */
export function securePlaintextLength(ciphertext: string): number {
    const parts = ciphertext.split(":");
    if (parts.length === 3 && parts[0] === "v1") {
        const bytes = Buffer.from(parts[2], "base64").length;
        if (bytes >= 16) return bytes - 16;
    }
    return ciphertext.length;
}

/** The stack file's `PULUMI_CONFIG` size: its text (as on disk) and the project's Pulumi.yaml defaults. */
export function stackConfigEnvBytes(projectDir: string, stackFile: string, stack: string, text: string): number {
    const { project, defaults } = readProjectDefaults(projectDir);
    return pulumiConfigEnvBytes(parseStackFileText(text, stackFile, stack).config, project, defaults);
}
