import * as path from "path";
import { UserError } from "../../config/errors";
import { listStacks, loadStack } from "../../config/load";
import { ServiceConfig } from "../../config/types";
import { parseCommandArgs } from "../args";
import { Command, CommandContext, UsageError } from "../context";
import { prefetchFileHistories, repoRoot } from "../git";
import { codePathspecs, CommitGraph } from "../metrics/lead-time";
import { Figures, humanDuration, serviceFigures, ServiceEvents, sparkline, stackFigures, Window, weeksOf } from "../metrics/compute";
import { stackEvents } from "../metrics/events";
import { findService, projectDir, resolveStack } from "../project";
import { projectName } from "../stack/project-name";
import { didYouMean } from "../suggest";

const USAGE = "releasectl metrics [<service>] [--stack S] [--since 90d|DATE] [--until DATE] [--json | --format table|json|csv]";

export interface MetricsRow {
    readonly stack: string;
    /** undefined: the whole stack. */
    readonly service?: string;
    readonly figures: Figures;
}

/** `90d`, `12w`, `36h`, or a date / instant (2026-01-01, 2026-01-01T12:00:00Z): seconds since the epoch. */
export function parseWhen(option: string, text: string, now: number): number {
    const ago = /^(\d+)([hdw])$/.exec(text);
    if (ago) return now - Number(ago[1]) * { h: 3600, d: 86400, w: 7 * 86400 }[ago[2] as "h" | "d" | "w"];
    if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
        const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
        if (!Number.isNaN(ms)) return ms / 1000;
    }
    throw new UserError(`--${option} ${JSON.stringify(text)}: not a window; use a length back from now (90d, 12w, 36h) or a date (2026-01-01, read in UTC)`, "EUSAGE");
}

/** Every figure of the selected stacks and services, read from git. */
export function collectMetrics(req: { dir: string; stacks: readonly string[]; service?: string; window: Window; env: NodeJS.ProcessEnv }): MetricsRow[] {
    const project = projectName(req.dir);
    const graphs = new Map<string, CommitGraph>();
    const graphOf = (repo: string) => {
        let g = graphs.get(repo);
        if (g === undefined) graphs.set(repo, (g = new CommitGraph(repo, req.env)));
        return g;
    };
    const rows: MetricsRow[] = [];
    let found = req.service === undefined;
    // every stack file's history from one git log and one cat-file (when run inside rememberGitReads)
    prefetchFileHistories(req.dir, req.stacks.map((s) => `Pulumi.${s}.yaml`), req.env);
    for (const stack of req.stacks) {
        const config = loadStack(req.dir, stack);
        const services: ServiceConfig[] = req.service === undefined ? [...config.services] : config.services.filter((s) => s.name === req.service);
        if (services.length === 0) continue;
        found = true;
        const events = stackEvents(req.dir, stack, project, services.map((s) => s.name), req.env);
        const perService: ServiceEvents[] = services.map((service) => {
            const list = events.get(service.name) ?? [];
            const own = service.commits.repository !== undefined;
            const base = own ? path.resolve(req.dir, service.commits.repository!) : req.dir;
            const repo = repoRoot(base, req.env);
            const graph = graphOf(repo);
            const touching = graph.touchingSet(codePathspecs(repo, base, service.commits.paths));
            const forward = list.map((e, i) => ({ e, i })).filter(({ e }) => e.kind === "release");
            // Release points: the release commit here, or the version's tag in the service's own repository.
            const points = forward.map(({ e }) => (own ? graph.tagCommit(`${service.releaseTagPrefix}${e.version}`) : e.commit));
            const starts = graph.firstCommitTimes(points, touching);
            // The stack's first release has no earlier one to bound its commits: no lead time.
            if (forward.length > 0 && forward[0].i === 0) starts[0] = undefined;
            const firstCommit: (number | undefined)[] = new Array(list.length).fill(undefined);
            forward.forEach(({ i }, k) => (firstCommit[i] = starts[k]));
            return { events: list, firstCommit };
        });
        services.forEach((service, i) => rows.push({ stack, service: service.name, figures: serviceFigures(perService[i], req.window) }));
        rows.push({ stack, figures: stackFigures(perService, req.window) });
    }
    if (!found) {
        const names = [...new Set(req.stacks.flatMap((s) => loadStack(req.dir, s).services.map((x) => x.name)))];
        throw new UserError(`no service "${req.service}" in stack${req.stacks.length > 1 ? "s" : ""} ${req.stacks.join(", ")}${didYouMean(req.service!, names)}; services: ${names.join(", ")}`, "ENOSERVICE");
    }
    return rows;
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.000Z$/, "Z");
const day = (t: number) => iso(t).slice(0, 10);
const percent = (r: number | undefined) => (r === undefined ? "–" : `${Math.round(r * 100)}%`);
const round = (n: number | undefined, digits = 2) => (n === undefined ? undefined : Math.round(n * 10 ** digits) / 10 ** digits);

