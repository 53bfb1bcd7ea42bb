import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { GitRepo } from "./git-fixture";
import { checkoutAt, edited, PRODUCTION, projectRepo, STACK_FILE } from "./project-fixture";
import { runCli } from "./run-cli";

describe("releasectl prepare", () => {
    let repo: GitRepo;
    beforeEach(() => {
        repo = projectRepo();
    });
    afterEach(() => repo.remove());

    const prepare = (...args: string[]) => runCli(["prepare", ...args], { cwd: repo.dir, env: repo.env });

    it("writes the version and records the previous one, changing no other byte", async () => {
        const run = await prepare("checkout", "2.5.0");
        expect(run.code).to.equal(0);
        expect(repo.read(STACK_FILE)).to.equal(checkoutAt("2.5.0", "2.4.1"));
        expect(run.stdout).to.match(/^checkout: 2\.4\.1 → 2\.5\.0 in Pulumi\.production\.yaml/);
    });

    it("inserts previousVersion after version when the service has none", async () => {
        repo.write(STACK_FILE, edited(PRODUCTION, [["      previousVersion: 1.11.3\n", ""]]));
        await prepare("storefront", "1.13.0");
        expect(repo.read(STACK_FILE)).to.equal(edited(PRODUCTION, [["      version: 1.12.0\n      previousVersion: 1.11.3\n", "      version: 1.13.0\n      previousVersion: 1.12.0\n"]]));
    });

    it("removes the rollback mark of an earlier rollback", async () => {
        repo.write(STACK_FILE, edited(PRODUCTION, [["      previousVersion: 2.4.0\n", "      previousVersion: 2.4.0\n      rollback: true\n"]]));
        await prepare("checkout", "2.4.2");
        expect(repo.read(STACK_FILE)).to.equal(checkoutAt("2.4.2", "2.4.1"));
    });

    it("removes the first-release mark once a version replaces it", async () => {
        repo.write(STACK_FILE, edited(PRODUCTION, [["      previousVersion: 2.4.0\n", "      firstRelease: true\n"]]));
        const run = await prepare("checkout", "2.4.2");
        expect(run.code, run.stderr).to.equal(0);
        expect(repo.read(STACK_FILE)).to.equal(checkoutAt("2.4.2", "2.4.1"));
    });

    it("keeps the image tag in step: the rendered Deployment uses the new version", async () => {
        await prepare("checkout", "2.5.0-rc.1");
        const rendered = await runCli(["render", "--service", "checkout"], { cwd: repo.dir, env: repo.env });
        expect(rendered.stdout).to.include("image: registry.example.com/shop/checkout:2.5.0-rc.1");
    });

    it("refuses a version that goes back, pointing at rollback, and changes nothing", async () => {
        const run = await prepare("checkout", "2.4.0");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.equal(
            "releasectl prepare: checkout: 2.4.0 does not move forward from 2.4.1; going back is a rollback: releasectl rollback checkout --to 2.4.0 --stack production\n",
        );
        expect(repo.read(STACK_FILE)).to.equal(PRODUCTION);
    });

    it("refuses the prerelease of the current version (it sorts before the release)", async () => {
        const run = await prepare("checkout", "2.4.1-rc.1");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/does not move forward/);
    });

    it("refuses the current version with other build metadata", async () => {
        const run = await prepare("checkout", "2.4.1+build.2");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/checkout is at 2\.4\.1 already \(2\.4\.1\+build\.2 differs only in build metadata/);
    });

    it("refuses a version that is not SemVer, with the fix", async () => {
        const run = await prepare("checkout", "v2.5.0");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/version "v2\.5\.0": not a SemVer version; drop the leading v: 2\.5\.0/);
        expect(repo.read(STACK_FILE)).to.equal(PRODUCTION);
    });

    it("refuses an unknown service, listing the stack's services", async () => {
        const run = await prepare("cart", "1.0.0");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/no service "cart"; services in stack production: checkout, storefront/);
    });

    it("refuses an unknown stack, listing the known ones", async () => {
        const run = await prepare("checkout", "2.5.0", "--stack", "staging");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/stack "staging" is unknown\. Known stacks: production/);
    });

    it("refuses a stack file that is invalid already, naming the problem, and writes nothing", async () => {
        // An invalid file stays invalid: prepare names the problem and does not touch it.
        const invalid = edited(PRODUCTION, [["        maxWeight: 50\n        stepWeight: 10\n", "        maxWeight: 5\n        stepWeight: 10\n"]]);
        repo.write(STACK_FILE, invalid);
        const run = await prepare("checkout", "2.5.0");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/stepWeight = 10: is not allowed: must not exceed maxWeight/);
        expect(repo.read(STACK_FILE)).to.equal(invalid);
    });

    it("computes the version with auto from the commits since the last tag", async () => {
        repo.tag("v2.4.1");
        repo.commit("feat: gift cards");
        const run = await prepare("checkout", "auto");
        expect(run.code).to.equal(0);
        expect(parse(repo.read(STACK_FILE)).config["releasectl:services"].checkout.version).to.equal("2.5.0");
    });

    it("counts auto from the service's current version when the repository has no release tag", async () => {
        repo.commit("feat: gift cards");
        const run = await prepare("checkout", "auto");
        expect(run.code, run.stderr).to.equal(0);
        expect(parse(repo.read(STACK_FILE)).config["releasectl:services"].checkout.version).to.equal("2.5.0");
    });

    it("prints a diff and writes nothing with --dry-run", async () => {
        const run = await prepare("checkout", "2.5.0", "--dry-run");
        expect(run.stdout).to.include("-      version: 2.4.1\n-      previousVersion: 2.4.0\n+      version: 2.5.0\n+      previousVersion: 2.4.1\n");
        expect(run.stdout).to.match(/dry run: Pulumi\.production\.yaml not written/);
        expect(repo.read(STACK_FILE)).to.equal(PRODUCTION);
    });

    it("reminds that a contract migration was written for the previous version", async () => {
        repo.write(STACK_FILE, edited(PRODUCTION, [["phase: expand", "phase: contract"]]));
        const run = await prepare("checkout", "2.4.2");
        expect(run.stdout).to.match(/note: checkout's migration still says phase contract, as written for 2\.4\.1/);
    });

    it("prints help with an example", async () => {
        const run = await prepare("--help");
        expect(run.code).to.equal(0);
        expect(run.stdout).to.match(/Examples:\n  releasectl prepare checkout 2\.5\.0/);
    });

    it("finds the project from a sub-folder", async () => {
        fs.mkdirSync(path.join(repo.dir, "src"));
        const run = await runCli(["prepare", "checkout", "2.5.0"], { cwd: path.join(repo.dir, "src"), env: repo.env });
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include(`in ${path.join("..", STACK_FILE)}`);
    });
});
