import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..");
const BIN = path.join(REPO, "bin", "releasectl.js");
const MAIN = path.join(REPO, "dist", "cli", "main.js");

/** `releasectl --version` from the compiled binary, as a user runs it after npm ci. */
describe("releasectl --version (the compiled binary)", () => {
    let dir: string;
    before(function () {
        this.timeout(300_000);
        // Built as `npm run build` does; exit 2 is "type errors, output written" (see test/render/binary.test.ts).
        const build = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: REPO, encoding: "utf8" });
        expect([0, 2], `${build.stdout}${build.stderr}`).to.include(build.status);
        expect(fs.existsSync(MAIN)).to.equal(true);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-version-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };

    for (const arg of ["--version", "version"]) {
        it(`releasectl ${arg} prints ${version} and exits 0, from any folder (it was a stack trace: no dist/package.json)`, () => {
            const result = spawnSync(process.execPath, [BIN, arg], { cwd: dir, encoding: "utf8" });
            expect(result.stderr).to.equal("");
            expect(result.status).to.equal(0);
            expect(result.stdout).to.equal(`${version}\n`);
        });
    }
});
