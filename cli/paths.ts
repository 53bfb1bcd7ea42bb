import * as fs from "fs";
import * as path from "path";
import { UserError } from "../config/errors";

/**
 * Paths a user types: one place that says what each path option must be, and the checks every
 * command runs on them before it reads or writes anything, so a bad path is one line naming the
 * option, the value and the fix (exit 2), never a stack trace, a hang or a silent fallback.
 */

/** Every option, of any command, whose value is a path, with what it must name. */
export const PATH_OPTIONS: Readonly<Record<string, { readonly what: "folder" | "file"; readonly example: string }>> = {
    cwd: { what: "folder", example: "--cwd ../my-project" },
    repo: { what: "folder", example: "--repo ../checkout" },
    out: { what: "folder", example: '--out "$(mktemp -d)"' },
    config: { what: "file", example: "--config policies/config.example.json" },
    "policy-pack": { what: "folder", example: "--policy-pack policies" },
    "policy-pack-config": { what: "file", example: "--policy-pack-config policies/config.example.json" },
};

function shownValue(value: string): string {
    return /^[\w./~+@%=,:-]+$/.test(value) ? value : JSON.stringify(value);
}

function errnoCode(e: unknown): string {
    return (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);
}

/**
 * The checks that need no file system: a path option given empty (`--out ""` would mean the
 * current folder), or holding a control character (a newline pasted in, a NUL), is refused.
 */
export function checkPathValue(flag: string, value: string): void {
    const spec = PATH_OPTIONS[flag];
    if (value.trim() === "") {
        throw new UserError(`--${flag} ${JSON.stringify(value)}: an empty path; name a ${spec?.what ?? "path"}${spec ? `, e.g. ${spec.example}` : ""}`, "EUSAGE");
    }
    const control = /[\x00-\x1f\x7f]/.exec(value);
    if (control) {
        const code = control[0].charCodeAt(0).toString(16).padStart(2, "0");
        throw new UserError(`--${flag} ${JSON.stringify(value)}: the path holds a control character (\\x${code}); type the path without it`, "EUSAGE");
    }
}

/** The nearest existing ancestor of `p` (p itself when it exists), and what it is. */
function nearestExisting(p: string): { at: string; stat: fs.Stats } {
    for (let at = p; ; at = path.dirname(at)) {
        try {
            return { at, stat: fs.statSync(at) };
        } catch (e) {
            const code = errnoCode(e);
            if ((code !== "ENOENT" && code !== "ENOTDIR") || path.dirname(at) === at) throw e;
        }
    }
}

/**
 * An option that must name an existing folder (`--cwd`, `--repo`): its absolute path, or a
 * UserError saying whether it is missing, a file, or under a file.
 */
export function existingDir(flag: string, value: string, base: string): string {
    checkPathValue(flag, value);
    const full = path.resolve(base, value);
    const shown = `--${flag} ${shownValue(value)}`;
    let stat: fs.Stats;
    try {
        stat = fs.statSync(full);
    } catch (e) {
        const code = errnoCode(e);
        if (code === "ENOENT" || code === "ENOTDIR") {
            const { at, stat: near } = nearestExisting(full);
            if (!near.isDirectory()) throw new UserError(`${shown}: ${at} is a file, not a folder, so ${full} cannot exist; pass an existing folder`, "ENOTDIR");
            throw new UserError(`${shown}: no such folder (${full}); pass an existing folder`, "ENOENT");
        }
        if (code === "ELOOP") throw new UserError(`${shown}: a symbolic link that points back at itself (${full}); pass a real folder`, "ELOOP");
        throw new UserError(`${shown}: cannot be read (${code}); pass a folder you can read`, code);
    }
    if (!stat.isDirectory()) throw new UserError(`${shown}: ${full} is a file, not a folder; pass the folder that holds it (${path.dirname(full)})`, "ENOTDIR");
    return full;
}

