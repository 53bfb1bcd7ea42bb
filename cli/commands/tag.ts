import * as path from "path";
import { UserError } from "../../config/errors";
import { stackFilePath } from "../../config/load";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { createReleaseTag } from "../operations/tag";
import { findService, loadProjectStack } from "../project";
import { projectName } from "../stack/project-name";
import { readServiceHistory } from "../stack/history";
import { serviceNextRequest } from "../versions/auto-version";
import { nextRequest, refuseComputeOptions, VERSION_OPTIONS } from "../versions/compute-next";
import { versionProblem } from "../versions/version-arg";
import { rememberGitReads } from "../git";

const USAGE = "releasectl tag [service] [VERSION] [--stack S] [--repo DIR] [--tag-prefix P] [--prerelease ID] [--build META] [--strict] [--dry-run]";

export const tag: Command = {
    name: "tag",
    summary: "create the annotated release tag v<version> on HEAD (never pushes)",
    help: `Usage: ${USAGE}

Creates the annotated tag <prefix><VERSION> (default prefix "v") on HEAD, with the message
"release v<VERSION>" followed by one line per commit since the previous release tag. Without
VERSION it tags the version releasectl next computes, with the same options (--strict,
--prerelease, --build, --tag-prefix), so "releasectl next" and "releasectl tag" agree.

It refuses an existing tag (releases are immutable: choose the next version), a version that is
not after the newest release tag reachable from HEAD (tags only move forward; a hotfix branch
without the newer tags can still tag its own line) and a working tree with uncommitted changes
to tracked files (the tag would not contain them: commit first). It never pushes: push with
git push origin v<VERSION> when you are ready.

With a service (releasectl tag storefront), the tag is the service's: <tagPrefix><version> of
its version line (services.<name>.tagPrefix; default <service>-v<version> when the stack has
several services sharing the repository, v<version> for one), in the repository its commits
live in (services.<name>.commits.repository, default this one), for the version the stack file
holds (the one prepare wrote); the message lists the commits of its line only (its path), and
the version must come after the newest tag of that line, not of another service's.

Options:
  --stack NAME      with a service: the stack (default: $RELEASECTL_STACK, or the only one)
  --repo DIR        repository to tag (default: the current directory)
  --tag-prefix P    tag name prefix (default: v)
  --prerelease ID, --build META, --strict, --initial-version V
                    as in releasectl next, when VERSION is not given (with VERSION they
                    are refused: write the prerelease into it, e.g. 2.5.0-rc.1)
  --dry-run         print the tag and its message, create nothing
  --debug           show stack traces on errors

Examples:
  releasectl tag                 # tags the version releasectl next prints
  releasectl tag 2.5.0
  releasectl tag 2.5.0-rc.1 --dry-run
  releasectl tag storefront --stack production   # storefront-v1.13.0 when the stack says 1.13.0`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "tag",
            ctx.argv,
            { ...VERSION_OPTIONS, "dry-run": { type: "boolean" }, stack: { type: "string" } },
            { min: 0, max: 2, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        // a dry run only reads: the same git query twice is one process (cli/git.ts)
        const go = async (): Promise<number> => {
            // `tag storefront 1.13.0`, `tag storefront`, `tag 1.13.0`: a first word that is no version names a service.
            // An empty word is no service name either: it is refused as the version it stands in for.
            const looksLikeVersion = (w: string) => w.trim() === "" || /^[vV]?\d/.test(w);
            const serviceName = positionals.length === 2 || (positionals.length === 1 && !looksLikeVersion(positionals[0])) ? positionals[0] : undefined;
            const versionWord = serviceName === undefined ? positionals[0] : positionals[1];
            if (serviceName === undefined && values.stack !== undefined) {
                throw new UserError(`--stack ${values.stack}: only applies with a service (releasectl tag <service> --stack ${values.stack})`, "EUSAGE");
            }
            const plain = nextRequest(values, ctx.cwd, ctx.env);
            let req = plain;
            let stackVersion: { service: string; version: string; file: string; previousRelease?: string } | undefined;
            if (serviceName !== undefined) {
                const { dir, stack, config } = loadProjectStack(ctx, { cwd: values.cwd, stack: values.stack, service: serviceName });
                const service = findService(config, serviceName);
                const project = projectName(dir);
                req = serviceNextRequest({ dir, stack, project, config, service, env: ctx.env }, { ...plain, repo: values.repo === undefined ? undefined : plain.repo });
                const history = readServiceHistory(dir, stack, project, service.name, ctx.env);
                const releases = history.releases;
                const current = releases[releases.length - 1];
                stackVersion = {
                    service: service.name,
                    version: service.version,
                    file: path.relative(ctx.cwd, stackFilePath(dir, stack)) || stackFilePath(dir, stack),
                    previousRelease: current !== undefined && current.version === service.version ? releases[releases.length - 2]?.commit : undefined,
                };
                // the line's commits since the release before this one (the stack file's record) when the line has no tag yet
                req = { ...req, fallback: undefined, from: undefined };
            }
            const explicit = versionWord;
            const bad = explicit === undefined ? undefined : versionProblem(explicit, req.tagPrefix ?? "v");
            if (bad !== undefined) {
                const hint = bad.bare !== undefined ? `; give the version without the "${req.tagPrefix ?? "v"}" prefix: ${bad.bare}` : "; use e.g. 2.5.0 or 2.5.0-rc.1";
                throw new UserError(`version ${JSON.stringify(explicit)}: ${bad.problem}${hint}`, "EBADVERSION");
            }
            if (stackVersion !== undefined) {
                const v = explicit ?? stackVersion.version;
                refuseComputeOptions(values, v, ["prerelease", "build", "strict", "initial-version"], { explicit: (x) => `releasectl tag ${stackVersion!.service} ${x}`, computed: "releasectl tag" });
                if (v !== stackVersion.version) {
                    throw new UserError(
                        `${stackVersion.service} is at ${stackVersion.version} in ${stackVersion.file}, not ${v}: a release tag marks the version the stack releases; prepare it first (releasectl prepare ${stackVersion.service} ${v}), or tag ${stackVersion.version} (releasectl tag ${stackVersion.service})`,
                        "EVERSIONMISMATCH",
                    );
                }
            } else if (explicit !== undefined) {
                refuseComputeOptions(values, explicit, ["prerelease", "build", "strict", "initial-version"], { explicit: (v) => `releasectl tag ${v}`, computed: "releasectl tag" });
            }
            if (values.to !== undefined) {
                throw new UserError(`--to ${values.to}: releasectl tag always tags HEAD; check out the commit to tag (git switch --detach ${values.to}), then run releasectl tag without --to`, "EUSAGE");
            }
            const { name, head, message, result, created } = createReleaseTag({ req, explicit, stackVersion, dryRun: values["dry-run"], env: ctx.env });
            if (!created) {
                ctx.stdout.write(`would create tag ${name} on ${head} with the message:\n${message.replace(/^/gm, "  ")}(dry run: no tag created)\n`);
                return 0;
            }
            ctx.stdout.write(`created annotated tag ${name} on ${head} (${result.commits.length} commit${result.commits.length === 1 ? "" : "s"} since ${result.previousTag ?? "the first commit"}); not pushed: git push origin ${name}\n`);
            return 0;
        };
        return values["dry-run"] ? rememberGitReads(go) : go();
    },
};
