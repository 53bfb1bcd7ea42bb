import * as fs from "fs";
import * as path from "path";
import { parseStackFileText } from "../../config/load";
import { ReleaseConfig, ServiceConfig } from "../../config/types";
import type { Settings, SettingKey } from "../../policies/settings";
import { checked, EnforcementLevel, notApplicable, RuleResult, Severity, Violation } from "../../policies/lib/rule";
import { ENV_STRING_LIMIT, ENV_STRING_WARN_RATIO, stackConfigEnvBytes } from "../stack/pulumi-config-size";
import type { RepositoryState } from "./repository-state";
import { repositoryEvidenceRenewed, repositoryVersionNotRolledBack } from "./release-history-checks";

/**
 * The checklist items only the repository can answer, run by `releasectl check` (the Pulumi
 * engine shows policies resources, not the git checkout). Pure: the git facts come in as a
 * RepositoryState, so each check is tested without git.
 */

export type Repository =
    | { readonly kind: "repository"; readonly state: RepositoryState }
    /** Not a git repository (or git missing): the reason. */
    | { readonly kind: "unavailable"; readonly reason: string }
    /** `--no-repo`. */
    | { readonly kind: "skipped" };

export interface RepositoryInput {
    readonly repository: Repository;
    readonly config: ReleaseConfig;
    /** Services being checked (all, or the one `--service` names). */
    readonly services: readonly ServiceConfig[];
    /** Absolute path of the project directory (holds Pulumi.yaml). */
    readonly projectDir: string;
    /** Absolute path of the stack file. */
    readonly stackFile: string;
    readonly settings: Settings;
    /** `RELEASECTL_BRANCH`, for CI checkouts with a detached HEAD. */
    readonly branchOverride?: string;
    /** The changelog (repository-changelog-entry's changelogFile), relative to the project directory. */
    readonly changelogFile?: string;
}

export interface RepositoryCheck {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity: Severity;
    readonly remediationSteps: string;
    readonly settings: readonly SettingKey[];
    /** Whether the check needs git (the changelog check reads a file and runs without it). */
    readonly needsGit: boolean;
    evaluate(input: RepositoryInput, state: RepositoryState | undefined): RuleResult;
}

/** `main`, `release/*`, `hotfix/**`: `*` stays within a path segment, `**` crosses them. */
export function branchPattern(pattern: string): RegExp {
    const source = pattern
        .split("**")
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]"))
        .join(".*");
    return new RegExp(`^${source}$`);
}

/** tagFormat's default: the service's own line decides the tag (see services.<name>.tagPrefix). */
const DEFAULT_TAG_FORMAT = "v{version}";

export function tagFor(format: string, service: string, version: string): string {
    return format.replace(/\{version\}/g, version).replace(/\{service\}/g, service);
}

const released = (services: readonly ServiceConfig[]) => services.filter((s) => !s.rollback);

export const repositoryBranchAllowed: RepositoryCheck = {
    name: "repository-branch-allowed",
    description: "The release is made from a branch allowed for the stack (by default main, release/* or hotfix/* for production): the code is merged.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Merge the change into an allowed branch and release from there. Allowed branches are set per stack in allowedBranches of repository-branch-allowed; " +
        "in CI with a detached HEAD, pass the branch as RELEASECTL_BRANCH (e.g. RELEASECTL_BRANCH=$GITHUB_REF_NAME).",
    settings: ["allowedBranches"],
    needsGit: true,
    evaluate(input, state) {
        const stack = input.config.stack;
        const patterns = input.settings.allowedBranches[stack] ?? input.settings.allowedBranches["*"];
        if (!patterns) return notApplicable(`no allowedBranches entry for stack ${stack} (nor for *)`);
        const branch = input.branchOverride || state?.branch;
        const source = input.branchOverride ? " (from RELEASECTL_BRANCH)" : "";
        if (branch === undefined) {
            return checked([
                "HEAD is detached, so the branch being released is unknown: check out the release branch, or in CI pass it as RELEASECTL_BRANCH=<branch>.",
            ]);
        }
        if (patterns.some((p) => branchPattern(p).test(branch))) return checked([]);
        return checked([
            `branch ${branch}${source} is not allowed for stack ${stack} (allowed: ${patterns.join(", ")}): code that is not merged to a release branch has skipped review and CI. ` +
                "Merge it and release from an allowed branch.",
        ]);
    },
};

