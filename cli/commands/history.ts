import { parseCommandArgs } from "../args";
import { Command, CommandContext } from "../context";
import { releaseTags, serviceHistory } from "../operations/history";
import { projectDir, resolveStack } from "../project";
import { Release } from "../stack/history";

const USAGE = "releasectl history <service> [--stack S] [--json]";

export function historyJson(releases: readonly Release[], tags: ReadonlyMap<string, string> = new Map()): Record<string, unknown>[] {
    const current = releases[releases.length - 1];
    return [...releases].reverse().map((r) => ({
        version: r.version,
        date: r.date,
        commit: r.commit,
        author: r.author,
        email: r.email,
        subject: r.subject,
        rollback: r.rollback,
        previousVersion: r.previousVersion ?? null,
        migrationPhase: r.migration?.phase ?? null,
        current: r === current,
        /** The version's release tag, where one exists. */
        tag: tags.get(r.version) ?? null,
    }));
}

export function historyTable(releases: readonly Release[], tags: ReadonlyMap<string, string> = new Map()): string {
    const current = releases[releases.length - 1];
    // the TAG column only when the service has release tags: the output stays as it was without
    const tagged = releases.some((r) => tags.has(r.version));
    const rows = [...releases].reverse().map((r) => [
        `${r === current ? "*" : " "} ${r.version}`,
        r.date.replace("T", " ").replace(/([+-]\d\d:\d\d|Z)$/, " $1"),
        r.commit.slice(0, 7),
        r.author,
        r.rollback ? "rollback" : "",
        r.migration ? r.migration.phase ?? "?" : "",
        ...(tagged ? [tags.get(r.version) ?? ""] : []),
        r.subject,
    ]);
    const header = ["  VERSION", "DATE", "COMMIT", "AUTHOR", "ROLLBACK", "MIGRATION", ...(tagged ? ["TAG"] : []), "SUBJECT"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
    return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

export const history: Command = {
    name: "history",
    summary: "the releases of a service, from the stack file's git history",
    help: `Usage: ${USAGE}

Lists the releases of one service, newest first, read from the git history of
Pulumi.<stack>.yaml: a release is a commit (on HEAD's first-parent line) that changed the
service's version. For each: the version, the commit's date, id and author, whether it was a
rollback, the migration phase it declared (expand or contract), the version's release tag where
one exists (<tagPrefix><version> of the service's version line, as releasectl tag and ship
create it; the TAG column appears once the service has tags), and the commit subject. * marks
the current release. These are the versions releasectl rollback --to and releasectl diff accept.

Options:
  --stack NAME   stack (default: $RELEASECTL_STACK, or the only Pulumi.<stack>.yaml)
  --json         print a JSON array, newest first
  --cwd DIR      project directory (default: the nearest folder holding Pulumi.yaml)
  --debug        show stack traces on errors

Examples:
  releasectl history checkout --stack production
  releasectl history checkout --json | jq -r '.[1].version'   # the release before the current one`,
    async run(ctx: CommandContext): Promise<number> {
        const { values, positionals } = parseCommandArgs("history", ctx.argv, { stack: { type: "string" }, json: { type: "boolean" } }, { min: 1, max: 1, usage: USAGE });
        if (values.help) {
            ctx.stdout.write(`${this.help}\n`);
            return 0;
        }
        const dir = projectDir(ctx, values.cwd);
        const stack = resolveStack(dir, values.stack, ctx.env, positionals[0]);
        const result = serviceHistory(dir, stack, positionals[0], ctx.env);
        const tags = releaseTags(dir, stack, positionals[0], ctx.env);
        if (values.json) ctx.stdout.write(`${JSON.stringify(historyJson(result.releases, tags), null, 2)}\n`);
        else ctx.stdout.write(historyTable(result.releases, tags));
        for (const u of result.unreadable) ctx.stderr.write(`releasectl history: skipped commit ${u.commit.slice(0, 7)}: ${result.file} is not valid YAML there (${u.error})\n`);
        return 0;
    },
};
