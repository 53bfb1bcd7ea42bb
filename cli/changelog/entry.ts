import * as path from "path";
import { UserError } from "../../config/errors";
import { ReleaseConfig } from "../../config/types";
import { ChecklistConfig } from "../checklist/pack-config";
import { findEntry, writeEntry, WriteOutcome } from "./file";
import { entryMarkdown, notesFrom, notesText, ReleaseNotes } from "./notes";
import { comingCommits, commitsOfVersion, CommitsRequest, ReleaseCommits } from "./release-commits";
import { CommitLinks, repositoryLinks } from "./remote";

/**
 * One service's notes for one version, and its changelog entry, as prepare, ship and
 * `releasectl changelog` make them: the same commits, the same notes, the same file.
 */

export interface ServiceNotes {
    readonly service: string;
    readonly version: string;
    readonly notes: ReleaseNotes;
    readonly commits: ReleaseCommits;
    readonly links?: CommitLinks;
    /** The entry's date, YYYY-MM-DD. */
    readonly date: string;
}

/** The file repository-changelog-entry reads (its changelogFile setting), absolute. */
export function changelogPath(projectDir: string, packConfig: ChecklistConfig): { file: string; setting: string } {
    const setting = packConfig.settingsOf("repository-changelog-entry").changelogFile;
    return { file: path.resolve(projectDir, setting), setting };
}

/** Today (UTC), or the day of RELEASECTL_NOW (the clock `releasectl check` also takes). */
export function releaseDate(env: NodeJS.ProcessEnv): string {
    const text = env.RELEASECTL_NOW;
    if (text !== undefined && text !== "") {
        const t = Date.parse(text);
        if (Number.isNaN(t)) throw new UserError(`RELEASECTL_NOW=${JSON.stringify(text)}: not an ISO 8601 instant, e.g. 2025-12-24T18:00:00Z; unset it to use the real clock`, "EUSAGE");
        return new Date(t).toISOString().slice(0, 10);
    }
    return new Date().toISOString().slice(0, 10);
}

function build(req: CommitsRequest, version: string, commits: ReleaseCommits): ServiceNotes {
    return {
        service: req.service,
        version,
        notes: notesFrom(commits.commits),
        commits,
        links: repositoryLinks(req.dir, req.env),
        date: releaseDate(req.env ?? process.env),
    };
}

/** The notes of the release being prepared (the commits `prepare auto` counts). */
export function comingNotes(req: CommitsRequest, version: string): ServiceNotes {
    return build(req, version, comingCommits(req));
}

/** The notes of any version of the service (see commitsOfVersion). */
export function notesOfVersion(req: CommitsRequest, version: string, current: string): ServiceNotes {
    return build(req, version, commitsOfVersion({ ...req, version, current }));
}

export function entryOf(n: ServiceNotes): (level: number, eol: string) => string {
    return (level, eol) => entryMarkdown(n.notes, { service: n.service, version: n.version, date: n.date, level, eol, link: n.links?.commit });
}

export function markdownOf(n: ServiceNotes): string {
    return entryOf(n)(2, "\n");
}

export function textOf(n: ServiceNotes): string {
    return notesText(n.notes);
}

/** Writes the entry into the changelog unless it has one for this service and version. */
export function writeServiceEntry(n: ServiceNotes, config: ReleaseConfig, file: string, shown: string): Promise<WriteOutcome> {
    const others = config.services.map((s) => s.name).filter((s) => s !== n.service);
    return writeEntry(file, shown, (text) => findEntry(text, n.service, n.version, others), entryOf(n));
}
