import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";
import { stackFileJsonSchema } from "../../config/json-schema";
import { PROJECT, readProjectDefaults } from "../../config/load";
import { configurationMarkdown } from "../../config/schema-docs";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { existingDir } from "../paths";
import { writeFileAtomic } from "../stack/fs-atomic";

const USAGE = "releasectl schema [--output FILE] [--markdown]";

export const schema: Command = {
    name: "schema",
    summary: "the JSON Schema of a stack file, for editors (completion and errors while typing Pulumi.<stack>.yaml)",
    help: `Usage: ${USAGE}

Prints the JSON Schema (draft-07) of a stack file Pulumi.<stack>.yaml: every key of the
project's namespace under config:, with its type, default, allowed values, range and
description, secrets as secure: values, and Pulumi's own top-level keys (encryptionsalt,
secretsprovider, ...). It is made from the declaration the loader reads every key through
(config/schema.ts), so the editor and releasectl agree. Rules between keys (replicas.max at
least min, limits at least requests, the notification a service names, ...) are releasectl
render's and check's. The project's name comes from the nearest Pulumi.yaml (default
releasectl). Writes nothing unless --output is given.

With the YAML language server (VS Code's YAML extension, and editors using yaml-language-server),
write the schema once and name it on a stack file's first line:

  releasectl schema --output releasectl.schema.json
  # yaml-language-server: $schema=./releasectl.schema.json      (first line of Pulumi.production.yaml)

Options:
  --output FILE  write the schema to FILE (atomically: a temporary file, renamed) instead of
                 printing it
  --markdown     the configuration reference (docs/configuration.md) instead of the schema
  --cwd DIR      project directory (default: the nearest folder holding Pulumi.yaml)
  --debug        show stack traces on errors

Exit codes: 0 the schema is printed or written; 2 bad input (an unknown option, a folder of
--output that does not exist).

Examples:
  releasectl schema --output releasectl.schema.json
  releasectl schema | jq '.properties.config.properties | keys'
  releasectl schema --markdown > docs/configuration.md`,
    async run(ctx: CommandContext): Promise<number> {
        const { values } = parseCommandArgs("schema", ctx.argv, { output: { type: "string" }, markdown: { type: "boolean" } }, { min: 0, max: 0, usage: USAGE });
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const project = projectName(ctx, values.cwd);
        const text = values.markdown ? configurationMarkdown() : `${JSON.stringify(stackFileJsonSchema(project), null, 2)}\n`;
        if (values.output === undefined) {
            ctx.stdout.write(text);
            return 0;
        }
        if (values.output === "") throw new UserError(`--output "": name a file, e.g. --output releasectl.schema.json`, "EUSAGE");
        const file = path.resolve(ctx.cwd, values.output);
        const dir = path.dirname(file);
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
            throw new UserError(`--output ${values.output}: ${dir} is not an existing folder; create it first or write the schema elsewhere`, "EUSAGE");
        }
        if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
            throw new UserError(`--output ${values.output}: is a folder; name a file in it, e.g. --output ${path.join(values.output, "releasectl.schema.json")}`, "EUSAGE");
        }
        writeFileAtomic(file, text);
        ctx.stdout.write(`wrote ${path.relative(ctx.cwd, file) || file}\n`);
        return 0;
    },
};

/** The name in the nearest Pulumi.yaml (its keys are `<name>:...`), or releasectl outside a project. */
function projectName(ctx: CommandContext, cwdOption: string | undefined): string {
    const start = cwdOption === undefined ? path.resolve(ctx.cwd) : existingDir("cwd", cwdOption, ctx.cwd);
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return readProjectDefaults(dir).project;
        if (path.dirname(dir) === dir) return PROJECT;
    }
}
