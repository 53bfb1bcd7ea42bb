import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { stackFileJsonSchema } from "../../config/json-schema";
import { configurationMarkdown } from "../../config/schema-docs";
import { removeTempProjects, runCli, snapshot, tempProject } from "../helpers/project";

/** `releasectl schema`: the JSON Schema of a stack file (and the reference), for editors. */
describe("releasectl schema", () => {
    afterEach(() => removeTempProjects());

    it("prints the JSON Schema of a stack file, and writes nothing", async () => {
        const dir = tempProject();
        const before = snapshot(dir);
        const run = await runCli(["schema"], dir);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stderr).to.equal("");
        expect(JSON.parse(run.stdout)).to.deep.equal(stackFileJsonSchema("releasectl"));
        expect(run.stdout.endsWith("}\n")).to.equal(true);
        expect(snapshot(dir)).to.deep.equal(before);
    });

    it("names the keys by the project's name in Pulumi.yaml", async () => {
        const dir = tempProject();
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8").replace(/^name: releasectl$/m, "name: shop"));
        const schema = JSON.parse((await runCli(["schema"], dir)).stdout);
        expect(Object.keys(schema.properties.config.properties)).to.include("shop:services");
        expect(Object.keys(schema.properties.config.properties)).to.not.include("releasectl:services");
    });

    it("--output writes the file atomically and says so", async () => {
        const dir = tempProject();
        const run = await runCli(["schema", "--output", "releasectl.schema.json"], dir);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.equal("wrote releasectl.schema.json\n");
        expect(JSON.parse(fs.readFileSync(path.join(dir, "releasectl.schema.json"), "utf8"))).to.deep.equal(stackFileJsonSchema());
        expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
        // Again over the existing file: replaced, not appended.
        expect((await runCli(["schema", "--output", "releasectl.schema.json"], dir)).code).to.equal(0);
        expect(JSON.parse(fs.readFileSync(path.join(dir, "releasectl.schema.json"), "utf8"))).to.deep.equal(stackFileJsonSchema());
    });

    it("--markdown prints the configuration reference", async () => {
        const run = await runCli(["schema", "--markdown"], tempProject());
        expect(run.code).to.equal(0);
        expect(run.stdout).to.equal(configurationMarkdown());
    });

    it("--help explains the yaml-language-server line", async () => {
        const run = await runCli(["schema", "--help"], tempProject());
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include("# yaml-language-server: $schema=./releasectl.schema.json");
        expect(run.stdout).to.match(/^Usage: releasectl schema/);
    });

    for (const [args, pattern] of [
        [["--outptu", "x.json"], /^releasectl schema: unknown option --outptu \(did you mean --output\?\)/],
        [["production"], /^releasectl schema: expected 0 argument\(s\), got 1; usage: releasectl schema/],
        [["--output"], /^releasectl schema: Option '--output <value>' argument missing/],
        [["--output", ""], /^releasectl schema: --output "": name a file/],
        [["--output", "no/such/folder/schema.json"], /^releasectl schema: --output no\/such\/folder\/schema\.json: .* is not an existing folder/],
        [["--output", "."], /^releasectl schema: --output \.: is a folder; name a file in it/],
    ] as const) {
        it(`refuses ${args.join(" ") || "(nothing)"} with exit 2 and changes nothing`, async () => {
            const dir = tempProject();
            const before = snapshot(dir);
            const run = await runCli([...["schema"], ...args], dir);
            expect(run.code, run.stderr).to.equal(2);
            expect(run.stdout).to.equal("");
            expect(run.stderr).to.match(pattern);
            expect(run.stderr).to.not.include("internal error");
            expect(snapshot(dir)).to.deep.equal(before);
        });
    }
});
