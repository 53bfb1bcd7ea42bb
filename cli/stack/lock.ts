import * as fs from "fs";
import * as os from "os";
import { parseDuration } from "../../config/duration";
import { UserError } from "../../config/errors";
import { checkStackFileWritable, realTarget } from "../paths";
import { writeFileAtomic } from "./fs-atomic";
import { encodeStackText, readStackText } from "./stack-text";

/** A random hex token; crypto is loaded only when a lock is taken (~4 ms, which every command that merely reads would pay). */
function randomToken(bytes: number): string {
    return (require("crypto") as typeof import("crypto")).randomBytes(bytes).toString("hex");
}

/**
 * An exclusive lock file beside the file it protects (`Pulumi.<stack>.yaml.lock`), so two
 * `prepare`/`rollback` runs cannot both read the old stack file and the second write lose the
 * first one's change. Created with O_EXCL (atomic on local file systems and NFSv3+); it records
 * pid, host, time and a random token. A lock whose process is gone (same host) or that is older
 * than `staleMs` is broken, under a second short-lived lock so two waiters never both break it.
 */

export interface LockOptions {
    /** How long to wait for a held lock before giving up (default 10 s). */
    readonly timeoutMs?: number;
    /** Pause between attempts (default 25 ms, with jitter). */
    readonly retryMs?: number;
    /** Age after which a lock is stale whatever its pid (default 60 s; a holder needs well under 1 s). */
    readonly staleMs?: number;
}

interface LockRecord {
    readonly pid: number;
    readonly host: string;
    readonly created: number;
    readonly token: string;
}

export interface Lock {
    readonly path: string;
    release(): void;
}

export function lockPathFor(file: string): string {
    return `${file}.lock`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readRecord(lockPath: string): LockRecord | undefined {
    try {
        const record = JSON.parse(fs.readFileSync(lockPath, "utf8")) as LockRecord;
        return typeof record.pid === "number" && typeof record.token === "string" ? record : undefined;
    } catch {
        return undefined;
    }
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

function isStale(record: LockRecord | undefined, lockPath: string, staleMs: number): boolean {
    if (record === undefined) {
        // Unreadable: a holder between open() and write(), or garbage. Judge by the file's age.
        try {
            return Date.now() - fs.statSync(lockPath).mtimeMs > staleMs;
        } catch {
            return false;
        }
    }
    if (Date.now() - record.created > staleMs) return true;
    return record.host === os.hostname() && !processAlive(record.pid);
}

function tryCreate(lockPath: string, record: LockRecord): boolean {
    let fd: number;
    try {
        fd = fs.openSync(lockPath, "wx", 0o644);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EEXIST") return false;
        throw new UserError(`${lockPath}: cannot create the lock file (${code ?? (e as Error).message}); nothing was changed: make its folder writable and run again`, "ELOCKFAILED");
    }
    try {
        fs.writeSync(fd, JSON.stringify(record));
    } finally {
        fs.closeSync(fd);
    }
    return true;
}

/** Removes a stale lock, unless someone else is already doing so or it changed meanwhile. */
function breakStale(lockPath: string, seen: LockRecord | undefined): void {
    const breaker = `${lockPath}.break`;
    const mine: LockRecord = { pid: process.pid, host: os.hostname(), created: Date.now(), token: randomToken(8) };
    if (!tryCreate(breaker, mine)) {
        // A breaker lives for microseconds; one left behind by a killed process is removed.
        if (isStale(readRecord(breaker), breaker, 5000)) fs.rmSync(breaker, { force: true });
        return;
    }
    try {
        const now = readRecord(lockPath);
        if (now?.token === seen?.token) fs.rmSync(lockPath, { force: true });
    } finally {
        fs.rmSync(breaker, { force: true });
    }
}

export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<Lock> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const retryMs = opts.retryMs ?? 25;
    const staleMs = opts.staleMs ?? 60_000;
    const record: LockRecord = { pid: process.pid, host: os.hostname(), created: Date.now(), token: randomToken(12) };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (tryCreate(lockPath, { ...record, created: Date.now() })) {
            return {
                path: lockPath,
                release() {
                    // Only our own lock: after a (wrong) stale judgement someone else may hold it now.
                    if (readRecord(lockPath)?.token === record.token) fs.rmSync(lockPath, { force: true });
                },
            };
        }
        const holder = readRecord(lockPath);
        if (isStale(holder, lockPath, staleMs)) {
            breakStale(lockPath, holder);
            continue;
        }
        if (Date.now() >= deadline) {
            const who = holder ? `pid ${holder.pid} on ${holder.host} since ${new Date(holder.created).toISOString()}` : "another process";
            throw new UserError(
                `${lockPath}: locked by ${who} (another releasectl prepare or rollback is changing the stack file); wait for it to finish and run again, or delete the lock file if that process no longer exists`,
                "ELOCKED",
            );
        }
        await sleep(retryMs / 2 + Math.random() * retryMs);
    }
}

/** Runs `fn` while holding the lock; the lock is released however `fn` ends. */
export async function withLock<T>(lockPath: string, fn: () => T | Promise<T>, opts: LockOptions = {}): Promise<T> {
    const lock = await acquireLock(lockPath, opts);
    try {
        return await fn();
    } finally {
        lock.release();
    }
}

/**
 * Lock, re-read, modify, write atomically, unlock. `edit` sees the file as it is once the lock
 * is held (never a copy read earlier), and returns the new text, or undefined to write nothing.
 *
 * A read-only file (no write bit: refused for root too) or folder is refused before anything
 * happens. A symbolic link is updated through: the lock and the temporary file sit beside the
 * link's target, which gets the new content, and the link stays. The text is the file's bytes
 * decoded so that they encode back unchanged (stack-text.ts): bytes that are not UTF-8, in a
 * comment say, stay byte for byte.
 */
export async function updateFileLocked(
    file: string,
    edit: (text: string) => string | undefined | Promise<string | undefined>,
    opts: LockOptions & { readonly shown?: string } = {},
): Promise<{ before: string; after: string }> {
    checkStackFileWritable(file, opts.shown ?? file);
    const target = realTarget(file);
    return withLock(
        lockPathFor(target),
        async () => {
            const before = readStackText(target);
            const after = (await edit(before)) ?? before;
            if (after !== before) {
                try {
                    writeFileAtomic(target, encodeStackText(after));
                } catch (e) {
                    const err = e as NodeJS.ErrnoException;
                    throw new UserError(`${file}: could not write the new version (${err.code ?? err.message}); the file is unchanged: free space or fix permissions and run again`, "EWRITE");
                }
            }
            return { before, after };
        },
        opts,
    );
}

/** `--lock-timeout 30s` → milliseconds. */
export function lockTimeout(value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const seconds = parseDuration(value);
    if (seconds === undefined) throw new UserError(`--lock-timeout ${JSON.stringify(value)}: not a duration; use e.g. 10s or 1m`, "EUSAGE");
    return seconds * 1000;
}
