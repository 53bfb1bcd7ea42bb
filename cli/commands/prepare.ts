import * as path from "path";
import { UserError } from "../../config/errors";
import { stackFilePath } from "../../config/load";
import { ReleaseConfig, ServiceConfig } from "../../config/types";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { performPrepare } from "../operations/prepare";
import { lockTimeout } from "../stack/lock";
import { filePatch } from "../stack/service-diff";
import { serviceNextRequest } from "../versions/auto-version";
import { findService, loadProjectStack } from "../project";
import { projectName } from "../stack/project-name";
import { checkInitialVersion } from "../versions/next-version";
import { versionProblem } from "../versions/version-arg";
import { computeNext, nextRequest, refuseComputeOptions, VERSION_OPTIONS } from "../versions/compute-next";
import { rememberGitReads } from "../git";

const USAGE = "releasectl prepare <service> <version|auto> [--stack S] [--dry-run] [--repo DIR] [--strict] [--prerelease ID] [--build META] [--no-changelog]";

export const prepare: Command = {
    name: "prepare",
    summary: "write a service's next version into the stack file (previousVersion recorded, atomic, locked)",
    help: `Usage: ${USAGE}

Writes the version of one service into Pulumi.<stack>.yaml: version becomes VERSION (the image
tag follows it: the builders tag the image with the version), previousVersion records the
version it replaces, and a rollback: true mark from an earlier rollback is removed. Only those
bytes change: comments, key order, quoting and secure: values stay byte for byte.

  auto         the version releasectl next computes from the commits since the last release
               tag (--repo, --tag-prefix, --strict, --prerelease, --build as in releasectl next;
               --repo defaults to the project's repository); with no release tag yet, the
               commits since the commit that released the service's current version decide
               the bump from that version. These options only shape a computed version:
               with an explicit VERSION they are refused (write 2.5.0-rc.1, not 2.5.0
               --prerelease rc); --initial-version applies only with --repo
  not forward  a version that is not after the current one in SemVer order (prereleases sort
               before their release: 2.5.0-rc.1 < 2.5.0) is refused: going back is a rollback,
               releasectl rollback <service> --to <version>

The changelog entry of the release is written too, into the file the checklist's
repository-changelog-entry reads (changelogFile, default CHANGELOG.md; --policy-pack-config F
names the pack config that sets it): "## <service> <version> (<date>)" with the commits that
decided the version (as auto counts them), breaking changes first, then features, bug fixes and
other changes, linked to the commits when the remote is on GitHub or GitLab (releasectl
changelog <service> prints it). It goes before the newest release heading; every other byte of
the file stays. A file that has an entry for the version already is left as it is, so running
prepare twice writes it once. --no-changelog skips it.

The result is validated like releasectl render validates the stack (nothing is written when it
is invalid). The write is atomic (a temporary file renamed over the stack file) and holds
Pulumi.<stack>.yaml.lock, so two prepare runs at once cannot lose an update.

Options:
  --stack NAME          stack (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml)
  --dry-run             print the change as a diff, write nothing
  --lock-timeout D      how long to wait for another run's lock (default 10s)
  --no-changelog        do not write the changelog entry
  --policy-pack-config F
                        the pack config whose changelogFile names the changelog
  --cwd DIR             project directory (default: the nearest folder holding Pulumi.yaml)
  --debug               show stack traces on errors

Examples:
  releasectl prepare checkout 2.5.0 --stack production
  releasectl prepare checkout auto --dry-run
  releasectl prepare storefront 1.13.0-rc.1`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "prepare",
            ctx.argv,
            {
                ...VERSION_OPTIONS,
                stack: { type: "string" },
                "dry-run": { type: "boolean" },
                "lock-timeout": { type: "string" },
                "no-changelog": { type: "boolean" },
                "policy-pack-config": { type: "string" },
            },
            { min: 2, max: 2, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        // a dry run only reads: the same git query twice is one process (cli/git.ts)
        const go = async (): Promise<number> => {
            const [serviceName, requested] = positionals;
            const timeoutMs = lockTimeout(values["lock-timeout"]);
            const { dir, stack, config } = loadProjectStack(ctx, { cwd: values.cwd, stack: values.stack, service: serviceName });
            const version = resolveVersion(requested, values, { dir, stack, config, service: findService(config, serviceName) }, ctx);
            const file = stackFilePath(dir, stack);
            const shown = path.relative(ctx.cwd, file) || file;
            const changelog = values["no-changelog"] ? undefined : { policyPackConfig: values["policy-pack-config"], repo: values.repo === undefined ? undefined : nextRequest(values, ctx.cwd, ctx.env) };
            const outcome = await performPrepare(ctx, { dir, stack, config, service: serviceName, version, shown, dryRun: values["dry-run"], lockTimeoutMs: timeoutMs, changelog });

            if (!outcome.written) {
                const { entry, from } = outcome;
                ctx.stdout.write(filePatch(shown, outcome.before, outcome.after));
                if (entry?.kind === "entry") ctx.stdout.write(entry.dryRun());
                else if (entry?.kind === "skipped") ctx.stdout.write(`${entry.why}\n`);
                ctx.stdout.write(`(dry run: ${shown} not written; ${serviceName} would go from ${from} to ${version})\n`);
                return 0;
            }
            const { from } = outcome;
            const note = outcome.stillContract
                ? `note: ${serviceName}'s migration still says phase contract, as written for ${from}; if ${version} changes no schema of its own set phase: expand, else update command and downgradeCommand for ${version} (a rollback prints that downgrade, to run by hand before pulumi up)\n`
                : "";
            const written = outcome.changelog;
            const commitPaths = [shown, ...(written?.commit ? [written.commit] : [])].join(" ");
            ctx.stdout.write(
                `${serviceName}: ${from} → ${version} in ${shown} (previousVersion: ${from})\n${written ? `${written.line}\n` : ""}${note}` +
                    `next: releasectl check --stack ${stack}; git commit -m "release ${serviceName} ${version}" ${commitPaths}; releasectl tag ${serviceName} ${version}; pulumi up --stack ${stack}\n`,
            );
            return 0;
        };
        return values["dry-run"] ? rememberGitReads(go) : go();
    },
};

