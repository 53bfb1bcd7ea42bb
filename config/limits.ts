import { isUtf8 } from "buffer";
import * as fs from "fs";
import { UserError } from "./errors";
import { imageCredentialIn, isNotASecretValue, isSecretName, plainCredentialIn } from "./plain-secrets";
import { isSecureNode, Reader } from "./reader";
import { Field, fieldLimits, fieldPaths } from "./schema";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Size limits on what a stack file may hold. A release configuration is small: these stop a
 * pasted blob (or a YAML alias bomb) from turning into tens of megabytes of manifests, and keep
 * each object under Kubernetes' own limits. Messages give the length found and the limit, never
 * the value.
 */
export const LIMITS = {
    /** A stack file or Pulumi.yaml, checked before it is read and parsed. */
    fileBytes: 4 * MiB,
    /** Any string value (and a secure value's ciphertext), unless a tighter limit below applies. */
    value: 64 * KiB,
    /** Any map key (service, notification and variable names have their own, tighter rules). */
    key: 512,
    /** Nesting of maps and lists (js-yaml's own limit for a stack file). */
    depth: 100,
    /** All values together, counting what YAML aliases (`*name`) repeat each time. */
    expandedChars: 16 * MiB,
    expandedNodes: 1_000_000,
    /** A service's env, names and values together: the Deployment must fit in etcd's 1.5 MiB. */
    env: 1 * MiB,
    /** A migration command, all arguments together: downgradeCommand is recorded in an annotation (256 KiB in all). */
    command: 64 * KiB,
} as const;

/**
 * Tighter limits where Kubernetes or the image format has one, declared with each key in
 * schema.ts. Paths without the namespace; `*` is any key.
 */
const FIELD_LIMITS: readonly { path: Pattern; max: number; why: string; check?: (s: string) => string | undefined }[] = fieldLimits().map(({ path, limit }) => ({
    path,
    ...limit,
}));

/** Values that are secrets by definition: `Reader.secret` refuses them in plain text with its own fix. */
const SECRET_PATHS = pathsOf((f) => f.kind === "secret");
const COMMAND_PATHS = pathsOf((f) => f.kind === "command");
const IMAGE_PATHS = pathsOf((f) => f.kind === "string" && f.image === true);
const ENV = pattern("services.*.env");
const ENV_ENTRY = pattern("services.*.env.*");

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

type Path = readonly (string | number)[];
type Pattern = readonly string[];

/**
 * Walks every value of the `releasectl:` namespace (keys without it) before the loader reads
 * any key: size limits, control characters, and credentials written in plain text. Throws the
 * first problem as a ConfigError; a budget overrun (aliases) stops the walk at once.
 */
