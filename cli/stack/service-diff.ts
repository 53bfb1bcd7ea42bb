// How a change to a stack file reads: a service map's leaf keys as `key: old → new` lines
// (secure values never show their ciphertext) and the file's unified diff. Layer: cli/stack/
// (pure; below the operations and ship/, which print these).
// the one module of diff used (4 files loaded instead of the package's 19)
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff/lib/patch/create.js";

/** Leaf values of a service map as dotted paths; secure values never show their ciphertext. */
export function flatten(value: unknown, prefix = ""): Map<string, string> {
    const out = new Map<string, string>();
    const visit = (v: unknown, at: string) => {
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
            const keys = Object.keys(v as object);
            if (keys.length === 1 && keys[0] === "secure") {
                out.set(at, `<secret ${shortHash(String((v as { secure: unknown }).secure))}>`);
                return;
            }
            for (const k of keys) visit((v as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
            return;
        }
        out.set(at, typeof v === "string" && /^[^\s"'{}[\],]+$/.test(v) ? v : JSON.stringify(v));
    };
    visit(value, prefix);
    return out;
}

function shortHash(text: string): string {
    let h = 0;
    for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
    return h.toString(16).padStart(8, "0").slice(0, 6);
}

/** `key: old → new` lines for every leaf that differs. */
export function keyDiff(before: unknown, after: unknown): string[] {
    const a = flatten(before);
    const b = flatten(after);
    const keys = [...new Set([...a.keys(), ...b.keys()])];
    return keys.filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? "(unset)"} → ${b.get(k) ?? "(unset)"}`);
}

export function filePatch(file: string, before: string, after: string): string {
    return createTwoFilesPatch(file, file, before, after, undefined, undefined, { context: 2, headerOptions: FILE_HEADERS_ONLY });
}
