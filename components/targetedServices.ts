import * as pulumi from "@pulumi/pulumi";
import { readTargetFile, TARGET_FILE_ENV } from "../config/target-file";

/**
 * The services to declare under `ship --target`, or undefined for all of them.
 *
 * The engine leaves a resource the program does not declare as it is when the update has targets
 * and the resource is not one of them (it is deleted only when targeted), so declaring only the
 * targeted services gives the same update without the program building every other service's
 * objects: a one-service release no longer costs more in a larger stack. Anything but ship's own
 * file for this stack declares every service (config/target-file.ts), with a warning.
 */
export function targetedServices(env: NodeJS.ProcessEnv, stack: string, services: readonly string[]): ReadonlySet<string> | undefined {
    const choice = readTargetFile(env, stack, services);
    if (choice === undefined) return undefined;
    if ("services" in choice) {
        const left = services.length - choice.services.size;
        void pulumi.log.info(`releasectl ship --target: declaring ${[...choice.services].join(", ")} only; the other ${left} service(s) of the stack are left as they are`);
        return choice.services;
    }
    void pulumi.log.warn(`${TARGET_FILE_ENV}=${env[TARGET_FILE_ENV]}: ${choice.ignored}; declaring every service. releasectl ship --target sets it for its own run only: unset it.`);
    return undefined;
}
