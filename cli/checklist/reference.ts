import { CHECKLIST, PHASES } from "../../policies/checklist";
import { SETTINGS_SCHEMA } from "../../policies/settings";
import { RULES } from "../../policies/rules";
import { REPOSITORY_CHECKS } from "./repository-checks";

/**
 * The checklist reference of docs/checklist.md, generated from the checklist, the rules and the
 * pack settings themselves: `node scripts/gen-checklist-docs.js` writes it between the file's
 * `<!-- generated:NAME -->` and `<!-- end:NAME -->` markers, and a test fails when it is stale.
 */

type Declared = { name: string; description: string; enforcementLevel: string; severity: string; settings: readonly string[]; scope?: "resource" | "stack" };

function declarations(): Map<string, Declared> {
    const all: Declared[] = [...RULES, ...REPOSITORY_CHECKS];
    return new Map(all.map((d) => [d.name, d]));
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Rule names in checklist order, each once. */
function orderedRules(): string[] {
    const seen = new Set<string>();
    for (const item of CHECKLIST) for (const rule of item.rules) seen.add(rule);
    return [...seen];
}

export function checklistItemsTable(): string {
    const decl = declarations();
    const lines = ["| phase | checklist item | checked before the release by | covered while it happens by (and why not before) |", "| --- | --- | --- | --- |"];
    for (const { phase, title } of PHASES) {
        for (const item of CHECKLIST.filter((i) => i.phase === phase)) {
            const rules = item.rules.map((r) => `\`${r}\` (${decl.get(r)?.enforcementLevel ?? "unknown"})`).join(", ") || "—";
            lines.push(`| ${title} | ${cell(item.item)} | ${rules} | ${cell(item.runtime ?? "—")} |`);
        }
    }
    return lines.join("\n");
}

export function rulesTable(): string {
    const decl = declarations();
    const lines = ["| rule | kind | level | severity | what it checks |", "| --- | --- | --- | --- | --- |"];
    for (const name of orderedRules()) {
        const d = decl.get(name);
        if (d === undefined) throw new Error(`checklist names ${name}, which no rule or repository check declares`);
        const kind = d.scope === undefined ? "repository (check only)" : d.scope === "stack" ? "stack policy" : "resource policy";
        lines.push(`| \`${name}\` | ${kind} | ${d.enforcementLevel} | ${d.severity} | ${cell(d.description)} |`);
    }
    return lines.join("\n");
}

export function settingsTable(): string {
    const decl = declarations();
    const rules = orderedRules();
    const lines = ["| setting | default | read by | meaning |", "| --- | --- | --- | --- |"];
    for (const [key, schema] of Object.entries(SETTINGS_SCHEMA)) {
        const readers = rules.filter((r) => decl.get(r)?.settings.includes(key));
        lines.push(`| \`${key}\` | \`${JSON.stringify(schema.default)}\` | ${readers.map((r) => `\`${r}\``).join(", ")} | ${cell(schema.description ?? "")} |`);
    }
    return lines.join("\n");
}

export const GENERATED_SECTIONS: Readonly<Record<string, () => string>> = {
    "checklist-items": checklistItemsTable,
    rules: rulesTable,
    settings: settingsTable,
};

/** `text` with every generated section replaced by its current content. */
export function withGeneratedSections(text: string, file: string): string {
    let out = text;
    for (const [name, generate] of Object.entries(GENERATED_SECTIONS)) {
        const start = `<!-- generated:${name} -->\n`;
        const end = `<!-- end:${name} -->`;
        const a = out.indexOf(start);
        const b = out.indexOf(end, a);
        if (a < 0 || b < 0) throw new Error(`${file}: no ${start.trim()} ... ${end} section`);
        out = out.slice(0, a + start.length) + generate() + "\n" + out.slice(b);
    }
    return out;
}
