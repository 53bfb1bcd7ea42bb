import * as path from "path";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { releasesToYaml, renderReleases, writeReleases } from "../operations/render";
import { loadProjectStack } from "../project";

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
  --stack NAME     stack to render (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml)
  --service NAME   only this service
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
  out=$(mktemp -d) && releasectl render --out "$out" && kubectl apply --dry-run=server -R -f "$out"`,
    async run(ctx: CommandContext): Promise<number> {
        const { values } = parseCommandArgs("render", ctx.argv, { stack: { type: "string" }, service: { type: "string" }, out: { type: "string" } }, { min: 0, max: 0, usage: USAGE });
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const { config } = loadProjectStack(ctx, { cwd: values.cwd, stack: values.stack });
        const releases = renderReleases(config, values.service);
        if (values.out === undefined) {
            ctx.stdout.write(releasesToYaml(releases));
            return 0;
        }
        const result = writeReleases(releases, values.out, ctx.cwd);
        const removed = result.removed.length === 0 ? "" : `; removed ${result.removed.length} file${result.removed.length === 1 ? "" : "s"} of an earlier render that no longer belong`;
        ctx.stdout.write(`wrote ${result.written} objects under ${path.relative(ctx.cwd, result.dir) || "."}${removed}\n`);
        return 0;
    },
};
