import { UserError } from "../../config/errors";
import { parseCommandArgs } from "../args";
import { loadRepositoryChecksConfig } from "../checklist/pack-config";
import { changelogPath, markdownOf, notesOfVersion, textOf } from "../changelog/entry";
import { findEntry, readChangelog } from "../changelog/file";
import { Command, CommandContext } from "../context";
import { repoRoot } from "../git";
import { findService, loadProjectStack } from "../project";
import { projectName } from "../stack/project-name";
import { versionProblem } from "../versions/version-arg";
import * as path from "path";

const USAGE = "releasectl changelog <service> [--version V] [--stack S] [--plain] [--tag-prefix P] [--policy-pack-config F]";

export const changelog: Command = {
    name: "changelog",
    summary: "the release notes of a service's version, from its commits (what prepare writes into the changelog)",
    help: `Usage: ${USAGE}

Prints the release notes of one version of a service (default: the version the stack file
names), made from its commits: breaking changes first, then features, bug fixes and other
changes, each with its commit (linked when the repository's remote is on GitHub or GitLab).
These are the notes releasectl prepare and ship write into the changelog, and the text of the
annotated release tag and of ship's announcement.

The commits are those releasectl next reads: for the version being prepared, the commits since
the newest release tag (without release tags, since the commit that released the service's
current version); for a tagged version, from the release tag before it to its tag; for a
version the stack file's history released without a tag, up to the commit that set it. Chores
(chore, ci, build, test, style) and releasectl's own commits ("release checkout 2.5.0") are
left out. Reads only; writes nothing.

Options:
  --version V             the version (default: the service's version in the stack file)
  --stack NAME            stack (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml)
  --plain                 plain text (the tag message's and announcement's form), not markdown
  --tag-prefix P          release tags are P<version> (default: v), as in releasectl next
  --policy-pack-config F  the pack config: says which changelog file (changelogFile of
                          repository-changelog-entry; default CHANGELOG.md) to compare with
  --cwd DIR               project directory (default: the nearest folder holding Pulumi.yaml)
  --debug                 show stack traces on errors

Exit codes: 0 the notes are printed; 2 bad input (unknown service or stack, a version that is not
SemVer or that the service never released, not a git repository).

Examples:
  releasectl changelog checkout --stack production
  releasectl changelog checkout --version 2.4.1 --plain
  releasectl prepare checkout auto && releasectl changelog checkout   # the entry prepare wrote`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs(
            "changelog",
            ctx.argv,
            {
                version: { type: "string" },
                stack: { type: "string" },
                plain: { type: "boolean" },
                "tag-prefix": { type: "string" },
                "policy-pack-config": { type: "string" },
            },
            { min: 1, max: 1, usage: USAGE },
        );
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const { dir, stack, config } = loadProjectStack(ctx, { cwd: values.cwd, stack: values.stack, service: positionals[0] });
        const service = findService(config, positionals[0]);
        const requested = values.version;
        if (requested !== undefined) {
            const bad = versionProblem(requested);
            if (bad !== undefined) {
                const hint = bad.bare !== undefined ? `; drop the leading v: ${bad.bare}` : "; use e.g. 2.5.0 or 2.5.0-rc.1";
                throw new UserError(`--version ${JSON.stringify(requested)}: ${bad.problem}${hint}`, "EBADVERSION");
            }
        }
        const prefix = values["tag-prefix"];
        if (prefix !== undefined && /[\s~^:?*[\\]/.test(prefix)) {
            throw new UserError(`--tag-prefix ${JSON.stringify(prefix)}: git tag names cannot hold spaces or ~^:?*[\\; use e.g. v or checkout-v`, "EUSAGE");
        }
        repoRoot(dir, ctx.env);
        const version = requested ?? service.version;
        const project = projectName(dir);
        const line = { dir, stack, project, config, service, env: ctx.env };
        const notes = notesOfVersion({ dir, stack, project, service: service.name, tagPrefix: prefix, env: ctx.env, line }, version, service.version);
        ctx.stdout.write(values.plain ? textOf(notes) : markdownOf(notes));

        // Say when the changelog file lacks the entry (or has one of its own): what users read there.
        let packConfig;
        try {
            packConfig = loadRepositoryChecksConfig(values["policy-pack-config"], ctx.cwd);
        } catch (e) {
            if (e instanceof UserError) throw new UserError(e.message.replace(/^--config /, "--policy-pack-config "), e.code);
            throw e;
        }
        const { file, setting } = changelogPath(dir, packConfig);
        const shown = path.relative(ctx.cwd, file) || setting;
        const text = readChangelog(file, shown);
        const others = config.services.map((s) => s.name).filter((s) => s !== service.name);
        if (text === undefined || findEntry(text, service.name, version, others) === undefined) {
            ctx.stderr.write(`releasectl changelog: note: ${shown} has no entry for ${service.name} ${version} yet; releasectl prepare writes it\n`);
        }
        return 0;
    },
};
