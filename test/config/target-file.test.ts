import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readTargetFile, TARGET_FILE_ENV } from "../../config/target-file";

/**
 * What RELEASECTL_TARGET_FILE makes the program declare. Only ship's own file for this stack
 * narrows it; anything else declares every service (the e2e suite shows, on the real engine, that
 * a whole-stack preview then changes nothing).
 */
describe("RELEASECTL_TARGET_FILE (ship --target's file for the program)", () => {
    let dir: string;
    const SERVICES = ["checkout", "storefront"];
    const choice = (content: string | undefined, stack = "production") => {
        const file = path.join(dir, "targets.json");
        if (content !== undefined) fs.writeFileSync(file, content);
        return readTargetFile({ [TARGET_FILE_ENV]: file }, stack, SERVICES);
    };
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-target-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("unset or empty: no choice, every service declared", () => {
        expect(readTargetFile({}, "production", SERVICES)).to.equal(undefined);
        expect(readTargetFile({ [TARGET_FILE_ENV]: "" }, "production", SERVICES)).to.equal(undefined);
    });

    it("ship's file for this stack: the services it names", () => {
        const c = choice(JSON.stringify({ stack: "production", services: ["checkout"] }));
        expect(c !== undefined && "services" in c ? [...c.services] : c).to.deep.equal(["checkout"]);
    });

    for (const [what, content, stack, why] of [
        ["a file that is gone", undefined, "production", "no such file (its release has ended)"],
        ["a file of another stack", JSON.stringify({ stack: "staging", services: ["checkout"] }), "production", "written for stack staging, not production"],
        ["a service the stack does not have", JSON.stringify({ stack: "production", services: ["checkout", "payments"] }), "production", "names checkout, payments, not a subset of this stack's services"],
        ["no service", JSON.stringify({ stack: "production", services: [] }), "production", "names no service, not a subset of this stack's services"],
        ["a file that is not JSON", "checkout", "production", "not JSON"],
        ["JSON of another shape", JSON.stringify(["checkout"]), "production", "not a target file ({ stack, services })"],
    ] as const) {
        it(`${what}: ignored, saying why`, () => {
            expect(choice(content, stack)).to.deep.equal({ ignored: why });
        });
    }
});
