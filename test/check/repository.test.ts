import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ENV_STRING_LIMIT, stackConfigEnvBytes } from "../../cli/stack/pulumi-config-size";
import { branchPattern, mentionsVersion } from "../../cli/checklist/repository-checks";
import { parseStatus } from "../../cli/checklist/repository-state";
import { check, exampleProject, lineOf, Project } from "./project";

describe("repository checks of releasectl check", () => {
    let project: Project;
    afterEach(() => project.remove());

    it("fail outside a git repository, saying why and how to skip them", async () => {
        project = exampleProject({ git: false });
        const result = await check(project);
        expect(result.code).to.equal(1);
        for (const rule of ["repository-branch-allowed", "repository-working-tree-clean", "repository-version-tag-unused"]) {
            expect(lineOf(result.stdout, rule)).to.match(/^failed/);
        }
        expect(result.stdout).to.include("is not inside a git repository").and.include("pass --no-repo");
    });

    it("are skipped on purpose with --no-repo", async () => {
        project = exampleProject({ git: false });
        const result = await check(project, ["--no-repo"]);
        expect(result.code).to.equal(0);
        expect(lineOf(result.stdout, "repository-branch-allowed")).to.match(/^not applicable\s+repository-branch-allowed\s+skipped with --no-repo/);
    });

    it("fail a production release from a feature branch", async () => {
        project = exampleProject();
        project.git("checkout", "--quiet", "-b", "feature/faster-checkout");
        const result = await check(project);
        expect(result.code).to.equal(1);
        expect(result.stdout).to.include("branch feature/faster-checkout is not allowed for stack production (allowed: main, release/*, hotfix/*)");
    });

    it("pass a release branch", async () => {
        project = exampleProject();
        project.git("checkout", "--quiet", "-b", "release/2.4");
        expect(lineOf((await check(project)).stdout, "repository-branch-allowed")).to.match(/^passed/);
    });

    it("fail a detached HEAD unless RELEASECTL_BRANCH names the branch", async () => {
        project = exampleProject();
        project.git("checkout", "--quiet", "--detach");
        expect((await check(project)).stdout).to.include("HEAD is detached");
        expect(lineOf((await check(project, [], { RELEASECTL_BRANCH: "main" })).stdout, "repository-branch-allowed")).to.match(/^passed/);
    });

    it("use the allowed branches of the pack config", async () => {
        project = exampleProject();
        project.commit("policy.json", JSON.stringify({ "repository-branch-allowed": { allowedBranches: { production: ["trunk"] } } }));
        expect((await check(project, ["--config", "policy.json"])).stdout).to.include("branch main is not allowed for stack production (allowed: trunk)");
    });

    it("fail a working tree with an untracked file", async () => {
        project = exampleProject();
        project.write("notes.txt", "wip");
        const result = await check(project);
        expect(result.code).to.equal(1);
        expect(result.stdout).to.include("the working tree has uncommitted changes (notes.txt)");
    });

    it("allow the stack file being released to be uncommitted", async () => {
        project = exampleProject();
        project.editStack("version: 1.12.0", "version: 1.12.1");
        expect(lineOf((await check(project)).stdout, "repository-working-tree-clean")).to.match(/^passed/);
    });

    it("fail a version whose tag already marks another release", async () => {
        project = exampleProject();
        project.git("tag", "storefront-v1.12.1");
        project.editStack("version: 1.12.0", "version: 1.12.1");
        const result = await check(project);
        expect(result.code).to.equal(1);
        expect(result.stdout).to.include("tag storefront-v1.12.1 already exists and marks storefront 1.12.0");
    });

    it("pass a service whose version's tag marks this very release (the service is unchanged)", async () => {
        project = exampleProject();
        project.git("tag", "checkout-v2.4.1");
        expect(lineOf((await check(project)).stdout, "repository-version-tag-unused")).to.match(/^passed/);
    });

    it("name tags with the pack config's tagFormat", async () => {
        project = exampleProject();
        project.commit("policy.json", JSON.stringify({ "repository-version-tag-unused": { tagFormat: "{service}-v{version}" } }));
        project.git("tag", "storefront-v1.12.1");
        project.editStack("version: 1.12.0", "version: 1.12.1");
        expect((await check(project, ["--config", "policy.json"])).stdout).to.include("tag storefront-v1.12.1 already exists and marks storefront 1.12.0");
    });

    it("advise when the changelog is missing", async () => {
        project = exampleProject();
        const result = await check(project);
        expect(result.code).to.equal(0);
        expect(lineOf(result.stdout, "repository-changelog-entry")).to.match(/^advisory/);
        expect(result.stdout).to.include("CHANGELOG.md does not exist");
    });

    it("pass a changelog with a heading per version", async () => {
        project = exampleProject();
        project.commit("CHANGELOG.md", "# Changelog\n\n## checkout 2.4.1\n- orders API\n\n## [1.12.0] - 2026-06-01\n- new front page\n");
        expect(lineOf((await check(project)).stdout, "repository-changelog-entry")).to.match(/^passed/);
    });

    it("advise about the version the changelog lacks", async () => {
        project = exampleProject();
        project.commit("CHANGELOG.md", "# Changelog\n\n## checkout 2.4.10\n");
        expect((await check(project)).stdout).to.include("CHANGELOG.md has no heading for checkout 2.4.1");
    });
});

