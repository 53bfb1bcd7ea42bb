import { expect } from "chai";
import * as fs from "fs";
import { ENV_STRING_LIMIT, stackConfigEnvBytes } from "../../cli/stack/pulumi-config-size";
import { requireEngine, Workspace } from "./workspace";

/**
 * The real engine hands the program the whole stack configuration as one environment string
 * (PULUMI_CONFIG), and Linux refuses one longer than 131,072 bytes (pulumi/pulumi#8680): the
 * program never starts. releasectl's estimate of that string must put the boundary where the
 * engine does, to the byte: a stack padded to the limit previews, one byte more does not, and
 * `releasectl check` names the stack file, the size and the fix before pulumi is run.
 */
describe("the stack configuration's size against the real engine's limit", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace;
    let released: string;

    before(() => {
        requireEngine();
        ws = Workspace.create();
        released = fs.readFileSync(ws.stackFile, "utf8");
    });
    after(() => ws?.remove());

    /** The released stack with checkout's env padded so the estimate is exactly `bytes`. */
    function paddedTo(bytes: number): string {
        const withPad = (a: number, b: number) =>
            released.replace(/(\n    checkout:\n(?:      .*\n)*?      port: 8080\n)/, `$1      env:\n        PAD_A: "${"a".repeat(a)}"\n        PAD_B: "${"b".repeat(b)}"\n`);
        const base = stackConfigEnvBytes(ws.dir, ws.stackFile, "production", withPad(0, 0));
        const need = bytes - base;
        expect(need, "the example is smaller than the size asked for").to.be.greaterThan(0);
        const text = withPad(Math.floor(need / 2), Math.ceil(need / 2));
        expect(stackConfigEnvBytes(ws.dir, ws.stackFile, "production", text)).to.equal(bytes);
        return text;
    }

    function previewWith(text: string) {
        fs.writeFileSync(ws.stackFile, text);
        try {
            return ws.pulumi(["preview"]);
        } finally {
            fs.writeFileSync(ws.stackFile, released);
        }
    }

    it("a configuration of exactly the limit runs the program", () => {
        const run = previewWith(paddedTo(ENV_STRING_LIMIT));
        expect(run.output).to.not.match(/argument list too long/);
        expect(run.code, run.output.slice(-3000)).to.equal(0);
        expect(run.output).to.match(/checkout-deployment/);
    });

    it("one byte more and the engine cannot start the program", () => {
        const run = previewWith(paddedTo(ENV_STRING_LIMIT + 1));
        expect(run.code).to.not.equal(0);
        expect(run.output).to.match(/argument list too long/);
    });

    it("releasectl check refuses that stack first, naming the file, the size, the limit and the fix", () => {
        fs.writeFileSync(ws.stackFile, paddedTo(ENV_STRING_LIMIT + 1));
        try {
            const run = ws.releasectl(["check", "--stack", "production", "--no-repo"]);
            expect(run.code, run.output).to.equal(1);
            expect(run.output).to.match(/repository-stack-config-size/);
            expect(run.output).to.include("Pulumi.production.yaml");
            expect(run.output).to.include(`${(ENV_STRING_LIMIT + 1).toLocaleString("en-US")} bytes`);
            expect(run.output).to.include("131,072");
            expect(run.output).to.include("docs/scale.md");
        } finally {
            fs.writeFileSync(ws.stackFile, released);
        }
    });
});
