import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { CHECKLIST } from "../../policies/checklist";
import { RULES } from "../../policies/rules";
import { SETTINGS_SCHEMA } from "../../policies/settings";
import { REPOSITORY_CHECKS } from "../../cli/checklist/repository-checks";
import { withGeneratedSections } from "../../cli/checklist/reference";

const FILE = path.join(__dirname, "..", "..", "docs", "checklist.md");

/** The rows of the markdown table between a generated section's markers, by first cell. */
function rows(text: string, name: string): Map<string, string[]> {
    const section = text.slice(text.indexOf(`<!-- generated:${name} -->`), text.indexOf(`<!-- end:${name} -->`));
    const out = new Map<string, string[]>();
    for (const line of section.split("\n").filter((l) => l.startsWith("| ")).slice(1)) {
        if (line.startsWith("| ---")) continue;
        const cells = line.slice(2, -2).split(" | ");
        out.set(cells[0].replace(/`/g, "") + (name === "checklist-items" ? `/${cells[1]}` : ""), cells);
    }
    return out;
}

describe("docs/checklist.md", () => {
    const text = fs.readFileSync(FILE, "utf8");

    it("is what scripts/gen-checklist-docs.js generates from the code (run it after npm run build when this fails)", () => {
        expect(withGeneratedSections(text, "docs/checklist.md") === text, "docs/checklist.md is stale: npm run build && node scripts/gen-checklist-docs.js").to.equal(true);
    });

    it("lists every rule and repository check once, with the level and severity it is declared with", () => {
        const table = rows(text, "rules");
        const declared = [...RULES, ...REPOSITORY_CHECKS];
        expect([...table.keys()].sort()).to.deep.equal(declared.map((d) => d.name).sort());
        for (const d of declared) {
            const [, , level, severity, what] = table.get(d.name)!;
            expect([level, severity, what], d.name).to.deep.equal([d.enforcementLevel, d.severity, d.description]);
        }
    });

    it("has a row per checklist item naming each rule that covers it", () => {
        const table = rows(text, "checklist-items");
        expect(table.size).to.equal(CHECKLIST.length);
        for (const item of CHECKLIST) {
            const row = [...table.entries()].find(([k]) => k.endsWith(`/${item.item}`));
            expect(row, item.item).to.not.equal(undefined);
            for (const rule of item.rules) expect(row![1][2], item.item).to.include(`\`${rule}\``);
        }
    });

    it("gives every pack setting its default and the rules that read it", () => {
        const table = rows(text, "settings");
        expect([...table.keys()].sort()).to.deep.equal(Object.keys(SETTINGS_SCHEMA).sort());
        for (const [key, schema] of Object.entries(SETTINGS_SCHEMA)) {
            const [, def, readBy] = table.get(key)!;
            expect(JSON.parse(def.replace(/`/g, "")), key).to.deep.equal(schema.default);
            for (const d of [...RULES, ...REPOSITORY_CHECKS]) {
                expect(readBy.includes(`\`${d.name}\``), `${key} read by ${d.name}`).to.equal((d.settings as readonly string[]).includes(key));
            }
        }
    });
});