export function checkValueTree(r: Reader, values: Record<string, unknown>, project: string): void {
    const budget = { chars: 0, nodes: 0 };
    const at = (path: Path) => `${project}:${path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${shortKey(p)}`)).join("")}`;

    // One path array, pushed and popped: the walk may visit a million nodes (aliases).
    const stack: (string | number)[] = [];
    const walk = (value: unknown): boolean => {
        const path: Path = stack;
        budget.nodes++;
        if (typeof value === "string") budget.chars += value.length;
        if (budget.chars > LIMITS.expandedChars || budget.nodes > LIMITS.expandedNodes) {
            r.fail(
                at(path),
                `the stack's values expand to more than ${LIMITS.expandedChars / MiB} MiB or ${LIMITS.expandedNodes} values here: YAML aliases (*name) repeat what they point to each time; write the values out or use fewer aliases`,
            );
            return false;
        }
        if (path.length > LIMITS.depth) {
            r.fail(at(path), `nests deeper than ${LIMITS.depth} levels of maps and lists`);
            return false;
        }
        if (typeof value === "string") {
            checkString(value, path);
            return true;
        }
        if (typeof value === "number" || typeof value === "boolean") {
            if (isEnvEntry(path) && isSecretName(String(path[3]))) secretProblem([...path], `its name (${String(path[3])}) says it is a secret`);
            return true;
        }
        if (value === null || typeof value !== "object") return true;
        if (Array.isArray(value)) {
            if (COMMAND_PATHS.some((p) => matches(path, p))) total(value, path, LIMITS.command, "a command's arguments", "KiB");
            for (let i = 0; i < value.length; i++) {
                stack.push(i);
                const go = walk(value[i]);
                stack.pop();
                if (!go) return false;
            }
            return true;
        }
        if (isSecureNode(value)) {
            const ciphertext = (value as { secure: unknown }).secure;
            if (typeof ciphertext === "string") {
                budget.chars += ciphertext.length;
                if (ciphertext.length > LIMITS.value) tooLong([...path, "secure"], ciphertext.length, LIMITS.value, "64 KiB per value");
            }
            return true;
        }
        const record = value as Record<string, unknown>;
        if (matches(path, ENV)) total(record, path, LIMITS.env, "the variables' names and values", "MiB");
        for (const key of Object.keys(record)) {
            budget.chars += key.length;
            if (key.length > LIMITS.key) {
                r.fail(at([...path, key]), `the key is ${key.length} characters long; at most ${LIMITS.key} are allowed`);
                continue;
            }
            stack.push(key);
            const go = walk(record[key]);
            stack.pop();
            if (!go) return false;
        }
        return true;
    };

    const checkString = (value: string, path: Path) => {
        const field = FIELD_LIMITS.find((f) => matches(path, f.path));
        const max = field?.max ?? LIMITS.value;
        // Characters are code points, as JSON Schema's maxLength counts them (an emoji is one
        // character, two UTF-16 units); never more than value.length, so counted only past it.
        const length = value.length > max ? codePoints(value) : value.length;
        if (length > max) return tooLong(path, length, max, field?.why ?? "64 KiB per value");
        const control = CONTROL.exec(value);
        if (control) {
            const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
            return r.fail(at(path), `holds a control character (U+${code}) at position ${control.index + 1}; remove it`);
        }
        const problem = field?.check?.(value);
        if (problem) return r.fail(at(path), problem, value);
        if (SECRET_PATHS.some((p) => matches(path, p))) return;
        if (IMAGE_PATHS.some((p) => matches(path, p)) && imageCredentialIn(value)) {
            return secretProblem(path, "it holds registry credentials (user:password@)");
        }
        const credential = plainCredentialIn(value);
        if (credential) return secretProblem(path, `it holds ${credential}`);
        if (isEnvEntry(path) && isSecretName(String(path[3])) && !isNotASecretValue(value)) {
            secretProblem(path, `its name (${String(path[3])}) says it is a secret`);
        }
    };

    const secretProblem = (path: Path, why: string) => r.fail(at(path), `is a plain-text value and ${why}; ${secretFix(path, project)}`, "<plain text>");

    const tooLong = (path: Path, length: number, max: number, why: string) =>
        r.fail(at(path), `is ${length} characters long; at most ${max} are allowed (${why}); shorten it or keep the data out of the stack file`);

    const total = (node: Record<string, unknown> | unknown[], path: Path, max: number, what: string, unit: "KiB" | "MiB") => {
        let sum = 0;
        for (const [key, v] of Object.entries(node)) {
            if (!Array.isArray(node)) sum += key.length;
            if (typeof v === "string") sum += v.length;
            if (sum > max) break;
        }
        if (sum > max) {
            const limit = unit === "MiB" ? `${max / MiB} MiB` : `${max / KiB} KiB`;
            r.fail(at(path), `${what} add up to more than ${max} characters; at most ${max} (${limit}) are allowed; keep large data out of the stack file`);
        }
    };

    walk(values);
    r.throwIfProblems();
}

/**
 * Reads a stack file or Pulumi.yaml: refused before reading when it is not a regular file (a
 * FIFO would block forever) or larger than LIMITS.fileBytes, and when it is not UTF-8 text.
 * Returns undefined when it does not exist.
 */
