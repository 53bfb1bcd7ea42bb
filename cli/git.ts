import * as fs from "fs";
import { execFileSync } from "child_process";
import * as path from "path";
import { UserError } from "../config/errors";

/**
 * Git at the edge: every call runs the real `git` with an argument list (no shell), in the
 * given directory, with the caller's environment. Output is parsed from formats chosen with
 * separators that do not occur in commit messages (\x1e between records, \x1f between fields).
 */

export interface GitOptions {
    readonly env?: NodeJS.ProcessEnv;
    readonly input?: string | Buffer;
}

/** Bytes of output a single git call may produce (a 1,000-release history is a few MB). */
const MAX_BUFFER = 512 * 1024 * 1024;

function gitEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
    return {
        ...(env ?? process.env),
        // Messages in English so errors can be recognised; never prompt; `git status` must not
        // take index.lock (other tools may be committing in the same checkout).
        LC_ALL: "C",
        GIT_TERMINAL_PROMPT: "0",
        GIT_OPTIONAL_LOCKS: "0",
    };
}

/**
 * Git queries answered once per command: inside `rememberGitReads`, a query (see `gitCallKind`)
 * with the same folder, arguments, input and git variables as an earlier one gets the earlier
 * answer (its output, or its failure) without a new process. A command asks the same things
 * several times (HEAD, the tags, the stack file's history for the checklist, the version and
 * the changelog), and each answer is a ~3-5 ms process. Any other git call (a commit, a tag, a
 * revert) forgets every answer, so nothing stale is read after releasectl changes the
 * repository; the scope is one command's read-only work, so only a change made by someone else
 * during that fraction of a second can go unseen, as it could between two processes.
 */
let remembered: Map<string, { readonly stdout: Buffer } | { readonly failure: unknown }> | undefined;

/**
 * Commit ids `git log` printed inside the scope, by repository (repoKey): `resolveCommit` of one
 * of them (the releases' commits, which the changelog and the version computation name) needs no
 * process to say the commit exists. Forgotten with every other answer.
 */
const knownCommits = new Map<string, Set<string>>();

function rememberCommits(dir: string, shas: Iterable<string>, env?: NodeJS.ProcessEnv): void {
    if (remembered === undefined) return;
    const key = repoKey(dir, env);
    let known = knownCommits.get(key);
    if (known === undefined) knownCommits.set(key, (known = new Set()));
    for (const sha of shas) known.add(sha);
}

const FULL_ID = /^[0-9a-f]{40}$/;

/**
 * Inside the scope, by repository (repoKey): commits of HEAD's first-parent line as a first-parent `git log`
 * of HEAD listed them (newest first: each is an ancestor of HEAD and of every one listed before
 * it), and the tag listings `git tag --merged <ref>` answered (HEAD or such a commit). A tag
 * reachable from a commit is reachable from its descendants, so when no tag of a prefix is
 * reachable from a ref, none is from that ref's ancestors on the line (`mergedTagsKnownEmpty`).
 * Forgotten with every other answer.
 */
const firstParentLine = new Map<string, Map<string, number>[]>();
const mergedListings = new Map<string, Map<string, readonly string[]>>();

/** A first-parent log of HEAD, newest first. Positions compare only within one log: a file's log leaves out the commits that do not touch it. */
function rememberFirstParentLine(dir: string, newestFirst: readonly string[], env?: NodeJS.ProcessEnv): void {
    if (remembered === undefined || newestFirst.length === 0) return;
    const key = repoKey(dir, env);
    let logs = firstParentLine.get(key);
    if (logs === undefined) firstParentLine.set(key, (logs = []));
    logs.push(new Map(newestFirst.map((sha, i) => [sha, i])));
}

