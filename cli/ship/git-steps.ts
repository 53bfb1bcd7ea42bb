import { UserError } from "../../config/errors";
import { computeNext } from "../commands/next";
import { tagMessage } from "../commands/tag";
import { git, tagExists } from "../git";
import { updateFileLocked } from "../stack/lock";
import { readStackText } from "../stack/stack-text";

/**
 * What ship does to the repository: write the stack file (atomic, under prepare's lock), commit
 * it and nothing else, tag a commit. Never pushes: pushing is the person's decision.
 */
export interface ShipGit {
    /** Writes `text` over the stack file, provided it still holds `expected` (else nothing is written). */
    writeStackFile(expected: string, text: string): Promise<void>;
    /** Commits the stack file alone (other staged changes stay staged) and returns the commit id. */
    commitStackFile(subject: string, body?: string): string;
    /** The stack file as committed at HEAD (for the state report when something went wrong). */
    committedStackFile(): string | undefined;
    tagExists(name: string): boolean;
    /**
     * An annotated tag on `commit`, with releasectl tag's message (one line per commit since the
     * previous release tag), or `fallback` when that history cannot be read.
     */
    tag(name: string, commit: string, prefix: string, fallback: string): void;
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
        commitStackFile(subject, body) {
            const message = body === undefined ? subject : `${subject}\n\n${body}`;
            // --only with the path: exactly the stack file, whatever else is staged.
            git(dir, ["commit", "--quiet", "--only", "--file=-", "--", fileName], { env, input: message });
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
        tag(name, commit, prefix, fallback) {
            let message = fallback;
            try {
                message = tagMessage(name, computeNext({ repo: dir, to: commit, tagPrefix: prefix, env }));
            } catch {
                // a history next cannot read still gets its tag, with the plain message
            }
            git(dir, ["tag", "--annotate", "--cleanup=whitespace", "--file=-", name, commit], { env, input: message });
        },
        branch() {
            const name = git(dir, ["branch", "--show-current"], { env }).trim();
            return name === "" ? undefined : name;
        },
    };
}

/** The stack file's bytes on disk now (undefined when it cannot be read). */
export function readIfPresent(file: string): string | undefined {
    try {
        return readStackText(file);
    } catch {
        return undefined;
    }
}
