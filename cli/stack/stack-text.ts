import { isUtf8 } from "buffer";
import * as fs from "fs";

/**
 * Stack file bytes as text, and back, without losing a byte. The editor works on strings; a
 * stack file that is not valid UTF-8 (a comment written in Latin-1, say) would read with U+FFFD
 * in place of each bad byte and be written back changed. Instead each byte that is not part of
 * a valid UTF-8 sequence becomes the lone surrogate U+DC80 + (byte - 0x80), as Python's
 * `surrogateescape` does; valid UTF-8 never decodes to a lone surrogate, so encoding turns
 * exactly those back into the original bytes. Valid UTF-8 (every normal file) takes the fast
 * path: a plain decode, and an encode that finds nothing to restore.
 */

const ESCAPED = /[\udc80-\udcff]/u;
const ESCAPED_ALL = /[\udc80-\udcff]+/gu;

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceLength(buf: Buffer, i: number): number {
    const b = buf[i];
    const cont = (j: number, lo = 0x80, hi = 0xbf) => j < buf.length && buf[j] >= lo && buf[j] <= hi;
    if (b < 0x80) return 1;
    if (b >= 0xc2 && b <= 0xdf) return cont(i + 1) ? 2 : 0;
    if (b >= 0xe0 && b <= 0xef) {
        const lo = b === 0xe0 ? 0xa0 : 0x80;
        const hi = b === 0xed ? 0x9f : 0xbf;
        return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
    }
    if (b >= 0xf0 && b <= 0xf4) {
        const lo = b === 0xf0 ? 0x90 : 0x80;
        const hi = b === 0xf4 ? 0x8f : 0xbf;
        return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    return 0;
}

/** The file's bytes as text; undecodable bytes kept as escapes (see above). */
export function decodeStackBytes(buf: Buffer): string {
    if (isUtf8(buf)) return buf.toString("utf8");
    let out = "";
    let run = 0;
    let i = 0;
    while (i < buf.length) {
        const n = sequenceLength(buf, i);
        if (n > 0) {
            i += n;
            continue;
        }
        out += buf.toString("utf8", run, i) + String.fromCharCode(0xdc00 + buf[i]);
        i += 1;
        run = i;
    }
    return out + buf.toString("utf8", run, buf.length);
}

/** The bytes of text made by decodeStackBytes (or any text): escapes become their bytes again. */
export function encodeStackText(text: string): Buffer {
    if (!ESCAPED.test(text)) return Buffer.from(text, "utf8");
    const parts: Buffer[] = [];
    let last = 0;
    for (const m of text.matchAll(ESCAPED_ALL)) {
        parts.push(Buffer.from(text.slice(last, m.index), "utf8"));
        parts.push(Buffer.from([...m[0]].map((c) => c.charCodeAt(0) - 0xdc00)));
        last = m.index + m[0].length;
    }
    parts.push(Buffer.from(text.slice(last), "utf8"));
    return Buffer.concat(parts);
}

/** Reads a stack file as text that encodes back to the same bytes. */
export function readStackText(file: string): string {
    return decodeStackBytes(fs.readFileSync(file));
}

/** Where the first undecodable byte is (1-based line), for messages; undefined for valid UTF-8. */
export function firstUndecodableLine(text: string): number | undefined {
    const m = ESCAPED.exec(text);
    return m === null ? undefined : text.slice(0, m.index).split("\n").length;
}
