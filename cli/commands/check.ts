import * as path from "path";
import { checklistRuleFor, withChecklistRule } from "../../config/checklist-keys";
import { UserError } from "../../config/errors";
import { stackFilePath } from "../../config/load";
import { parseCommandArgs } from "../args";
import { DECLARATIONS, runChecklist } from "../checklist/run";
import { loadChecklistConfig } from "../checklist/pack-config";
import { formatJson, formatText, reportJson } from "../checklist/output";
import { Repository } from "../checklist/repository-checks";
import { releaseResources } from "../checklist/resources";
import { Command, CommandContext } from "../context";
import { readRepository } from "../checklist/repository-state";
import { environmentStacks, loadProjectStack, projectDir } from "../project";
import { renderReleases } from "../operations/render";

const USAGE = "releasectl check [--stack NAME] [--service NAME] [--json] [--config FILE] [--no-repo]";

/** `RELEASECTL_NOW` (an ISO 8601 instant) replaces the clock, for tests and freeze rehearsals. */
function clock(env: NodeJS.ProcessEnv): { now: Date; clock?: string } {
    const text = env.RELEASECTL_NOW;
    if (text === undefined || text === "") return { now: new Date() };
    const t = Date.parse(text);
    if (Number.isNaN(t) || !/[zZ]|[+-]\d\d:?\d\d$/.test(text)) {
        throw new UserError(`RELEASECTL_NOW=${JSON.stringify(text)}: not an ISO 8601 instant with offset, e.g. 2025-12-24T18:00:00Z; unset it to use the real clock`, "EUSAGE");
    }
    return { now: new Date(t), clock: "RELEASECTL_NOW" };
}

function repositoryAt(dir: string, env: NodeJS.ProcessEnv): Repository {
    const state = readRepository(dir, env);
    return "reason" in state ? { kind: "unavailable", reason: state.reason } : { kind: "repository", state };
}

export const check: Command = {
    name: "check",
    summary: "run the release checklist offline: the policy pack's rules on the rendered release, plus git checks",
    help: `Usage: ${USAGE}

Runs the release checklist before anything changes: every rule of the policy pack (the same
rules \`pulumi preview --policy-pack policies\` runs) on exactly what \`releasectl render\`
produces, plus the checks only the repository can answer: the branch is allowed for the stack,
the working tree is clean (the stack file being released may differ), the version's tag does
not exist yet, and the changelog has an entry for the version. Needs no cluster, no Pulumi CLI
and no secrets.

Prints the checklist grouped as pre-release, during and after the release, one line per rule:
passed, failed (a mandatory rule), advisory (an advisory rule), or not applicable, with the
rule's name; items only the running release can show say which runtime mechanism covers them.

Options:
  --stack NAME     stack to check (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml);
                   an environment split into several stacks (releasectl:environment, no
                   Pulumi.<NAME>.yaml): every stack of it, exit 1 if any is not ready
  --service NAME   only this service's release (found in whichever stack holds it)
  --config FILE    the pack config (JSON, the file given to pulumi --policy-pack-config):
                   enforcement levels and settings such as successRateMin, freezeWindows,
                   allowedRegistries, allowedBranches
  --json           print the report as JSON (for CI)
  --no-repo        skip the checks that need git (branch, clean tree, tag)
  --cwd DIR        project directory (default: the nearest folder holding Pulumi.yaml)
  --debug          show stack traces on errors

Environment:
  RELEASECTL_BRANCH  the branch being released when HEAD is detached (CI), e.g. $GITHUB_REF_NAME
  RELEASECTL_NOW     an ISO 8601 instant to use as the clock (rehearse a freeze window)

Exit codes: 0 no mandatory rule failed (advisories may remain), 1 a mandatory rule failed,
2 bad input (unknown stack or service, invalid stack file or pack config).

Examples:
  releasectl check --stack production
  releasectl check --stack production --service checkout --config policies/config.example.json
  releasectl check --stack production --json > checklist.json
  releasectl check --service checkout          # the stack that holds checkout`,
    async run(ctx: CommandContext): Promise<number> {
        const { values } = parseCommandArgs(
            "check",
            ctx.argv,
            { stack: { type: "string" }, service: { type: "string" }, json: { type: "boolean" }, config: { type: "string" }, "no-repo": { type: "boolean" } },
            { min: 0, max: 0, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const time = clock(ctx.env);
        const packConfig = loadChecklistConfig(values.config, ctx.cwd, DECLARATIONS);
        const dir = projectDir(ctx, values.cwd);
        const group = values.stack !== undefined && values.service === undefined ? environmentStacks(dir, values.stack) : undefined;
        const one = (stack: string | undefined) => checkStack(ctx, { ...values, stack, cwd: values.cwd }, packConfig, time);
        if (group === undefined) {
            const { report, header } = one(values.stack);
            ctx.stdout.write(values.json ? formatJson(report, header) : formatText(report, header));
            return report.passed ? 0 : 1;
        }
        // --stack <environment>: every stack of the environment, each with its own report
        const results = group.map((stack) => ({ stack, ...one(stack) }));
        const failed = results.filter((r) => !r.report.passed).map((r) => r.stack);
        if (values.json) {
            const stacks = results.map((r) => reportJson(r.report, r.header));
            ctx.stdout.write(`${JSON.stringify({ environment: values.stack, passed: failed.length === 0, stacks }, null, 2)}\n`);
        } else {
            ctx.stdout.write(results.map((r) => formatText(r.report, r.header)).join("\n"));
            ctx.stdout.write(
                failed.length === 0
                    ? `\nEnvironment ${values.stack}: all ${results.length} stacks ready to release (${group.join(", ")}).\n`
                    : `\nEnvironment ${values.stack}: ${failed.length} of ${results.length} stacks not ready: ${failed.join(", ")}.\n`,
            );
        }
        return failed.length === 0 ? 0 : 1;
    },
};

/** One stack's checklist: the report and the header `formatText`/`formatJson` print above it. */
function checkStack(
    ctx: CommandContext,
    values: { cwd?: string; stack?: string; service?: string; "no-repo"?: boolean },
    packConfig: ReturnType<typeof loadChecklistConfig>,
    time: { now: Date; clock?: string },
) {
    let loaded;
    try {
        loaded = loadProjectStack(ctx, { cwd: values.cwd, stack: values.stack, service: values.service });
    } catch (e) {
        if (checklistRuleFor(e)) throw new UserError(withChecklistRule(e as Error), "ECONFIG");
        throw e;
    }
    const { dir, stack, config } = loaded;
    const releases = renderReleases(config, values.service);
    const services = config.services.filter((s) => values.service === undefined || s.name === values.service);
    const repository = values["no-repo"] ? ({ kind: "skipped" } as const) : repositoryAt(dir, ctx.env);
    const report = runChecklist({
        stack,
        resources: releaseResources(config, releases),
        config: packConfig,
        now: time.now,
        repository: {
            repository,
            config,
            services,
            projectDir: dir,
            stackFile: path.resolve(stackFilePath(dir, stack)),
            branchOverride: ctx.env.RELEASECTL_BRANCH || undefined,
        },
    });
    const header = {
        stack,
        environment: config.environment,
        services: services.map((s) => ({ name: s.name, version: s.version, rollback: s.rollback })),
        config: packConfig.source,
        clock: time.clock,
        now: time.now,
    };
    return { report, header };
}
