import { names } from "../../builders/names";
import { ChecklistReport } from "../checklist/run";
import { shellLine } from "../shell-line";
import { keyDiff } from "../stack/service-diff";
import { readService } from "../stack/edit";
import { countsLine, failedChecks } from "./precheck";
import { addressKey, ShipRelease } from "./decide";
import { formatDuration } from "./timing";

/**
 * What `releasectl ship --dry-run` prints: every step of the release with the exact commands and
 * queries it would run, the time limits, and the rollback path. Pure: the decided release and
 * the pre-check's report in, the plan out.
 */

export interface PlanStep {
    readonly id: string;
    readonly title: string;
    /** What the step does, in one or more lines. */
    readonly what: readonly string[];
    /** Commands it runs, as a person would type them. */
    readonly commands: readonly string[];
    /** What happens when it fails. */
    readonly onFailure?: string;
}

export interface ShipPlan {
    readonly service: string;
    readonly stack: string;
    readonly from: string;
    readonly version: string;
    readonly versionReason?: string;
    readonly promotedFrom?: string;
    readonly precheck: { readonly passed: boolean; readonly counts: string; readonly failed: readonly string[] };
    readonly steps: readonly PlanStep[];
    readonly rollback: readonly PlanStep[];
    readonly queries: readonly { readonly signal: string; readonly expr: string; readonly threshold: number; readonly unit: string }[];
    /** The changelog entry the prepare step writes (as releasectl prepare), committed with the stack file. */
    readonly changelog: { readonly file?: string; readonly what: string };
    /** The annotated tag's message (the release notes). */
    readonly tagMessage: string;
    /** This machine's shortcomings a real run would stop at (a missing pulumi). */
    readonly warnings: readonly string[];
}

