import * as path from "path";
import { loadStack } from "../../config/load";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { releasesToYaml, renderReleases, StackReleases, writeReleases } from "../operations/render";
import { environmentStacks, loadProjectStack, projectDir } from "../project";

const USAGE = "releasectl render [--stack NAME] [--service NAME] [--out DIR]";

export const render: Command = {
    name: "render",
    summary: "print the Kubernetes objects a stack's release declares (offline)",
    help: `Usage: ${USAGE}

Prints, as multi-document YAML, exactly the objects \`pulumi up\` would declare for the stack:
per service the Deployment, HorizontalPodAutoscaler, Flagger Canary, AlertProvider and its
Secret, the migration Job and its Secret (when the release has a migration), the Ingress
(nginx provider), and the PrometheusRule. Needs no cluster and no Pulumi CLI. Secret values
are shown as <secret>; secure: values are never decrypted.

Options:
  --stack NAME     stack to render (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml);
                   an environment split into several stacks (releasectl:environment, no
                   Pulumi.<NAME>.yaml): every stack of it, each object headed by its stack
  --service NAME   only this service (found in whichever stack holds it)
  --out DIR        write one file per object under DIR/<service>/ instead of printing; DIR
                   must be new, empty, or an earlier render's: render owns it (a
                   .releasectl-render file lists what it wrote) and removes the files of an
                   earlier render that no longer belong, so kubectl apply -R -f DIR applies
                   exactly this render's objects; a folder render did not make is refused
  --cwd DIR        project directory (default: the nearest folder holding Pulumi.yaml)
  --debug          show stack traces on errors

Examples:
  releasectl render --stack production
  releasectl render --stack production --service checkout --out /tmp/checkout-manifests
  releasectl render --service storefront       # the stack that holds storefront
  out=$(mktemp -d) && releasectl render --out "$out" && kubectl apply --dry-run=server -R -f "$out"`,
    async run(ctx: CommandContext): Promise<number> {
        const { values } = parseCommandArgs("render", ctx.argv, { stack: { type: "string" }, service: { type: "string" }, out: { type: "string" } }, { min: 0, max: 0, usage: USAGE });
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const stacks = renderedStacks(ctx, values);
        if (values.out === undefined) {
            ctx.stdout.write(releasesToYaml(stacks));
            return 0;
        }
        const result = writeReleases(stacks, values.out, ctx.cwd);
        const removed = result.removed.length === 0 ? "" : `; removed ${result.removed.length} file${result.removed.length === 1 ? "" : "s"} of an earlier render that no longer belong`;
        ctx.stdout.write(`wrote ${result.written} objects under ${path.relative(ctx.cwd, result.dir) || "."}${removed}\n`);
        return 0;
    },
};

/**
 * The stacks to render: the one stack (`--stack`, or the one holding `--service`), or every
 * stack of the environment `--stack` names (docs/scale.md), each with its releases. A service
 * is in one stack per environment (environmentStacks refuses two holding one), so the objects
 * of an environment never clash.
 */
function renderedStacks(ctx: CommandContext, values: { cwd?: string; stack?: string; service?: string }): StackReleases[] {
    const dir = projectDir(ctx, values.cwd);
    const group = values.stack !== undefined && values.service === undefined ? environmentStacks(dir, values.stack) : undefined;
    if (group === undefined) {
        const { config } = loadProjectStack(ctx, { cwd: values.cwd, stack: values.stack, service: values.service });
        return [{ stack: config.stack, releases: renderReleases(config, values.service) }];
    }
    return group.map((stack) => ({ stack, releases: renderReleases(loadStack(dir, stack, { cwd: ctx.cwd })), environment: values.stack }));
}
