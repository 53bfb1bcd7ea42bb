import { loadAll, YAMLException } from "js-yaml";
import { UserError } from "./errors";

/**
 * The value of a one-document YAML file (undefined when it is empty), or a UserError naming the
 * file, line and column. Stack files are read with js-yaml's core schema (YAML 1.2, like the
 * Pulumi CLI: no timestamps or yes/no booleans): it is about five times faster than the `yaml`
 * package, which matters for stacks of hundreds of services. Editing a stack file, which must
 * keep comments and layout, still goes through `yaml`'s Document API.
 */
export function readYamlValues(text: string, file: string): unknown {
    let documents: unknown[];
    try {
        documents = loadAll(text, { filename: file });
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        const at = e.mark ? `:${e.mark.line + 1}:${e.mark.column + 1}` : "";
        throw new UserError(`${file}${at}: malformed YAML: ${e.reason}; fix the syntax and run again`, "EYAML");
    }
    if (documents.length > 1) {
        throw new UserError(`${file}: holds ${documents.length} YAML documents (--- separators); a stack file is one document`, "EYAML");
    }
    return documents[0];
}