export function shipPlan(r: ShipRelease, report: ChecklistReport, warnings: readonly string[]): ShipPlan {
    const loc = { project: r.project, service: r.service.name, file: r.shown };
    const changes = keyDiff(readService(r.before, loc), readService(r.after, loc));
    const pulumi = (args: readonly string[]) => shellLine(["pulumi", ...args, "--non-interactive"]);
    const t = r.timing;
    const c = r.next.canary;
    const target = r.notification;
    const migration = r.next.migration;
    const schema =
        r.migration === undefined
            ? []
            : [`the migration Job ${names.migrationJob(r.next)} (${r.migration.phase}${r.migration.ownChange ? "" : ", block unchanged since " + r.from}) runs and must complete before the Deployment changes; a failed Job stops pulumi up`];
    const log = r.changelog;
    const entryWhat = log.kind === "entry" ? log.entry.dryRun().trimEnd().split("\n").filter((l) => l.trim() !== "") : [log.why];
    const committed = log.kind === "entry" ? `${r.fileName} ${log.path}` : r.fileName;
    const files = log.kind === "entry" ? `${r.fileName} and ${log.path}` : r.fileName;
    const steps: PlanStep[] = [
        {
            id: "precheck",
            title: "pre-check",
            what: [`the release checklist (releasectl check) for ${r.service.name} ${r.version}, with the version change applied in memory`],
            commands: [],
            onFailure: "stop: nothing changed (exit 1)",
        },
        {
            id: "prepare",
            title: "prepare",
            what: [
                `write ${r.service.name} ${r.version} into ${r.shown}:`,
                ...changes.map((l) => `  ${l}`),
                ...entryWhat,
                `and commit ${log.kind === "entry" ? "those files" : "that file"} alone (author: your git identity)`,
            ],
            commands: [`git commit -m ${shellLine([r.commitMessage])} -- ${committed}`],
            onFailure: `stop: ${log.kind === "entry" ? "the files are" : "the file is"} restored, nothing applied (exit 1)`,
        },
        {
            id: "preview",
            title: "preview",
            what: [`the pre-release check through Pulumi, with the policy pack in ${r.policyPack}/`],
            commands: [pulumi(r.pulumiArgs.preview)],
            onFailure: `stop: nothing was applied, so there is nothing to roll back: a new commit "revert release ${r.service.name} ${r.version}: ..." restores ${files} byte for byte, and pulumi up does not run (exit 1)`,
        },
        {
            id: "apply",
            title: "apply",
            what: [...schema, `the Deployment ${r.service.namespace}/${names.deployment(r.next)} changes to ${r.version}; Flagger starts the canary`],
            commands: [pulumi(r.pulumiArgs.up)],
            onFailure: "roll back (below)",
        },
        {
            id: "canary",
            title: "canary",
            what: [
                `follow the Canary ${r.service.namespace}/${names.canary(r.next)} (as releasectl status --watch) every ${formatDuration(t.pollIntervalMs)} until Succeeded or Failed`,
                `at most ${formatDuration(t.watchTimeoutMs)} (${t.watchTimeoutWhy})`,
                `Flagger's analysis: success rate ≥ ${c.successRateMin}%, latency ≤ ${c.latencyMaxMs}ms, ${c.threshold} failed checks roll it back`,
            ],
            commands: [`releasectl status ${r.service.name} --stack ${r.stack} --watch --interval ${formatDuration(t.pollIntervalMs)} --timeout ${formatDuration(t.watchTimeoutMs)}`],
            onFailure: "roll back (below); a timeout counts as a failure",
        },
        r.prometheus === undefined
            ? { id: "monitor", title: "monitor", what: ["skipped (--monitor 0)"], commands: [] }
            : {
                  id: "monitor",
                  title: "monitor",
                  what: [
                      `${formatDuration(t.monitorWindowMs)} after promotion, every ${formatDuration(t.monitorIntervalMs)} (${t.monitorIntervalWhy}), the alert rules' expressions against Prometheus at ${r.prometheus.url} (${r.prometheus.source}):`,
                      ...r.signals.map((s) => `  ${s.name} > ${s.threshold}${s.unit}:  ${s.expr}`),
                      "no data (no traffic) is not a breach; 3 failed queries in a row are",
                  ],
                  commands: r.signals.map((s) => `curl -s ${r.prometheus!.url.replace(/\/$/, "")}/api/v1/query --data-urlencode ${shellLine([`query=${s.expr}`])}`),
                  onFailure: "roll back (below)",
              },
        {
            id: "tag",
            title: "tag",
            what: [`the annotated tag ${r.tagName} on the prepare commit (not pushed), with the message:`, ...r.tagMessage.trimEnd().split("\n").map((l) => `  ${l}`.trimEnd())],
            commands: [`git tag --annotate ${r.tagName} <prepare commit>`],
            onFailure: "a warning: the release stands",
        },
        {
            id: "announce",
            title: "announce",
            what:
                target === undefined
                    ? ["no notification target: nothing to announce"]
                    : [
                          `post the release to ${target.name} (${target.type}${target.channel ? ` ${target.channel}` : ""})${r.notes ? ", with the release notes" : ""}; the webhook address is a secret, read with pulumi and never printed`,
                      ],
            commands: target === undefined ? [] : [pulumi(["config", "get", "--path", addressKey(r.project, target.name), "--stack", r.stack])],
            onFailure: "a warning: the release stands",
        },
    ];
    const downgrade =
        migration !== undefined && r.migration?.phase === "contract" && r.migration.ownChange
            ? [`${r.version} runs a contract migration of its own: the rollback commits the configuration of ${r.from} and STOPS before pulumi up, for you to run its downgrade first: ${shellLine(migration.downgradeCommand)}`]
            : r.migration?.phase === "expand"
              ? [`${r.version}'s migration is expand: its schema stays; ${r.from} works with it`]
              : [];
    const rollback: PlanStep[] = [
        {
            id: "rollback",
            title: "configuration",
            what: [
                `${r.service.name}'s configuration of ${r.from} from the stack file's history, marked rollback: true (Flagger promotes it without analysis: the fast path)`,
                ...(log.kind === "entry" ? [`${log.path} back to before the release (the entry of ${r.version} goes with it, byte for byte)`] : []),
                ...downgrade,
            ],
            commands: [`releasectl rollback ${r.service.name} --to ${r.from} --stack ${r.stack}`, `git commit -m "rollback ${r.service.name} to ${r.from}: <reason>" -- ${committed}`],
        },
        { id: "reapply", title: "apply", what: [`apply the rolled-back configuration: the Deployment goes back to ${r.from}, Flagger promotes it without analysis`], commands: [pulumi(r.pulumiArgs.up)] },
        {
            id: "restore",
            title: "previous serves",
            what: [`until ${r.service.namespace}/${names.primaryDeployment(r.next)} runs ${r.from} and is rolled out, and no canary moves traffic to ${r.version}; at most ${formatDuration(t.rollbackTimeoutMs)}`],
            commands: [],
        },
        {
            id: "announce-rollback",
            title: "announce",
            what: [target === undefined ? "no notification target" : `post the rollback, its reason${r.notes ? " and the release notes" : ""} to ${target.name}`, "then exit 1; if the rollback itself fails, ship says what production runs and the exact commands to finish by hand"],
            commands: [],
        },
    ];
    return {
        service: r.service.name,
        stack: r.stack,
        from: r.from,
        version: r.version,
        versionReason: r.versionReason,
        promotedFrom: r.promotedFrom,
        precheck: { passed: report.passed, counts: countsLine(report), failed: failedChecks(report) },
        steps,
        rollback,
        queries: r.signals.map((s) => ({ signal: s.name, expr: s.expr, threshold: s.threshold, unit: s.unit })),
        changelog: log.kind === "entry" ? { file: log.path, what: entryWhat.join("\n") } : { what: log.why },
        tagMessage: r.tagMessage,
        warnings,
    };
}

