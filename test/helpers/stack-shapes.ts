/**
 * Generated stack files of every shape a person or `pulumi config set` writes: block maps at
 * 2 or 4 spaces, plain and quoted scalars, one-line flow lists, empty values, nested maps,
 * comments on their own lines at any indentation and after values, blank lines, a missing final
 * newline, and now and then a shape the line reader leaves to `yaml` (flow maps, block lists and
 * scalars, multi-line values, anchors). Seeded: the same seed gives the same file.
 */

export function rng(seed: number): () => number {
    let s = seed >>> 0 || 1;
    return () => {
        // xorshift32
        s ^= s << 13;
        s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5;
        s >>>= 0;
        return s / 4294967296;
    };
}

export interface ShapeOptions {
    /** Share of values in a shape the line reader does not read (default 0.04). */
    readonly odd?: number;
    readonly services?: number;
}

const PLAIN = ["2.4.1", "1.12.0-rc.1", "registry.example.com/shop/checkout", "https://ci.example.com/runs/8812#step", "true", "3", "8080", "250m", "~", "v1:XPv0EJ7EtJZBRJOT:EShCy/Aty7M8j9w=", "expand", "a b  c", "x#y", "null", "0o17", "1e3"];
const QUOTED = ['"#releases"', '"1"', '"a \\" b"', "'it''s'", "'2.4.1'", '""', '"https://x.example.com/a b"', "'#x'"];
const FLOW = ['["/app/migrate", "up"]', "[/app/migrate, down, --to, 2.4.0]", "[]", "['a', \"b\"]", "[1, 2, 3]"];
const ODD = ["{secure: v1:abc}", "|\n{deeper}line one\n{deeper}line two", "&anchor 1", "*anchor", "!!str 1", "[a,\n{deeper}b]", "first\n{deeper}continued", "\n{same}- a: 1", "\n{deeper}- - x", "- bad", "a: b", ">-\n{deeper}folded", "\n{same}- x\n{deeper}continued"];
const KEYS = ["image", "version", "previousVersion", "port", "probes", "resources", "canary", "migration", "evidence", "notification", "alerts", "env", "rollback", "firstRelease", "replicas", "requests", "limits", "cpu", "memory", "secure", "phase", "command", "ciRun"];

export function stackShape(seed: number, opts: ShapeOptions = {}): string {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const odd = opts.odd ?? 0.04;
    const step = r() < 0.7 ? 2 : 4;
    const lines: string[] = [];
    const noise = (indentHint: number) => {
        const roll = r();
        if (roll < 0.08) lines.push("");
        else if (roll < 0.14) lines.push(`${" ".repeat(Math.max(0, indentHint + pick([-4, -2, 0, 0, 2, 4])))}# note ${Math.floor(r() * 100)}`);
    };
    const value = (indent: number): string => {
        const roll = r();
        if (roll < odd) {
            return ` ${pick(ODD).replace(/\{deeper\}/g, " ".repeat(indent + step)).replace(/\{same\}/g, " ".repeat(indent))}`;
        }
        if (roll < 0.12) {
            // a block sequence, at the key's indentation (as pulumi config set writes it) or deeper
            const at = " ".repeat(r() < 0.5 ? indent : indent + step);
            const n = 1 + Math.floor(r() * 3);
            let items = "";
            for (let k = 0; k < n; k++) {
                const item = r() < 0.1 ? "" : ` ${pick(r() < 0.6 ? PLAIN : QUOTED)}`;
                items += `\n${at}-${item}${item !== "" && r() < 0.15 ? " # item" : ""}`;
                if (r() < 0.03) items += `\n${" ".repeat(Math.max(0, at.length + pick([-2, 0, 2, 4])))}# between`;
            }
            return items;
        }
        if (roll < 0.55) return ` ${pick(PLAIN)}`;
        if (roll < 0.72) return ` ${pick(QUOTED)}`;
        if (roll < 0.85) return ` ${pick(FLOW)}`;
        if (roll < 0.9) return r() < 0.5 ? "" : "   ";
        return ` ${pick(PLAIN)}`;
    };
    const comment = () => (r() < 0.1 ? `${" ".repeat(1 + Math.floor(r() * 3))}# same line` : "");
    const map = (indent: number, depth: number) => {
        const n = 1 + Math.floor(r() * 4);
        const used = new Set<string>(depth === 1 ? ["version"] : []);
        for (let i = 0; i < n; i++) {
            noise(indent);
            let key = pick(KEYS);
            while (used.has(key)) key = `${key}X`;
            used.add(key);
            if (depth < 3 && r() < 0.3) {
                lines.push(`${" ".repeat(indent)}${key}:${r() < 0.1 ? " # about it" : ""}`);
                map(indent + step, depth + 1);
            } else {
                const v = value(indent);
                lines.push(`${" ".repeat(indent)}${key}:${v}${v.trim() === "" || v.includes("\n") ? "" : comment()}`);
            }
        }
    };
    if (r() < 0.5) lines.push("# Production stack");
    lines.push("encryptionsalt: v1:8ZxdgXSFMrw=:v1:pkvif1gd9kgKIQ7e:fkBG2d+85DQLiXdBYLMqI0w8IAgJAQ==");
    lines.push("config:");
    lines.push(`${" ".repeat(step)}releasectl:namespace: shop`);
    if (r() < 0.5) {
        lines.push(`${" ".repeat(step)}releasectl:notifications:`);
        map(step * 2, 2);
    }
    noise(step);
    lines.push(`${" ".repeat(step)}releasectl:services:`);
    const services = opts.services ?? 1 + Math.floor(r() * 3);
    for (let s = 0; s < services; s++) {
        noise(step * 2);
        lines.push(`${" ".repeat(step * 2)}svc${s}:`);
        lines.push(`${" ".repeat(step * 3)}version: ${pick(["2.4.1", '"2.4.1"', "'2.4.1'", "1.0.0 # current"])}`);
        map(step * 3, 1);
        noise(step * 3);
    }
    if (r() < 0.3) lines.push(`${" ".repeat(step)}releasectl:kubeContext: prod`);
    noise(0);
    const text = lines.join("\n");
    return r() < 0.85 ? `${text}\n` : text;
}
