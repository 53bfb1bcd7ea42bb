import { git } from "../git";

/**
 * Commit links for the changelog, from the repository's remote: GitHub and GitLab (gitlab.com
 * or a host whose name says gitlab), https or ssh. Credentials in an https remote
 * (`https://user:token@…`) are never part of a link. An unknown host gives no links rather
 * than wrong ones.
 */

export interface CommitLinks {
    /** `https://github.com/shop/checkout` */
    readonly base: string;
    readonly kind: "github" | "gitlab";
    commit(sha: string): string;
}

/** The web address of a remote URL, or undefined when the host is not GitHub or GitLab. */
export function commitLinks(remote: string): CommitLinks | undefined {
    const url = remote.trim();
    let host: string;
    let repoPath: string;
    const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(url);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
        let parsed: URL;
        try {
            parsed = new URL(url);
        } catch {
            return undefined;
        }
        if (!["https:", "http:", "ssh:", "git+ssh:", "ssh+git:", "git:"].includes(parsed.protocol)) return undefined;
        host = parsed.hostname;
        repoPath = decodeURIComponent(parsed.pathname);
    } else if (scp) {
        host = scp[1];
        repoPath = scp[2];
    } else {
        return undefined;
    }
    repoPath = repoPath.replace(/^\/+/, "").replace(/\/+$/, "").replace(/\.git$/, "");
    if (repoPath === "" || !repoPath.includes("/") || /[\s?#]/.test(repoPath)) return undefined;
    host = host.toLowerCase();
    const kind = host === "github.com" || host.split(".").includes("github") ? "github" : host === "gitlab.com" || host.split(".").some((l) => l.includes("gitlab")) ? "gitlab" : undefined;
    if (kind === undefined) return undefined;
    const base = `https://${host}/${repoPath.split("/").map(encodeURIComponent).join("/")}`;
    return { base, kind, commit: (sha) => (kind === "github" ? `${base}/commit/${sha}` : `${base}/-/commit/${sha}`) };
}

/**
 * The remote the current branch pushes to (its upstream's remote), else `origin`, else the only
 * remote; undefined when there is none or its URL gives no links.
 */
export function repositoryLinks(dir: string, env?: NodeJS.ProcessEnv): CommitLinks | undefined {
    let remotes: string[];
    try {
        remotes = git(dir, ["remote"], { env }).split("\n").filter((r) => r !== "");
    } catch {
        return undefined;
    }
    if (remotes.length === 0) return undefined;
    let name: string | undefined;
    try {
        const upstream = git(dir, ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], { env }).trim();
        name = remotes.find((r) => upstream.startsWith(`${r}/`));
    } catch {
        name = undefined;
    }
    name ??= remotes.includes("origin") ? "origin" : remotes.length === 1 ? remotes[0] : undefined;
    if (name === undefined) return undefined;
    try {
        return commitLinks(git(dir, ["remote", "get-url", name], { env }));
    } catch {
        return undefined;
    }
}