/** The table's trend shows the last year; --json and csv have every week. */
const MAX_WEEKS = 52;

export function metricsTable(rows: readonly MetricsRow[], window: Window): string {
    const header = ["STACK", "SERVICE", "RELEASES", "PER WEEK", "LEAD TIME p50 / p90", "FAILURE RATE", "RESTORE p50", "ROLLBACKS", "WEEKLY"];
    const body = rows.map((r) => {
        const f = r.figures;
        return [
            r.stack,
            r.service ?? "(all)",
            String(f.releases),
            f.perWeek.toFixed(2),
            f.leadTimes.length === 0 ? "–" : `${humanDuration(f.leadTimeMedian)} / ${humanDuration(f.leadTimeP90)}`,
            f.releases === 0 ? "–" : `${percent(f.changeFailureRate)} (${f.failed}/${f.releases})`,
            humanDuration(f.timeToRestoreMedian),
            String(f.rollbacks),
            f.weekly.length > MAX_WEEKS ? `…${sparkline(f.weekly.slice(-MAX_WEEKS))}` : sparkline(f.weekly),
        ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => [...b[i]].length)));
    const numeric = new Set([2, 3, 7]);
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
    const weeks = weeksOf(window);
    return (
        `DORA keys from the stack files' git history, ${day(window.since)} to ${day(window.until)} (${weeks} week${weeks === 1 ? "" : "s"}; WEEKLY: releases per week, oldest first${weeks > MAX_WEEKS ? `, the last ${MAX_WEEKS} shown` : ""})\n` +
        [line(header), ...body.map(line)].join("\n") +
        "\n"
    );
}

export function metricsJson(rows: readonly MetricsRow[], window: Window): string {
    const out = {
        since: iso(window.since),
        until: iso(window.until),
        weeks: weeksOf(window),
        rows: rows.map((r) => ({
            stack: r.stack,
            service: r.service ?? null,
            deploymentFrequency: { releases: r.figures.releases, perWeek: round(r.figures.perWeek, 3), weekly: r.figures.weekly },
            leadTimeSeconds: { median: r.figures.leadTimeMedian ?? null, p90: r.figures.leadTimeP90 ?? null, samples: r.figures.leadTimes.length },
            changeFailureRate: { failed: r.figures.failed, releases: r.figures.releases, rate: round(r.figures.changeFailureRate, 4) ?? null },
            timeToRestoreSeconds: { median: r.figures.timeToRestoreMedian ?? null, samples: r.figures.restoreTimes.length },
            rollbacks: r.figures.rollbacks,
        })),
    };
    return `${JSON.stringify(out, null, 2)}\n`;
}

export function metricsCsv(rows: readonly MetricsRow[]): string {
    const header = "stack,service,releases,per_week,lead_time_median_s,lead_time_p90_s,lead_time_samples,failed,change_failure_rate,time_to_restore_median_s,restores,rollbacks,weekly";
    const cell = (v: number | string | undefined) => (v === undefined ? "" : String(v));
    const lines = rows.map((r) => {
        const f = r.figures;
        return [r.stack, r.service ?? "*", f.releases, round(f.perWeek, 3), f.leadTimeMedian, f.leadTimeP90, f.leadTimes.length, f.failed, round(f.changeFailureRate, 4), f.timeToRestoreMedian, f.restoreTimes.length, f.rollbacks, f.weekly.join(" ")]
            .map(cell)
            .join(",");
    });
    return `${[header, ...lines].join("\n")}\n`;
}

