import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../config/errors";
import { git } from "../git";
import { acquireLock, Lock } from "../stack/lock";

/**
 * One `releasectl ship` per stack and repository at a time: two would commit, apply and roll back
 * over each other. The lock lives in the git directory (never in the working tree, where it would
 * be an untracked file the checklist reports), is taken without waiting, and is broken only when
 * its process is gone (same host) or after a day: a release takes minutes, not hours.
 */
export async function acquireShipLock(dir: string, stack: string, env: NodeJS.ProcessEnv): Promise<Lock> {
    const gitDir = git(dir, ["rev-parse", "--absolute-git-dir"], { env }).trim();
    const lockPath = path.join(gitDir, `releasectl-ship-${stack}.lock`);
    try {
        return await acquireLock(lockPath, { timeoutMs: 0, staleMs: 24 * 3600 * 1000 });
    } catch (e) {
        if (!(e instanceof UserError) || e.code !== "ELOCKED") throw e;
        let holder = "another process";
        try {
            const record = JSON.parse(fs.readFileSync(lockPath, "utf8")) as { pid: number; host: string; created: number };
            holder = `pid ${record.pid} on ${record.host}, since ${new Date(record.created).toISOString()}`;
        } catch {
            // unreadable: keep the generic words
        }
        throw new UserError(`another releasectl ship of stack ${stack} is running (${holder}); wait for it, or delete ${lockPath} if that process no longer runs`, "ELOCKED");
    }
}
