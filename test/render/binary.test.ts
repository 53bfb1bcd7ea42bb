import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { REPO, removeTempProjects, tempProject } from "../helpers/project";

const BIN = path.join(REPO, "bin", "releasectl.js");
const MAIN = path.join(REPO, "dist", "cli", "main.js");

function releasectl(args: string[], cwd: string) {
    const env = { ...process.env };
    delete env.RELEASECTL_STACK;
    const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The compiled command line, as a user runs it (bin/releasectl.js → dist/). */
describe("the compiled releasectl binary", () => {
    before(function () {
        this.timeout(300_000);
        // Build exactly as `npm run build` does. Only exit 0 is a build: tsc exits 2 when it found
        // type errors, even though it still wrote output.
        const build = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: REPO, encoding: "utf8" });
        expect(build.status, `tsc -p tsconfig.json failed:\n${build.stdout}${build.stderr}`).to.equal(0);
        expect(fs.existsSync(MAIN)).to.equal(true);
    });

    after(removeTempProjects);

    it("renders the example stack with exit code 0", () => {
        const { code, stdout, stderr } = releasectl(["render", "--stack", "production"], tempProject());
        expect(code, stderr).to.equal(0);
        const kinds = new Set(parseAllDocuments(stdout).map((d) => (d.toJS() as { kind: string }).kind));
        expect([...kinds].sort()).to.deep.equal(["AlertProvider", "Canary", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job", "MetricTemplate", "PodDisruptionBudget", "PrometheusRule", "Secret"]);
    });

    it("exits 2 with one line on stderr for an unknown stack", () => {
        const { code, stdout, stderr } = releasectl(["render", "--stack", "staging"], tempProject());
        expect(code).to.equal(2);
        expect(stdout).to.equal("");
        expect(stderr.trimEnd().split("\n")).to.have.length(1);
    });

    it("exits 2 for a malformed stack file", () => {
        const { code, stderr } = releasectl(["render", "--stack", "broken"], tempProject({ "Pulumi.broken.yaml": "config:\n  releasectl:services: {web: [}\n" }));
        expect(code).to.equal(2);
        expect(stderr).to.match(/Pulumi\.broken\.yaml:\d+:\d+: malformed YAML/);
    });

    it("never loads @pulumi/pulumi while rendering", () => {
        const script = `
            const { Writable } = require("stream");
            const sink = new Writable({ write(chunk, encoding, done) { done(); } });
            require(${JSON.stringify(MAIN)}).main(["render", "--stack", "production"], { stdout: sink, stderr: process.stderr, cwd: ${JSON.stringify(tempProject())} })
                .then((code) => {
                    const loaded = Object.keys(require.cache).filter((k) => k.includes("@pulumi/"));
                    console.log(JSON.stringify({ code, loaded }));
                });`;
        const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
        expect(JSON.parse(result.stdout), result.stderr).to.deep.equal({ code: 0, loaded: [] });
    });
});
