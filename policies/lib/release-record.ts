import { ANNOTATIONS } from "../../builders/names";
import { annotation, Obj } from "./manifest";
import { RuleContext } from "./rule";

/**
 * What a release records on its Deployment (builders/deployment.ts `releaseAnnotations`). Rules read
 * these annotations, never releasectl's configuration, so they judge any stack the same way.
 */
export interface ReleaseRecord {
    readonly version: string;
    readonly previousVersion?: string;
    readonly rollback: boolean;
    /** Declared as the service's first release: there is nothing earlier to roll back to. */
    readonly firstRelease: boolean;
    readonly environment?: string;
    readonly migrationPhase?: string;
    readonly downgradeCommand?: string;
}

/** Many rules read the same Deployment's record; offline the props object is shared, so read it once. */
const records = new WeakMap<Obj, ReleaseRecord | undefined>();

/** The release recorded on a resource, or undefined when it carries no version annotation. */
export function releaseRecord(props: Obj): ReleaseRecord | undefined {
    if (records.has(props)) return records.get(props);
    const record = readRecord(props);
    records.set(props, record);
    return record;
}

function readRecord(props: Obj): ReleaseRecord | undefined {
    const version = annotation(props, ANNOTATIONS.version);
    if (version === undefined) return undefined;
    return {
        version,
        previousVersion: annotation(props, ANNOTATIONS.previousVersion),
        rollback: annotation(props, ANNOTATIONS.rollback) === "true",
        firstRelease: annotation(props, ANNOTATIONS.firstRelease) === "true",
        environment: annotation(props, ANNOTATIONS.environment),
        migrationPhase: annotation(props, ANNOTATIONS.migrationPhase),
        downgradeCommand: annotation(props, ANNOTATIONS.downgradeCommand),
    };
}

export const NOT_A_RELEASE = `carries no ${ANNOTATIONS.version} annotation, so it is not a release made by releasectl`;

/**
 * A stack is production when the pack's settings say so: by stack name (from the URN, known in
 * both runners), by the `environment` stack tag (Pulumi Cloud), or by the environment the release
 * recorded on its Deployment.
 */
export function productionReason(ctx: RuleContext, environment?: string): string | undefined {
    const s = ctx.settings;
    if (s.productionStacks.includes(ctx.stack)) return `stack ${ctx.stack} is listed in productionStacks`;
    const tag = ctx.stackTags.get("environment");
    if (tag !== undefined && s.productionEnvironments.includes(tag)) return `stack tag environment=${tag} is listed in productionEnvironments`;
    if (environment !== undefined && s.productionEnvironments.includes(environment)) {
        return `environment ${environment} is listed in productionEnvironments`;
    }
    return undefined;
}

export function notProduction(ctx: RuleContext, environment?: string): string {
    const s = ctx.settings;
    return (
        `stack ${ctx.stack}${environment ? ` (environment ${environment})` : ""} is not production ` +
        `(productionStacks: ${s.productionStacks.join(", ") || "none"}; productionEnvironments: ${s.productionEnvironments.join(", ") || "none"})`
    );
}
