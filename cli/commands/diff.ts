// the one module of diff used (4 files loaded instead of the package's 19)
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff/lib/patch/create.js";
import * as path from "path";
import { UserError } from "../../config/errors";
import { loadStack, parseStackText, stackFilePath } from "../../config/load";
import { ReleaseConfig } from "../../config/types";
import { isSemVer } from "../../config/versions";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { projectDir, resolveStack } from "../project";
import { Release, releaseText, shippedVersions, ServiceHistory } from "../stack/history";
import { versionProblem } from "../versions/version-arg";
import { serviceHistory } from "../operations/history";
import { releasesToYaml, renderReleases } from "../operations/render";

const USAGE = "releasectl diff <service> <from> [<to>] [--stack S] [-U N]";

function releaseOf(history: ServiceHistory, version: string, service: string, stack: string, which: string): Release {
    const matching = history.releases.filter((r) => r.version === version);
    if (!isSemVer(version)) {
        throw new UserError(`${which} ${JSON.stringify(version)}: not a SemVer version; versions of ${service} that shipped: ${shippedVersions(history.releases).join(", ")}`, "EBADVERSION");
    }
    if (matching.length === 0) {
        throw new UserError(
            `${which} ${version}: ${service} ${version} never shipped in stack ${stack}; versions that shipped: ${shippedVersions(history.releases).join(", ")} (releasectl history ${service})`,
            "ENOTSHIPPED",
        );
    }
    return matching[matching.length - 1];
}

/** The configuration a release shipped with, validated with today's rules. */
function configAt(dir: string, stack: string, history: ServiceHistory, release: Release, shown: string): ReleaseConfig {
    try {
        return parseStackText(dir, stack, releaseText(history, release), `${shown}@${release.configCommit.slice(0, 7)}`);
    } catch (e) {
        if (!(e instanceof UserError)) throw e;
        throw new UserError(`the configuration of ${release.version} cannot be rendered with today's rules: ${e.message}`, "EINVALIDHISTORY");
    }
}

export const diff: Command = {
    name: "diff",
    summary: "unified diff of the rendered manifests of two releases of a service",
    help: `Usage: ${USAGE}

Renders the Kubernetes objects of a service as they were declared by two releases and prints
a unified diff. <from> and <to> are versions that shipped (releasectl history lists them); the
configuration of each is the stack file as last committed while that version was current.
Without <to>, the other side is the working tree's stack file (what pulumi up would apply now).
Secrets show as <secret>. Prints nothing when the manifests are the same.

Exit status (as kubectl diff and git diff --exit-code): 0 the same, 1 they differ, 2 bad input.

Options:
  --stack NAME       stack (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml)
  -U, --unified N    lines of context around each change (default: 3), as git diff -U
  --cwd DIR          project directory (default: the nearest folder holding Pulumi.yaml)
  --debug            show stack traces on errors

Examples:
  releasectl diff checkout 2.4.0            # 2.4.0 against the working tree
  releasectl diff checkout 2.4.0 2.4.1 --stack production
  releasectl diff checkout 2.4.0 2.4.1 -U 0 || echo "the releases differ"`,
    async run(ctx: CommandContext): Promise<number> {
        const end = ctx.argv.indexOf("--");
        const given = (end < 0 ? ctx.argv : ctx.argv.slice(0, end)).find((a) => a === "--context" || a.startsWith("--context="));
        if (given !== undefined) {
            // Everywhere else --context is the kube context; diff reads no cluster.
            throw new UserError(`${given}: diff reads no cluster, so it takes no kube context; for lines of context around each change use -U N (--unified N), as git diff does`, "EUSAGE");
        }
        const { values, positionals } = parseCommandArgs("diff", ctx.argv, { stack: { type: "string" }, unified: { type: "string", short: "U" } }, { min: 2, max: 3, usage: USAGE });
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const [service, from, to] = positionals;
        const context = values.unified === undefined ? 3 : /^\d{1,9}$/.test(values.unified) ? Number(values.unified) : NaN;
        if (Number.isNaN(context)) throw new UserError(`--unified ${JSON.stringify(values.unified)}: not a whole number of lines; use e.g. -U 3 (0 shows only the changed lines)`, "EUSAGE");
        for (const [which, version] of [["<from>", from], ["<to>", to]] as const) {
            const bare = version === undefined ? undefined : versionProblem(version)?.bare;
            if (bare !== undefined) throw new UserError(`${which} ${version}: a version, not a tag, is asked for: drop the leading v: ${bare}`, "EBADVERSION");
        }
        const dir = projectDir(ctx, values.cwd);
        const stack = resolveStack(dir, values.stack, ctx.env, service);
        const shown = path.relative(ctx.cwd, stackFilePath(dir, stack)) || stackFilePath(dir, stack);
        const history = serviceHistory(dir, stack, service, ctx.env);
        const fromConfig = configAt(dir, stack, history, releaseOf(history, from, service, stack, "<from>"), shown);
        const toConfig = to === undefined ? loadStack(dir, stack, { cwd: ctx.cwd }) : configAt(dir, stack, history, releaseOf(history, to, service, stack, "<to>"), shown);
        const render = (config: ReleaseConfig) => {
            if (!config.services.some((s) => s.name === service)) return "";
            return releasesToYaml([{ stack: config.stack, releases: renderReleases(config, service) }]);
        };
        const before = render(fromConfig);
        const after = render(toConfig);
        if (before === after) {
            ctx.stderr.write(`releasectl diff: ${service} ${from} and ${to ?? "the working tree"} render the same objects\n`);
            return 0;
        }
        ctx.stdout.write(createTwoFilesPatch(`${service}@${from}`, `${service}@${to ?? "working-tree"}`, before, after, undefined, undefined, { context, headerOptions: FILE_HEADERS_ONLY }));
        return 1;
    },
};
