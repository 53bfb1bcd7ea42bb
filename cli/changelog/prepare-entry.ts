import * as path from "path";
import { UserError } from "../../config/errors";
import { ReleaseConfig } from "../../config/types";
import { loadRepositoryChecksConfig } from "../checklist/pack-config";
import { computeNext, NextRequest } from "../versions/compute-next";
import { CommandContext } from "../context";
import { projectName } from "../stack/project-name";
import { changelogPath, comingNotes, markdownOf, releaseDate, ServiceNotes, writeServiceEntry } from "./entry";
import { findEntry, readChangelog } from "./file";
import { notesFrom } from "./notes";
import { repositoryLinks } from "./remote";

/**
 * prepare's changelog step: the entry of the version being prepared, decided before anything is
 * written (so bad input stops prepare with nothing changed), then written after the stack file.
 */

export type PreparedEntry =
    | {
          readonly kind: "entry";
          readonly notes: ServiceNotes;
          readonly file: string;
          /** The file as messages and git commands show it (relative to the current folder). */
          readonly shown: string;
          readonly config: ReleaseConfig;
          dryRun(): string;
      }
    | { readonly kind: "skipped"; readonly why: string };

/** Why there is no history to read the commits from (not a repository, no commit): the entry is skipped, prepare goes on. */
const NO_HISTORY = new Set(["ENOTGIT", "ENOCOMMITS", "ENOHISTORY", "ENOGIT", "ELINKEDHISTORY"]);

export function preparedEntry(
    ctx: CommandContext,
    at: { dir: string; stack: string; config: ReleaseConfig; service: string; version: string; policyPackConfig?: string; repo?: NextRequest },
): PreparedEntry {
    let packConfig;
    try {
        packConfig = loadRepositoryChecksConfig(at.policyPackConfig, ctx.cwd);
    } catch (e) {
        if (e instanceof UserError) throw new UserError(e.message.replace(/^--config /, "--policy-pack-config "), e.code);
        throw e;
    }
    const { file } = changelogPath(at.dir, packConfig);
    const shown = path.relative(ctx.cwd, file) || file;
    let notes: ServiceNotes;
    try {
        if (at.repo !== undefined) {
            // --repo: the service's commits live in that repository.
            const result = computeNext(at.repo);
            notes = {
                service: at.service,
                version: at.version,
                notes: notesFrom(result.commits),
                commits: { commits: result.commits, range: result.range, previousTag: result.previousTag },
                links: repositoryLinks(at.repo.repo, ctx.env),
                date: releaseDate(ctx.env),
            };
        } else {
            const project = projectName(at.dir);
            const service = at.config.services.find((s) => s.name === at.service)!;
            const line = { dir: at.dir, stack: at.stack, project, config: at.config, service, env: ctx.env };
            notes = comingNotes({ dir: at.dir, stack: at.stack, project, service: at.service, env: ctx.env, line }, at.version);
        }
    } catch (e) {
        if (e instanceof UserError && NO_HISTORY.has(e.code)) return { kind: "skipped", why: `changelog: no entry written (${e.message.replace(/;.*$/, "")}): the entry lists the release's commits` };
        throw e;
    }
    return {
        kind: "entry",
        notes,
        file,
        shown,
        config: at.config,
        dryRun() {
            const text = readChangelog(file, shown);
            const others = at.config.services.map((s) => s.name).filter((s) => s !== at.service);
            const found = text === undefined ? undefined : findEntry(text, at.service, at.version, others);
            if (found !== undefined) return `${shown}: has an entry for ${at.service} ${at.version} already ("${text!.slice(found.start).split(/\r?\n/)[0]}"); it would stay as it is\n`;
            return `${shown}: would ${text === undefined ? "be created with" : "get"} the entry:\n${markdownOf(notes).replace(/^(?=.)/gm, "  ")}`;
        },
    };
}

/** Writes the entry; the line prepare prints, and the path to commit with the stack file (when written). */
export async function writePreparedEntry(entry: PreparedEntry): Promise<{ line: string; commit?: string }> {
    if (entry.kind === "skipped") return { line: entry.why };
    const n = entry.notes;
    const outcome = await writeServiceEntry(n, entry.config, entry.file, entry.shown);
    if (!outcome.written) return { line: `${entry.shown}: has an entry for ${n.service} ${n.version} already ("${outcome.existing}"); left as it is` };
    const count = n.commits.commits.length;
    return {
        line: `${entry.shown}: entry for ${n.service} ${n.version} written (${count} commit${count === 1 ? "" : "s"}, ${n.commits.range}; ${outcome.where})`,
        commit: entry.shown,
    };
}