/** Whether no tag starting with `prefix` is reachable from `ref`, known from a listing of HEAD or of a descendant of `ref` on HEAD's first-parent line. */
function mergedTagsKnownEmpty(dir: string, ref: string, prefix: string, env?: NodeJS.ProcessEnv): boolean {
    const key = repoKey(dir, env);
    const listings = mergedListings.get(key);
    if (listings === undefined) return false;
    const logs = firstParentLine.get(key) ?? [];
    const below = (descendant: string): boolean => {
        if (descendant === ref) return true;
        if (descendant === "HEAD") return logs.some((log) => log.has(ref));
        return logs.some((log) => log.has(ref) && log.has(descendant) && log.get(descendant)! < log.get(ref)!);
    };
    for (const [from, tags] of listings) if (below(from) && !tags.some((t) => t.startsWith(prefix))) return true;
    return false;
}

/**
 * Inside the scope: blob contents read (an id names its content for good, so no change forgets
 * them), and file histories read together by `prefetchFileHistories` (forgotten with every other
 * answer), by folder and file.
 */
const knownBlobs = new Map<string, Buffer>();
const prefetched = new Map<string, FileCommit[]>();

export function rememberGitReads<T>(fn: () => T): T {
    if (remembered !== undefined) return fn();
    remembered = new Map();
    const forget = () => {
        remembered = undefined;
        knownCommits.clear();
        knownBlobs.clear();
        prefetched.clear();
        firstParentLine.clear();
        mergedListings.clear();
    };
    try {
        const result = fn();
        if (result instanceof Promise) return result.finally(forget) as T;
        forget();
        return result;
    } catch (e) {
        forget();
        throw e;
    }
}

/**
 * What a git call does: reads refs and objects only, which change through git alone ("query",
 * remembered); reads the working tree or the index, which releasectl also writes without git
 * ("worktree", never remembered); or anything else ("change": it may move a ref, write an
 * object or the index, so every remembered answer is forgotten).
 */
function gitCallKind(args: readonly string[]): "query" | "worktree" | "change" {
    switch (args[0]) {
        case "rev-parse":
        case "log":
        case "cat-file":
        case "show":
        case "for-each-ref":
        case "rev-list":
        case "merge-base":
            return "query";
        case "tag":
            return args.includes("--list") || args.includes("-l") ? "query" : "change";
        case "remote":
            return args.length === 1 || args[1] === "get-url" ? "query" : "change";
        case "status":
        case "ls-files":
            return "worktree";
        default:
            return "change";
    }
}

function memoKey(dir: string, args: readonly string[], opts: GitOptions): string {
    const e = opts.env ?? process.env;
    const vars = Object.keys(e)
        .filter((k) => k.startsWith("GIT_"))
        .sort()
        .map((k) => `${k}=${e[k]}`);
    const input = opts.input === undefined ? "" : Buffer.isBuffer(opts.input) ? opts.input.toString("latin1") : opts.input;
    return JSON.stringify([cwdFree(args) ? repoKey(dir, opts.env) : path.resolve(dir), args, input, vars]);
}

/**
 * Queries whose answer is the same from any folder of the repository: refs, objects by id, and
 * logs whose paths are named from the top (`:(top)`). Their answers are kept by the top folder.
 */
function cwdFree(args: readonly string[]): boolean {
    switch (args[0]) {
        case "tag":
        case "remote":
        case "merge-base":
        case "for-each-ref":
        case "cat-file":
            return true;
        case "rev-parse":
            return args.includes("--verify") && !args.some((a) => a.startsWith("--show") || a.startsWith("--git") || a === "--absolute-git-dir");
        case "log": {
            const end = args.indexOf("--");
            return end < 0 || args.slice(end + 1).every((a) => a.startsWith(":(top"));
        }
        default:
            return false;
    }
}

/** The folder answers are kept by: the repository's top folder once known (a question asked from a sub-folder is the same question), else the folder. */
function repoKey(dir: string, env: NodeJS.ProcessEnv | undefined): string {
    return roots.get(rootKey(dir, env)) ?? path.resolve(dir);
}

