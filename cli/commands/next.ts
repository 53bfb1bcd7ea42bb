import { UserError } from "../../config/errors";
import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { computeNext, NextResult, nextRequest, VERSION_OPTIONS } from "../versions/compute-next";
import { DEFAULT_INITIAL_VERSION } from "../versions/next-version";

const USAGE = "releasectl next [service] [--stack S] [--path P]... [--repo DIR] [--from REF] [--to REF] [--tag-prefix P] [--prerelease ID] [--build META] [--strict] [--json]";

export const next: Command = {
    name: "next",
    summary: "the next version from the conventional commits since the last release tag",
    help: `Usage: ${USAGE}

Prints the next version, computed from the commits since the newest release tag (the highest
SemVer tag <prefix><version> reachable from --to; default prefix "v"), and nothing else, so
scripts can use it: VERSION=$(releasectl next).

Rules (Conventional Commits):
  type!: ... or a BREAKING CHANGE: / BREAKING-CHANGE: footer   major
  feat: ...                                                    minor
  anything else (fix, chore, docs, non-conventional messages)  patch
  --strict: the conventional-commits presets instead: only fix and perf give a patch, and when
            no commit qualifies there is no release (see Exit status).
  0.x:      while the major version is 0 a breaking change bumps the minor version
            (0.4.2 + feat! → 0.5.0); release 1.0.0 on purpose: releasectl prepare <svc> 1.0.0.
  No tag:   a repository without release tags starts at 1.0.0 (software in production is
            1.0.0, says semver.org); choose another with --initial-version 0.1.0.
  Merges:   merge commits are skipped; the commits they bring in are read instead, so
            "Merge branch ..." never decides a bump by itself.
  Prerelease (--prerelease ID): 1.2.3 + feat → 1.3.0-ID.1; 1.3.0-beta.1 + fix or feat →
            1.3.0-beta.2 (the line continues); a new ID restarts at 1 (1.3.0-beta.2 with
            --prerelease rc → 1.3.0-rc.1); a bump beyond the line starts a new one
            (1.3.0-beta.2 + breaking → 2.0.0-beta.1). Without --prerelease a prerelease tag is
            finished: 1.3.0-rc.1 + fix → 1.3.0.
  Build metadata: --build META appends +META (1.3.0+build.7); it never counts for order.

Options:
  service               read that service's version line, as the stack file declares it
                        (services.<name>.commits and tagPrefix): its repository, the commits
                        under its path, its tags (default <service>-v<version> when the stack
                        has several services, v<version> for one); without a release tag, its
                        version in the stack file and the commits since the commit that set it
  --stack NAME          with a service: the stack (default: $RELEASECTL_STACK, or the only one)
  --path P              only commits that change P count (repeatable; relative to the current
                        folder), as conventional-recommended-bump --commit-path
  --repo DIR            repository to read (default: the current directory)
  --from REF            start of the range (default: the newest release tag)
  --to REF              end of the range (default: HEAD)
  --tag-prefix P        release tags are P<version> (default: v, or tags without one such as
                        1.2.3 when the repository has only those)
  --prerelease ID       compute a prerelease of the line ID (beta, rc, ...)
  --build META          append build metadata
  --strict              release only for fix, perf, feat and breaking changes
  --initial-version V   first version when there is no release tag (default: ${DEFAULT_INITIAL_VERSION})
  --json                print {version, bump, reason, previousTag, range, commits, mergeCommits}
  --debug               show stack traces on errors

Exit status: 0 with the version on stdout; 0 with nothing on stdout and the reason on stderr
when there is nothing to release (test with: [ -n "$VERSION" ]); 2 bad input (not a git
repository, unknown --from/--to, bad --prerelease or --build).

Examples:
  releasectl next                          # 2.5.0
  releasectl next --prerelease rc          # 2.5.0-rc.1
  releasectl next --strict --json
  releasectl next --repo ../checkout --from v2.4.0 --to main`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "next",
            ctx.argv,
            { ...VERSION_OPTIONS, json: { type: "boolean" }, path: { type: "string", multiple: true }, stack: { type: "string" } },
            { min: 0, max: 1, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const plain = nextRequest(values, ctx.cwd, ctx.env);
        let request = plain;
        if (positionals[0] !== undefined) {
            // the stack loader (YAML, validation) only when a service is named: plain next stays fast
            const { findService, loadProjectStack } = require("../project") as typeof import("../project");
            const { projectName } = require("../stack/project-name") as typeof import("../stack/project-name");
            const { serviceNextRequest } = require("../versions/auto-version") as typeof import("../versions/auto-version");
            const { dir, stack, config } = loadProjectStack(ctx, { cwd: values.cwd, stack: values.stack, service: positionals[0] });
            const service = findService(config, positionals[0]);
            request = serviceNextRequest(
                { dir, stack, project: projectName(dir), config, service, env: ctx.env },
                { ...plain, repo: values.repo === undefined ? undefined : plain.repo },
            );
        } else if (values.stack !== undefined) {
            throw new UserError(`--stack ${values.stack}: only applies with a service (releasectl next <service> --stack ${values.stack})`, "EUSAGE");
        }
        const result = computeNext(request);
        if (values.json) {
            ctx.stdout.write(`${JSON.stringify(nextJson(result), null, 2)}\n`);
        } else if (result.version !== undefined) {
            ctx.stdout.write(`${result.version}\n`);
        }
        if (result.version === undefined) {
            ctx.stderr.write(`releasectl next: nothing to release: ${result.reason}\n`);
        } else if (result.existingTag !== undefined) {
            ctx.stderr.write(`releasectl next: warning: tag ${result.existingTag} exists already (not reachable from ${values.to ?? "HEAD"}); releasectl tag will refuse it\n`);
        }
        return 0;
    },
};

export function nextJson(result: NextResult): Record<string, unknown> {
    return {
        version: result.version ?? null,
        tag: result.version === undefined ? null : `${result.tagPrefix}${result.version}`,
        bump: result.bump,
        reason: result.reason,
        previousTag: result.previousTag ?? null,
        previousVersion: result.previousVersion ?? null,
        range: result.range,
        commits: result.commits.map((c) => ({
            sha: c.sha,
            header: c.header,
            type: c.parsed.type ?? null,
            scope: c.parsed.scope ?? null,
            breaking: c.parsed.breaking,
            bump: c.bump ?? null,
        })),
        mergeCommits: result.mergeCommits,
        revertedCommits: result.revertedCommits,
        paths: result.paths,
    };
}