/** An option that must name an existing regular file (`--config`): its absolute path. */
export function existingFile(flag: string, value: string, base: string): string {
    checkPathValue(flag, value);
    const full = path.resolve(base, value);
    const shown = `--${flag} ${shownValue(value)}`;
    let stat: fs.Stats;
    try {
        stat = fs.statSync(full);
    } catch (e) {
        const code = errnoCode(e);
        if (code === "ENOENT" || code === "ENOTDIR") throw new UserError(`${shown}: no such file (${full}); pass an existing file, e.g. ${PATH_OPTIONS[flag]?.example ?? "a path"}`, "ENOENT");
        throw new UserError(`${shown}: cannot be read (${code}); pass a file you can read`, code);
    }
    if (stat.isDirectory()) throw new UserError(`${shown}: ${full} is a folder, not a file; pass the file itself, e.g. ${PATH_OPTIONS[flag]?.example ?? "a path"}`, "EISDIR");
    if (!stat.isFile()) throw new UserError(`${shown}: ${full} is not a regular file (a device, socket or pipe); pass a regular file`, "ENOTFILE");
    return full;
}

/**
 * An option naming a folder to write into (`--out`): it may not exist yet, but then its nearest
 * existing ancestor must be a writable folder. Returns the absolute path. The mode bits count
 * as well as access(2): root may write anywhere, yet a folder nobody may write is a mistake.
 */
export function outputDir(flag: string, value: string, base: string): string {
    checkPathValue(flag, value);
    const full = path.resolve(base, value);
    const shown = `--${flag} ${shownValue(value)}`;
    let near: { at: string; stat: fs.Stats };
    try {
        near = nearestExisting(full);
    } catch (e) {
        throw new UserError(`${shown}: cannot be read (${errnoCode(e)}); choose a folder you can write, e.g. ${PATH_OPTIONS[flag]?.example ?? "a new folder"}`, errnoCode(e));
    }
    if (!near.stat.isDirectory()) {
        throw new UserError(
            near.at === full
                ? `${shown}: exists and is not a directory; choose a directory that is new or empty, e.g. ${PATH_OPTIONS[flag]?.example ?? "a new folder"}`
                : `${shown}: ${near.at} is a file, not a folder, so nothing can be written under it; choose another folder, e.g. ${PATH_OPTIONS[flag]?.example ?? "a new folder"}`,
            "ENOTDIR",
        );
    }
    try {
        fs.accessSync(near.at, fs.constants.W_OK | fs.constants.X_OK);
    } catch (e) {
        throw new UserError(`${shown}: ${near.at} is not writable (${errnoCode(e)}); choose a folder you can write, e.g. ${PATH_OPTIONS[flag]?.example ?? "a new folder"}`, "EACCES");
    }
    return full;
}

/**
 * Creates `dir` and its missing parents one level at a time. Node's `mkdirSync(…, {recursive})`
 * loops forever where mkdir(2) says ENOENT about a parent that exists (under /proc); this never
 * loops, and on failure removes the folders it made. Returns the topmost folder it created.
 */
export function makeDirs(dir: string, describe: (failure: string) => string): string | undefined {
    const missing: string[] = [];
    for (let at = dir; ; at = path.dirname(at)) {
        let stat: fs.Stats | undefined;
        try {
            stat = fs.statSync(at);
        } catch (e) {
            const code = errnoCode(e);
            if (code !== "ENOENT" && code !== "ENOTDIR") throw new UserError(describe(`${at}: ${code}`), code);
        }
        if (stat !== undefined) {
            if (!stat.isDirectory()) throw new UserError(describe(`${at} is a file, not a folder`), "ENOTDIR");
            break;
        }
        missing.push(at);
        if (path.dirname(at) === at) break;
    }
    const made: string[] = [];
    for (const at of missing.reverse()) {
        try {
            fs.mkdirSync(at);
            made.push(at);
        } catch (e) {
            for (const m of made.reverse()) fs.rmSync(m, { recursive: true, force: true });
            throw new UserError(describe(`cannot create ${at} (${errnoCode(e)})`), errnoCode(e));
        }
    }
    return made[0];
}

/** Whether a stat says nobody may write the file (no w bit at all), as git judges it. */
export function hasNoWriteBit(stat: fs.Stats): boolean {
    return (stat.mode & 0o222) === 0;
}

/**
 * The stack file, when it exists in some form, must be a regular file (or a link to one): a
 * folder, a dangling link, a pipe (reading it would hang) or a device is refused with what to
 * do, also by commands that read only its git history. A stack file that does not exist, and
 * its size and encoding, are the loader's (config/load.ts) to judge.
 */
