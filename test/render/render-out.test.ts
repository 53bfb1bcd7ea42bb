import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RENDER_MANIFEST } from "../../cli/render-dir";
import { removeTempProjects, runCli, tempProject } from "../helpers/project";

/**
 * `render --out DIR` owns DIR: after each render it holds exactly that render's objects (so
 * `kubectl apply -R -f DIR` never applies a stale one), and a folder render did not make is
 * refused rather than mixed into.
 */

/** Files under `dir`, relative, sorted (the manifest included). */
function files(dir: string): string[] {
    const out: string[] = [];
    const walk = (sub: string) => {
        for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
            const rel = sub === "" ? e.name : `${sub}/${e.name}`;
            if (e.isDirectory()) walk(rel);
            else out.push(rel);
        }
    };
    walk("");
    return out.sort();
}

/** Every file with its bytes and mtime, for "nothing changed". */
function state(dir: string): Record<string, string> {
    return Object.fromEntries(files(dir).map((f) => [f, `${fs.readFileSync(path.join(dir, f)).toString("base64")} ${fs.statSync(path.join(dir, f)).mtimeMs}`]));
}

function oneLine(stderr: string): string {
    const lines = stderr.trimEnd().split("\n");
    expect(lines, stderr).to.have.length(1);
    expect(lines[0]).not.to.include("internal error");
    return lines[0];
}

describe("releasectl render --out DIR owns the folder", () => {
    let out: string;
    let project: string;
    beforeEach(() => {
        project = tempProject();
        out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-out-")), "manifests");
    });
    afterEach(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));
    after(removeTempProjects);
    const render = (...args: string[]) => runCli(["render", "--stack", "production", ...args], project);

    it("writes a manifest listing exactly the files it wrote", async () => {
        const run = await render("--out", out);
        expect(run.code, run.stderr).to.equal(0);
        const listed = fs
            .readFileSync(path.join(out, RENDER_MANIFEST), "utf8")
            .split("\n")
            .filter((l) => l !== "" && !l.startsWith("#"));
        expect(listed).to.deep.equal(files(out).filter((f) => f !== RENDER_MANIFEST));
        expect(listed.some((f) => f.startsWith("checkout/")) && listed.some((f) => f.startsWith("storefront/"))).to.equal(true);
    });

    it("a later render removes the files that no longer belong: no stale objects beside the new ones", async () => {
        expect((await render("--out", out)).code).to.equal(0);
        const first = files(out);
        expect(first.some((f) => f.startsWith("storefront/"))).to.equal(true);
        const run = await render("--service", "checkout", "--out", out);
        expect(run.code, run.stderr).to.equal(0);
        const second = files(out);
        expect(second.filter((f) => f.startsWith("storefront"))).to.deep.equal([]);
        expect(fs.existsSync(path.join(out, "storefront")), "the emptied service folder is removed").to.equal(false);
        const removed = first.filter((f) => f.startsWith("storefront/")).length;
        expect(run.stdout).to.include(`removed ${removed} files of an earlier render that no longer belong`);
        // what is left is exactly what a fresh render of checkout writes
        const fresh = path.join(path.dirname(out), "fresh");
        expect((await render("--service", "checkout", "--out", fresh)).code).to.equal(0);
        expect(second).to.deep.equal(files(fresh));
    });

    it("a new version's migration Job replaces the old one instead of joining it", async () => {
        expect((await render("--out", out)).code).to.equal(0);
        const oldJob = files(out).find((f) => f.includes("-job-"));
        expect(oldJob).to.match(/checkout-migrate-2-4-1/);
        const stack = path.join(project, "Pulumi.production.yaml");
        fs.writeFileSync(stack, fs.readFileSync(stack, "utf8").replace("      version: 2.4.1\n      previousVersion: 2.4.0\n", "      version: 2.5.0\n      previousVersion: 2.4.1\n"));
        expect((await render("--out", out)).code).to.equal(0);
        const jobs = files(out).filter((f) => f.includes("-job-"));
        expect(jobs).to.have.length(1);
        expect(jobs[0]).to.match(/checkout-migrate-2-5-0/);
    });

    it("renders into an existing empty folder", async () => {
        fs.mkdirSync(out);
        const run = await render("--out", out);
        expect(run.code, run.stderr).to.equal(0);
        expect(files(out)).to.include(RENDER_MANIFEST);
    });

    it("refuses a non-empty folder it did not make, naming it and the fix, and changes nothing", async () => {
        fs.mkdirSync(path.join(out, "checkout"), { recursive: true });
        fs.writeFileSync(path.join(out, "checkout", "05-deployment-checkout.yaml"), "kind: Deployment # someone else's\n");
        fs.writeFileSync(path.join(out, "notes.txt"), "mine\n");
        const before = state(out);
        const run = await render("--out", out);
        expect(run.code).to.equal(2);
        const line = oneLine(run.stderr);
        expect(line).to.include(`--out ${out}`);
        expect(line).to.include("did not write");
        expect(line).to.include("new or empty folder");
        expect(state(out)).to.deep.equal(before);
    });

    it("refuses its own folder once someone added a file there, and changes nothing", async () => {
        expect((await render("--out", out)).code).to.equal(0);
        fs.writeFileSync(path.join(out, "checkout", "99-extra.yaml"), "kind: ConfigMap\n");
        const before = state(out);
        const run = await render("--service", "checkout", "--out", out);
        expect(run.code).to.equal(2);
        const line = oneLine(run.stderr);
        expect(line).to.include("checkout/99-extra.yaml");
        expect(line).to.include("render did not write");
        expect(state(out)).to.deep.equal(before);
    });

    it("refuses a manifest that lists a path outside the folder, and removes nothing", async () => {
        expect((await render("--out", out)).code).to.equal(0);
        const victim = path.join(path.dirname(out), "victim.txt");
        fs.writeFileSync(victim, "keep me\n");
        fs.appendFileSync(path.join(out, RENDER_MANIFEST), "../victim.txt\n");
        const run = await render("--service", "checkout", "--out", out);
        expect(run.code).to.equal(2);
        expect(oneLine(run.stderr)).to.include(RENDER_MANIFEST);
        expect(fs.readFileSync(victim, "utf8")).to.equal("keep me\n");
    });

    it("leaves no temporary files", async () => {
        expect((await render("--out", out)).code).to.equal(0);
        expect((await render("--out", out)).code).to.equal(0);
        expect(files(out).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
    });

    it("--help suggests a folder outside the repository", async () => {
        const run = await runCli(["render", "--help"], project);
        expect(run.stdout).not.to.match(/--out rendered/);
        expect(run.stdout).to.match(/--out (\/tmp\/|"\$out"|"\$\(mktemp -d\)")/);
    });
});
