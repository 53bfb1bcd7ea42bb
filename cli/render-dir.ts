import * as fs from "fs";
import * as path from "path";
import { UserError } from "../config/errors";
import { makeDirs, outputDir } from "./paths";
import { writeFileAtomic } from "./stack/fs-atomic";

/**
 * `releasectl render --out DIR`: the folder holds exactly the objects of the latest render, so
 * `kubectl apply -f DIR` never applies a stale Deployment of an earlier one. Render owns the
 * folder: it writes a manifest, `.releasectl-render`, listing the files it wrote; the next render
 * into the folder writes the new files and removes those of the list that no longer belong. A
 * folder render did not make (no manifest) must be new or empty; a folder it made must hold
 * nothing render did not write. Every file is written atomically, the manifest first (covering
 * old and new files, so an interrupted render is cleaned up by the next) and last.
 */

export const RENDER_MANIFEST = ".releasectl-render";

const HEADER =
    "# Written by releasectl render. This folder belongs to it: the next render into it replaces the files\n" +
    "# listed below and removes those that no longer belong. Do not add files here.\n";

/** Temporary files of an interrupted atomic write (fs-atomic.ts): render's own leftovers. */
const LEFTOVER = /^\..+\.\d+\.\d+\.tmp$/;

export interface RenderFile {
    /** Path inside the folder, with `/` separators: `<service>/<NN>-<kind>-<name>.yaml`. */
    readonly rel: string;
    readonly content: string;
}

export interface RenderDirResult {
    readonly dir: string;
    readonly written: number;
    /** Files of an earlier render that no longer belong, removed. */
    readonly removed: readonly string[];
}

const example = '--out "$(mktemp -d)"';

function safeRel(rel: string): boolean {
    return rel !== "" && !path.isAbsolute(rel) && !rel.split("/").some((p) => p === "" || p === "." || p === "..") && !rel.includes("\\");
}

/** The files an earlier render listed, or undefined when the folder has no manifest. */
function readManifest(dir: string, shown: string): Set<string> | undefined {
    const file = path.join(dir, RENDER_MANIFEST);
    let stat: fs.Stats;
    try {
        stat = fs.lstatSync(file);
    } catch {
        return undefined;
    }
    if (!stat.isFile()) throw new UserError(`${shown}: ${RENDER_MANIFEST} there is not a file releasectl render wrote; render into a new or empty folder (e.g. ${example})`, "ENOTOWNED");
    const listed = new Set<string>();
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        if (!safeRel(line)) {
            throw new UserError(`${shown}: ${RENDER_MANIFEST} lists ${JSON.stringify(line)}, which is no file render writes; it was edited: render into a new or empty folder (e.g. ${example})`, "ENOTOWNED");
        }
        listed.add(line);
    }
    return listed;
}

/** Every entry under `dir` (files and folders, relative, `/`-separated), the manifest excluded. */
function entries(dir: string): { files: string[]; dirs: string[]; others: string[] } {
    const files: string[] = [];
    const dirs: string[] = [];
    const others: string[] = [];
    const walk = (sub: string) => {
        for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
            const rel = sub === "" ? e.name : `${sub}/${e.name}`;
            if (rel === RENDER_MANIFEST) continue;
            if (e.isDirectory()) {
                dirs.push(rel);
                walk(rel);
            } else if (e.isFile()) files.push(rel);
            else others.push(rel);
        }
    };
    walk("");
    return { files, dirs, others };
}

function listing(names: readonly string[]): string {
    return names.slice(0, 3).join(", ") + (names.length > 3 ? ` and ${names.length - 3} more` : "");
}

function writeManifest(dir: string, files: Iterable<string>): void {
    writeFileAtomic(path.join(dir, RENDER_MANIFEST), HEADER + [...files].sort().map((f) => `${f}\n`).join(""));
}

/**
 * Writes `files` into the folder `value` names (relative to `base`), replacing an earlier
 * render's files. Refuses (UserError, nothing changed) a folder render does not own, or one it
 * cannot write.
 */
