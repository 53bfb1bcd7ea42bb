import { UserError } from "../../config/errors";
import { ServiceConfig } from "../../config/types";
import { namesVersion } from "../../policies/lib/evidence";
import { checked, notApplicable, Violation } from "../../policies/lib/rule";
import { readStackFileHistory, Release, ServiceHistory, serviceHistoryOf, StackFileHistory } from "../stack/history";
import { readYamlValues } from "../../config/yaml-values";
import type { RepositoryCheck, RepositoryInput } from "./repository-checks";
import type { RepositoryState } from "./repository-state";

/**
 * Repository checks that read the service's releases from the stack file's git history
 * (cli/stack/history.ts): a version that was rolled back, and evidence carried over unchanged
 * from the release before.
 */

function productionOf(input: RepositoryInput): string | undefined {
    const s = input.settings;
    const { stack, environment } = input.config;
    if (s.productionStacks.includes(stack)) return `stack ${stack} is listed in productionStacks`;
    if (s.productionEnvironments.includes(environment)) return `environment ${environment} is listed in productionEnvironments`;
    return undefined;
}

function notProduction(input: RepositoryInput): string {
    const s = input.settings;
    return `stack ${input.config.stack} (environment ${input.config.environment}) is not production (productionStacks: ${s.productionStacks.join(", ") || "none"}; productionEnvironments: ${s.productionEnvironments.join(", ") || "none"})`;
}

/** The stack file's history, read once per checklist run (the run's RepositoryState) for every check and service. */
const stackHistories = new WeakMap<RepositoryState, Map<string, StackFileHistory | undefined>>();

function historyOf(input: RepositoryInput, state: RepositoryState, service: string): ServiceHistory | undefined {
    let byFile = stackHistories.get(state);
    if (!byFile) stackHistories.set(state, (byFile = new Map()));
    const names = input.services.map((s) => s.name);
    const key = [input.projectDir, input.config.stack, ...names].join("\0");
    if (!byFile.has(key)) {
        try {
            byFile.set(key, readStackFileHistory(input.projectDir, input.config.stack, input.config.project, names));
        } catch (e) {
            if (!(e instanceof UserError)) throw e;
            byFile.set(key, undefined); // never committed: no release to compare with
        }
    }
    const history = byFile.get(key);
    return history && serviceHistoryOf(history, service);
}

const released = (services: readonly ServiceConfig[]) => services.filter((s) => !s.rollback);
const short = (sha: string) => sha.slice(0, 7);
const day = (date: string) => date.slice(0, 10);

/** The rollback that took `version` out of production last, if any. */
export function rollbackOf(releases: readonly Release[], version: string): Release | undefined {
    let found: Release | undefined;
    releases.forEach((r, i) => {
        if (r.rollback && (r.previousVersion === version || releases[i - 1]?.version === version) && r.version !== version) found = r;
    });
    return found;
}

export const repositoryVersionNotRolledBack: RepositoryCheck = {
    name: "repository-version-not-rolled-back",
    description:
        "A production release is not a version that was rolled back before (the stack file's history shows its rollback), unless the release says why it is safe now (rerelease.reason).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Release a fixed version instead (releasectl next). When the cause was outside the image (configuration, a dependency, the cluster, a flaky analysis), " +
        "record why in the stack file: services.<name>.rerelease: {version: <the version>, reason: \"...\"}.",
    settings: ["productionStacks", "productionEnvironments"],
    needsGit: true,
    evaluate(input, state) {
        if (!state) return notApplicable("no repository");
        const services = released(input.services);
        if (services.length === 0) return notApplicable("every service checked is a rollback to a version that already shipped");
        const production = productionOf(input);
        const violations: Violation[] = [];
        const notes: string[] = [];
        for (const s of services) {
            const history = historyOf(input, state, s.name);
            const rollback = history && rollbackOf(history.releases, s.version);
            if (!rollback) continue;
            const when = `${s.name} ${s.version} was rolled back on ${day(rollback.date)} (${short(rollback.commit)} "${rollback.subject}", back to ${rollback.version})`;
            if (s.rerelease?.version === s.version) continue;
            if (!production) {
                notes.push(when);
                continue;
            }
            const stale = s.rerelease ? ` (rerelease names ${s.rerelease.version}, not ${s.version})` : "";
            violations.push({
                message:
                    `${when}, and ${production}: releasing it again ships the same image that failed, with nothing saying what changed${stale}. ` +
                    `Release a fixed version (releasectl next), or if the cause was outside the image, say why in services.${s.name}.rerelease: {version: ${s.version}, reason: "..."}.`,
            });
        }
        if (violations.length === 0 && notes.length > 0) return notApplicable(`${notProduction(input)}: ${notes.join("; ")}`);
        return checked(violations);
    },
};

const EVIDENCE_WHAT: Readonly<Record<string, string>> = {
    ciRun: "CI run",
    review: "review",
    securityScan: "security scan",
    performanceReport: "performance report",
};

/** A service's evidence in a stack file's text, read as the loader reads it. */
function evidenceIn(text: string | undefined, project: string, service: string): Record<string, string> {
    if (text === undefined) return {};
    let data: unknown;
    try {
        data = readYamlValues(text, "stack file");
    } catch {
        return {};
    }
    const services = (data as { config?: Record<string, unknown> } | null)?.config?.[`${project}:services`] as Record<string, { evidence?: unknown } | null> | undefined;
    const evidence = services?.[service]?.evidence;
    if (!evidence || typeof evidence !== "object" || Array.isArray(evidence)) return {};
    return Object.fromEntries(Object.entries(evidence as Record<string, unknown>).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

export const repositoryEvidenceRenewed: RepositoryCheck = {
    name: "repository-evidence-renewed",
    description:
        "A production release's evidence links are its own: none is the link the previous release was made with (unchanged since that release's commit) unless it names the version being released.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Record this release's evidence in services.<name>.evidence (its CI run, review, scan and report); a link carried over from the previous release proves that release, not this one.",
    settings: ["productionStacks", "productionEnvironments"],
    needsGit: true,
    evaluate(input, state) {
        if (!state) return notApplicable("no repository");
        const services = released(input.services);
        if (services.length === 0) return notApplicable("every service checked is a rollback to a version that already shipped");
        const production = productionOf(input);
        if (!production) return notApplicable(notProduction(input));
        const violations: Violation[] = [];
        for (const s of services) {
            const history = historyOf(input, state, s.name);
            if (!history) continue;
            // The release this one replaces: the newest of another version (a committed release of this version is this release).
            const previous = [...history.releases].reverse().find((r) => r.version !== s.version);
            if (!previous) continue;
            // As that release was made (its first commit): evidence recorded for this release before the version changed counts as new.
            const then = evidenceIn(history.blobs.get(previous.blob)?.toString("utf8"), input.config.project, s.name);
            for (const [key, value] of Object.entries(s.evidence as Record<string, string | undefined>)) {
                if (value === undefined || then[key] !== value || namesVersion(value, s.version)) continue;
                violations.push({
                    message:
                        `${s.name} ${s.version}: evidence.${key} (${value}) is the link ${s.name} ${previous.version} was released with (${short(previous.commit)}, ${day(previous.date)}), and ${production}: ` +
                        `it proves ${previous.version}'s ${EVIDENCE_WHAT[key] ?? key}, not ${s.version}'s. Record ${s.version}'s own ${EVIDENCE_WHAT[key] ?? key} there.`,
                });
            }
        }
        return checked(violations);
    },
};
