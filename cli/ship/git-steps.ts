import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";
import { PreparedEntry, writePreparedEntry } from "../changelog/prepare-entry";
import { git, isTracked, tagExists } from "../git";
import { realTarget } from "../paths";
import { writeFileAtomic } from "../stack/fs-atomic";
import { updateFileLocked } from "../stack/lock";
import { readStackText } from "../stack/stack-text";

/**
 * What ship does to the repository: write the stack file (atomic, under prepare's lock) and the
 * changelog entry (as prepare writes it), commit those files and nothing else, tag a commit.
 * Never pushes: pushing is the person's decision.
 */

/** The changelog entry ship wrote: the file's bytes before and after, to undo it byte for byte. */
export interface ChangelogChange {
    /** The file as git commands in the project folder name it. */
    readonly path: string;
    /** Absolute. */
    readonly file: string;
    /** undefined: the file did not exist. */
    readonly before: Buffer | undefined;
    readonly after: Buffer;
}

export interface ShipGit {
    /** Writes `text` over the stack file, provided it still holds `expected` (else nothing is written). */
    writeStackFile(expected: string, text: string): Promise<void>;
    /**
     * Writes the release's changelog entry (prepare's step, cli/changelog/prepare-entry.ts): the
     * line to show, and the change made (none when the file has the entry already).
     */
    writeChangelog(entry: Extract<PreparedEntry, { kind: "entry" }>, gitPath: string): Promise<{ line: string; change?: ChangelogChange }>;
    /**
     * Puts the changelog back as it was before `change` (removes a file ship created), provided
     * it still holds what ship wrote; else throws and leaves it.
     */
    restoreChangelog(change: ChangelogChange): void;
    /**
     * Commits the stack file and `also` (the changelog) alone (other staged changes stay staged)
     * and returns the commit id.
     */
    commitStackFile(subject: string, body?: string, also?: readonly string[]): string;
    /** The stack file as committed at HEAD (for the state report when something went wrong). */
    committedStackFile(): string | undefined;
    tagExists(name: string): boolean;
    /** An annotated tag on `commit` with `message` (the release notes, as releasectl tag writes them). */
    tag(name: string, commit: string, message: string): void;
    /** The checked-out branch, or undefined when HEAD is detached. */
    branch(): string | undefined;
}

export function shipGit(dir: string, file: string, fileName: string, env: NodeJS.ProcessEnv): ShipGit {
    return {
        async writeStackFile(expected, text) {
            await updateFileLocked(file, (current) => {
                if (current !== expected) {
                    throw new UserError(`${file}: changed by someone else while ship was running; nothing was written: look at git diff ${fileName}`, "ECHANGED");
                }
                return text;
            });
        },
        async writeChangelog(entry, gitPath) {
            const target = realTarget(entry.file);
            const before = readBytes(target);
            const written = await writePreparedEntry(entry);
            if (written.commit === undefined) return { line: written.line };
            return { line: written.line, change: { path: gitPath, file: target, before, after: fs.readFileSync(target) } };
        },
        restoreChangelog(change) {
            const now = readBytes(change.file);
            if (now === undefined || !now.equals(change.after)) {
                throw new UserError(`${change.path}: changed by someone else since ship wrote the entry; left as it is: look at git diff ${change.path}`, "ECHANGED");
            }
            if (change.before === undefined) fs.unlinkSync(change.file);
            else writeFileAtomic(change.file, change.before);
        },
        commitStackFile(subject, body, also = []) {
            const message = body === undefined ? subject : `${subject}\n\n${body}`;
            // a changelog ship creates is new to git: --only commits only paths git knows
            const added = also.filter((p) => fs.existsSync(path.resolve(dir, p)) && !isTracked(dir, p, env));
            if (added.length > 0) git(dir, ["add", "--", ...added], { env });
            try {
                // --only with the paths: exactly the stack file (and the changelog), whatever else is staged.
                git(dir, ["commit", "--quiet", "--only", "--file=-", "--", fileName, ...also], { env, input: message });
            } catch (e) {
                // a file ship added and could not commit leaves the index as it was
                if (added.length > 0) git(dir, ["rm", "--cached", "--quiet", "--", ...added], { env });
                throw e;
            }
            return git(dir, ["rev-parse", "HEAD"], { env }).trim();
        },
        committedStackFile() {
            try {
                return git(dir, ["show", `HEAD:./${fileName}`], { env });
            } catch {
                return undefined;
            }
        },
        tagExists: (name) => tagExists(dir, name, env),
        tag(name, commit, message) {
            git(dir, ["tag", "--annotate", "--cleanup=whitespace", "--file=-", name, commit], { env, input: message });
        },
        branch() {
            const name = git(dir, ["branch", "--show-current"], { env }).trim();
            return name === "" ? undefined : name;
        },
    };
}

function readBytes(file: string): Buffer | undefined {
    try {
        return fs.readFileSync(file);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
    }
}

/** The stack file's bytes on disk now (undefined when it cannot be read). */
export function readIfPresent(file: string): string | undefined {
    try {
        return readStackText(file);
    } catch {
        return undefined;
    }
}
