import { readProjectDefaults } from "../../config/load";

/** The Pulumi project name (the config namespace) of the project in `projectDir`. */
export function projectName(projectDir: string): string {
    return readProjectDefaults(projectDir).project;
}