export const repositoryWorkingTreeClean: RepositoryCheck = {
    name: "repository-working-tree-clean",
    description: "The working tree has no uncommitted changes apart from the stack file being released (and the changelog entry prepare wrote), so what is released is what the repository records.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Commit or stash the listed changes (the stack file and the changelog releasectl prepare edited may stay uncommitted until the release commit).",
    settings: [],
    needsGit: true,
    evaluate(input, state) {
        if (!state) return notApplicable("no repository");
        const stackFile = path.relative(state.root, input.stackFile).split(path.sep).join("/");
        const changelog = input.changelogFile === undefined ? undefined : path.relative(state.root, path.resolve(input.projectDir, input.changelogFile)).split(path.sep).join("/");
        const dirty = state.changed.filter((p) => p !== stackFile && p !== changelog);
        if (dirty.length === 0) return checked([]);
        const shown = dirty.slice(0, 5).join(", ") + (dirty.length > 5 ? ` and ${dirty.length - 5} more` : "");
        return checked([
            `the working tree has uncommitted changes (${shown}): the release would include code no commit records, so nobody could rebuild or review it. Commit or stash them.`,
        ]);
    },
};

export const repositoryVersionTagUnused: RepositoryCheck = {
    name: "repository-version-tag-unused",
    description: "Each released version's tag (by default the service's line: <tagPrefix><version>, v<version> for a single service, <service>-v<version> for several) does not exist yet, or already marks this very release of the service.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Choose a version that has not shipped (releasectl next proposes one) and prepare it with releasectl prepare. The tag name is set by tagFormat of repository-version-tag-unused ({version}, {service}).",
    settings: ["tagFormat"],
    needsGit: true,
    evaluate(input, state) {
        if (!state) return notApplicable("no repository");
        const services = released(input.services);
        if (services.length === 0) return notApplicable("every service checked is a rollback to a version that already shipped");
        const stackFile = path.relative(state.root, input.stackFile).split(path.sep).join("/");
        const violations: Violation[] = [];
        for (const s of services) {
            // the default format follows the service's version line (services.<name>.tagPrefix: <service>-v
            // in a stack of several services), so the rule checks the tag tag and ship create
            const tag = input.settings.tagFormat === DEFAULT_TAG_FORMAT ? `${s.releaseTagPrefix}${s.version}` : tagFor(input.settings.tagFormat, s.name, s.version);
            if (!state.tags.has(tag)) continue;
            // The tag may mark this service's current release (the service is unchanged in this release): that is fine.
            const then = versionAt(state.fileAt(tag, stackFile), input.config.project, s.name);
            if (then === s.version) continue;
            violations.push({
                message:
                    `tag ${tag} already exists and marks ${then === undefined ? `a commit where ${s.name} is not released` : `${s.name} ${then}`}: ` +
                    `${s.name} ${s.version} would reuse a version that already shipped, and rollback and history would confuse the two. Choose a new version (releasectl next).`,
            });
        }
        return checked(violations);
    },
};

/** The version a service had in a stack file's text (at a tag), read as the loader reads stack files. */
function versionAt(text: string | undefined, project: string, service: string): string | undefined {
    if (text === undefined) return undefined;
    try {
        const services = parseStackFileText(text, "(at tag)", "").config[`${project}:services`] as Record<string, { version?: unknown } | null> | undefined;
        const version = services?.[service]?.version;
        return version === undefined || version === null ? undefined : String(version);
    } catch {
        return undefined;
    }
}

