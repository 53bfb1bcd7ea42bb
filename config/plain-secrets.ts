/**
 * Recognises credentials written in plain text in a stack file, so the loader can refuse them
 * without echoing them. Two kinds of evidence:
 *
 * - the value itself: a URL with a password (`postgres://app:pw@db/orders`), a PEM private key,
 *   a webhook URL (the credential is its path), or a token in a well-known format (GitHub,
 *   Slack, Stripe live keys, AWS access key ids). Checked in every string of the stack.
 * - the name of an environment variable (`env.<NAME>`): its last segment is PASSWORD, PASSWD,
 *   PASS, PWD, PASSPHRASE, SECRET, TOKEN, CREDENTIAL(S), APIKEY or KEY (`DB_PASSWORD`,
 *   `STRIPE_API_KEY`, `dbPassword`). Only the last segment counts, so `CACHE_KEY_PREFIX`,
 *   `TOKEN_TTL` or `PASSWORD_MIN_LENGTH` are plain settings. `KEY` is not a secret after
 *   PUBLIC, PUBLISHABLE, SITE, CACHE, SORT, PARTITION, ROUTING, PRIMARY, FOREIGN, OBJECT,
 *   LOOKUP or IDEMPOTENCY (`STRIPE_PUBLISHABLE_KEY`, `CACHE_KEY`); the bare name `PWD` is the
 *   shell's working directory. Under such a name an empty value, a Kubernetes reference to
 *   another variable of the container (`$(DB_PASSWORD)`) and an absolute file path (where a
 *   mounted secret lives, `/var/run/secrets/db/password`) are not secrets.
 *
 * A URL's password may be a variable reference (`$PGPASSWORD`, `${PGPASSWORD}`, `$(PGPASSWORD)`):
 * the shell of a smoke test or Kubernetes expands it, so the stack file holds no secret.
 */

/** Why a value is a plain-text credential, for the message ("a URL with a password"), or undefined. */
export function plainCredentialIn(text: string): string | undefined {
    if (text.includes("://") && text.includes("@") && hasUrlPassword(text)) return "a URL with a password";
    if (PRIVATE_KEY.test(text)) return "a private key";
    if (WEBHOOK.test(text)) return "a webhook URL (its path is the credential)";
    if (TOKEN.test(text)) return "an access token";
    return undefined;
}

/**
 * An image reference with credentials in front of the registry (`user:password@registry/app`):
 * no registry accepts that syntax, and it is a password in plain text.
 */
export function imageCredentialIn(text: string): boolean {
    const at = text.indexOf("@");
    if (at < 0) return false;
    const slash = text.indexOf("/");
    return (slash < 0 || at < slash) && text.slice(0, at).includes(":");
}

/** Whether an environment variable's name says it holds a secret (see the file comment). */
export function isSecretName(name: string): boolean {
    const segments = name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toUpperCase()
        .split(/[_.-]+/)
        .filter((s) => s !== "");
    const last = segments[segments.length - 1];
    if (last === undefined) return false;
    if (last === "PWD") return segments.length > 1;
    if (last === "KEY") return !NON_SECRET_KEY_QUALIFIERS.has(segments[segments.length - 2] ?? "");
    return SECRET_LAST_SEGMENTS.has(last);
}

/** A value under a secret's name that is not a secret: empty, `$(OTHER_VAR)`, or a file path. */
export function isNotASecretValue(value: string): boolean {
    return value === "" || KUBERNETES_REFERENCE.test(value) || FILE_PATH.test(value);
}

const SECRET_LAST_SEGMENTS = new Set([
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "APIKEY",
]);
const NON_SECRET_KEY_QUALIFIERS = new Set([
    "PUBLIC",
    "PUBLISHABLE",
    "SITE",
    "CACHE",
    "SORT",
    "PARTITION",
    "ROUTING",
    "PRIMARY",
    "FOREIGN",
    "OBJECT",
    "LOOKUP",
    "IDEMPOTENCY",
]);

const KUBERNETES_REFERENCE = /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/;
const FILE_PATH = /^\/[A-Za-z0-9._\/-]*$/;
const VARIABLE_REFERENCE = /^(?:\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\))$/;
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const WEBHOOK = /\b(?:hooks\.slack\.com\/services\/|discord(?:app)?\.com\/api\/webhooks\/|\.webhook\.office\.com\/|chat\.googleapis\.com\/v1\/spaces\/[A-Za-z0-9_-]+\/messages\?key=)/;
const TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,}|AKIA[0-9A-Z]{16})\b/;

/**
 * Whether some `scheme://user:password@host` in the text has a non-empty password that is not
 * a variable reference. Linear: each authority ends at the next `/`, `?`, `#` or white space.
 */
function hasUrlPassword(text: string): boolean {
    for (let i = text.indexOf("://"); i >= 0; i = text.indexOf("://", i + 3)) {
        let end = i + 3;
        while (end < text.length && !"/?#".includes(text[end]) && !/\s/.test(text[end])) end++;
        const authority = text.slice(i + 3, end);
        const at = authority.lastIndexOf("@");
        if (at < 0) continue;
        const userinfo = authority.slice(0, at);
        const colon = userinfo.indexOf(":");
        if (colon < 0) continue;
        const password = userinfo.slice(colon + 1);
        if (password !== "" && !VARIABLE_REFERENCE.test(password)) return true;
    }
    return false;
}
