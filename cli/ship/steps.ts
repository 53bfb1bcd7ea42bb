import { kubeNames } from "../../builders/names";
import { shellLine } from "../shell-line";
import { keyDiff } from "../stack/service-diff";
import { readService } from "../stack/edit";
import { addressKey, ShipRelease } from "./decide";
import { formatDuration } from "./timing";

/**
 * The steps of a release, once: what each is called, what it does in dry-run words, when a
 * release skips it, and what its failure does. The run (orchestrate.ts walks RELEASE_STEPS; the
 * rollback path adds ROLLBACK_STEPS) and `--dry-run` (plan.ts renders both tables) read these
 * tables, so a step cannot be in one and missing from the other.
 */

export type ReleaseStepId = "precheck" | "prepare" | "preview" | "apply" | "canary" | "monitor" | "tag" | "announce";
export type RollbackStepId = "rollback" | "reapply" | "restore" | "announce-rollback";

/**
 * What a failure of a release step does: `stop` (nothing was applied; exit 1), `revert` (the
 * prepare commit is undone by a new commit, pulumi up does not run), `roll back` (production
 * may have changed: the rollback path), `warn` (the release stands; a warning).
 */
export type OnFailure = "stop" | "revert" | "roll back" | "warn";

/** A step in dry-run words. */
export interface StepPlan {
    /** What the step does, in one or more lines. */
    readonly what: readonly string[];
    /** Commands it runs, as a person would type them. */
    readonly commands: readonly string[];
    /** What happens when it fails (false: nothing, the step does not run; undefined: what its kind of failure does). */
    readonly onFailure?: string | false;
    /** What a person runs when it fails (the rollback path: ship stops and says what production runs). */
    readonly recovery?: readonly string[];
}

export interface StepDef<Id extends string> {
    readonly id: Id;
    /** As the run shows it. */
    readonly title: string;
    /** As the plan shows it, under its section's heading (default: the title). */
    readonly planTitle?: string;
    /** Why this release skips the step; undefined: it runs. */
    readonly skipped?: (r: ShipRelease) => string | undefined;
    /** The step in dry-run words (`skipped`: why this release skips it). */
    readonly plan: (r: ShipRelease, w: PlanWords, skipped: string | undefined) => StepPlan;
}

export interface ReleaseStepDef extends StepDef<ReleaseStepId> {
    /** The step in `releasectl ship --help`, line by line. */
    readonly help: readonly string[];
    readonly onFailure: OnFailure;
    /** The first step that changes anything: the person confirms before it (unless --yes). */
    readonly firstChange?: true;
    /** `stop`: what the run's reason adds (what did not happen). */
    readonly stopped?: (r: ShipRelease) => string;
}

/** What several steps' dry-run words share. */
export interface PlanWords {
    /** `pulumi ...` as ship runs it. */
    pulumi(args: readonly string[]): string;
    /** The service's keys that the release changes. */
    readonly changes: readonly string[];
    /** The files the prepare commit holds, as git names them, space-separated. */
    readonly committed: string;
    /** The same, for a sentence. */
    readonly files: string;
    /** What prepare writes into the changelog, or why it writes nothing. */
    readonly changelog: readonly string[];
}

export function planWords(r: ShipRelease): PlanWords {
    const loc = { project: r.project, service: r.service.name, file: r.shown };
    const log = r.changelog;
    return {
        pulumi: (args) => shellLine(["pulumi", ...args, "--non-interactive"]),
        changes: keyDiff(readService(r.before, loc), readService(r.after, loc)),
        committed: log.kind === "entry" ? `${r.fileName} ${log.path}` : r.fileName,
        files: log.kind === "entry" ? `${r.fileName} and ${log.path}` : r.fileName,
        changelog: log.kind === "entry" ? log.entry.dryRun().trimEnd().split("\n").filter((l) => l.trim() !== "") : [log.why],
    };
}

const noTarget = (r: ShipRelease) => (r.notification === undefined ? "no notification target" : undefined);

