import { stringify } from "yaml";
import { Manifest } from "../builders/types";

/** One YAML document per manifest, keys in the builders' order, no line folding. */
export function manifestToYaml(manifest: Manifest): string {
    return stringify(manifest, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}
