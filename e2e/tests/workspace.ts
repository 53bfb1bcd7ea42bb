import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";

export const ROOT = path.join(__dirname, "..", "..");
export const ENGINE_BIN = path.join(ROOT, "e2e", "engine", "bin");
export const PASSPHRASE = "e2e-passphrase";
export const SECRETS = {
    "releasectl:notifications.releases.address": "https://hooks.slack.test/services/T0/B0/e2e-webhook-plaintext",
    "releasectl:services.checkout.migration.databaseUrl": "postgres://checkout:e2e-db-plaintext@db.shop:5432/checkout",
};

/** Fails clearly when the engine is not built (npm run engine:build); never skips. */
export function requireEngine(): void {
    for (const bin of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"]) {
        if (!fs.existsSync(path.join(ENGINE_BIN, bin))) {
            throw new Error(`${path.join(ENGINE_BIN, bin)} is missing: build the engine first with npm run engine:build`);
        }
    }
}

export interface PulumiRun {
    readonly code: number;
    readonly output: string;
}

/**
 * A temporary copy of the project with its own file backend and passphrase, a stack made from
 * the example configuration whose secure values are real ciphertexts set with
 * `pulumi config set --secret`, and every command's output kept for the secret-leak check.
 */
export class Workspace {
    readonly outputs: string[] = [];

    private constructor(readonly dir: string, readonly root: string) {}

    /**
     * `stack` is the stack file's text without secure values (default: the example's), and
     * `secrets` the values set on it with `pulumi config set --secret --path` (default: SECRETS).
     */
    static create(options: { stack?: string; secrets?: Record<string, string> } = {}): Workspace {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-e2e-"));
        const dir = path.join(root, "project");
        fs.mkdirSync(dir);
        // dist/: the policy pack runs compiled (policies/compiled.js), which refuses JavaScript older
        // than its source, so timestamps are kept.
        for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "components", "config", "builders", "policies", "cli", "dist"]) {
            fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), {
                recursive: true,
                preserveTimestamps: true,
                filter: (src) => !src.includes(`${path.sep}node_modules`),
            });
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        fs.mkdirSync(path.join(root, "state"));
        installProvider(path.join(root, "home"));
        const ws = new Workspace(dir, root);
        // The example stack without its ciphertexts: the stack gets its own salt and real ones.
        const example = options.stack ?? withoutSecrets(fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8"));
        fs.writeFileSync(ws.stackFile, example);
        ws.ok(["stack", "init"]);
        for (const [key, value] of Object.entries(options.secrets ?? SECRETS)) ws.ok(["config", "set", "--secret", "--path", key, value]);
        // The identity the commands that commit (ship, tag) find in $HOME, which is this root for them.
        fs.writeFileSync(path.join(root, ".gitconfig"), "[user]\n\tname = Release Bot\n\temail = release@example.com\n");
        ws.git(["init", "-q", "-b", "main"]);
        // The whole project is committed, as in a user's repository (ship's checklist wants a clean tree).
        fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\ndist/\n");
        ws.git(["add", "-A"]);
        ws.git(["commit", "-q", "-m", "release checkout 2.4.1 and storefront 1.12.0"]);
        return ws;
    }

    get stackFile(): string {
        return path.join(this.dir, "Pulumi.production.yaml");
    }

    get env(): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            PATH: `${ENGINE_BIN}${path.delimiter}${process.env.PATH}`,
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
        };
        // Only the plugin cache counts, so the provider that runs is the one installed there under
        // the version the program's @pulumi/kubernetes asks for; a mismatch fails the run.
        env.PULUMI_IGNORE_AMBIENT_PLUGINS = "true";
        delete env.PULUMI_ACCESS_TOKEN;
        return env;
    }

    /** `env`: variables added to the engine's environment (and so to the program's). */
    pulumi(args: readonly string[], env: Readonly<Record<string, string>> = {}): PulumiRun {
        const result = spawnSync(path.join(ENGINE_BIN, "pulumi"), [...args, "--stack", "production", "--non-interactive"], {
            cwd: this.dir,
            env: { ...this.env, ...env },
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
        this.outputs.push(output);
        return { code: result.status ?? 1, output };
    }

    ok(args: readonly string[], env: Readonly<Record<string, string>> = {}): string {
        const run = this.pulumi(args, env);
        if (run.code !== 0) {
            // Policy violations and errors print above the (long) outputs: show them first.
            const why = run.output.split("\n").filter((l) => /\[(mandatory|advisory)\]|error:/i.test(l)).slice(0, 30).join("\n");
            throw new Error(`pulumi ${args.join(" ")} failed (${run.code}):\n${why}\n...\n${run.output.slice(-4000)}`);
        }
        return run.output;
    }

    git(args: readonly string[]): string {
        return execFileSync("git", ["-c", "user.name=Release Bot", "-c", "user.email=release@example.com", ...args], {
            cwd: this.dir,
            encoding: "utf8",
            env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: this.root },
        });
    }

    /** Commits the stack file, as a release or rollback is committed before `pulumi up`. */
    commit(message: string): void {
        this.git(["add", "Pulumi.production.yaml"]);
        this.git(["commit", "-q", "-m", message]);
    }

    /** Runs the compiled `releasectl` in this workspace; returns its exit code and output. */
    releasectl(args: readonly string[]): PulumiRun {
        const result = spawnSync(process.execPath, [path.join(ROOT, "bin", "releasectl.js"), ...args, "--cwd", this.dir], {
            cwd: this.dir,
            encoding: "utf8",
            // The engine first on PATH with this workspace's backend, for the commands that run pulumi (ship).
            env: { ...this.env, RELEASECTL_STACK: "", GIT_CONFIG_NOSYSTEM: "1", HOME: this.root },
        });
        const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
        this.outputs.push(output);
        return { code: result.status ?? 1, output };
    }

    /** `releasectl render` of this workspace's stack, through the compiled command line (its output kept too). */
    render(): string {
        const output = execFileSync(process.execPath, [path.join(ROOT, "bin", "releasectl.js"), "render", "--stack", "production", "--cwd", this.dir], {
            encoding: "utf8",
            env: { ...process.env, RELEASECTL_STACK: "" },
        });
        this.outputs.push(output);
        return output;
    }

    /** The stack's state as `pulumi stack export --file` writes it (secrets encrypted), as text. */
    exportState(): string {
        const file = path.join(this.root, "exported-state.json");
        fs.rmSync(file, { force: true });
        this.ok(["stack", "export", "--file", file]);
        if (!fs.existsSync(file)) throw new Error(`pulumi stack export --file ${file} wrote no file`);
        return fs.readFileSync(file, "utf8");
    }

    /** Every file of the file backend's state (checkpoints, history, backups): its path and text. */
    stateFiles(): { file: string; text: string }[] {
        const state = path.join(this.root, "state");
        return fs
            .readdirSync(state, { recursive: true })
            .map((f) => path.join(state, String(f)))
            .filter((f) => fs.statSync(f).isFile())
            .map((file) => ({ file, text: fs.readFileSync(file).toString("utf8") }));
    }

    /** Edits the stack file's text (a plain string replacement that must match once). */
    edit(from: string | RegExp, to: string): void {
        const text = fs.readFileSync(this.stackFile, "utf8");
        const next = text.replace(from, to);
        if (next === text) throw new Error(`stack file edit did not match ${from}`);
        fs.writeFileSync(this.stackFile, next);
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }

    /** A workspace whose stack renders manifests to `renderedFile`'s folder, the example applied once. */
    static applied(): Workspace {
        const ws = Workspace.create();
        ws.ok(["config", "set", "renderYamlToDirectory", path.join(ws.root, "rendered")]);
        ws.ok(["up", "--yes", "--skip-preview"]);
        return ws;
    }

    /** A manifest the last update rendered (`apps_v1-deployment-shop-checkout.yaml`). */
    renderedFile(name: string): string {
        return fs.readFileSync(path.join(this.root, "rendered", "1-manifest", name), "utf8");
    }
}

