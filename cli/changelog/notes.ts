import { ConventionalCommit } from "../versions/conventional-commits";

/**
 * Release notes from the commits of one release: pure, so each rule is tested without git.
 * The same notes become the changelog entry (markdown, with commit links when the remote is
 * known), the annotated tag's message and ship's announcement (plain text).
 *
 * Sections, in this order: breaking changes, features, bug fixes (fix and perf), other
 * changes. Commits that only keep the repository running (chore, ci, build, test, style) and
 * the commits releasectl itself writes (`release checkout 2.5.0`, `rollback checkout to …`,
 * `revert release …`) are left out, as release-please and semantic-release leave them out.
 */

export interface NoteCommit {
    readonly sha: string;
    readonly parsed: ConventionalCommit;
}

export interface NoteItem {
    readonly sha: string;
    readonly scope?: string;
    readonly text: string;
}

export interface ReleaseNotes {
    readonly breaking: readonly NoteItem[];
    readonly features: readonly NoteItem[];
    readonly fixes: readonly NoteItem[];
    readonly other: readonly NoteItem[];
}

/** Types that do not change what users get. */
const HIDDEN_TYPES = new Set(["chore", "ci", "build", "test", "tests", "style"]);

/** Subjects releasectl writes for its own commits (ship, prepare's suggested commit, rollback). */
const OWN_COMMIT = /^(?:release \S+ v?\d+\.\d+\.\d+\S*|rollback \S+(?: to .*)?|revert release \S+ .*)$/;

export function notesFrom(commits: readonly NoteCommit[]): ReleaseNotes {
    const breaking: NoteItem[] = [];
    const features: NoteItem[] = [];
    const fixes: NoteItem[] = [];
    const other: NoteItem[] = [];
    for (const c of commits) {
        const p = c.parsed;
        if (p.type === undefined && OWN_COMMIT.test(p.subject.trim())) continue;
        const item = { sha: c.sha, scope: p.scope, text: p.subject.trim() };
        if (p.breaking) {
            const note = (p.breakingNote ?? p.subject).replace(/\s+/g, " ").trim();
            breaking.push({ ...item, text: note });
            // the change itself is listed too when the note says something else (the footer's text)
            if (note === item.text) continue;
        }
        if (p.type === "feat") features.push(item);
        else if (p.type === "fix" || p.type === "perf") fixes.push(item);
        else if (!p.breaking && !(p.type !== undefined && HIDDEN_TYPES.has(p.type))) {
            // the type says what kind of change it is (docs, refactor): kept in front of the text
            other.push(p.type === undefined ? item : { ...item, scope: undefined, text: `${p.type}${p.scope ? `(${p.scope})` : ""}: ${item.text}` });
        }
    }
    return { breaking, features, fixes, other };
}

export function isEmpty(notes: ReleaseNotes): boolean {
    return notes.breaking.length + notes.features.length + notes.fixes.length + notes.other.length === 0;
}

const SECTIONS: readonly { key: keyof ReleaseNotes; title: string }[] = [
    { key: "breaking", title: "Breaking changes" },
    { key: "features", title: "Features" },
    { key: "fixes", title: "Bug fixes" },
    { key: "other", title: "Other changes" },
];

export const NO_CHANGES = "No notable changes.";

/** Markdown-significant characters of a commit subject escaped, so `*` or `_` stay text. */
function markdownText(text: string): string {
    return text.replace(/([\\`*_[\]<>])/g, "\\$1");
}

/**
 * The changelog entry: `## <service> <version> (<date>)`, then a `###` section per kind (one
 * level deeper than `level`). `link` turns a commit id into its URL (undefined: no links).
 * Lines end with `eol`; the entry ends with one.
 */
export function entryMarkdown(
    notes: ReleaseNotes,
    opts: { service: string; version: string; date: string; level?: number; link?: (sha: string) => string | undefined; eol?: string },
): string {
    const eol = opts.eol ?? "\n";
    const level = opts.level ?? 2;
    const lines = [`${"#".repeat(level)} ${opts.service} ${opts.version} (${opts.date})`, ""];
    for (const { key, title } of SECTIONS) {
        const items = notes[key];
        if (items.length === 0) continue;
        lines.push(`${"#".repeat(level + 1)} ${title}`, "");
        for (const item of items) {
            const url = opts.link?.(item.sha);
            const ref = url === undefined ? `(${item.sha.slice(0, 7)})` : `([${item.sha.slice(0, 7)}](${url}))`;
            lines.push(`- ${item.scope ? `**${markdownText(item.scope)}:** ` : ""}${markdownText(item.text)} ${ref}`);
        }
        lines.push("");
    }
    if (isEmpty(notes)) lines.push(NO_CHANGES, "");
    return lines.join(eol);
}

/** Plain text, for the annotated tag's message and the announcement: no markdown, short ids. */
export function notesText(notes: ReleaseNotes): string {
    if (isEmpty(notes)) return `${NO_CHANGES}\n`;
    const blocks: string[] = [];
    for (const { key, title } of SECTIONS) {
        const items = notes[key];
        if (items.length === 0) continue;
        blocks.push([`${title}:`, ...items.map((i) => `- ${i.scope ? `${i.scope}: ` : ""}${i.text} (${i.sha.slice(0, 7)})`)].join("\n"));
    }
    return `${blocks.join("\n\n")}\n`;
}

/**
 * The notes in an announcement (a chat message): the plain text of notesText, at most `limit`
 * items (breaking changes first, as the sections go), then how many more and where to read them.
 */
export function announcementNotes(notes: ReleaseNotes, opts: { limit?: number; more?: string } = {}): string {
    const limit = opts.limit ?? 10;
    if (isEmpty(notes)) return `${NO_CHANGES}\n`;
    const blocks: string[] = [];
    let shown = 0;
    let total = 0;
    for (const { key, title } of SECTIONS) {
        const items = notes[key];
        total += items.length;
        const room = Math.max(0, limit - shown);
        if (items.length === 0 || room === 0) continue;
        const taken = items.slice(0, room);
        shown += taken.length;
        blocks.push([`${title}:`, ...taken.map((i) => `- ${i.scope ? `${i.scope}: ` : ""}${i.text} (${i.sha.slice(0, 7)})`)].join("\n"));
    }
    const rest = total - shown;
    if (rest > 0) blocks.push(`… and ${rest} more${opts.more ? `: ${opts.more}` : ""}`);
    return `${blocks.join("\n\n")}\n`;
}
