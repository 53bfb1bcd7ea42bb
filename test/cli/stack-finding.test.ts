import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { GitRepo } from "./git-fixture";
import { checkoutAt, edited, PRODUCTION, PROJECT_YAML } from "./project-fixture";
import { runCli } from "./run-cli";

/**
 * A fleet split into a stack per group of services (docs/scale.md): production's checkout and
 * storefront live in two stack files of environment production, and staging holds both. Every
 * command given a service finds the stack that holds it, from `--stack <environment>` or from
 * no `--stack` at all, and says which stacks it looked at when it cannot choose.
 */
const MARK = "    # The storefront";
const payments = (text: string) => text.slice(0, text.indexOf(MARK));
const web = (text: string) => text.slice(0, text.indexOf("    # Checkout owns")) + text.slice(text.indexOf(MARK));

describe("finding a service's stack among several stacks", () => {
    let repo: GitRepo;
    const files = () => Object.fromEntries(fs.readdirSync(repo.dir).filter((f) => f.endsWith(".yaml")).map((f) => [f, fs.readFileSync(path.join(repo.dir, f), "utf8")]));
    beforeEach(() => {
        repo = GitRepo.create();
        repo.commit("release checkout 2.4.1", {
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.production-payments.yaml": payments(PRODUCTION),
            "Pulumi.production-web.yaml": web(PRODUCTION),
        });
        repo.commit("release checkout 2.5.0", { "Pulumi.production-payments.yaml": payments(checkoutAt("2.5.0", "2.4.1")) });
    });
    afterEach(() => repo.remove());
    const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: repo.env });

    it("the split fixture holds one service per stack file, both of environment production", () => {
        const p = fs.readFileSync(path.join(repo.dir, "Pulumi.production-payments.yaml"), "utf8");
        const w = fs.readFileSync(path.join(repo.dir, "Pulumi.production-web.yaml"), "utf8");
        expect(p).to.include("    checkout:").and.not.include("    storefront:");
        expect(w).to.include("    storefront:").and.not.include("    checkout:");
        expect(p).to.include("releasectl:environment: production");
        expect(w).to.include("releasectl:environment: production");
    });

    it("without --stack, history finds the one stack that holds the service", async () => {
        const checkout = await cli("history", "checkout", "--json");
        expect(checkout.code, checkout.stderr).to.equal(0);
        expect(JSON.parse(checkout.stdout).map((r: { version: string }) => r.version)).to.deep.equal(["2.5.0", "2.4.1"]);
        const storefront = await cli("history", "storefront", "--json");
        expect(storefront.code, storefront.stderr).to.equal(0);
        expect(JSON.parse(storefront.stdout)).to.have.length(1);
    });

    it("--stack <environment> finds that environment's stack holding the service: rollback writes that file and no other", async () => {
        const before = files();
        const run = await cli("rollback", "checkout", "--stack", "production");
        expect(run.code, run.stderr).to.equal(0);
        const after = files();
        expect(after["Pulumi.production-web.yaml"]).to.equal(before["Pulumi.production-web.yaml"]);
        expect(after["Pulumi.production-payments.yaml"]).to.not.equal(before["Pulumi.production-payments.yaml"]);
        expect(after["Pulumi.production-payments.yaml"]).to.match(/version: 2\.4\.1\n/);
    });

    for (const args of [
        ["diff", "checkout", "2.4.1", "2.5.0"],
        ["rollback", "checkout", "--dry-run"],
        ["next", "checkout"],
        ["prepare", "checkout", "2.5.1", "--dry-run", "--no-changelog"],
    ]) {
        it(`without --stack, ${args.join(" ")} acts on production-payments`, async () => {
            const before = files();
            const run = await cli(...args);
            // diff exits 1 when the versions differ, as diff(1) does
            expect(run.code, run.stderr).to.equal(args[0] === "diff" ? 1 : 0);
            expect(run.stdout + run.stderr).to.not.include("several stacks");
            expect(files()).to.deep.equal(before);
            if (args[0] === "diff") expect(run.stdout).to.include("+").and.include("2.5.0");
            if (args[0] !== "next" && args[0] !== "diff") expect(run.stdout + run.stderr).to.include("Pulumi.production-payments.yaml");
        });
    }

    // checkout 2.5.0's evidence links are 2.4.1's in the fixture; the checks start from the example as released
    const released = () => repo.commit("checkout back at 2.4.1", { "Pulumi.production-payments.yaml": payments(PRODUCTION) });

    it("check --stack <environment> checks every stack of the environment, each with its own report", async () => {
        released();
        const run = await cli("check", "--stack", "production", "--no-repo");
        expect(run.code, run.stdout + run.stderr).to.equal(0);
        expect(run.stdout).to.include("releasectl check: stack production-payments (environment production): checkout 2.4.1\n");
        expect(run.stdout).to.include("releasectl check: stack production-web (environment production): storefront ");
        expect(run.stdout.match(/^Ready to release: /gm)).to.have.length(2);
        expect(run.stdout).to.include("Environment production: all 2 stacks ready to release (production-payments, production-web).");
        const json = await cli("check", "--stack", "production", "--no-repo", "--json");
        const report = JSON.parse(json.stdout) as { environment: string; passed: boolean; stacks: { stack: string }[] };
        expect(report.environment).to.equal("production");
        expect(report.passed).to.equal(true);
        expect(report.stacks.map((r) => r.stack)).to.deep.equal(["production-payments", "production-web"]);
    });

    it("check --stack <environment> fails when one stack fails, naming it", async () => {
        released();
        repo.commit("storefront prerelease", { "Pulumi.production-web.yaml": web(PRODUCTION).replace(/(    storefront:\n(?:      .*\n)*?      version: )([^\n]+)/, "$11.9.0-rc.1") });
        const run = await cli("check", "--stack", "production", "--no-repo");
        expect(run.code).to.equal(1);
        expect(run.stdout).to.include("deployment-no-prerelease-in-production");
        expect(run.stdout).to.include("Environment production: 1 of 2 stacks not ready: production-web.");
    });

    it("check --service finds the stack that holds the service", async () => {
        const run = await cli("check", "--service", "storefront", "--no-repo", "--json");
        expect(run.code, run.stderr).to.equal(0);
        const report = JSON.parse(run.stdout) as { stack: string };
        expect(report.stack).to.equal("production-web");
    });

    it("a stack file named by --stack is used as given", async () => {
        const run = await cli("history", "checkout", "--stack", "production-payments", "--json");
        expect(run.code, run.stderr).to.equal(0);
        expect(JSON.parse(run.stdout)[0].version).to.equal("2.5.0");
    });

    it("an unknown service names the stacks it looked in and suggests the close name; nothing changes", async () => {
        const before = files();
        const run = await cli("rollback", "chekout", "--stack", "production");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.include('holds service "chekout"');
        expect(run.stderr).to.include("production-payments, production-web");
        expect(run.stderr).to.include("(did you mean checkout?)");
        expect(files()).to.deep.equal(before);
        const bare = await cli("history", "chekout");
        expect(bare.code).to.equal(2);
        expect(bare.stderr).to.include('no stack holds service "chekout"');
        expect(bare.stderr).to.include("production-payments (checkout); production-web (storefront)");
    });

    it("a service in two stacks of one environment is refused, naming both", async () => {
        repo.commit("storefront copied by mistake", { "Pulumi.production-payments.yaml": PRODUCTION });
        const before = files();
        const run = await cli("rollback", "storefront", "--stack", "production");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.include('service "storefront" is in several stacks of environment production (production-payments, production-web)');
        expect(files()).to.deep.equal(before);
        const bare = await cli("history", "storefront");
        expect(bare.code).to.equal(2);
        expect(bare.stderr).to.include('service "storefront" is in several stacks (production-payments, production-web); choose one with --stack');
    });

    it("a malformed stack file is reported, not skipped, when it might hold the service", async () => {
        repo.commit("break web", { "Pulumi.production-web.yaml": edited(web(PRODUCTION), [["  releasectl:services:", "  releasectl:services: [\n"]]) });
        const run = await cli("history", "storefront");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.include("Pulumi.production-web.yaml");
        expect(run.stderr).to.include("malformed YAML");
    });

    it("--stack naming neither a stack file nor an environment still says the stack file is missing", async () => {
        const run = await cli("history", "checkout", "--stack", "prod");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.include("Pulumi.prod.yaml");
    });

    /** The documents of a rendered YAML stream, without their header comments. */
    const documents = (stream: string) => stream.split(/^---\n/m).map((d) => d.replace(/^#.*\n/, ""));
    const headers = (stream: string) => stream.match(/^# .*$/gm) ?? [];

    it("render --stack <environment> renders every stack of the environment, each object headed by its stack", async () => {
        const all = await cli("render", "--stack", "production");
        expect(all.code, all.stderr).to.equal(0);
        const paymentsRun = await cli("render", "--stack", "production-payments");
        const webRun = await cli("render", "--stack", "production-web");
        // exactly the objects of the two stacks rendered one by one, in stack order
        expect(documents(all.stdout)).to.deep.equal([...documents(paymentsRun.stdout), ...documents(webRun.stdout)]);
        expect(headers(all.stdout)).to.deep.equal([...headers(paymentsRun.stdout).map((h) => h.replace("# ", "# stack production-payments: ")), ...headers(webRun.stdout).map((h) => h.replace("# ", "# stack production-web: "))]);
        expect(headers(all.stdout).some((h) => h.startsWith("# stack production-payments: checkout/"))).to.equal(true);
        expect(headers(all.stdout).some((h) => h.startsWith("# stack production-web: storefront/"))).to.equal(true);
        // one stack's render keeps its headers as they were
        expect(headers(webRun.stdout).every((h) => h.startsWith("# storefront/"))).to.equal(true);
    });

    it("render --service finds the stack that holds the service; --stack <environment> --service renders that stack's service", async () => {
        const bare = await cli("render", "--service", "storefront");
        expect(bare.code, bare.stderr).to.equal(0);
        const web = await cli("render", "--stack", "production-web", "--service", "storefront");
        expect(bare.stdout).to.equal(web.stdout);
        const inEnvironment = await cli("render", "--stack", "production", "--service", "checkout");
        expect(inEnvironment.code, inEnvironment.stderr).to.equal(0);
        expect(inEnvironment.stdout).to.equal((await cli("render", "--stack", "production-payments", "--service", "checkout")).stdout);
    });

    it("render --stack <environment> --out DIR writes every stack's services, one folder each", async () => {
        const out = path.join(repo.root, "manifests");
        const run = await cli("render", "--stack", "production", "--out", out);
        expect(run.code, run.stderr).to.equal(0);
        expect(fs.readdirSync(out).filter((f) => !f.startsWith(".")).sort()).to.deep.equal(["checkout", "storefront"]);
        const single = path.join(repo.root, "web-only");
        await cli("render", "--stack", "production-web", "--out", single);
        for (const f of fs.readdirSync(path.join(single, "storefront"))) {
            expect(fs.readFileSync(path.join(out, "storefront", f), "utf8"), f).to.equal(fs.readFileSync(path.join(single, "storefront", f), "utf8"));
        }
    });

    it("render --stack <environment> refuses a service two of its stacks hold, naming both; nothing is written", async () => {
        repo.commit("storefront in both", { "Pulumi.production-payments.yaml": PRODUCTION });
        const out = path.join(repo.root, "manifests");
        const run = await cli("render", "--stack", "production", "--out", out);
        expect(run.code).to.equal(2);
        expect(run.stderr).to.include('service "storefront" is in several stacks of environment production (production-payments, production-web)');
        expect(fs.existsSync(out)).to.equal(false);
    });

    it("check --stack <environment> refuses a service two of its stacks hold, as render and every service command do", async () => {
        repo.commit("storefront in both", { "Pulumi.production-payments.yaml": PRODUCTION });
        const run = await cli("check", "--stack", "production", "--no-repo");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.include('--stack production: service "storefront" is in several stacks of environment production (production-payments, production-web)');
        expect(run.stdout).to.equal("");
    });
});
