import * as path from "path";
import { buildRelease } from "../../builders/release";
import { ServiceRelease } from "../../builders/types";
import { ReleaseConfig } from "../../config/types";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { writeRenderDir } from "../render-dir";
import { findService, loadProjectStack } from "../project";
import { manifestToYaml } from "../yaml-output";

const USAGE = "releasectl render [--stack NAME] [--service NAME] [--out DIR]";

/** The releases the stack declares, optionally narrowed to one service. */
export function renderReleases(config: ReleaseConfig, service?: string): ServiceRelease[] {
    const releases = buildRelease(config);
    if (service === undefined) return releases;
    findService(config, service);
    return releases.filter((r) => r.service === service);
}

/** Multi-document YAML of every object, in apply order, each headed by its Pulumi resource. */
export function releasesToYaml(releases: readonly ServiceRelease[]): string {
    const docs: string[] = [];
    for (const release of releases) {
        for (const object of release.objects) {
            docs.push(`# ${release.service}/${object.name} (${object.type})\n${manifestToYaml(object.manifest)}`);
        }
    }
    return docs.join("---\n");
}

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
        const files = releases.flatMap((release) =>
            release.objects.map((object, i) => ({
                rel: `${release.service}/${String(i + 1).padStart(2, "0")}-${object.manifest.kind.toLowerCase()}-${object.manifest.metadata.name}.yaml`,
                content: manifestToYaml(object.manifest),
            })),
        );
        const result = writeRenderDir(values.out, ctx.cwd, files);
        const removed = result.removed.length === 0 ? "" : `; removed ${result.removed.length} file${result.removed.length === 1 ? "" : "s"} of an earlier render that no longer belong`;
        ctx.stdout.write(`wrote ${result.written} objects under ${path.relative(ctx.cwd, result.dir) || "."}${removed}\n`);
        return 0;
    },
};