export function planText(plan: ShipPlan, where: string): string {
    const lines: string[] = [];
    lines.push(`plan: release ${plan.service} ${plan.from} → ${plan.version} to stack ${plan.stack} (${where})`);
    if (plan.versionReason) lines.push(`version: ${plan.promotedFrom !== undefined ? `from stack ${plan.promotedFrom}` : "auto"} → ${plan.version}: ${plan.versionReason}`);
    const section = (steps: readonly PlanStep[], label: (i: number) => string) => {
        const width = Math.max(...steps.map((s) => s.title.length));
        steps.forEach((step, i) => {
            const head = `${label(i)} ${step.title.padEnd(width)}  `;
            const indent = " ".repeat(head.length);
            const what = step.what.length > 0 ? step.what : [""];
            lines.push(`${head}${what[0]}`.trimEnd());
            for (const w of what.slice(1)) lines.push(`${indent}${w}`.trimEnd());
            if (step.id === "precheck") {
                lines.push(`${indent}now: ${plan.precheck.passed ? "passes" : "FAILS, the release would stop here"} (${plan.precheck.counts})`);
                for (const f of plan.precheck.failed) lines.push(`${indent}  ✗ ${f}`);
            }
            for (const c of step.commands) lines.push(`${indent}$ ${c}`);
            if (step.onFailure) lines.push(`${indent}on failure: ${step.onFailure}`);
        });
    };
    lines.push("");
    section(plan.steps, (i) => `${i + 1}.`);
    lines.push("", "rollback path, on a failure from step 4 (apply) on:");
    section(plan.rollback, (i) => `R${i + 1}.`);
    if (plan.warnings.length > 0) {
        lines.push("");
        for (const w of plan.warnings) lines.push(`warning: ${w}`);
    }
    lines.push("", "(dry run: nothing written, committed or applied; no pulumi, cluster or Prometheus call was made)");
    return `${lines.join("\n")}\n`;
}
