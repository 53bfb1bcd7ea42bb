import * as path from "path";
import { kubeNames } from "../../builders/names";
import { parseDuration } from "../../config/duration";
import { UserError } from "../../config/errors";
import { stackFilePath } from "../../config/load";
import { parseCommandArgs } from "../args";
import { interpret, progressLine, statusReport, StatusView } from "../cluster/canary-status";
import { Command, CommandContext } from "../context";
import { connect } from "../cluster/kube-client";
import { findService, loadProjectStack } from "../project";
import { formatDuration, MAX_WAIT_MS } from "../ship/timing";

const USAGE = "releasectl status <service> [--stack S] [--watch] [--interval D] [--timeout D] [--revert-on-failure] [--context NAME]";

function duration(option: string, value: string | undefined, fallback: string): number {
    const seconds = parseDuration(value ?? fallback);
    if (seconds === undefined) throw new UserError(`--${option} ${JSON.stringify(value)}: not a duration; use e.g. 5s, 500ms or 30m`, "EUSAGE");
    if (Math.round(seconds * 1000) <= 0) throw new UserError(`--${option} ${JSON.stringify(value)}: must be longer than 0; use e.g. 5s, 500ms or 30m`, "EUSAGE");
    if (seconds * 1000 > MAX_WAIT_MS) throw new UserError(`--${option} ${JSON.stringify(value)}: longer than ${formatDuration(MAX_WAIT_MS)}, the longest wait a timer can hold; use e.g. 5s or 30m`, "EUSAGE");
    return Math.round(seconds * 1000);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const clock = () => new Date().toISOString().slice(11, 19);

export const status: Command = {
    name: "status",
    summary: "the Canary's phase and the Deployments' rollout, read from the cluster (--watch follows it)",
    help: `Usage: ${USAGE}

Reads the service's Flagger Canary (phase, traffic weight, failed checks, Flagger's message) and
its two Deployments (<service>, the canary Flagger analyses, and <service>-primary, the one
serving users) from the cluster, with your kubeconfig ($KUBECONFIG or ~/.kube/config) and the
stack's releasectl:kubeContext, and compares their versions with the stack file's.

--watch polls until the release of the stack file's version Succeeded (or Initialized, for a
first release) or Failed, printing a line whenever something changes. When Flagger failed the
canary and rolled the cluster back, the stack file still names the bad version: status says so,
and with --revert-on-failure it runs releasectl rollback for the service (to the version the
cluster serves again), so configuration and cluster agree once you commit and run pulumi up.

Exit status: 0 healthy (or, without --watch, still in progress), 1 the release failed, its Canary
is missing, or --watch timed out; 2 bad input (unknown service or stack, no kubeconfig, unknown
context, cluster unreachable or access denied).

Options:
  --stack NAME           stack (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml)
  --watch                follow the release until it succeeds or fails
  --interval D           time between polls with --watch (default 5s; only with --watch)
  --timeout D            give up watching after D (default 30m), exit 1 (only with --watch)
  --revert-on-failure    on a failed canary Flagger rolled back, roll the stack file back too
  --context NAME         kube context (default: the stack's kubeContext, else the current one)
  --cwd DIR              project directory (default: the nearest folder holding Pulumi.yaml)
  --debug                show stack traces on errors

Examples:
  releasectl status checkout --stack production
  pulumi up --stack production && releasectl status checkout --watch --revert-on-failure`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "status",
            ctx.argv,
            {
                stack: { type: "string" },
                watch: { type: "boolean" },
                interval: { type: "string" },
                timeout: { type: "string" },
                "revert-on-failure": { type: "boolean" },
                context: { type: "string" },
            },
            { min: 1, max: 1, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        for (const option of ["interval", "timeout"] as const) {
            if (values[option] !== undefined && !values.watch) {
                throw new UserError(`--${option} ${values[option]} only applies with --watch (without it status looks once and exits); add --watch to follow the release, or drop --${option}`, "EUSAGE");
            }
        }
        const intervalMs = duration("interval", values.interval, "5s");
        const timeoutMs = duration("timeout", values.timeout, "30m");
        const { dir, stack, config } = loadProjectStack(ctx, { cwd: values.cwd, stack: values.stack, service: positionals[0] });
        const service = findService(config, positionals[0]);
        const cluster = await connect(ctx.env, values.context ?? config.kubeContext);
        const target = { namespace: service.namespace, name: kubeNames.canary(service) };
        const statusCtx = { service: service.name, stack, stackVersion: service.version, threshold: service.canary.threshold };
        const where = `in stack ${stack} (namespace ${service.namespace}, ${cluster.where})`;
        const look = async () => interpret(await cluster.read(target), statusCtx);

        let view: StatusView = await look();
        if (!values.watch) {
            ctx.stdout.write(statusReport(view, where));
        } else {
            ctx.stdout.write(`watching ${service.name} ${service.version} ${where}, every ${values.interval ?? "5s"}\n`);
            const deadline = Date.now() + timeoutMs;
            let last = "";
            for (;;) {
                const line = progressLine(view);
                if (line !== last) ctx.stdout.write(`${clock()} ${line}\n`);
                last = line;
                if (view.verdict === "succeeded" || view.verdict === "failed") break;
                if (Date.now() >= deadline) {
                    ctx.stdout.write(`timed out after ${values.timeout ?? "30m"}: ${view.summary}\n`);
                    return 1;
                }
                await sleep(intervalMs);
                view = await look();
            }
            ctx.stdout.write(`${view.verdict === "succeeded" ? "healthy" : "FAILED"}: ${view.summary}\n`);
        }
        if (view.verdict === "failed") {
            if (values["revert-on-failure"]) await revert(ctx, view, dir, stack);
            return 1;
        }
        return view.verdict === "missing" ? 1 : 0;
    },
};

/** Rolls the stack file back to what Flagger left serving (or the previous release). */
async function revert(ctx: CommandContext, view: StatusView, dir: string, stack: string): Promise<void> {
    if (!view.flaggerRolledBack) {
        ctx.stdout.write(`not reverting: the cluster does not serve another version (primary ${view.primaryVersion ?? "unknown"}); look before rolling back\n`);
        return;
    }
    const file = stackFilePath(dir, stack);
    const shown = path.relative(ctx.cwd, file) || file;
    const request = { dir, stack, service: view.service, shown, env: ctx.env };
    // Loaded only to revert: status alone never pays for rollback's modules.
    const { performRollback, rollbackReport } = require("../operations/rollback") as typeof import("../operations/rollback");
    let outcome;
    try {
        outcome = await performRollback({ ...request, to: view.primaryVersion });
    } catch (e) {
        // The version Flagger serves may predate this stack file's history: take the previous release.
        if (!(e instanceof UserError) || e.code !== "ENOTSHIPPED") throw e;
        outcome = await performRollback(request);
    }
    ctx.stdout.write(`reverting the stack file to match the cluster:\n${rollbackReport(outcome, request)}`);
}