/** What each kind of failure does, in `releasectl ship --help`, line by line. */
export const FAILURE_HELP: Record<OnFailure, readonly string[]> = {
    stop: ["nothing changed; exit 1."],
    revert: ["nothing was applied: the prepare commit is reverted by a new commit (the", "stack file and the changelog are back byte for byte) and pulumi up does", "not run; exit 1."],
    "roll back": [
        "rollback: releasectl rollback to the previous version (rollback: true,",
        "Flagger skips the analysis) and the changelog without the release's",
        "entry, committed; pulumi up again; wait until the",
        "previous version serves (its primary Deployment rolled out); announce the",
        "rollback and the reason; exit 1. If the rollback itself cannot finish",
        "(refused, a contract migration whose downgrade must run first, pulumi up",
        "fails, timeout), ship says what production runs and the exact commands",
        "to finish by hand; exit 1.",
    ],
    warn: ["a warning: the release stands (exit 0)."],
};

/** The default words of a failure; a step's plan may say more. */
const FAILURE_WORDS: Partial<Record<OnFailure, string>> = { "roll back": "roll back (below)", warn: "a warning: the release stands" };

export const RELEASE_STEPS: readonly ReleaseStepDef[] = [
    {
        id: "precheck",
        title: "pre-check",
        help: ["releasectl check for the new version (the edit applied in memory)"],
        onFailure: "stop",
        stopped: (r) => `nothing changed; see the failed checks above (releasectl check --stack ${r.stack} --service ${r.service.name} shows the whole checklist)`,
        plan: (r) => ({
            what: [`the release checklist (releasectl check) for ${r.service.name} ${r.version}, with the version change applied in memory`],
            commands: [],
            onFailure: "stop: nothing changed (exit 1)",
        }),
    },
    {
        id: "prepare",
        title: "prepare",
        help: [
            "write the version into Pulumi.<stack>.yaml and the release's changelog entry",
            "(as releasectl prepare writes it: the file repository-changelog-entry reads,",
            "default CHANGELOG.md) and commit those files alone (\"release <service>",
            "<version>\", author from your git configuration); with",
            "--from STACK the promotion of the release STACK runs (releasectl promote",
            "<service> --from STACK --to S, with its refusals; a version argument is its",
            "--version), committed as \"release <service> <version> (promoted from STACK)\"",
        ],
        onFailure: "stop",
        firstChange: true,
        stopped: () => "nothing was applied",
        plan: (r, w) => ({
            what: [`write ${r.service.name} ${r.version} into ${r.shown}:`, ...w.changes.map((l) => `  ${l}`), ...w.changelog, `and commit ${r.changelog.kind === "entry" ? "those files" : "that file"} alone (author: your git identity)`],
            commands: [`git commit -m ${shellLine([r.commitMessage])} -- ${w.committed}`],
            onFailure: `stop: ${r.changelog.kind === "entry" ? "the files are" : "the file is"} restored, nothing applied (exit 1)`,
        }),
    },
    {
        id: "preview",
        title: "preview",
        help: ["pulumi preview --stack S --policy-pack policies --save-plan PLAN (the update plan)"],
        onFailure: "revert",
        plan: (r, w) => ({
            what: [
                `the pre-release check through Pulumi, with the policy pack in ${r.policyPack}/; the preview's update plan is saved for the apply`,
                ...(r.targets.length === 0
                    ? []
                    : [`--target: limited to ${r.service.name}'s ${r.targets.length} resources (preview and apply); the program declares only ${r.service.name} and the rest of the stack is neither previewed nor applied, drift there stays unseen`]),
            ],
            commands: [w.pulumi(r.pulumiArgs.preview)],
            onFailure: `stop: nothing was applied, so there is nothing to roll back: a new commit "revert release ${r.service.name} ${r.version}: ..." restores ${w.files} byte for byte, and pulumi up does not run (exit 1)`,
        }),
    },
    {
        id: "apply",
        title: "apply",
        help: [
            "pulumi up --stack S --policy-pack policies --yes --plan PLAN --skip-preview: exactly",
            "what the preview showed, or the update fails (the migration Job runs and is awaited",
            "before the Deployment changes)",
        ],
        onFailure: "roll back",
        plan: (r, w) => {
            const m = r.rollback.migration;
            const job =
                m === undefined
                    ? []
                    : [`the migration Job ${kubeNames.migrationJob(r.next)} (${m.phase}${m.own ? "" : ", block unchanged since " + r.from}) runs and must complete before the Deployment changes; a failed Job stops pulumi up`];
            return {
                what: [
                    `the preview's update plan, without a second preview: the engine refuses any change the preview did not show (the stack file or the cluster changed since)`,
                    ...job,
                    `the Deployment ${r.service.namespace}/${kubeNames.deployment(r.next)} changes to ${r.version}; Flagger starts the canary`,
                ],
                commands: [w.pulumi(r.pulumiArgs.up)],
            };
        },
    },
    {
        id: "canary",
        title: "canary",
        help: ["follow the Flagger Canary until Succeeded or Failed (as status --watch)"],
        onFailure: "roll back",
        plan: (r) => {
            const t = r.timing;
            const c = r.next.canary;
            return {
                what: [
                    `follow the Canary ${r.service.namespace}/${kubeNames.canary(r.next)} (as releasectl status --watch) every ${formatDuration(t.pollIntervalMs)} until Succeeded or Failed`,
                    `at most ${formatDuration(t.watchTimeoutMs)} (${t.watchTimeoutWhy})`,
                    `Flagger's analysis: success rate ≥ ${c.successRateMin}%, latency ≤ ${c.latencyMaxMs}ms, ${c.threshold} failed checks roll it back`,
                ],
                commands: [`releasectl status ${r.service.name} --stack ${r.stack} --watch --interval ${formatDuration(t.pollIntervalMs)} --timeout ${formatDuration(t.watchTimeoutMs)}`],
                onFailure: "roll back (below); a timeout counts as a failure",
            };
        },
    },
    {
        id: "monitor",
        title: "monitor",
        help: [
            "the alert rules' error-rate and latency expressions against Prometheus for the",
            "--monitor window; a value above the alert threshold is a breach",
        ],
        onFailure: "roll back",
        skipped: (r) => (r.prometheus === undefined ? "--monitor 0" : undefined),
        plan: (r, _w, skipped) => {
            const t = r.timing;
            const prometheus = r.prometheus;
            if (skipped !== undefined || prometheus === undefined) return { what: [`skipped (${skipped})`], commands: [], onFailure: false };
            return {
                what: [
                    `${formatDuration(t.monitorWindowMs)} after promotion, every ${formatDuration(t.monitorIntervalMs)} (${t.monitorIntervalWhy}), the alert rules' expressions against Prometheus at ${prometheus.url} (${prometheus.source}):`,
                    ...r.signals.map((s) => `  ${s.name} > ${s.threshold}${s.unit}:  ${s.expr}`),
                    "no data (no traffic) is not a breach; 3 failed queries in a row are",
                ],
                commands: r.signals.map((s) => `curl -s ${prometheus.url.replace(/\/$/, "")}/api/v1/query --data-urlencode ${shellLine([`query=${s.expr}`])}`),
            };
        },
    },
    {
        id: "tag",
        title: "tag",
        help: [
            "annotated tag <tag prefix><version> on the release commit (never pushed), its",
            "message the release notes of the service's own commits (as releasectl tag)",
        ],
        onFailure: "warn",
        plan: (r) => ({
            what: [`the annotated tag ${r.tagName} on the prepare commit (not pushed), with the message:`, ...r.tagMessage.trimEnd().split("\n").map((l) => `  ${l}`.trimEnd())],
            commands: [`git tag --annotate ${r.tagName} <prepare commit>`],
        }),
    },
    {
        id: "announce",
        title: "announce",
        help: ["post the release and its notes to the service's notification target"],
        onFailure: "warn",
        skipped: noTarget,
        plan: (r, w, skipped) => {
            const target = r.notification;
            if (skipped !== undefined || target === undefined) return { what: [`${skipped}: nothing to announce`], commands: [] };
            return {
                what: [`post the release to ${target.name} (${target.type}${target.channel ? ` ${target.channel}` : ""})${r.notes ? ", with the release notes" : ""}; the webhook address is a secret, read with pulumi and never printed`],
                commands: [w.pulumi(["config", "get", "--path", addressKey(r.project, target.name), "--stack", r.stack])],
            };
        },
    },
];