export const repositoryChangelogEntry: RepositoryCheck = {
    name: "repository-changelog-entry",
    description: "The changelog (CHANGELOG.md by default) has a heading for each released version: the documentation is updated.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Add a heading for the version to the changelog, e.g. `## checkout 2.4.1` or `## [2.4.1] - 2025-06-01`, with what changed. The file is set by changelogFile.",
    settings: ["changelogFile"],
    needsGit: false,
    evaluate(input) {
        const services = released(input.services);
        if (services.length === 0) return notApplicable("every service checked is a rollback to a version that already shipped");
        const file = path.resolve(input.projectDir, input.settings.changelogFile);
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch {
            return checked([`${input.settings.changelogFile} does not exist, so users cannot read what ${services.map((s) => `${s.name} ${s.version}`).join(", ")} changes. Create it with a heading per version.`]);
        }
        const headings = text.split(/\r?\n/).filter((line) => /^#{1,6}\s/.test(line));
        const missing = services.filter((s) => !headings.some((h) => mentionsVersion(h, s.version)));
        if (missing.length === 0) return checked([]);
        return checked(
            missing.map((s) => `${input.settings.changelogFile} has no heading for ${s.name} ${s.version}: users and on-call cannot tell what this release changes. Add one (e.g. "## ${s.name} ${s.version}").`),
        );
    },
};

/** The stack's PULUMI_CONFIG size as the engine builds it from the file on disk, or why it cannot be measured. */
function configEnvBytes(input: RepositoryInput): number | RuleResult {
    let text: string;
    try {
        text = fs.readFileSync(input.stackFile, "utf8");
    } catch {
        return notApplicable(`${input.stackFile} cannot be read`);
    }
    return stackConfigEnvBytes(input.projectDir, input.stackFile, input.config.stack, text);
}

export const repositoryStackConfigSize: RepositoryCheck = {
    name: "repository-stack-config-size",
    description:
        "The stack's configuration fits the one environment string (PULUMI_CONFIG) the Pulumi engine starts the program and the policy pack with: at most 131,072 bytes, Linux's limit (pulumi/pulumi#8680).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Split the stack: move services into a stack of their own (a stack per group of services), each under the limit; docs/scale.md shows how, with pulumi state move. Shorter values (env) help only a little.",
    settings: [],
    needsGit: false,
    evaluate(input) {
        const bytes = configEnvBytes(input);
        if (typeof bytes !== "number") return bytes;
        if (bytes <= ENV_STRING_LIMIT) return checked([]);
        const file = path.relative(input.projectDir, input.stackFile) || input.stackFile;
        return checked([
            `${file}: the configuration is ${bytes.toLocaleString("en-US")} bytes as the engine passes it to the program (PULUMI_CONFIG), over Linux's ${ENV_STRING_LIMIT.toLocaleString("en-US")}-byte limit for one environment string, ` +
                `so pulumi preview and up fail with "fork/exec ... argument list too long" before the program runs (${input.config.services.length} services). ` +
                "Move services into another stack, each stack under the limit: docs/scale.md.",
        ]);
    },
};

export const repositoryStackConfigHeadroom: RepositoryCheck = {
    name: "repository-stack-config-headroom",
    description: `The stack's configuration leaves room to grow: at most ${Math.round(ENV_STRING_WARN_RATIO * 100)} % of the 131,072 bytes PULUMI_CONFIG may take, so the next few services still fit.`,
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Plan the split before the stack reaches the limit (repository-stack-config-size then fails and pulumi cannot run at all): move a group of services into a stack of its own, docs/scale.md.",
    settings: [],
    needsGit: false,
    evaluate(input) {
        const bytes = configEnvBytes(input);
        if (typeof bytes !== "number") return bytes;
        // over the limit: repository-stack-config-size fails, with its own message
        if (bytes > ENV_STRING_LIMIT) return notApplicable("over the limit: see repository-stack-config-size");
        if (bytes <= ENV_STRING_LIMIT * ENV_STRING_WARN_RATIO) return checked([]);
        const file = path.relative(input.projectDir, input.stackFile) || input.stackFile;
        const services = input.config.services.length;
        const perService = services === 0 ? 0 : Math.ceil(bytes / services);
        const more = perService === 0 ? 0 : Math.floor((ENV_STRING_LIMIT - bytes) / perService);
        return checked([
            `${file}: the configuration is ${bytes.toLocaleString("en-US")} bytes as the engine passes it to the program (PULUMI_CONFIG), ` +
                `${((100 * bytes) / ENV_STRING_LIMIT).toFixed(1)} % of Linux's ${ENV_STRING_LIMIT.toLocaleString("en-US")}-byte limit: ` +
                `about ${more} more service${more === 1 ? "" : "s"} of this stack's average size (${perService.toLocaleString("en-US")} bytes for each of ${services}) fit before pulumi preview and up fail. ` +
                "Split the stack before then: docs/scale.md.",
        ]);
    },
};

/** A heading names the version as a whole token (2.4.1 is not 2.4.10), with or without a leading v. */
export function mentionsVersion(heading: string, version: string): boolean {
    const escaped = version.replace(/[.+^${}()|[\]\\*?]/g, "\\$&");
    return new RegExp(`(?:^|[^0-9A-Za-z.+-])v?${escaped}(?:$|[^0-9A-Za-z.+-])`).test(heading);
}

export const REPOSITORY_CHECKS: readonly RepositoryCheck[] = [
    repositoryBranchAllowed,
    repositoryWorkingTreeClean,
    repositoryVersionTagUnused,
    repositoryVersionNotRolledBack,
    repositoryEvidenceRenewed,
    repositoryChangelogEntry,
    repositoryStackConfigSize,
    repositoryStackConfigHeadroom,
];

/** Runs one repository check, turning a missing or skipped repository into its outcome. */
export function runRepositoryCheck(check: RepositoryCheck, input: RepositoryInput): RuleResult {
    if (!check.needsGit) return check.evaluate(input, undefined);
    const repo = input.repository;
    if (repo.kind === "skipped") return notApplicable("skipped with --no-repo");
    if (repo.kind === "unavailable") {
        return checked([
            `${repo.reason}: the release would have no commit, branch or tag to record it, and releasectl rollback reads the stack file's git history. ` +
                "Run releasectl check in the project's clone, or pass --no-repo to skip the repository checks on purpose.",
        ]);
    }
    return check.evaluate(input, repo.state);
}