export function readConfigFile(file: string, what: string): string | undefined {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch {
        return undefined;
    }
    if (!stat.isFile()) throw new UserError(`${file}: is not a regular file; ${what} must be a YAML file`, "EBADFILE");
    if (stat.size > LIMITS.fileBytes) {
        throw new UserError(
            `${file}: is ${stat.size} bytes; ${what} holds at most ${LIMITS.fileBytes} bytes (${LIMITS.fileBytes / MiB} MiB); keep large data out of it`,
            "EBADFILE",
        );
    }
    let bytes: Buffer;
    try {
        bytes = fs.readFileSync(file);
    } catch (e) {
        throw new UserError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check its permissions`, "EBADFILE");
    }
    const bad = firstInvalidUtf8(bytes);
    if (bad !== undefined) {
        let line = 1;
        for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
        throw new UserError(`${file}:${line}: is not UTF-8 text (byte ${bad + 1} cannot start or continue a character); save it as UTF-8`, "EBADFILE");
    }
    return bytes.toString("utf8");
}

/** Offset of the first byte that makes `bytes` invalid UTF-8, or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
    if (isUtf8(bytes)) return undefined;
    for (let i = 0; i < bytes.length; ) {
        const b = bytes[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
        if (n === 0 || i + n >= bytes.length) return i;
        for (let k = 1; k <= n; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
        if (!isUtf8(bytes.subarray(i, i + n + 1))) return i;
        i += n + 1;
    }
    return 0;
}

/** The fix for a plain-text credential, by where it is. */
function secretFix(path: Path, project: string): string {
    const service = path[0] === "services" ? String(path[1]) : "<service>";
    if (path[0] === "services" && path[2] === "env") {
        return "secrets are not allowed in env: keep the value in a Kubernetes Secret your platform manages, remove it from the stack file and rotate it if it was committed";
    }
    if (IMAGE_PATHS.some((p) => matches(path, p))) {
        return "registry credentials do not belong in an image reference: give the cluster an imagePullSecret for the registry, and rotate the password if it was committed";
    }
    if (path[0] === "services" && path[2] === "migration") {
        return `the migration Job gets the database URL as $DATABASE_URL from migration.databaseUrl, a secure value: pulumi config set --secret --path '${project}:services.${service}.migration.databaseUrl' <value>; refer to $DATABASE_URL instead, and rotate the password if it was committed`;
    }
    return "releasectl keeps secrets only in secure: values (notifications.<name>.address, migration.databaseUrl); remove it from the stack file and rotate it if it was committed";
}

/** `services.<name>.env.<NAME>`. */
function isEnvEntry(path: Path): boolean {
    return matches(path, ENV_ENTRY);
}

/** The key paths of the fields of schema.ts that `is` picks. */
function pathsOf(is: (field: Field) => boolean): Pattern[] {
    return fieldPaths()
        .filter(({ field }) => is(field))
        .map(({ path }) => path);
}

/** `services.*.env` as segments; `*` is any key (not a list index). */
function pattern(text: string): Pattern {
    return text.split(".");
}

function matches(path: Path, parts: Pattern): boolean {
    if (parts.length !== path.length) return false;
    for (let i = 0; i < parts.length; i++) if (typeof path[i] !== "string" || (parts[i] !== "*" && parts[i] !== path[i])) return false;
    return true;
}

/** A key short enough for a one-line message. */
function shortKey(key: string): string {
    return key.length > 80 ? `${key.slice(0, 40)}...(${key.length} characters)` : key;
}

/** The number of Unicode code points of `text` (a surrogate pair is one). */
function codePoints(text: string): number {
    let n = 0;
    for (let i = 0; i < text.length; i++, n++) {
        const c = text.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
            const d = text.charCodeAt(i + 1);
            if (d >= 0xdc00 && d <= 0xdfff) i++;
        }
    }
    return n;
}
