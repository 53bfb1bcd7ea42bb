import { expect } from "chai";
import { GitRepo } from "./git-fixture";
import { checkoutAt, edited, projectRepo, STACK_FILE } from "./project-fixture";
import { runCli } from "./run-cli";

describe("releasectl history", () => {
    let repo: GitRepo;
    let shas: string[];
    beforeEach(() => {
        repo = projectRepo();
        shas = [repo.head()];
        shas.push(repo.commit("release checkout 2.5.0", { [STACK_FILE]: edited(checkoutAt("2.5.0", "2.4.1"), [["phase: expand", "phase: contract"]]) }));
        repo.commit("tune storefront", { [STACK_FILE]: edited(checkoutAt("2.5.0", "2.4.1"), [["phase: expand", "phase: contract"], ["stepWeight: 10\n        maxWeight: 50", "stepWeight: 5\n        maxWeight: 50"]]) });
        shas.push(
            repo.commit("rollback checkout to 2.4.1", {
                [STACK_FILE]: edited(checkoutAt("2.4.1", "2.5.0"), [["      previousVersion: 2.5.0\n", "      previousVersion: 2.5.0\n      rollback: true\n"]]),
            }),
        );
    });
    afterEach(() => repo.remove());

    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });

    it("lists the releases newest first with date, commit, author, rollback and migration phase", async () => {
        const run = await cli("history", "checkout");
        expect(run.code, run.stderr).to.equal(0);
        const lines = run.stdout.trimEnd().split("\n");
        expect(lines[0]).to.match(/^ {2}VERSION +DATE +COMMIT +AUTHOR +ROLLBACK +MIGRATION +SUBJECT$/);
        expect(lines).to.have.length(4);
        expect(lines[1]).to.match(new RegExp(`^\\* 2\\.4\\.1 +2026-01-01 00:0\\d:00 \\+00:00 +${shas[2].slice(0, 7)} +Ada Release +rollback +expand +rollback checkout to 2\\.4\\.1$`));
        expect(lines[2]).to.match(new RegExp(`^  2\\.5\\.0 .* ${shas[1].slice(0, 7)} +Ada Release +contract +release checkout 2\\.5\\.0$`));
        expect(lines[3]).to.match(new RegExp(`^  2\\.4\\.1 .* ${shas[0].slice(0, 7)} `));
    });

    it("counts a commit that changes another service as no release of this one", async () => {
        const json = JSON.parse((await cli("history", "checkout", "--json")).stdout);
        expect(json.map((r: { version: string }) => r.version)).to.deep.equal(["2.4.1", "2.5.0", "2.4.1"]);
    });

    it("prints JSON with every field", async () => {
        const [latest] = JSON.parse((await cli("history", "checkout", "--json")).stdout);
        expect(latest).to.deep.equal({
            version: "2.4.1",
            date: latest.date,
            commit: shas[2],
            author: "Ada Release",
            email: "ada@example.com",
            subject: "rollback checkout to 2.4.1",
            rollback: true,
            previousVersion: "2.5.0",
            migrationPhase: "expand",
            current: true,
            tag: null,
        });
        expect(latest.date).to.match(/^2026-01-01T00:0\d:00\+00:00$/);
    });

    it("shows the service's release tags (its own prefix) beside the releases of those versions", async () => {
        repo.tag("checkout-v2.4.1", { annotated: true, ref: shas[0] });
        repo.tag("checkout-v2.5.0", { annotated: true, ref: shas[1] });
        repo.tag("v2.5.0", { ref: shas[1] }); // not checkout's line: the stack has two services
        const json = JSON.parse((await cli("history", "checkout", "--json")).stdout);
        expect(json.map((r: { version: string; tag: string | null }) => [r.version, r.tag])).to.deep.equal([
            ["2.4.1", "checkout-v2.4.1"],
            ["2.5.0", "checkout-v2.5.0"],
            ["2.4.1", "checkout-v2.4.1"],
        ]);
        const lines = (await cli("history", "checkout")).stdout.trimEnd().split("\n");
        expect(lines[0]).to.match(/^ {2}VERSION +DATE +COMMIT +AUTHOR +ROLLBACK +MIGRATION +TAG +SUBJECT$/);
        expect(lines[2]).to.match(new RegExp(`^  2\\.5\\.0 .* ${shas[1].slice(0, 7)} +Ada Release +contract +checkout-v2\\.5\\.0 +release checkout 2\\.5\\.0$`));
    });

    it("refuses a service with no release, listing the stack's services", async () => {
        const run = await cli("history", "cart");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/service "cart" has no release in the file's git history; services in stack production: checkout, storefront/);
    });

    it("skips a commit whose stack file is not valid YAML, saying so", async () => {
        repo.commit("broken", { [STACK_FILE]: "config: [\n" });
        repo.commit("fixed: release checkout 2.5.1", { [STACK_FILE]: checkoutAt("2.5.1", "2.4.1") });
        const run = await cli("history", "checkout", "--json");
        expect(JSON.parse(run.stdout).map((r: { version: string }) => r.version)).to.deep.equal(["2.5.1", "2.4.1", "2.5.0", "2.4.1"]);
        expect(run.stderr).to.match(/skipped commit [0-9a-f]{7}: Pulumi\.production\.yaml is not valid YAML there/);
    });
});

describe("releasectl diff", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = projectRepo();
        repo.commit("release checkout 2.5.0", { [STACK_FILE]: edited(checkoutAt("2.5.0", "2.4.1"), [["        threshold: 5\n", "        threshold: 3\n"]]) });
    });
    afterEach(() => repo.remove());

    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });

    it("prints a unified diff of the rendered manifests of two releases, exit 1 (they differ, as kubectl diff)", async () => {
        const run = await cli("diff", "checkout", "2.4.1", "2.5.0");
        expect(run.code, run.stderr).to.equal(1);
        expect(run.stdout).to.match(/^--- checkout@2\.4\.1\n\+\+\+ checkout@2\.5\.0\n@@ /);
        expect(run.stdout).to.include("-          image: registry.example.com/shop/checkout:2.4.1\n+          image: registry.example.com/shop/checkout:2.5.0\n");
        expect(run.stdout).to.include("-    threshold: 5\n+    threshold: 3\n");
    });

    it("compares with the working tree by default", async () => {
        await cli("prepare", "checkout", "2.5.1");
        const run = await cli("diff", "checkout", "2.5.0");
        expect(run.code, run.stderr).to.equal(1);
        expect(run.stdout).to.match(/^--- checkout@2\.5\.0\n\+\+\+ checkout@working-tree\n/);
        expect(run.stdout).to.include("+          image: registry.example.com/shop/checkout:2.5.1\n");
    });

    it("prints nothing and exits 0 when the manifests are the same", async () => {
        const run = await cli("diff", "checkout", "2.5.0");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.equal("");
        expect(run.stderr).to.match(/render the same objects/);
    });

    it("refuses a version that never shipped, listing those that did", async () => {
        const run = await cli("diff", "checkout", "2.3.0");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/<from> 2\.3\.0: checkout 2\.3\.0 never shipped in stack production; versions that shipped: 2\.5\.0, 2\.4\.1/);
    });
});
