/**
 * A small parser for Conventional Commits 1.0.0 (https://www.conventionalcommits.org/en/v1.0.0/).
 * Pure: a commit message in, its parts out. Written here rather than taken from
 * conventional-commits-parser because that package is ESM-only and, with its default options,
 * does not read `type!:` headers.
 */

export interface Footer {
    /** The token as written: `BREAKING CHANGE`, `Refs`, `Reviewed-by`. */
    readonly token: string;
    readonly value: string;
}

export interface ConventionalCommit {
    /** Lower-cased type (`feat`, `fix`); undefined when the header is not conventional. */
    readonly type?: string;
    readonly scope?: string;
    /** The header's `!`, or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer. */
    readonly breaking: boolean;
    /** What the breaking change says (the footer's text, or the subject for a bare `!`). */
    readonly breakingNote?: string;
    /** The description after `type(scope): `, or the whole first line when not conventional. */
    readonly subject: string;
    readonly body: string;
    readonly footers: readonly Footer[];
}

/**
 * `type(scope)!: subject`. Types are nouns; the spec treats them case-insensitively. The grammar
 * as conventional-commits-parser reads it (the engine of semantic-release, standard-version and
 * lerna): the type starts the line (` feat: x` is not conventional), one space after the colon
 * is required and more are allowed (`feat:  x` is a feat with the subject `x`).
 */
const HEADER = /^([A-Za-z][A-Za-z0-9_-]*)(?:\(([^()\r\n]*)\))?(!)?: \s*(\S.*)$/;
/**
 * A footer line: `Token: value` or `Token #value` (git trailer style). Tokens use `-` for spaces;
 * `BREAKING CHANGE` is the one token with a space. The spec says it MUST be upper case.
 */
const FOOTER = /^(BREAKING[ -]CHANGE)(?::[ \t]*| #)(.*)$|^([A-Za-z][A-Za-z0-9-]*)(?:: | #)(.*)$/;
/**
 * A breaking-change note anywhere after the header, as conventional-commits-parser finds it: an
 * optional `* ` bullet (squash-merge bodies list their commits so), the token, a colon, and the
 * description on the same line or, when the line holds only the token, on the lines after it.
 */
const BREAKING_LINE = /^(?:\*[ \t]+)?(BREAKING[ -]CHANGE):[ \t]*(.*)$/m;
const BREAKING_TOKENS = new Set(["BREAKING CHANGE", "BREAKING-CHANGE"]);

export function parseConventionalCommit(message: string): ConventionalCommit {
    const lines = message.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    const header = (lines[0] ?? "").trimEnd();
    const rest = lines.slice(1);
    const footerStart = findFooterStart(rest);
    const body = rest.slice(0, footerStart).join("\n").trim();
    const footers = parseFooters(rest.slice(footerStart));
    const breakingFooter = footers.find((f) => BREAKING_TOKENS.has(f.token)) ?? breakingLineInBody(body);

    const m = HEADER.exec(header);
    if (!m) {
        return {
            breaking: breakingFooter !== undefined,
            breakingNote: breakingFooter?.value,
            subject: header,
            body,
            footers,
        };
    }
    const [, type, scope, bang, subject] = m;
    const breaking = bang === "!" || breakingFooter !== undefined;
    return {
        type: type.toLowerCase(),
        scope: scope === undefined || scope.trim() === "" ? undefined : scope.trim(),
        breaking,
        breakingNote: breakingFooter?.value ?? (bang === "!" ? subject : undefined),
        subject,
        body,
        footers,
    };
}

/**
 * A `BREAKING CHANGE:` line that is not in the footer section (no blank line before it, or
 * followed by more prose) still announces a breaking change, as conventional-commits-parser
 * reads it: a missed major release hurts more than an unexpected one.
 */
function breakingLineInBody(body: string): Footer | undefined {
    const m = BREAKING_LINE.exec(body);
    if (!m) return undefined;
    let value = m[2].trim();
    if (value === "") {
        // `BREAKING CHANGE:` alone: the description is the paragraph that follows.
        const after = body.slice(m.index + m[0].length).replace(/^\n+/, "");
        value = after.split(/\n[ \t]*\n/)[0].trim();
    }
    return { token: m[1], value };
}

/**
 * The footer section is the last paragraph(s) made only of footer lines and their
 * continuations, starting after a blank line. Returns its index in `lines` (lines.length when
 * there are no footers).
 */
function findFooterStart(lines: readonly string[]): number {
    let start = lines.length;
    // Walk paragraphs from the end: a paragraph belongs to the footers when its first line is a
    // footer; stop at the first paragraph (from the end) that is not.
    let end = lines.length;
    while (end > 0) {
        while (end > 0 && lines[end - 1].trim() === "") end--;
        let begin = end;
        while (begin > 0 && lines[begin - 1].trim() !== "") begin--;
        if (begin === end) break;
        // The paragraph right after the header (no blank line before it) is body, not footers.
        if (begin === 0 || !FOOTER.test(lines[begin])) break;
        start = begin;
        end = begin;
    }
    return start;
}

/** Footer lines; a line that is not a footer continues the previous footer's value. */
function parseFooters(lines: readonly string[]): Footer[] {
    const footers: { token: string; value: string[] }[] = [];
    for (const line of lines) {
        const m = FOOTER.exec(line);
        if (m) footers.push(m[1] !== undefined ? { token: m[1], value: [m[2]] } : { token: m[3], value: [m[4]] });
        else if (footers.length > 0) footers[footers.length - 1].value.push(line);
    }
    return footers.map((f) => ({ token: f.token, value: f.value.join("\n").trim() }));
}