/** Added to the run when the preview fails (described by the preview step's failure). */
export const REVERT_STEP = { id: "revert", title: "revert the prepare commit" } as const;

/** The rollback path, on a failure of a `roll back` step: its decision is the release's `rollback` (rollback-decision.ts). */
export const ROLLBACK_STEPS: readonly StepDef<RollbackStepId>[] = [
    {
        id: "rollback",
        title: "rollback: configuration",
        planTitle: "configuration",
        plan: (r, w) => {
            const b = r.rollback;
            const log = r.changelog;
            return {
                what: [
                    `${r.service.name}'s configuration of ${b.to} from the stack file's history, marked rollback: true (Flagger promotes it without analysis: the fast path)`,
                    ...(log.kind === "entry" ? [`${log.path} back to before the release (the entry of ${r.version} goes with it, byte for byte)`] : []),
                    ...schemaWords(r),
                ],
                commands: [`releasectl rollback ${r.service.name} --to ${b.to} --stack ${r.stack}`, `git commit -m "rollback ${r.service.name} to ${b.to}: <reason>" -- ${w.committed}`],
                onFailure: "ship stops, says what production runs, and you run",
                recovery: b.recovery.rollback,
            };
        },
    },
    {
        id: "reapply",
        title: "rollback: apply",
        planTitle: "apply",
        plan: (r, w) => {
            const b = r.rollback;
            const stop =
                b.downgrades.length > 0
                    ? { onFailure: "ship stops before it (the contract migration's downgrade comes first) and you run", recovery: b.recovery.downgrade }
                    : { onFailure: "ship stops, says what production runs, and you run", recovery: b.recovery.reapply };
            return { what: [`apply the rolled-back configuration: the Deployment goes back to ${b.to}, Flagger promotes it without analysis`], commands: [w.pulumi(r.pulumiArgs.rollbackUp)], ...stop };
        },
    },
    {
        id: "restore",
        title: "rollback: previous version serves",
        planTitle: "previous serves",
        plan: (r) => ({
            what: [`until ${r.service.namespace}/${kubeNames.primaryDeployment(r.next)} runs ${r.rollback.to} and is rolled out, and no canary moves traffic to ${r.version}; at most ${formatDuration(r.timing.rollbackTimeoutMs)}`],
            commands: [],
            onFailure: "ship stops, says what production runs, and you run",
            recovery: r.rollback.recovery.restore,
        }),
    },
    {
        id: "announce-rollback",
        title: "rollback: announce",
        planTitle: "announce",
        skipped: noTarget,
        plan: (r, _w, skipped) => ({
            what: [
                skipped !== undefined || r.notification === undefined ? "no notification target" : `post the rollback, its reason${r.notes ? " and the release notes" : ""} to ${r.notification.name}`,
                "then exit 1; if the rollback itself fails, ship says what production runs and the exact commands to finish by hand",
            ],
            commands: [],
        }),
    },
];