/** The example stack's text with checkout released as 2.5.0: version, image tag and evidence links. */
export function checkoutReleased(text: string): string {
    const next = text
        .replace("version: 2.4.1\n      previousVersion: 2.4.0", "version: 2.5.0\n      previousVersion: 2.4.1")
        .replace(/checkout:2\.4\.1/g, "checkout:2.5.0")
        .replace(/checkout-2\.4\.1/g, "checkout-2.5.0");
    if (!next.includes("version: 2.5.0\n      previousVersion: 2.4.1")) throw new Error("the example's checkout is no longer at 2.4.1 after 2.4.0: update checkoutReleased()");
    return next;
}

/** The version of @pulumi/kubernetes the program loads: the provider version it asks the engine for. */
export function sdkProviderVersion(): string {
    return JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json", { paths: [ROOT] }), "utf8")).version;
}

/**
 * Puts the built provider into a plugin cache (`$PULUMI_HOME/plugins`) under the version the SDK
 * asks for, as `pulumi plugin install resource kubernetes <v> --file` would, without copying its
 * 440 MB: the engine then runs the provider under test, and only for that version.
 */
function installProvider(home: string): void {
    const dir = path.join(home, "plugins", `resource-kubernetes-v${sdkProviderVersion()}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(path.join(ENGINE_BIN, "pulumi-resource-kubernetes"), path.join(dir, "pulumi-resource-kubernetes"));
}

/** Drops `secure:` values (and the salt) from a stack file; the test sets them again. */
export function withoutSecrets(text: string): string {
    return text
        .replace(/^encryptionsalt:.*\n/m, "")
        .replace(/\n(\s+)address:\n\s+secure: \S+/g, "")
        .replace(/\n(\s+)databaseUrl:\n\s+secure: \S+/g, "");
}

/** Every object in the YAML files under `dir`, keyed `Kind/namespace/name`. */
export function readRendered(dir: string): Map<string, any> {
    const objects = new Map<string, any>();
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const file = path.join(d, entry.name);
            if (entry.isDirectory()) walk(file);
            else if (/\.ya?ml$/.test(entry.name)) {
                for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
                    const object = doc.toJS();
                    if (object) objects.set(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`, object);
                }
            }
        }
    };
    walk(dir);
    return objects;
}

/** The objects `releasectl render` printed, keyed like readRendered. */
export function parseRender(text: string): Map<string, any> {
    const objects = new Map<string, any>();
    for (const doc of parseAllDocuments(text)) {
        const object = doc.toJS();
        if (object) objects.set(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`, object);
    }
    return objects;
}
