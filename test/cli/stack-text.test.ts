import { expect } from "chai";
import { randomBytes } from "crypto";
import { decodeStackBytes, encodeStackText, firstUndecodableLine } from "../../cli/stack/stack-text";

describe("stack file text: bytes in, the same bytes out", () => {
    it("valid UTF-8 decodes as usual, non-BMP characters and all", () => {
        const text = "# café → 🚀 ünïcode\nkey: välue\n";
        expect(decodeStackBytes(Buffer.from(text, "utf8"))).to.equal(text);
        expect(encodeStackText(text).equals(Buffer.from(text, "utf8"))).to.equal(true);
    });

    it("keeps a Latin-1 byte in a comment exactly, and says on which line it is", () => {
        const bytes = Buffer.concat([Buffer.from("a: 1\n# caf"), Buffer.from([0xe9]), Buffer.from(" 🚀\n")]);
        const text = decodeStackBytes(bytes);
        expect(text).not.to.include("\ufffd");
        expect(firstUndecodableLine(text)).to.equal(2);
        expect(encodeStackText(text).equals(bytes)).to.equal(true);
        // an edit elsewhere keeps the byte
        expect(encodeStackText(text.replace("a: 1", "a: 2")).equals(Buffer.concat([Buffer.from("a: 2"), bytes.subarray(4)]))).to.equal(true);
    });

    it("keeps overlong forms, encoded surrogates, truncated sequences and stray continuation bytes", () => {
        for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xff, 0xfe]]) {
            const bytes = Buffer.from([0x23, ...bad, 0x0a]);
            expect(encodeStackText(decodeStackBytes(bytes)).equals(bytes), `bytes ${bad.map((b) => b.toString(16)).join(" ")}`).to.equal(true);
        }
    });

    it("round-trips any bytes at all", () => {
        for (let i = 0; i < 200; i++) {
            const bytes = randomBytes(1 + (i % 64));
            expect(encodeStackText(decodeStackBytes(bytes)).equals(bytes)).to.equal(true);
        }
    });
});