export function checkStackFile(file: string, shown: string): void {
    let link: fs.Stats;
    try {
        link = fs.lstatSync(file);
    } catch {
        return;
    }
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch (e) {
        const code = errnoCode(e);
        if (link.isSymbolicLink()) {
            let target = "?";
            try {
                target = fs.readlinkSync(file);
            } catch {
                // unreadable link: the code says enough
            }
            throw new UserError(
                code === "ELOOP"
                    ? `${shown}: a symbolic link that loops (${target}); point it at the real stack file (ln -sfn <file> ${shown})`
                    : `${shown}: a symbolic link to ${target}, which does not exist (${code}); point it at the real stack file (ln -sfn <file> ${shown}) or remove it`,
                "EDANGLING",
            );
        }
        throw new UserError(`${shown}: cannot be read (${code}); fix its permissions (chmod u+r ${shown})`, code);
    }
    if (stat.isDirectory()) throw new UserError(`${shown}: is a folder, not a stack file; a stack file is a YAML file (move the folder away, then pulumi stack init)`, "EISDIR");
    if (!stat.isFile()) throw new UserError(`${shown}: not a regular file (a pipe, socket or device); a stack file is a YAML file: replace it with one`, "ENOTFILE");
    try {
        fs.accessSync(file, fs.constants.R_OK);
    } catch (e) {
        throw new UserError(`${shown}: cannot be read (${errnoCode(e)}); fix its permissions (chmod u+r ${shown})`, "EACCES");
    }
}

/**
 * Before a stack file is rewritten: the file must be writable (a file without any write bit is
 * refused even for root, who could write it anyway) and so must the folder that will hold the
 * temporary file and the lock (the link target's folder for a symbolic link).
 */
export function checkStackFileWritable(file: string, shown: string): void {
    const real = realTarget(file);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(real);
    } catch {
        return; // a missing file is the loader's message
    }
    const mode = (stat.mode & 0o7777).toString(8).padStart(4, "0");
    const linked = real === path.resolve(file) ? "" : ` (a link to ${real})`;
    if (hasNoWriteBit(stat)) {
        throw new UserError(`${shown}${linked}: read-only (mode ${mode}); nothing was changed: make it writable (chmod u+w ${real === path.resolve(file) ? shown : real}) and run again`, "EREADONLY");
    }
    try {
        fs.accessSync(real, fs.constants.W_OK);
    } catch (e) {
        throw new UserError(`${shown}${linked}: not writable (${errnoCode(e)}, mode ${mode}); nothing was changed: make it writable (chmod u+w ${real === path.resolve(file) ? shown : real}) and run again`, "EREADONLY");
    }
    const dir = path.dirname(real);
    try {
        fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    } catch (e) {
        throw new UserError(
            `${dir}: the folder of ${shown}${linked} is not writable (${errnoCode(e)}), and the update writes a temporary file and a lock there; nothing was changed: make the folder writable and run again`,
            "EREADONLY",
        );
    }
}

/**
 * Where a write to `file` must land: the final target of a symbolic link (a link whose target
 * does not exist yet: that target), else the file itself. Absolute.
 */
export function realTarget(file: string): string {
    let at = path.resolve(file);
    for (let hops = 0; hops < 40; hops++) {
        try {
            return fs.realpathSync(at);
        } catch {
            // missing, or a dangling link: follow the link by hand
        }
        let target: string;
        try {
            target = fs.readlinkSync(at);
        } catch {
            // not a link: a new file, in a folder that may itself be reached through links
            try {
                return path.join(fs.realpathSync(path.dirname(at)), path.basename(at));
            } catch {
                return at;
            }
        }
        at = path.resolve(path.dirname(at), target);
    }
    return at;
}

/**
 * The folder `next`, `tag` and `prepare … auto --repo` read the repository from: `--repo`, else
 * `--cwd`, else the current folder. A given one must be an existing folder (git's own "cannot
 * change to" is no message for a person); whether it is a repository is git's to say.
 */
export function repoDir(values: { readonly [key: string]: unknown }, base: string): string {
    if (typeof values.repo === "string") return existingDir("repo", values.repo, base);
    if (typeof values.cwd === "string") return existingDir("cwd", values.cwd, base);
    return path.resolve(base);
}
