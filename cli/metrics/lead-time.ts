import * as path from "path";
import { git } from "../git";

/**
 * The commit graph of a repository, read once (one `git log` for every commit reachable from
 * HEAD and the tags, one per set of paths for the commits that touch them), and the "first
 * commit of a release": for release points P1..Pn (commits, oldest release first), the commits
 * reachable from Pi and from no earlier point are the release's own; the oldest author date
 * among those that touch the service's code is where its lead time starts.
 */

interface Node {
    readonly parents: readonly string[];
    /** Author time, seconds. */
    readonly authored: number;
}

export class CommitGraph {
    private readonly nodes = new Map<string, Node>();
    private readonly touching = new Map<string, Set<string>>();
    private tags?: Map<string, string>;

    constructor(
        readonly repo: string,
        private readonly env?: NodeJS.ProcessEnv,
    ) {
        const out = git(repo, ["log", "--format=%H %at %P", "HEAD", "--tags"], { env });
        for (const line of out.split("\n")) {
            if (line === "") continue;
            const [sha, at, ...parents] = line.split(" ");
            this.nodes.set(sha, { parents: parents.filter((p) => p !== ""), authored: Number(at) });
        }
    }

    /** Commits that touch the pathspecs (git's default history simplification). */
    touchingSet(pathspecs: readonly string[]): Set<string> {
        const key = pathspecs.join("\0");
        let set = this.touching.get(key);
        if (set === undefined) {
            const out = git(this.repo, ["log", "--format=%H", "HEAD", "--tags", "--", ...pathspecs], { env: this.env });
            set = new Set(out.split("\n").filter((l) => l !== ""));
            this.touching.set(key, set);
        }
        return set;
    }

    /** Tag name → commit id (annotated tags peeled). */
    tagCommit(tag: string): string | undefined {
        if (this.tags === undefined) {
            this.tags = new Map();
            const out = git(this.repo, ["for-each-ref", "refs/tags", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)"], { env: this.env });
            for (const line of out.split("\n")) {
                const [name, object, peeled] = line.split("\0");
                if (name) this.tags.set(name, peeled || object);
            }
        }
        return this.tags.get(tag);
    }

    /**
     * For each release point (oldest first; undefined: unknown), the oldest author time among
     * its own commits that are in `touching`, or undefined when it has none.
     */
    firstCommitTimes(points: readonly (string | undefined)[], touching: Set<string>): (number | undefined)[] {
        const seen = new Set<string>();
        return points.map((point) => {
            if (point === undefined || !this.nodes.has(point)) return undefined;
            let first: number | undefined;
            const stack = [point];
            while (stack.length > 0) {
                const sha = stack.pop()!;
                if (seen.has(sha)) continue;
                seen.add(sha);
                const node = this.nodes.get(sha);
                if (node === undefined) continue;
                if (touching.has(sha) && (first === undefined || node.authored < first)) first = node.authored;
                for (const p of node.parents) if (!seen.has(p)) stack.push(p);
            }
            return first;
        });
    }
}

/**
 * Pathspecs (from the repository's top) of a service's code: its commits.path entries, else the
 * whole repository; never the stack files or the changelog, which the release itself writes.
 */
export function codePathspecs(repo: string, base: string, paths: readonly string[]): string[] {
    const rel = (p: string) => path.relative(repo, path.resolve(base, p)).split(path.sep).join("/") || ".";
    const include = paths.length > 0 ? paths.map((p) => `:(top)${rel(p)}`) : [":(top)."];
    return [...include, ":(top,exclude,glob)**/Pulumi.*.yaml", ":(top,exclude,glob)**/CHANGELOG.md"];
}
