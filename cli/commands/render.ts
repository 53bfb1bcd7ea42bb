import * as fs from "fs";
import * as path from "path";
import { buildRelease } from "../../builders/release";
import { ServiceRelease } from "../../builders/types";
import { UserError } from "../../config/errors";
import { ReleaseConfig } from "../../config/types";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { writeFileAtomic } from "../stack/fs-atomic";
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
  --out DIR        write one file per object under DIR/<service>/ instead of printing
  --cwd DIR        project directory (default: the nearest folder holding Pulumi.yaml)
  --debug          show stack traces on errors

Examples:
  releasectl render --stack production
  releasectl render --stack production --service checkout --out rendered/`,
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
        const out = path.resolve(ctx.cwd, values.out);
        if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
            throw new UserError(`--out ${values.out}: exists and is not a directory; choose a directory`, "EUSAGE");
        }
        let count = 0;
        for (const release of releases) {
            const dir = path.join(out, release.service);
            fs.mkdirSync(dir, { recursive: true });
            release.objects.forEach((object, i) => {
                const file = path.join(dir, `${String(i + 1).padStart(2, "0")}-${object.manifest.kind.toLowerCase()}-${object.manifest.metadata.name}.yaml`);
                writeFileAtomic(file, manifestToYaml(object.manifest));
                count++;
            });
        }
        ctx.stdout.write(`wrote ${count} objects under ${path.relative(ctx.cwd, out) || "."}\n`);
        return 0;
    },
};