describe("repository helpers", () => {
    it("match branch patterns within one path segment, or across with **", () => {
        expect(branchPattern("release/*").test("release/2.4")).to.equal(true);
        expect(branchPattern("release/*").test("release/2.4/fix")).to.equal(false);
        expect(branchPattern("release/**").test("release/2.4/fix")).to.equal(true);
        expect(branchPattern("main").test("main-old")).to.equal(false);
    });

    it("find a version in a heading only as a whole token", () => {
        expect(mentionsVersion("## [2.4.1] - 2026-06-01", "2.4.1")).to.equal(true);
        expect(mentionsVersion("## v2.4.1", "2.4.1")).to.equal(true);
        expect(mentionsVersion("## 2.4.10", "2.4.1")).to.equal(false);
        expect(mentionsVersion("## 2.4.1-rc.1", "2.4.1")).to.equal(false);
    });

    it("read branch and changed paths from git status, renames included", () => {
        const out = [
            "# branch.oid 0123",
            "# branch.head release/2.4",
            "1 .M N... 100644 100644 100644 aaa bbb Pulumi.production.yaml",
            "2 R. N... 100644 100644 100644 aaa bbb R100 docs/new name.md",
            "docs/old.md",
            "? notes.txt",
            "",
        ].join("\0");
        expect(parseStatus(out)).to.deep.equal({ branch: "release/2.4", changed: ["Pulumi.production.yaml", "docs/new name.md", "notes.txt"] });
    });

    it("read a detached HEAD as no branch", () => {
        expect(parseStatus("# branch.head (detached)\0").branch).to.equal(undefined);
    });
});

/** The example's stack with `count` more copies of its storefront service (storefront-0, storefront-1, ...). */
function fleet(count: number): Project {
    const p = exampleProject({ git: false });
    const file = path.join(p.dir, "Pulumi.production.yaml");
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    const storefront = doc.getIn(["config", "releasectl:services", "storefront"]);
    for (let i = 0; i < count; i++) doc.setIn(["config", "releasectl:services", `storefront-${i}`], YAML.isNode(storefront) ? storefront.clone() : storefront);
    fs.writeFileSync(file, doc.toString());
    return p;
}

describe("repository-stack-config-size", () => {
    let project: Project;
    afterEach(() => project.remove());

    it("passes a stack whose configuration fits the engine's environment string, and the example does", async () => {
        project = fleet(100);
        const result = await check(project, ["--no-repo"]);
        expect(lineOf(result.stdout, "repository-stack-config-size")).to.match(/^passed/);
    });

    it("fails a fleet too large for one stack, with the file, size, limit and fix, before pulumi is ever run", async () => {
        project = fleet(260);
        const result = await check(project, ["--no-repo"]);
        expect(result.code).to.equal(1);
        expect(lineOf(result.stdout, "repository-stack-config-size")).to.match(/^failed/);
        const bytes = stackConfigEnvBytes(project.dir, path.join(project.dir, "Pulumi.production.yaml"), "production", fs.readFileSync(path.join(project.dir, "Pulumi.production.yaml"), "utf8"));
        expect(bytes).to.be.greaterThan(ENV_STRING_LIMIT);
        expect(result.stdout).to.include(`Pulumi.production.yaml: the configuration is ${bytes.toLocaleString("en-US")} bytes`);
        expect(result.stdout).to.include("262 services").and.include("131,072-byte limit").and.include("docs/scale.md");
        // the headroom advisory leaves the failure to the size check
        expect(lineOf(result.stdout, "repository-stack-config-headroom")).to.match(/^not applicable\s+repository-stack-config-headroom\s+over the limit/);
    });
});

describe("repository-stack-config-headroom", () => {
    let project: Project;
    afterEach(() => project?.remove());

    const bytesOf = (p: Project) => stackConfigEnvBytes(p.dir, path.join(p.dir, "Pulumi.production.yaml"), "production", fs.readFileSync(path.join(p.dir, "Pulumi.production.yaml"), "utf8"));

    it("passes the example, far under the limit", async () => {
        project = exampleProject({ git: false });
        const result = await check(project, ["--no-repo"]);
        expect(lineOf(result.stdout, "repository-stack-config-headroom")).to.match(/^passed/);
    });

    it("warns (advisory) once the configuration takes over 90 % of the limit, saying how many more services fit", async () => {
        // the smallest fleet over 90 % of the limit, found by measuring as check does
        let count = 200;
        for (;;) {
            project = fleet(count);
            const bytes = bytesOf(project);
            if (bytes > 0.9 * ENV_STRING_LIMIT) break;
            project.remove();
            count += 5;
        }
        const bytes = bytesOf(project);
        expect(bytes).to.be.at.most(ENV_STRING_LIMIT);
        const result = await check(project, ["--no-repo", "--json"]);
        const report = JSON.parse(result.stdout) as { items: { checks: { rule: string; state: string; findings: { message: string }[] }[] }[] };
        const checks = report.items.flatMap((i) => i.checks);
        const size = checks.find((c) => c.rule === "repository-stack-config-size")!;
        const headroom = checks.find((c) => c.rule === "repository-stack-config-headroom")!;
        expect(size.state).to.equal("passed");
        expect(headroom.state).to.equal("advisory");
        const services = count + 2;
        const perService = Math.ceil(bytes / services);
        const more = Math.floor((ENV_STRING_LIMIT - bytes) / perService);
        expect(headroom.findings[0].message).to.include(`Pulumi.production.yaml: the configuration is ${bytes.toLocaleString("en-US")} bytes`)
            .and.include(`${((100 * bytes) / ENV_STRING_LIMIT).toFixed(1)} % of Linux's 131,072-byte limit`)
            .and.include(`about ${more} more services of this stack's average size (${perService.toLocaleString("en-US")} bytes for each of ${services})`)
            .and.include("docs/scale.md");
        expect(more).to.be.greaterThan(0);
    });
});
