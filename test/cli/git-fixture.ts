import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * A real git repository in a temporary folder. HOME points into the folder and the system
 * config is off, so the user's git configuration (signing, hooks, default branch) never leaks
 * in; commits get increasing dates so their order is deterministic.
 */
export class GitRepo {
    private clock = Date.UTC(2026, 0, 1) / 1000;

    private constructor(
        readonly root: string,
        readonly dir: string,
        readonly env: NodeJS.ProcessEnv,
    ) {}

    static create(): GitRepo {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-git-"));
        const dir = path.join(root, "repo");
        fs.mkdirSync(dir);
        const env: NodeJS.ProcessEnv = {
            PATH: process.env.PATH,
            HOME: root,
            GIT_CONFIG_NOSYSTEM: "1",
            GIT_CONFIG_GLOBAL: path.join(root, ".gitconfig"),
            GIT_AUTHOR_NAME: "Ada Release",
            GIT_AUTHOR_EMAIL: "ada@example.com",
            GIT_COMMITTER_NAME: "Ada Release",
            GIT_COMMITTER_EMAIL: "ada@example.com",
        };
        const repo = new GitRepo(root, dir, env);
        repo.git("init", "-q", "-b", "main");
        return repo;
    }

    git(...args: string[]): string {
        const date = `@${this.clock} +0000`;
        return execFileSync("git", ["-c", "user.name=Ada Release", "-c", "user.email=ada@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], {
            cwd: this.dir,
            env: { ...this.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
            encoding: "utf8",
            stdio: ["pipe", "pipe", "pipe"],
        });
    }

    write(file: string, content: string): void {
        const full = path.join(this.dir, file);
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, content);
    }

    read(file: string): string {
        return fs.readFileSync(path.join(this.dir, file), "utf8");
    }

    /** The next commit gets this date (ISO 8601, e.g. 2026-03-02T10:00:00Z); later ones follow a minute apart. */
    at(date: string): this {
        this.clock = Date.parse(date) / 1000 - 60;
        return this;
    }

    /** Commits the given files (or nothing: an empty commit) and returns the commit id. */
    commit(message: string, files: Record<string, string> = {}): string {
        this.clock += 60;
        for (const [file, content] of Object.entries(files)) {
            this.write(file, content);
            this.git("add", "--", file);
        }
        this.git("commit", "-q", "--allow-empty", "-m", message);
        return this.head();
    }

    head(): string {
        return this.git("rev-parse", "HEAD").trim();
    }

    /** A lightweight tag (annotated with `annotated: true`). */
    tag(name: string, opts: { annotated?: boolean; ref?: string } = {}): void {
        if (opts.annotated) this.git("tag", "-a", "-m", `release ${name}`, name, opts.ref ?? "HEAD");
        else this.git("tag", name, opts.ref ?? "HEAD");
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