function resolveVersion(
    requested: string,
    values: Record<string, string | boolean | undefined>,
    at: { dir: string; stack: string; config: ReleaseConfig; service: ServiceConfig },
    ctx: CommandContext,
): string {
    if (values["initial-version"] !== undefined) checkInitialVersion(values["initial-version"] as string);
    if (requested === "auto" && values["initial-version"] !== undefined && values.repo === undefined) {
        throw new UserError(
            `--initial-version ${values["initial-version"]}: without a release tag prepare auto counts from ${at.service.name}'s current version (${at.service.version}), so a first version never applies here; drop --initial-version (it applies with --repo, to a repository without tags)`,
            "EUSAGE",
        );
    }
    if (requested !== "auto") {
        const bad = versionProblem(requested);
        if (bad !== undefined) {
            const hint = bad.bare !== undefined ? `; drop the leading v: ${bad.bare}` : "; use e.g. 2.5.0, 2.5.0-rc.1 or auto";
            throw new UserError(`version ${JSON.stringify(requested)}: ${bad.problem}${hint}`, "EBADVERSION");
        }
        const service = at.service.name;
        refuseComputeOptions(values, requested, ["prerelease", "build", "strict", "initial-version", "from", "to", "repo", "tag-prefix"], {
            explicit: (v) => `releasectl prepare ${service} ${v}`,
            computed: `releasectl prepare ${service} auto`,
        });
        return requested;
    }
    // The service's version line (its repository, paths and tag prefix); --repo names another repository.
    const auto = { tagPrefix: values["tag-prefix"] as string | undefined, strict: values.strict === true, prerelease: values.prerelease as string | undefined, build: values.build as string | undefined };
    const given = values.repo === undefined ? auto : { ...auto, repo: nextRequest(values, ctx.cwd, ctx.env).repo, from: values.from as string | undefined, to: values.to as string | undefined, initialVersion: values["initial-version"] as string | undefined };
    const result = computeNext(serviceNextRequest({ dir: at.dir, stack: at.stack, project: projectName(at.dir), config: at.config, service: at.service, env: ctx.env }, given));
    if (result.version === undefined) {
        throw new UserError(`auto: nothing to release: ${result.reason}; name the version instead (releasectl prepare <service> <version>)`, "ENORELEASE");
    }
    return result.version;
}