/** Runs git, or answers a query asked before inside `rememberGitReads`; throws exec's own error. */
function execGit(dir: string, args: readonly string[], opts: GitOptions): Buffer {
    const run = () =>
        execFileSync("git", ["-C", dir, ...args], {
            env: gitEnv(opts.env),
            input: opts.input,
            maxBuffer: MAX_BUFFER,
            stdio: ["pipe", "pipe", "pipe"],
        });
    if (remembered === undefined) return run();
    const kind = gitCallKind(args);
    if (kind === "change") {
        remembered.clear();
        knownCommits.clear();
        prefetched.clear();
        firstParentLine.clear();
        mergedListings.clear();
    }
    if (kind !== "query") return run();
    const key = memoKey(dir, args, opts);
    const known = remembered.get(key);
    if (known !== undefined) {
        if ("failure" in known) throw known.failure;
        return known.stdout;
    }
    try {
        const stdout = run();
        remembered.set(key, { stdout });
        return stdout;
    } catch (e) {
        remembered.set(key, { failure: e });
        throw e;
    }
}

export function gitBuffer(dir: string, args: readonly string[], opts: GitOptions = {}): Buffer {
    try {
        return execGit(dir, args, opts);
    } catch (e) {
        throw gitError(dir, args, e as NodeJS.ErrnoException & { stderr?: Buffer; status?: number });
    }
}

export function git(dir: string, args: readonly string[], opts: GitOptions = {}): string {
    return gitBuffer(dir, args, opts).toString("utf8");
}

function gitError(dir: string, args: readonly string[], e: NodeJS.ErrnoException & { stderr?: Buffer; status?: number }): Error {
    if (e.code === "ENOENT") return new UserError("git: command not found; install git (releasectl reads the release history from it)", "ENOGIT");
    const stderr = (e.stderr?.toString("utf8") ?? "").trim();
    if (/not a git repository/i.test(stderr)) {
        return new UserError(`${dir}: not a git repository; run releasectl inside the repository (git init, or pass --repo DIR / --cwd DIR)`, "ENOTGIT");
    }
    const bad = /(?:unknown revision|bad revision|ambiguous argument) '([^']+)'/.exec(stderr);
    if (bad) return new UserError(`${bad[1]}: no such git revision in ${dir}; use a branch, tag or commit that exists (git log --oneline)`, "EBADREF");
    return new Error(`git ${args.join(" ")} failed in ${dir} (exit ${e.status ?? "?"}): ${stderr.split("\n")[0] ?? ""}`);
}

/**
 * Top folders found so far, by folder and the variables that move git's idea of the repository:
 * a command asks several times (the history, the tags, the checklist), each a ~3 ms process.
 */
const roots = new Map<string, string>();

function rootKey(dir: string, env: NodeJS.ProcessEnv | undefined): string {
    const e = env ?? process.env;
    return [path.resolve(dir), e.GIT_DIR ?? "", e.GIT_WORK_TREE ?? "", e.GIT_CEILING_DIRECTORIES ?? "", e.GIT_DISCOVERY_ACROSS_FILESYSTEM ?? ""].join("\0");
}

/** The repository's top folder; a UserError when `dir` is not inside a repository. */
export function repoRoot(dir: string, env?: NodeJS.ProcessEnv): string {
    const key = rootKey(dir, env);
    const known = roots.get(key);
    if (known !== undefined) return known;
    // one process for the top folder and HEAD, which the command asks for next
    if (remembered !== undefined) return repoState(dir, env).root;
    const root = path.resolve(git(dir, ["rev-parse", "--show-toplevel"], { env }).trim());
    roots.set(key, root);
    return root;
}

/**
 * The repository's top folder and HEAD's commit (undefined in a repository without commits), in
 * one git process; a UserError when `dir` is not inside a repository.
 */
export function repoState(dir: string, env?: NodeJS.ProcessEnv): { root: string; head: string | undefined } {
    const args = ["rev-parse", "--show-toplevel", "-q", "--verify", "HEAD^{commit}"];
    // inside the scope, the plain case is read from the files (the answer is remembered like git's)
    if (remembered !== undefined) {
        const key = memoKey(dir, args, { env });
        if (!remembered.has(key)) {
            const read = repoStateFromFiles(dir, env);
            if (read !== undefined) remembered.set(key, { stdout: Buffer.from(`${read.root}\n${read.head ?? ""}\n`) });
        }
    }
    let out: string;
    try {
        out = execGit(dir, args, { env }).toString("utf8");
    } catch (e) {
        const failed = e as NodeJS.ErrnoException & { stderr?: Buffer; stdout?: Buffer; status?: number };
        // exit 1 with the top folder printed: --verify found no commit (an unborn branch)
        const printed = failed.stdout?.toString("utf8").split("\n")[0] ?? "";
        if (failed.status !== 1 || printed === "") throw gitError(dir, args, failed);
        out = printed;
    }
    const [top, head] = out.split("\n");
    const root = path.resolve(top);
    roots.set(rootKey(dir, env), root);
    return { root, head: head || undefined };
}

