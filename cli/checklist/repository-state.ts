import { UserError } from "../../config/errors";
import { git, listTags, repoRoot } from "../git";

/**
 * The git facts `releasectl check` needs, through the project's git edge (cli/git.ts): three
 * short processes, nothing that changes the repository or takes its index lock.
 */

export interface RepositoryState {
    /** Absolute path of the working tree's top folder. */
    readonly root: string;
    /** Current branch, or undefined when HEAD is detached (or the repository has no commit yet). */
    readonly branch?: string;
    /** Changed, staged and untracked paths, relative to `root` (ignored files excluded). */
    readonly changed: readonly string[];
    readonly tags: ReadonlySet<string>;
    /** A file's content at a revision, or undefined when it does not exist there. */
    fileAt(revision: string, pathFromRoot: string): string | undefined;
}

/** The repository holding `dir`, or the reason there is none. */
export function readRepository(dir: string, env?: NodeJS.ProcessEnv): RepositoryState | { readonly reason: string } {
    let root: string;
    try {
        root = repoRoot(dir, env);
    } catch (e) {
        if (e instanceof UserError) return { reason: e.code === "ENOTGIT" ? `${dir} is not inside a git repository` : e.message };
        throw e;
    }
    // Untracked files count: a new file in the program would be released without a commit.
    const { branch, changed } = parseStatus(git(root, ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"], { env }));
    const tags = new Set(listTags(root, "", env));
    return {
        root,
        branch,
        changed,
        tags,
        fileAt(revision, pathFromRoot) {
            try {
                return git(root, ["show", `${revision}:${pathFromRoot}`], { env });
            } catch {
                return undefined;
            }
        },
    };
}

/** `git status --porcelain=v2 --branch -z`: the branch header and every changed path. */
export function parseStatus(output: string): { branch?: string; changed: string[] } {
    const fields = output.split("\0");
    let branch: string | undefined;
    const changed: string[] = [];
    for (let i = 0; i < fields.length; i++) {
        const entry = fields[i];
        if (entry.startsWith("# branch.head ")) {
            const head = entry.slice("# branch.head ".length);
            branch = head === "(detached)" ? undefined : head;
        } else if (entry.startsWith("1 ")) {
            changed.push(entry.split(" ").slice(8).join(" "));
        } else if (entry.startsWith("2 ")) {
            changed.push(entry.split(" ").slice(9).join(" "));
            i++; // a rename or copy is followed by its original path
        } else if (entry.startsWith("u ")) {
            changed.push(entry.split(" ").slice(10).join(" "));
        } else if (entry.startsWith("? ")) {
            changed.push(entry.slice(2));
        }
    }
    return { branch, changed };
}