/** What the release's migration means for its rollback, in dry-run words. */
function schemaWords(r: ShipRelease): string[] {
    const b = r.rollback;
    if (b.refused !== undefined) return [`the rollback would be refused: ${b.refused}`];
    if (b.downgrades.length > 0) {
        const own = b.downgrades.length === 1 && b.downgrades[0].version === r.version;
        const commands = b.downgrades.map((d) => shellLine(d.command)).join("; then ");
        return own
            ? [`${r.version} runs a contract migration of its own: the rollback commits the configuration of ${b.to} and STOPS before pulumi up, for you to run its downgrade first: ${commands}`]
            : [`the rollback crosses the contract migrations of ${b.downgrades.map((d) => d.version).join(", ")}: it commits the configuration of ${b.to} and STOPS before pulumi up, for you to run their downgrades first, in order: ${commands}`];
    }
    if (b.migration?.phase === "expand") return [`${r.version}'s migration is expand: its schema stays; ${b.to} works with it`];
    if (b.migration !== undefined && !b.migration.own) return [`${r.version}'s ${b.migration.phase} migration is carried over unchanged from ${b.to}: no schema change of its own, nothing to undo`];
    return [];
}

/** A release step's failure in dry-run words: its own, or the default for its kind. */
export function failureWords(def: ReleaseStepDef, plan: StepPlan): string | undefined {
    if (plan.onFailure !== undefined) return plan.onFailure === false ? undefined : plan.onFailure;
    return FAILURE_WORDS[def.onFailure];
}
