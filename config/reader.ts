import { ConfigError } from "./errors";
import { SecretValue } from "./types";

/** How the values were obtained: from a stack file (secrets are ciphertexts) or from the engine. */
export type ConfigMode = "file" | "program";

/**
 * Walks an untyped configuration tree and records every problem with its key path. The loader
 * reads each key through it, so unknown keys (typos) can be reported afterwards.
 */
export class Reader {
    readonly problems: { keyPath: string; problem: string; value?: unknown }[] = [];

    constructor(
        readonly file: string,
        readonly mode: ConfigMode,
        /** Inside the program: whether the engine marked this top-level key as secret. */
        readonly isSecretKey: (topKey: string) => boolean = () => false,
    ) {}

    fail(keyPath: string, problem: string, value?: unknown): undefined {
        this.problems.push({ keyPath, problem, value });
        return undefined;
    }

    /** Throws the first problem as one ConfigError naming the rest by count. */
    throwIfProblems(): void {
        if (this.problems.length === 0) return;
        const [first] = this.problems;
        throw new ConfigError(this.file, first.keyPath, first.problem, first.value, this.problems.length - 1);
    }

    /**
     * A map node: reports keys outside `allowed` (with a suggestion for typos). Null (`key:`
     * with nothing under it, say every sub-key commented out) is absent, as for a scalar.
     */
    map(value: unknown, keyPath: string, allowed?: readonly string[]): Record<string, unknown> | undefined {
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "object" || Array.isArray(value) || isSecureNode(value)) {
            return this.fail(keyPath, "must be a map of keys to values", value);
        }
        const record = value as Record<string, unknown>;
        if (allowed) {
            for (const key of Object.keys(record)) {
                if (!allowed.includes(key)) {
                    const hint = closest(key, allowed);
                    this.fail(
                        `${keyPath}.${key}`,
                        `unknown key` + (hint ? `; did you mean "${hint}"?` : "") + ` Allowed keys: ${allowed.join(", ")}`,
                    );
                }
            }
        }
        return record;
    }

    string(
        value: unknown,
        keyPath: string,
        opts: { pattern?: RegExp; allowed?: string; check?: (s: string) => boolean } = {},
    ): string | undefined {
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "string") {
            const hint = typeof value === "number" ? "; quote it in YAML so it stays text" : "";
            return this.fail(keyPath, `must be a string${hint}${opts.allowed ? ` (${opts.allowed})` : ""}`, value);
        }
        if ((opts.pattern && !opts.pattern.test(value)) || (opts.check && !opts.check(value))) {
            return this.fail(keyPath, `is not allowed: must be ${opts.allowed ?? `text matching ${opts.pattern}`}`, value);
        }
        return value;
    }

    requiredString(value: unknown, keyPath: string, opts: Parameters<Reader["string"]>[2] = {}): string | undefined {
        if (value === undefined || value === null || value === "") {
            return this.fail(keyPath, `is required${opts.allowed ? `: ${opts.allowed}` : ""}`);
        }
        return this.string(value, keyPath, opts);
    }

    integer(value: unknown, keyPath: string, min: number, max: number, fallback: number): number {
        if (value === undefined || value === null) return fallback;
        const n = typeof value === "string" && /^-?\d+$/.test(value) && this.mode === "program" ? Number(value) : value;
        if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
            this.fail(keyPath, `is not allowed: must be a whole number from ${min} to ${max}`, value);
            return fallback;
        }
        return n;
    }

    number(value: unknown, keyPath: string, min: number, max: number, fallback: number): number {
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
            this.fail(keyPath, `is not allowed: must be a number from ${min} to ${max}`, value);
            return fallback;
        }
        return value;
    }

    boolean(value: unknown, keyPath: string, fallback: boolean): boolean {
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "boolean") {
            this.fail(keyPath, "must be true or false", value);
            return fallback;
        }
        return value;
    }

    /** A command: a list of strings (argv), or one string run by `sh -c`. */
    command(value: unknown, keyPath: string): string[] | undefined {
        if (value === undefined || value === null) return undefined;
        if (typeof value === "string" && value.trim() !== "") return ["sh", "-c", value];
        if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v !== "")) {
            return value as string[];
        }
        return this.fail(keyPath, "must be a command: a non-empty list of strings, or one shell command line", value);
    }

    stringMap(value: unknown, keyPath: string): Record<string, string> {
        const record = this.map(value, keyPath);
        const result: Record<string, string> = {};
        for (const [key, v] of Object.entries(record ?? {})) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
                this.fail(`${keyPath}.${key}`, "is not a valid environment variable name (letters, digits, _)");
            } else if (RESERVED_ENV.includes(key)) {
                this.fail(`${keyPath}.${key}`, "is set by releasectl itself (the release's version); choose another name");
            } else if (typeof v === "string") {
                result[key] = v;
            } else if (typeof v === "boolean" || (typeof v === "number" && Number.isSafeInteger(v))) {
                // Earlier releases were accepted with `PORT: 8080`, and a rollback re-applies them as
                // they were: whole numbers and booleans keep working, as their usual text.
                result[key] = String(v);
            } else if (typeof v === "number") {
                // A fraction or a huge number has lost its text already: 1.10 reads as 1.1.
                this.fail(`${keyPath}.${key}`, "must be a string; quote it in YAML so it stays exactly as written (unquoted, 1.10 reads as 1.1 and 12345678901234567890 as 12345678901234567000)", v);
            } else if (isSecureNode(v)) {
                this.fail(`${keyPath}.${key}`, "secrets are not allowed in env: put them in a Kubernetes Secret your platform manages", v);
            } else {
                this.fail(`${keyPath}.${key}`, "must be a string", v);
            }
        }
        return result;
    }

    /**
     * A value that must be a Pulumi secret. In a stack file it must be `{secure: v1:...}`;
     * inside the program its top-level key must be marked secret by the engine.
     */
    secret(value: unknown, keyPath: string, topKey: string, setCommand: string): SecretValue | undefined {
        const fix = `set it with: pulumi config set --secret --path '${setCommand}' <value>`;
        if (value === undefined || value === null || value === "") return this.fail(keyPath, `is required; ${fix}`);
        if (this.mode === "file") {
            if (isSecureNode(value)) {
                const ciphertext = (value as { secure: unknown }).secure;
                if (typeof ciphertext !== "string" || ciphertext === "") {
                    return this.fail(keyPath, "has an empty secure value; set it again with pulumi config set --secret --path");
                }
                return { kind: "secret", path: setCommand, ciphertext };
            }
            // Never echo the value: it is a secret written in plain text.
            return this.fail(keyPath, `must be a secret, not plain text; ${fix}`, hidden(value));
        }
        if (typeof value !== "string") return this.fail(keyPath, "must be a string secret", hidden(value));
        if (!this.isSecretKey(topKey)) {
            return this.fail(keyPath, `must be a secret, not plain text; ${fix}`, "<plain text>");
        }
        return { kind: "secret", path: setCommand, plaintext: value };
    }
}

/** Variables the Deployment builder sets itself (builders/deployment.ts). */
const RESERVED_ENV: readonly string[] = ["APP_VERSION"];

/** A secret written in plain text is never echoed, whatever its type (a PIN is a number). */
function hidden(value: unknown): unknown {
    return value !== null && typeof value === "object" ? value : "<plain text>";
}

export function isSecureNode(value: unknown): boolean {
    return (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.keys(value as object).length === 1 &&
        "secure" in (value as object)
    );
}

/** The allowed key closest to a typo, if it is close enough to be a likely typo. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of allowed) {
        const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = row[j];
            row[j] = next;
        }
    }
    return row[b.length];
}
