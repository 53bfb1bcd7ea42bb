import { expect } from "chai";
import { parse } from "yaml";
import { GitRepo } from "./git-fixture";
import { edited, PRODUCTION, PROJECT_YAML, projectRepo, STACK_FILE } from "./project-fixture";
import { runCli } from "./run-cli";

/** Per-service version lines (issue 12), on real repositories holding the example project. */
describe("per-service version lines", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = projectRepo();
    });
    afterEach(() => repo.remove());

    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });
    const versionOf = (service: string) => parse(repo.read(STACK_FILE)).config["releasectl:services"][service].version;
    /** The example stack with `commits.path` for both services (a monorepo). */
    const withPaths = () =>
        edited(PRODUCTION, [
            ["    checkout:\n", "    checkout:\n      commits:\n        path: services/checkout\n"],
            ["    storefront:\n", "    storefront:\n      commits:\n        path: services/storefront\n"],
        ]);

    it("after checkout's release tag, storefront auto counts storefront's commits from its own version", async () => {
        repo.commit("feat(checkout): one-page checkout");
        repo.tag("checkout-v2.5.0");
        repo.tag("v2.5.0"); // an old repository-wide tag: not storefront's either
        repo.commit("fix(storefront): price rounding");
        const run = await cli("prepare", "storefront", "auto");
        expect(run.code, run.stderr).to.equal(0);
        expect(versionOf("storefront")).to.equal("1.12.1");
    });

    it("a feat(storefront) commit does not bump checkout", async () => {
        repo.tag("checkout-v2.4.1");
        repo.commit("feat(storefront): wish lists");
        repo.commit("fix(checkout): totals");
        const json = JSON.parse((await cli("next", "checkout", "--json")).stdout);
        expect(json).to.include({ version: "2.4.2", tag: "checkout-v2.4.2", previousTag: "checkout-v2.4.1" });
        expect(json.reason).to.match(/1 commit scoped to another service left out/);
        expect((await cli("next", "storefront")).stdout).to.equal("1.13.0\n");
    });

    it("with commits.path, only the service's folder counts", async () => {
        repo.commit("configure the lines", { [STACK_FILE]: withPaths() });
        repo.tag("checkout-v2.4.1");
        repo.tag("storefront-v1.12.0");
        repo.commit("feat: wish lists", { "services/storefront/app.js": "1\n" });
        repo.commit("fix: totals", { "services/checkout/app.js": "1\n" });
        expect((await cli("next", "checkout")).stdout).to.equal("2.4.2\n");
        expect((await cli("next", "storefront")).stdout).to.equal("1.13.0\n");
        const json = JSON.parse((await cli("next", "storefront", "--json")).stdout);
        expect(json.paths).to.deep.equal(["services/storefront"]);
        expect(json.commits.map((c: { header: string }) => c.header)).to.deep.equal(["feat: wish lists"]);
    });

    it("tags storefront 1.13.0 below checkout's v2.5.0 with only storefront's commits in the message", async () => {
        repo.commit("configure the lines", { [STACK_FILE]: withPaths() });
        repo.tag("storefront-v1.12.0");
        const feat = repo.commit("feat: wish lists", { "services/storefront/app.js": "1\n" });
        repo.commit("feat: one-page checkout", { "services/checkout/app.js": "1\n" });
        repo.tag("checkout-v2.5.0");
        repo.tag("v2.5.0");
        expect((await cli("prepare", "storefront", "auto")).code).to.equal(0);
        expect(versionOf("storefront")).to.equal("1.13.0");
        repo.git("commit", "-q", "-am", "release storefront 1.13.0");
        const run = await cli("tag", "storefront", "1.13.0");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^created annotated tag storefront-v1\.13\.0 /);
        const message = repo.git("tag", "-l", "--format=%(contents)", "storefront-v1.13.0");
        expect(message).to.include("Changes since storefront-v1.12.0:");
        expect(message).to.include(feat.slice(0, 7));
        expect(message).not.to.include("one-page checkout");
    });

    it("tag <service> tags the stack's version and refuses another", async () => {
        repo.tag("checkout-v2.4.1");
        repo.commit("fix(storefront): a");
        const wrong = await cli("tag", "storefront", "1.13.0");
        expect(wrong.code).to.equal(2);
        expect(wrong.stderr).to.match(/storefront is at 1\.12\.0 in Pulumi\.production\.yaml, not 1\.13\.0: .*releasectl prepare storefront 1\.13\.0/);
        const run = await cli("tag", "storefront", "--dry-run");
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^would create tag storefront-v1\.12\.0 /);
    });

    it("refuses a service version that is not after the newest tag of its own line", async () => {
        repo.tag("storefront-v1.13.0");
        const run = await cli("tag", "storefront");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/version 1\.12\.0 is below the newest release tag storefront-v1\.13\.0/);
    });

    it("after an upgrade from repository-wide v<version> tags, says whose they may be and how to keep them", async () => {
        repo.tag("v2.4.1"); // tagged before the stack held two services
        repo.commit("fix(checkout): totals");
        const json = JSON.parse((await cli("next", "checkout", "--json")).stdout);
        // It still answers from checkout's own release (no tag of its line), and names the fix.
        expect(json.version).to.equal("2.4.2");
        expect(json.reason).to.include("the repository's v2.4.1 is no service's tag in a stack of several services (theirs are checkout-v<version>)");
        expect(json.reason).to.include("set releasectl:services.checkout.tagPrefix: v");
        // Set as it says, the v tags are checkout's line again.
        repo.commit("checkout keeps its v tags", { [STACK_FILE]: edited(PRODUCTION, [["    checkout:\n", "    checkout:\n      tagPrefix: v\n"]]) });
        const kept = JSON.parse((await cli("next", "checkout", "--json")).stdout);
        expect(kept).to.include({ version: "2.4.2", previousTag: "v2.4.1" });
    });

    it("finds lerna's <service>@1.2.3 tags", async () => {
        repo.tag("checkout@2.4.1");
        repo.commit("feat(checkout): a");
        const json = JSON.parse((await cli("next", "checkout", "--json")).stdout);
        expect(json).to.include({ version: "2.5.0", tag: "checkout@2.5.0", previousTag: "checkout@2.4.1" });
    });

    it("a single-service stack keeps v1.2.3, and finds tags without v", async () => {
        // the example stack without the storefront block (from its comment to the next key at 2 or 4 spaces that is not its own)
        const start = PRODUCTION.indexOf("    # The storefront");
        const rest = PRODUCTION.slice(start).split("\n");
        let end = 2;
        while (end < rest.length && (rest[end] === "" || rest[end].startsWith("      "))) end++;
        const single = PRODUCTION.slice(0, start) + rest.slice(end).join("\n");
        expect(Object.keys(parse(single).config["releasectl:services"])).to.deep.equal(["checkout"]);
        repo.commit("one service", { [STACK_FILE]: single });
        repo.tag("v2.4.1");
        repo.commit("feat: a");
        expect(JSON.parse((await cli("next", "checkout", "--json")).stdout)).to.include({ version: "2.5.0", tag: "v2.5.0" });
        repo.git("tag", "-d", "v2.4.1");
        repo.tag("2.4.1", { ref: "HEAD~1" });
        expect(JSON.parse((await cli("next", "checkout", "--json")).stdout)).to.include({ version: "2.5.0", tag: "2.5.0", previousTag: "2.4.1" });
    });

    it("refuses tagPrefix v when the repository's tags have none, with the fix", async () => {
        repo.commit("prefix", { [STACK_FILE]: edited(PRODUCTION, [["    checkout:\n", "    checkout:\n      tagPrefix: v\n"]]) });
        repo.tag("2.4.1");
        repo.commit("feat: a");
        const run = await cli("next", "checkout");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/no release tag v<version> is reachable from HEAD, but 2\.4\.1 is .*releasectl:services\.checkout\.tagPrefix \(or --tag-prefix\) ""/);
    });

    it("reads the service's own repository (commits.repository)", async () => {
        const app = GitRepo.create();
        try {
            app.commit("feat: first");
            app.tag("v2.4.1");
            app.commit("feat: gift cards");
            repo.commit("app repo", { [STACK_FILE]: edited(PRODUCTION, [["    checkout:\n", `    checkout:\n      commits:\n        repository: ${app.dir}\n`]]) });
            const json = JSON.parse((await cli("next", "checkout", "--json")).stdout);
            expect(json).to.include({ version: "2.5.0", tag: "v2.5.0", previousTag: "v2.4.1" });
        } finally {
            app.remove();
        }
    });

    it("next --path counts only the commits under the path", async () => {
        repo.tag("v1.0.0");
        repo.commit("feat: storefront thing", { "services/storefront/a.js": "1\n" });
        repo.commit("fix: checkout thing", { "services/checkout/a.js": "1\n" });
        expect((await cli("next", "--path", "services/checkout")).stdout).to.equal("1.0.1\n");
        expect((await cli("next", "--path", "services/storefront")).stdout).to.equal("1.1.0\n");
    });

    describe("stack file validation (exit 2, key path, value and fix)", () => {
        const refused = async (stack: string, pattern: RegExp) => {
            repo.write(STACK_FILE, stack);
            const run = await cli("next", "checkout");
            expect(run.code, run.stderr).to.equal(2);
            expect(run.stderr).to.match(pattern);
        };

        it("a tag prefix git cannot hold", async () => {
            await refused(edited(PRODUCTION, [["    checkout:\n", "    checkout:\n      tagPrefix: \"check out \"\n"]]), /releasectl:services\.checkout\.tagPrefix.*"check out ".*is not allowed: must be a git tag name start/s);
        });

        it("an unknown key under commits, with the key meant", async () => {
            await refused(edited(PRODUCTION, [["    checkout:\n", "    checkout:\n      commits:\n        paths: services/checkout\n"]]), /releasectl:services\.checkout\.commits\.paths.*unknown key; did you mean "path"\?/s);
        });

        it("a path outside the repository", async () => {
            await refused(edited(PRODUCTION, [["    checkout:\n", "    checkout:\n      commits:\n        path: ../elsewhere\n"]]), /releasectl:services\.checkout\.commits\.path.*"\.\.\/elsewhere".*without \.\./s);
        });

        it("two services on one tag line", async () => {
            await refused(
                edited(PRODUCTION, [
                    ["    checkout:\n", "    checkout:\n      tagPrefix: v\n"],
                    ["    storefront:\n", "    storefront:\n      tagPrefix: v\n"],
                ]),
                /releasectl:services\.storefront\.tagPrefix.*is checkout's too.*tagPrefix: storefront-v/s,
            );
        });
    });

    it("keeps the project files as committed (fixture sanity)", () => {
        expect(repo.read("Pulumi.yaml")).to.equal(PROJECT_YAML);
    });
});