export const metrics: Command = {
    name: "metrics",
    summary: "the four DORA keys per service and stack (frequency, lead time, change failure rate, time to restore) from the release history",
    help: `Usage: ${USAGE}

The four DORA keys of each service and of each stack as a whole (the "(all)" row), computed
from git alone: the history of Pulumi.<stack>.yaml (on HEAD's first-parent line) and, for lead
time, the commits of the service's code. Every stack of the project unless --stack.

How each figure is derived:
  release           a commit that changed the service's version. It is a rollback (a
                    restore) when marked rollback: true, when it is a git revert (subject
                    Revert "..."), or when its version is lower than the one before it; every
                    other version change is a release. The commit's committer date is when it
                    happened (pulumi up follows the commit).
  deployment        releases in the window divided by the window's length in weeks
  frequency         (rollbacks are not counted; they are the ROLLBACKS column). WEEKLY shows
                    the releases of each week from --since on (· none; bars scaled to the
                    busiest week).
  lead time         per release: from the author date of its first commit to its release
                    commit. Its commits are those reachable from the release commit and from
                    no earlier release commit of that stack that touch the service's code:
                    services.<name>.commits.path when set, else the whole repository, never
                    the stack files or CHANGELOG.md (the release writes those). With
                    commits.repository, the release point is the version's tag
                    (<tagPrefix><version>) in that repository. The stack's first release
                    (no earlier one bounds its commits), a release without a tag there, and
                    one with no code commit of its own (a configuration-only release) have
                    no lead time and are left out. Median and p90 (nearest rank: the smallest
                    sample with at least 90 % at or below it); the median of an even count is
                    the mean of the two middle samples.
  change failure    the releases in the window whose next version change in that stack is a
  rate              rollback, over the releases in the window.
  time to restore   per failed release: from its release commit to the rollback commit after
                    it; the median.

Where git cannot know (the blind spots):
  - a hotfix or rollback made outside releasectl and git (kubectl rollout undo, a pulumi up
    from another checkout, Flagger rolling back by itself without a commit) never shows;
    Flagger's own rollbacks count only once someone commits the rollback
  - a failure fixed forward (a newer version instead of a rollback) counts as a success
  - the deploy time is the commit time: a commit applied hours later (or never) looks
    deployed at once; time to restore ends at the rollback commit, not when traffic recovered
  - squashed or rebased branches lose their first commits' dates (lead time starts at the
    squash); author dates can be set by hand
  - a window cuts releases at its edges: a failure before --since whose rollback falls inside
    counts only as a rollback

Per stack: the "(all)" row takes every service's samples together (medians over all samples,
the failure rate over all releases).

Options:
  --stack NAME       one stack (default: every Pulumi.<stack>.yaml of the project)
  --since WHEN       start of the window: 90d, 12w, 36h back from --until, or a date (default 90d)
  --until WHEN       end of the window (default now), same forms
  --json             the figures as JSON (seconds), for dashboards
  --format F         table (default), json or csv (one row per stack and service, * for the stack)
  --cwd DIR          project directory (default: the nearest folder holding Pulumi.yaml)
  --debug            show stack traces on errors

Examples:
  releasectl metrics
  releasectl metrics checkout --stack production --since 180d
  releasectl metrics --since 2026-01-01 --until 2026-04-01 --format csv > dora.csv
  releasectl metrics --json | jq '.rows[] | select(.service == null)'`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "metrics",
            ctx.argv,
            { stack: { type: "string" }, since: { type: "string" }, until: { type: "string" }, json: { type: "boolean" }, format: { type: "string" } },
            { min: 0, max: 1, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const format = values.format ?? (values.json ? "json" : "table");
        if (!["table", "json", "csv"].includes(format)) throw new UsageError(`releasectl metrics: --format ${format}: use table, json or csv; usage: ${USAGE}`, "metrics");
        if (values.json && format !== "json") throw new UsageError(`releasectl metrics: --json and --format ${format} disagree; give one`, "metrics");
        const now = Date.now() / 1000;
        const until = values.until === undefined ? now : parseWhen("until", values.until, now);
        const since = parseWhen("since", values.since ?? "90d", until);
        if (since >= until) throw new UserError(`--since ${values.since} is not before --until ${values.until ?? "now"}; the window must have a length`, "EUSAGE");
        const dir = projectDir(ctx, values.cwd);
        const stacks = values.stack !== undefined ? [resolveStack(dir, values.stack, ctx.env)] : listStacks(dir);
        if (stacks.length === 0) throw new UserError(`${dir}: no Pulumi.<stack>.yaml stack file; nothing to measure`, "ENOSTACK");
        if (positionals[0] !== undefined && values.stack !== undefined) findService(loadStack(dir, stacks[0], { cwd: ctx.cwd }), positionals[0]);
        const window = { since, until };
        const rows = collectMetrics({ dir, stacks, service: positionals[0], window, env: ctx.env });
        ctx.stdout.write(format === "json" ? metricsJson(rows, window) : format === "csv" ? metricsCsv(rows) : metricsTable(rows, window));
        return 0;
    },
};