export function writeRenderDir(value: string, base: string, files: readonly RenderFile[]): RenderDirResult {
    const dir = outputDir("out", value, base);
    const shown = `--out ${value}`;
    for (const f of files) if (!safeRel(f.rel)) throw new Error(`render wants to write ${JSON.stringify(f.rel)}, outside its folder`);

    let previous: Set<string> = new Set();
    const exists = fs.existsSync(dir);
    if (exists) {
        let listed: Set<string> | undefined;
        let found: ReturnType<typeof entries>;
        try {
            listed = readManifest(dir, shown);
            found = entries(dir);
        } catch (e) {
            if (e instanceof UserError) throw e;
            throw new UserError(`${shown}: ${dir} cannot be read (${(e as NodeJS.ErrnoException).code}); choose a folder you can read and write (e.g. ${example})`, "EACCES");
        }
        if (listed === undefined) {
            const all = [...found.files, ...found.dirs, ...found.others];
            if (all.length > 0) {
                throw new UserError(
                    `${shown}: ${dir} holds files releasectl render did not write (${listing(all.filter((n) => !n.includes("/")))}); render owns its folder and removes what no longer belongs, so give it a new or empty folder (e.g. ${example})`,
                    "ENOTOWNED",
                );
            }
        } else {
            const strangers = [
                ...found.files.filter((f) => !listed.has(f) && !LEFTOVER.test(path.basename(f))),
                ...found.others,
            ];
            if (strangers.length > 0) {
                throw new UserError(
                    `${shown}: ${dir} is an earlier render's folder, but holds ${listing(strangers)}, which render did not write; move ${strangers.length === 1 ? "it" : "them"} out of the folder (render would not know whether to keep ${strangers.length === 1 ? "it" : "them"}) or render into a new folder (e.g. ${example})`,
                    "ENOTOWNED",
                );
            }
            previous = listed;
        }
        try {
            fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
        } catch (e) {
            throw new UserError(`${shown}: ${dir} is not writable (${(e as NodeJS.ErrnoException).code}); choose a folder you can write (e.g. ${example})`, "EACCES");
        }
    }

    const failed = (what: string) => `${shown}: ${what}; choose a folder you can write (e.g. ${example})`;
    const created = exists ? undefined : makeDirs(dir, failed);
    const removed: string[] = [];
    try {
        const wanted = new Set(files.map((f) => f.rel));
        writeManifest(dir, new Set([...previous, ...wanted]));
        for (const f of files) {
            const target = path.join(dir, ...f.rel.split("/"));
            makeDirs(path.dirname(target), failed);
            writeFileAtomic(target, f.content);
        }
        for (const rel of [...previous].sort()) {
            if (wanted.has(rel)) continue;
            fs.rmSync(path.join(dir, ...rel.split("/")), { force: true });
            removed.push(rel);
        }
        // leftovers of an interrupted write, and the folders of earlier files left empty
        const now = entries(dir);
        for (const rel of now.files) if (LEFTOVER.test(path.basename(rel)) && !wanted.has(rel)) fs.rmSync(path.join(dir, ...rel.split("/")), { force: true });
        const folders = new Set([...previous].filter((rel) => rel.includes("/")).map((rel) => rel.slice(0, rel.lastIndexOf("/"))));
        for (const rel of [...folders].sort().reverse()) {
            const at = path.join(dir, ...rel.split("/"));
            if (fs.existsSync(at) && fs.readdirSync(at).length === 0) fs.rmdirSync(at);
        }
        writeManifest(dir, wanted);
    } catch (e) {
        if (created !== undefined) fs.rmSync(created, { recursive: true, force: true });
        if (e instanceof UserError) throw e;
        const err = e as NodeJS.ErrnoException;
        throw new UserError(
            failed(`could not write into ${dir} (${err.code ?? err.message})${created !== undefined ? "; nothing was left behind" : "; run again once it is fixed: the next render finishes the job"}`),
            err.code ?? "EWRITE",
        );
    }
    return { dir, written: files.length, removed };
}
