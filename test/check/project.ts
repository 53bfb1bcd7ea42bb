import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { main } from "../../cli/main";

/** A copy of the example project in a temporary folder, optionally a git repository. */

export const EXAMPLE_DIR = path.resolve(__dirname, "..", "..");

export const GIT_ENV: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Release Tester",
    GIT_AUTHOR_EMAIL: "tester@example.com",
    GIT_COMMITTER_NAME: "Release Tester",
    GIT_COMMITTER_EMAIL: "tester@example.com",
    RELEASECTL_BRANCH: "",
    RELEASECTL_NOW: "",
    RELEASECTL_STACK: "",
};

export interface Project {
    readonly dir: string;
    git(...args: string[]): string;
    write(file: string, text: string): void;
    /** Writes and commits a file (a pack config belongs in the repository). */
    commit(file: string, text: string): void;
    /** Replaces one exact piece of the stack file (fails the test when it is not there). */
    editStack(from: string, to: string): void;
    remove(): void;
}

export function exampleProject(opts: { git?: boolean } = { git: true }): Project {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-check-"));
    for (const f of ["Pulumi.yaml", "Pulumi.production.yaml"]) fs.copyFileSync(path.join(EXAMPLE_DIR, f), path.join(dir, f));
    const project: Project = {
        dir,
        git: (...args) => execFileSync("git", args, { cwd: dir, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
        write: (file, text) => fs.writeFileSync(path.join(dir, file), text),
        commit(file, text) {
            project.write(file, text);
            if (fs.existsSync(path.join(dir, ".git"))) {
                project.git("add", file);
                project.git("commit", "--quiet", "-m", `add ${file}`);
            }
        },
        editStack(from, to) {
            const file = path.join(dir, "Pulumi.production.yaml");
            const text = fs.readFileSync(file, "utf8");
            if (!text.includes(from)) throw new Error(`the example stack file has no ${JSON.stringify(from)}`);
            fs.writeFileSync(file, text.replace(from, to));
        },
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
    if (opts.git !== false) {
        project.git("init", "--quiet", "--initial-branch=main");
        project.git("add", ".");
        project.git("commit", "--quiet", "-m", "example project");
    }
    return project;
}

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
        write(chunk, _enc, done) {
            chunks.push(chunk.toString());
            done();
        },
    });
    return { stream, text: () => chunks.join("") };
}

/** `releasectl check ...` in the project, in process. */
export async function check(project: Project, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const out = sink();
    const err = sink();
    const code = await main(["check", "--stack", "production", ...args], { cwd: project.dir, env: { ...GIT_ENV, ...env }, stdout: out.stream, stderr: err.stream });
    return { code, stdout: out.text(), stderr: err.text() };
}

/** The line of a rule in the text output. */
export function lineOf(stdout: string, rule: string): string {
    const line = stdout.split("\n").find((l) => new RegExp(`^\\s+\\S+(?: applicable)?\\s+${rule}(\\s|$)`).test(l));
    if (!line) throw new Error(`no line for ${rule} in:\n${stdout}`);
    return line.trim();
}
