import * as fs from "fs";
import * as path from "path";
import { realTarget } from "../paths";

/**
 * Writes a file atomically: a temporary file in the same folder, flushed, then renamed over the
 * target. A crash leaves either the old file or the new one, never half of one.
 *
 * A symbolic link is written through: the temporary file goes beside the link's final target
 * and is renamed over the target, so the link stays a link and the target gets the content.
 * An existing file keeps its mode (set explicitly, whatever the umask) and, where the process
 * may (root), its owner. Returns the path actually written.
 */
export function writeFileAtomic(file: string, content: string | Buffer): string {
    const target = realTarget(file);
    const dir = path.dirname(target);
    const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
    let existing: fs.Stats | undefined;
    try {
        existing = fs.statSync(target);
    } catch {
        existing = undefined;
    }
    const fd = fs.openSync(tmp, "wx", existing ? existing.mode & 0o7777 : 0o644);
    try {
        if (existing) {
            fs.fchmodSync(fd, existing.mode & 0o7777);
            if (process.getuid?.() === 0 && (existing.uid !== 0 || existing.gid !== 0)) fs.fchownSync(fd, existing.uid, existing.gid);
        }
        fs.writeFileSync(fd, content);
        fs.fsyncSync(fd);
    } catch (e) {
        fs.closeSync(fd);
        fs.rmSync(tmp, { force: true });
        throw e;
    }
    fs.closeSync(fd);
    try {
        fs.renameSync(tmp, target);
    } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
    }
    return target;
}
