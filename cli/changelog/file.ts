import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";
import { mentionsVersion } from "../checklist/repository-checks";
import { realTarget } from "../paths";
import { writeFileAtomic } from "../stack/fs-atomic";
import { withLock, lockPathFor } from "../stack/lock";
import { decodeStackBytes, encodeStackText } from "../stack/stack-text";

/**
 * The changelog file (the one the checklist's repository-changelog-entry reads): finding a
 * service's entry and inserting a new one. Every byte outside the inserted entry stays as it
 * was (the text is decoded so that it encodes back unchanged, stack-text.ts): line endings, a
 * byte-order mark, bytes that are not UTF-8, the title, hand-written entries.
 *
 * Where the entry goes: before the newest release heading (a heading naming a version), so the
 * file stays newest first and a keep-a-changelog `## [Unreleased]` section stays on top; at
 * the end when the file has no release heading yet. The entry's heading level is the release
 * headings' level (## by default), and its line endings the file's (CRLF when the file uses it).
 */

export interface Heading {
    /** Offset of the line's first character. */
    readonly start: number;
    readonly level: number;
    readonly text: string;
}

/** ATX headings (`## …`), outside fenced code blocks. */
export function headings(text: string): Heading[] {
    const out: Heading[] = [];
    let fence: string | undefined;
    let pos = 0;
    for (const line of text.split("\n")) {
        const start = pos;
        pos += line.length + 1;
        const bare = line.replace(/\r$/, "").replace(/^\ufeff/, "");
        const f = /^ {0,3}(`{3,}|~{3,})/.exec(bare);
        if (f) {
            if (fence === undefined) fence = f[1][0];
            else if (f[1][0] === fence) fence = undefined;
            continue;
        }
        if (fence !== undefined) continue;
        const m = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$/.exec(bare);
        if (m) out.push({ start, level: m[1].length, text: m[2] ?? "" });
    }
    return out;
}

const VERSION_TOKEN = /(?:^|[^0-9A-Za-z.])v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?(?![0-9A-Za-z.])/;

/** A heading that names a release (a version); `Unreleased` and the title do not. */
export function isReleaseHeading(h: Heading): boolean {
    return VERSION_TOKEN.test(h.text);
}

function namesService(heading: string, service: string): boolean {
    const escaped = service.replace(/[.+^${}()|[\]\\*?-]/g, "\\$&");
    return new RegExp(`(?:^|[^0-9A-Za-z-])${escaped}(?:$|[^0-9A-Za-z-])`, "i").test(heading);
}

/**
 * The heading of `service`'s entry for `version`: a heading naming the version that names the
 * service, or names none of the stack's other services (`## [2.5.0] - 2026-01-03` in a
 * single-service project).
 */
export function findEntry(text: string, service: string, version: string, otherServices: readonly string[]): Heading | undefined {
    return headings(text).find(
        (h) => mentionsVersion(h.text, version) && (namesService(h.text, service) || !otherServices.some((o) => namesService(h.text, o))),
    );
}

/** The text of the entry that starts at `heading`: up to the next heading of its level or higher. */
export function entryText(text: string, heading: Heading): string {
    const next = headings(text).find((h) => h.start > heading.start && h.level <= heading.level);
    return text.slice(heading.start, next === undefined ? text.length : next.start);
}

export interface Insertion {
    readonly text: string;
    /** Where the entry went, for the message: `before "## checkout 2.4.1"`, `at the end`, `new file`. */
    readonly where: string;
}

/**
 * `existing` (undefined: no file yet) with the entry inserted. `entry` renders the entry for a
 * heading level and line ending. Pure.
 */
export function insertEntry(existing: string | undefined, entry: (level: number, eol: string) => string, title = "Changelog"): Insertion {
    if (existing === undefined || existing.replace(/^\ufeff/, "").trim() === "") {
        const bom = existing?.startsWith("\ufeff") ? "\ufeff" : "";
        const eol = existing?.includes("\r\n") ? "\r\n" : "\n";
        return { text: `${bom}# ${title}${eol}${eol}${entry(2, eol)}`, where: existing === undefined ? "new file" : "the empty file" };
    }
    const eol = existing.includes("\r\n") ? "\r\n" : "\n";
    const releases = headings(existing).filter(isReleaseHeading);
    if (releases.length > 0) {
        const level = Math.min(...releases.map((h) => h.level));
        const first = releases[0];
        const before = existing.slice(0, first.start);
        const shown = existing.slice(first.start).split(/\r?\n/)[0].replace(/^\ufeff/, "");
        return { text: `${before}${entry(level, eol)}${eol}${existing.slice(first.start)}`, where: `before "${shown}"` };
    }
    let head = existing;
    if (!head.endsWith("\n")) head += eol;
    if (!/(?:^|\n)[ \t]*\r?\n$/.test(head)) head += eol;
    return { text: `${head}${entry(2, eol)}`, where: "at the end" };
}

export type WriteOutcome = { readonly written: true; readonly where: string } | { readonly written: false; readonly existing: string };

/**
 * Adds the entry to the changelog file unless it has one for the service and version already
 * (so preparing the same version twice writes it once). Atomic (temporary file and rename),
 * under a lock beside the file, the file re-read once the lock is held.
 */
export async function writeEntry(
    file: string,
    shown: string,
    find: (text: string) => Heading | undefined,
    entry: (level: number, eol: string) => string,
): Promise<WriteOutcome> {
    const target = realTarget(file);
    if (!fs.existsSync(path.dirname(target))) {
        throw new UserError(`${shown}: the folder ${path.dirname(shown)} does not exist; create it, or set changelogFile of repository-changelog-entry to a file in an existing folder`, "ENOCHANGELOGDIR");
    }
    return withLock(lockPathFor(target), () => {
        const before = readChangelog(target, shown);
        const found = before === undefined ? undefined : find(before);
        if (found !== undefined) return { written: false, existing: before!.slice(found.start).split(/\r?\n/)[0] } as const;
        const inserted = insertEntry(before, entry);
        try {
            writeFileAtomic(target, encodeStackText(inserted.text));
        } catch (e) {
            const err = e as NodeJS.ErrnoException;
            throw new UserError(`${shown}: could not write the changelog entry (${err.code ?? err.message}); the file is unchanged: free space or fix permissions and run again`, "EWRITE");
        }
        return { written: true, where: inserted.where } as const;
    });
}

/** The changelog's text (bytes kept, stack-text.ts), or undefined when there is no file. */
export function readChangelog(file: string, shown: string): string | undefined {
    let bytes: Buffer;
    try {
        bytes = fs.readFileSync(file);
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === "ENOENT") return undefined;
        throw new UserError(`${shown}: cannot be read (${err.code ?? err.message}); fix its permissions, or set changelogFile of repository-changelog-entry to another file`, "ECHANGELOG");
    }
    return decodeStackBytes(bytes);
}
