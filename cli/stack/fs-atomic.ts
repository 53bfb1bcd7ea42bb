import * as fs from "fs";
import * as path from "path";

/**
 * Writes a file atomically: a temporary file in the same folder, flushed, then renamed over the
 * target. A crash leaves either the old file or the new one, never half of one. The file's mode
 * is kept.
 */
export function writeFileAtomic(file: string, content: string | Buffer): void {
    const dir = path.dirname(file);
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
    let mode: number | undefined;
    try {
        mode = fs.statSync(file).mode & 0o777;
    } catch {
        mode = undefined;
    }
    const fd = fs.openSync(tmp, "w", mode ?? 0o644);
    try {
        fs.writeFileSync(fd, content);
        fs.fsyncSync(fd);
    } catch (e) {
        fs.closeSync(fd);
        fs.rmSync(tmp, { force: true });
        throw e;
    }
    fs.closeSync(fd);
    try {
        fs.renameSync(tmp, file);
    } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
    }
}