/**
 * Variables that move the repository, its refs or its configuration (git(1), "The Git
 * Repository" and the configuration ones): with any of them set, git itself is asked. Others
 * (GIT_SSL_CAINFO, GIT_SSH_COMMAND, GIT_AUTHOR_NAME, ...) change nothing here.
 */
const LOCATING_GIT_VARS = /^GIT_(?:DIR|WORK_TREE|COMMON_DIR|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|NAMESPACE|CEILING_DIRECTORIES|DISCOVERY_ACROSS_FILESYSTEM|DEFAULT_HASH|DEFAULT_REF_FORMAT|REPLACE_REF_BASE|CONFIG|CONFIG_COUNT|CONFIG_KEY_\d+|CONFIG_VALUE_\d+|CONFIG_PARAMETERS|CONFIG_SYSTEM)$/;
const OBJECT_ID = /^[0-9a-f]{40}$/;

function readText(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/**
 * The top folder and `.git` folder of a plain repository around `dir`, found as git finds them:
 * the nearest `.git` folder above `dir`, on the same file system, owned by this user, with a
 * config that moves nothing. undefined whenever git could answer otherwise: a variable that moves
 * the repository (LOCATING_GIT_VARS), a `.git` file (worktrees, submodules), a config with a work
 * tree, bare, includes or extensions (reftable, SHA-256, partial clones), Windows.
 */
function plainRepository(dir: string, env?: NodeJS.ProcessEnv): { root: string; gitDir: string } | undefined {
    if (process.platform === "win32") return undefined;
    for (const key of Object.keys(env ?? process.env)) if (LOCATING_GIT_VARS.test(key)) return undefined;
    let cur: string;
    let device: number;
    try {
        cur = fs.realpathSync(path.resolve(dir));
        device = fs.statSync(cur).dev;
    } catch {
        return undefined;
    }
    if (cur.split(path.sep).includes(".git")) return undefined;
    for (;;) {
        let st: fs.Stats | undefined;
        try {
            st = fs.lstatSync(path.join(cur, ".git"));
        } catch {
            st = undefined;
        }
        if (st !== undefined) {
            if (!st.isDirectory() || (process.getuid !== undefined && st.uid !== process.getuid())) return undefined;
            const gitDir = path.join(cur, ".git");
            return plainConfig(gitDir) ? { root: cur, gitDir } : undefined;
        }
        const parent = path.dirname(cur);
        if (parent === cur) return undefined;
        try {
            // git stops at a mount point unless told otherwise
            if (fs.statSync(parent).dev !== device) return undefined;
        } catch {
            return undefined;
        }
        cur = parent;
    }
}

/** Whether the repository's config leaves it plain: `bare = false` is what git init writes; any other bare, a work tree, includes or extensions are not. */
function plainConfig(gitDir: string): boolean {
    const config = readText(path.join(gitDir, "config"));
    if (config === undefined || /^\s*worktree\s*=|^\s*\[\s*(?:include|includeIf|extensions)\b/im.test(config)) return false;
    return ![...config.matchAll(/^\s*bare\s*=\s*(\S*)\s*$/gim)].some((m) => !/^(?:false|no|off|0)$/i.test(m[1]));
}

/**
 * What `git rev-parse --show-toplevel --verify HEAD^{commit}` answers, read from the files of a
 * plain repository (plainRepository): its HEAD naming a branch whose commit is a loose or packed
 * ref, or a detached commit. undefined where plainRepository leaves it to git, and for a symbolic
 * ref. Saves each command one git process (~3 ms).
 */
export function repoStateFromFiles(dir: string, env?: NodeJS.ProcessEnv): { root: string; head: string | undefined } | undefined {
    const repo = plainRepository(dir, env);
    if (repo === undefined) return undefined;
    const head = headFromFiles(repo.gitDir);
    return head === false ? undefined : { root: repo.root, head };
}

/** HEAD's commit id, undefined for an unborn branch, false when only git can say. */
function headFromFiles(gitDir: string): string | undefined | false {
    const head = readText(path.join(gitDir, "HEAD"))?.trim();
    if (head === undefined) return false;
    if (OBJECT_ID.test(head)) return head;
    const ref = /^ref: (refs\/heads\/[A-Za-z0-9._\/-]+)$/.exec(head)?.[1];
    if (ref === undefined || ref.includes("..") || ref.endsWith(".lock")) return false;
    const loose = readText(path.join(gitDir, ref));
    if (loose !== undefined) return OBJECT_ID.test(loose.trim()) ? loose.trim() : false;
    const packed = readText(path.join(gitDir, "packed-refs"));
    if (packed === undefined) return undefined;
    for (const line of packed.split("\n")) {
        if (line.endsWith(` ${ref}`) && OBJECT_ID.test(line.slice(0, 40)) && line.length === 41 + ref.length) return line.slice(0, 40);
    }
    return undefined;
}

/** A tag name as `refs/tags/` holds it that git would list as it is: ASCII without a glob, a `..`, a dot-led or `.lock` part. */
const PLAIN_TAG = /^(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!.*\.$)[A-Za-z0-9._+\/-]+$/;

/**
 * What `git tag --list` prints, read from the files of a plain repository (plainRepository):
 * the loose refs under `refs/tags/` and the packed ones, each name once, in git's order (byte
 * order of the names). undefined, and git is asked, for anything but plain names and object
 * ids: a symbolic or unreadable ref, a symlink, a name git would refuse or quote. A tag whose
 * object is missing (a corrupt repository) is listed here where git warns and leaves it out.
 */
export function tagsFromFiles(dir: string, env?: NodeJS.ProcessEnv): string[] | undefined {
    const repo = plainRepository(dir, env);
    if (repo === undefined) return undefined;
    const names = new Set<string>();
    const packed = readText(path.join(repo.gitDir, "packed-refs"));
    if (packed !== undefined) {
        for (const line of packed.split("\n")) {
            if (line === "" || line.startsWith("#") || line.startsWith("^")) continue;
            const m = /^[0-9a-f]{40} refs\/tags\/(.+)$/.exec(line);
            if (m === null) {
                if (/^[0-9a-f]{40} refs\//.test(line)) continue; // another kind of ref
                return undefined;
            }
            if (!plainTag(m[1])) return undefined;
            names.add(m[1]);
        }
    }
    const walk = (folder: string, prefix: string): boolean => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(folder, { withFileTypes: true });
        } catch (e) {
            return (e as NodeJS.ErrnoException).code === "ENOENT" && prefix === "";
        }
        for (const entry of entries) {
            const name = `${prefix}${entry.name}`;
            if (!plainTag(name)) return false;
            if (entry.isDirectory()) {
                if (!walk(path.join(folder, entry.name), `${name}/`)) return false;
            } else if (entry.isFile()) {
                const content = readText(path.join(folder, entry.name));
                if (content === undefined || !/^[0-9a-f]{40}\n?$/.test(content)) return false;
                names.add(name);
            } else {
                return false;
            }
        }
        return true;
    };
    if (!walk(path.join(repo.gitDir, "refs", "tags"), "")) return undefined;
    // ASCII names: JavaScript's order is git's byte order
    return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function plainTag(name: string): boolean {
    return PLAIN_TAG.test(name) && name.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock"));
}

/** The full commit id a ref names, or undefined when it names nothing. */
export function resolveCommit(dir: string, ref: string, env?: NodeJS.ProcessEnv): string | undefined {
    try {
        if (ref === "HEAD" && remembered !== undefined) return repoState(dir, env).head;
        if (FULL_ID.test(ref) && knownCommits.get(repoKey(dir, env))?.has(ref)) return ref;
        return git(dir, ["rev-parse", "-q", "--verify", `${ref}^{commit}`], { env }).trim() || undefined;
    } catch {
        return undefined;
    }
}

export function tagExists(dir: string, tag: string, env?: NodeJS.ProcessEnv): boolean {
    // inside rememberGitReads, from the one listing of every tag the command shares
    if (remembered !== undefined) return listTags(dir, tag, env).includes(tag);
    try {
        git(dir, ["rev-parse", "-q", "--verify", `refs/tags/${tag}`], { env });
        return true;
    } catch {
        return false;
    }
}

/** Tags matching `prefix*` that are reachable from `ref`. */
export function reachableTags(dir: string, ref: string, prefix: string, env?: NodeJS.ProcessEnv): string[] {
    return listTags(dir, prefix, env, ref);
}

const GLOB = /[*?[\\]/;

/**
 * Tags whose name starts with `prefix` (every tag for ""), sorted as git sorts them; with
 * `merged`, only those reachable from that revision. Inside `rememberGitReads` every prefix is
 * answered from one listing of all tags (per `merged`), since `prefix*` matches exactly the
 * names starting with a prefix that holds no glob character; elsewhere git filters.
 */
export function listTags(dir: string, prefix: string, env?: NodeJS.ProcessEnv, merged?: string): string[] {
    const base = merged === undefined ? ["tag", "--list"] : ["tag", "--merged", merged, "--list"];
    const shared = remembered !== undefined && !GLOB.test(prefix);
    // inside the scope, the listing of every tag is read from the files where it can be (remembered like git's)
    if (remembered !== undefined && merged === undefined) {
        const key = memoKey(dir, base, { env });
        if (!remembered.has(key)) {
            const read = tagsFromFiles(dir, env);
            if (read !== undefined) remembered.set(key, { stdout: Buffer.from(read.map((t) => `${t}\n`).join("")) });
        }
    }
    if (shared && merged !== undefined && !remembered!.has(memoKey(dir, base, { env })) && mergedTagsKnownEmpty(dir, merged, prefix, env)) return [];
    const out = git(dir, shared || prefix === "" ? base : [...base, "--", `${prefix}*`], { env });
    const tags = out.split("\n").filter((t) => t !== "");
    if (shared && merged !== undefined && (merged === "HEAD" || FULL_ID.test(merged))) {
        const key = repoKey(dir, env);
        let listings = mergedListings.get(key);
        if (listings === undefined) mergedListings.set(key, (listings = new Map()));
        listings.set(merged, tags);
    }
    return shared ? tags.filter((t) => t.startsWith(prefix)) : tags;
}

export interface LogCommit {
    readonly sha: string;
    readonly parents: readonly string[];
    readonly author: string;
    readonly email: string;
    /** Committer date, ISO 8601: when the commit landed. */
    readonly date: string;
    /** The full message (subject, blank line, body). */
    readonly message: string;
}

/**
 * Commits of a revision range (`git log` arguments such as `v1.2.0..HEAD`), newest first; with
 * `paths`, only those that change them (pathspecs from the repository's top).
 */
export function logCommits(dir: string, revisions: readonly string[], env?: NodeJS.ProcessEnv, paths: readonly string[] = []): LogCommit[] {
    const pathspecs = paths.map((p) => `:(top)${p}`);
    const out = git(dir, ["log", "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%cI%x1f%B", ...revisions, "--", ...pathspecs], { env });
    const commits = out
        .split("\x1e")
        .filter((r) => r !== "")
        .map((record) => {
            const [sha, parents, author, email, date, message] = record.split("\x1f");
            return { sha, parents: parents.split(" ").filter((p) => p !== ""), author, email, date, message: message.replace(/\n+$/, "") };
        });
    rememberCommits(dir, commits.map((c) => c.sha), env);
    return commits;
}

/**
 * Paths with uncommitted changes (staged or not), limited to `paths` when given. Untracked
 * files do not count: they change neither a tag nor the history of a tracked file.
 */
export function changedPaths(dir: string, paths: readonly string[] = [], env?: NodeJS.ProcessEnv): string[] {
    const out = git(dir, ["status", "--porcelain=v1", "-z", "--untracked-files=no", "--", ...paths], { env });
    return out
        .split("\0")
        .filter((r) => r.length > 3)
        .map((r) => r.slice(3));
}

/**
 * What `isTracked` and `changedPaths` answer for one file (a path from `dir`), from one `git
 * status` instead of two processes: tracked (in the index, committed or staged) and changed
 * (uncommitted changes, staged or not). Untracked and ignored files are listed by this status
 * (`??`, `!!`) and count as neither.
 */
export function fileState(dir: string, file: string, env?: NodeJS.ProcessEnv): { tracked: boolean; changed: boolean } {
    const out = git(dir, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", file], { env });
    const codes: string[] = [];
    const fields = out.split("\0");
    for (let i = 0; i < fields.length; i++) {
        if (fields[i].length < 4) continue;
        const xy = fields[i].slice(0, 2);
        codes.push(xy);
        // a rename or copy names its source in the next field
        if (xy[0] === "R" || xy[0] === "C") i++;
    }
    const listed = codes.filter((c) => c !== "??" && c !== "!!");
    const untracked = listed.length < codes.length;
    // `D `: deleted from the index (git rm --cached keeps the file, untracked)
    const inIndex = listed.some((c) => c !== "D ");
    const tracked = inIndex || (codes.length === 0 && !untracked && fs.existsSync(path.resolve(dir, file)));
    return { tracked, changed: listed.length > 0 };
}

/** Whether `file` is tracked in the index (committed or staged). */
export function isTracked(dir: string, file: string, env?: NodeJS.ProcessEnv): boolean {
    return git(dir, ["ls-files", "--", file], { env }).trim() !== "";
}

/** An annotated tag on HEAD; the message goes through stdin so any text is safe. */
export function createAnnotatedTag(dir: string, tag: string, message: string, env?: NodeJS.ProcessEnv): void {
    git(dir, ["tag", "--annotate", "--cleanup=whitespace", "--file=-", tag, "HEAD"], { env, input: message });
}

/**
 * Contents of many blobs with one `git cat-file --batch` process (one process per blob costs
 * ~2 ms each, which a 1,000-release history cannot afford).
 */
export function readBlobs(dir: string, ids: readonly string[], env?: NodeJS.ProcessEnv): Map<string, Buffer> {
    const blobs = new Map<string, Buffer>();
    // inside the scope, a blob read before (by a history read with another) is not asked again
    const unique = [...new Set(ids)].filter((id) => {
        const known = remembered === undefined ? undefined : knownBlobs.get(id);
        if (known !== undefined) blobs.set(id, known);
        return known === undefined;
    });
    if (unique.length === 0) return blobs;
    const out = gitBuffer(dir, ["cat-file", "--batch"], { env, input: `${unique.join("\n")}\n` });
    let pos = 0;
    while (pos < out.length) {
        const eol = out.indexOf(0x0a, pos);
        if (eol < 0) break;
        const header = out.toString("utf8", pos, eol);
        const [id, type, size] = header.split(" ");
        if (type === "missing" || size === undefined) {
            pos = eol + 1;
            continue;
        }
        const length = Number(size);
        const content = out.subarray(eol + 1, eol + 1 + length);
        blobs.set(id, content);
        if (remembered !== undefined) knownBlobs.set(id, content);
        pos = eol + 1 + length + 1;
    }
    return blobs;
}

export interface FileCommit {
    readonly sha: string;
    readonly date: string;
    readonly author: string;
    readonly email: string;
    readonly subject: string;
    /** The file's blob in this commit; undefined when the commit deleted it. */
    readonly blob?: string;
}

const ZERO_ID = /^0+$/;

/**
 * Commits that changed `file` along the first-parent line of HEAD (the main line: a merge
 * counts as the moment its changes landed), oldest first, each with the file's blob id.
 */
export function fileHistory(dir: string, file: string, env?: NodeJS.ProcessEnv): FileCommit[] {
    const known = remembered === undefined ? undefined : prefetched.get(prefetchKey(dir, file, env));
    if (known !== undefined) return [...known];
    const out = git(dir, [...FILE_LOG, "--", file], { env });
    const commits = parseFileLog(out).map(({ raw, ...commit }) => ({ ...commit, blob: raw.values().next().value }));
    rememberCommits(dir, commits.map((c) => c.sha), env);
    rememberFirstParentLine(dir, commits.map((c) => c.sha), env);
    return commits.reverse();
}

const FILE_LOG = ["log", "--first-parent", "--diff-merges=first-parent", "--raw", "--no-abbrev", "--no-renames", "--format=%x1e%H%x1f%cI%x1f%an%x1f%ae%x1f%s", "HEAD"];
/** Paths git prints in raw diff lines as they are (no quoting). */
const PLAIN_PATH = /^[A-Za-z0-9._\/-]+$/;

/** Each record of a FILE_LOG output, newest first, with the new blob of every path its raw lines name (undefined: deleted). */
function parseFileLog(out: string): (Omit<FileCommit, "blob"> & { raw: Map<string, string | undefined> })[] {
    const commits: (Omit<FileCommit, "blob"> & { raw: Map<string, string | undefined> })[] = [];
    for (const record of out.split("\x1e")) {
        if (record === "") continue;
        const newline = record.indexOf("\n");
        const [sha, date, author, email, subject] = (newline < 0 ? record : record.slice(0, newline)).split("\x1f");
        const raw = new Map<string, string | undefined>();
        // `:100644 100644 <old> <new> M\t<path>`: the new blob is the fourth field.
        for (const m of (newline < 0 ? "" : record.slice(newline + 1)).matchAll(/^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) \w+\t(.*)$/gm)) {
            raw.set(m[2], ZERO_ID.test(m[1]) ? undefined : m[1]);
        }
        commits.push({ sha, date, author, email, subject, raw });
    }
    return commits;
}

/** The real path of `p` (links resolved), or `p` when it does not exist. */
export function realOr(p: string): string {
    try {
        return fs.realpathSync(p);
    } catch {
        return p;
    }
}

function prefetchKey(dir: string, file: string, env?: NodeJS.ProcessEnv): string {
    return memoKey(dir, [...FILE_LOG, "--", file], { env });
}

/**
 * Inside `rememberGitReads`: the histories of several files of one folder (the stack files a
 * command reads in turn) from one `git log`, and their contents from one `git cat-file`;
 * `fileHistory` and `readBlobs` then answer from them. With `--first-parent` a commit is listed
 * for a path exactly when it changed that path against its first parent, so the one log holds
 * each file's own. Does nothing outside the scope, or for paths git would quote.
 */
export function prefetchFileHistories(dir: string, files: readonly string[], env?: NodeJS.ProcessEnv): void {
    if (remembered === undefined || files.length < 2) return;
    let root: string;
    try {
        root = repoState(dir, env).root;
    } catch {
        return;
    }
    const fromRoot = new Map<string, string>();
    for (const file of files) {
        const rel = path.relative(root, path.resolve(realOr(dir), file)).split(path.sep).join("/");
        if (!PLAIN_PATH.test(rel) || rel.startsWith("../")) return;
        fromRoot.set(file, rel);
    }
    let out: string;
    try {
        out = git(dir, [...FILE_LOG, "--", ...files], { env });
    } catch {
        // each file's own log reports its own problem
        return;
    }
    const records = parseFileLog(out);
    rememberCommits(dir, records.map((r) => r.sha), env);
    rememberFirstParentLine(dir, records.map((r) => r.sha), env);
    for (const [file, rel] of fromRoot) {
        const commits = records.filter((r) => r.raw.has(rel)).map(({ raw, ...commit }) => ({ ...commit, blob: raw.get(rel) }));
        prefetched.set(prefetchKey(dir, file, env), commits.reverse());
    }
    readBlobs(root, [...prefetched.values()].flatMap((commits) => commits.map((c) => c.blob).filter((b): b is string => b !== undefined)), env);
}

/** Whether HEAD points at a commit (a fresh repository has none). */
export function hasCommits(dir: string, env?: NodeJS.ProcessEnv): boolean {
    return resolveCommit(dir, "HEAD", env) !== undefined;
}
