import * as path from "path";
import { parseReleaseConfig, parseStackFileText, projectValues, readProjectDefaults, stackFilePath } from "../../config/load";
import { ReleaseConfig } from "../../config/types";

/**
 * Validates stack file text that is not (yet) on disk: an edit before it is written, or a
 * version of the file from git history. Same rules, defaults and messages as `loadStack`.
 */
export function parseStackText(projectDir: string, stack: string, text: string, source?: string): ReleaseConfig {
    const { project, defaults } = readProjectDefaults(projectDir);
    const file = stackFilePath(projectDir, stack);
    const shown = source ?? (path.relative(process.cwd(), file) || file);
    const parsed = parseStackFileText(text, shown, stack);
    return parseReleaseConfig(projectValues({ ...defaults, ...parsed.config }, project), { source: shown, stack, project, mode: "file" });
}

/** The Pulumi project name (the config namespace) of the project in `projectDir`. */
export function projectName(projectDir: string): string {
    return readProjectDefaults(projectDir).project;
}
