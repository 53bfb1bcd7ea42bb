import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { rolloutState } from "../../cli/cluster/canary-status";
import { canaryObject, deploymentObject, FakeKubeApi } from "../helpers/fake-kube-api";
import { GitRepo } from "./git-fixture";
import { checkoutAt, PRODUCTION, PROJECT_YAML, projectRepo, STACK_FILE } from "./project-fixture";
import { runCli } from "./run-cli";

const NS = "shop";
const CONTEXT = "prod-eu-west-1"; // the example stack's releasectl:kubeContext

const canary = (phase: string, extra: { weight?: number; failedChecks?: number; message?: string } = {}) => canaryObject({ name: "checkout", namespace: NS, phase, ...extra });
const primary = (version: string, extra: Partial<Parameters<typeof deploymentObject>[0]> = {}) =>
    deploymentObject({ name: "checkout-primary", namespace: NS, version, image: "registry.example.com/shop/checkout", ...extra });
const target = (version: string, extra: Partial<Parameters<typeof deploymentObject>[0]> = {}) =>
    deploymentObject({ name: "checkout", namespace: NS, version, image: "registry.example.com/shop/checkout", ...extra });

describe("releasectl status (against a fake Kubernetes API on loopback)", function () {
    this.timeout(60000);
    let api: FakeKubeApi;
    let dir: string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
        api = await FakeKubeApi.start();
    });
    after(async () => api.close());
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-status-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROJECT_YAML);
        fs.writeFileSync(path.join(dir, STACK_FILE), PRODUCTION); // checkout 2.4.1, previous 2.4.0
        env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: api.writeKubeconfig(dir, CONTEXT) };
        api.requests.length = 0;
        api.setDeployment(NS, "checkout-primary", primary("2.4.1"));
        api.setDeployment(NS, "checkout", target("2.4.1", { replicas: 0, updated: 0, available: 0, total: 0 }));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const status = (...args: string[]) => runCli(["status", "checkout", ...args], { cwd: dir, env });

    it("reads the Canary and both Deployments of the service's namespace", async () => {
        api.setCanary(NS, "checkout", canary("Succeeded"));
        await status();
        expect(api.requests.map((r) => `${r.method} ${r.path}`)).to.have.members([
            "GET /apis/flagger.app/v1beta1/namespaces/shop/canaries/checkout",
            "GET /apis/apps/v1/namespaces/shop/deployments/checkout-primary",
            "GET /apis/apps/v1/namespaces/shop/deployments/checkout",
        ]);
    });

    it("reports Initialized (a first release) as healthy", async () => {
        api.setCanary(NS, "checkout", canary("Initialized"));
        const run = await status();
        expect(run.code).to.equal(0);
        expect(run.stdout).to.match(/^checkout in stack production \(namespace shop, context prod-eu-west-1 \(http:\/\/127\.0\.0\.1:\d+\)\): Initialized\n/);
        expect(run.stdout).to.include("healthy: 2.4.1 serves all traffic (first release: promoted without analysis)");
    });

    it("reports Progressing with the weight and failed checks, exit 0", async () => {
        api.setCanary(NS, "checkout", canary("Progressing", { weight: 20, failedChecks: 1, message: "New revision detected" }));
        api.setDeployment(NS, "checkout-primary", primary("2.4.0"));
        api.setDeployment(NS, "checkout", target("2.4.1", { available: 2 }));
        const run = await status();
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include('  canary      weight 20%, failed checks 1 of 5; "New revision detected"\n');
        expect(run.stdout).to.include("  primary     checkout-primary 2.4.0: rolled out (3/3 available)\n");
        expect(run.stdout).to.include("  canary pods checkout 2.4.1: 2 of 3 updated replicas available\n");
        expect(run.stdout).to.include("in progress: Flagger is analysing 2.4.1: 20% of traffic, 1 of 5 failed checks");
    });

    it("reports Promoting as in progress", async () => {
        api.setCanary(NS, "checkout", canary("Promoting", { weight: 50 }));
        api.setDeployment(NS, "checkout-primary", primary("2.4.0"));
        api.setDeployment(NS, "checkout", target("2.4.1"));
        const run = await status();
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include("in progress: Flagger is promoting 2.4.1");
    });

    it("reports Finalising as in progress", async () => {
        api.setCanary(NS, "checkout", canary("Finalising"));
        api.setDeployment(NS, "checkout-primary", primary("2.4.1", { updated: 1, total: 3 }));
        api.setDeployment(NS, "checkout", target("2.4.1"));
        const run = await status();
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include("  primary     checkout-primary 2.4.1: 1 of 3 new replicas updated\n");
        expect(run.stdout).to.include("in progress: Flagger is promoting 2.4.1");
    });

    it("reports Succeeded as healthy", async () => {
        api.setCanary(NS, "checkout", canary("Succeeded"));
        const run = await status();
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include("  canary pods checkout 2.4.1: scaled to 0\n");
        expect(run.stdout).to.include("healthy: 2.4.1 serves all traffic (canary analysis passed)");
    });

    it("reports Failed, says Flagger rolled the cluster back while the stack file names the bad version, exit 1", async () => {
        api.setCanary(NS, "checkout", canary("Failed", { failedChecks: 5, message: "Canary analysis failed, Deployment scaled to zero." }));
        api.setDeployment(NS, "checkout-primary", primary("2.4.0"));
        api.setDeployment(NS, "checkout", target("2.4.1", { replicas: 0, updated: 0, available: 0, total: 0 }));
        const run = await status();
        expect(run.code).to.equal(1);
        expect(run.stdout).to.include(
            "FAILED: Flagger failed the canary of 2.4.1 (5 failed checks) and rolled the cluster back to 2.4.0; the stack file still names 2.4.1: roll the configuration back with releasectl rollback checkout --stack production (or status --revert-on-failure)",
        );
    });

    it("says a version is not applied yet when the cluster runs another one", async () => {
        api.setCanary(NS, "checkout", canary("Succeeded"));
        api.setDeployment(NS, "checkout-primary", primary("2.4.0"));
        api.setDeployment(NS, "checkout", target("2.4.0", { replicas: 0 }));
        const run = await status();
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include("waiting: the cluster runs 2.4.0; 2.4.1 is not applied yet (pulumi up --stack production)");
    });

    it("reports a missing Canary with exit 1", async () => {
        api.setCanary(NS, "checkout");
        const run = await status();
        expect(run.code).to.equal(1);
        expect(run.stdout).to.include("not found: no Canary for checkout in the cluster");
    });

    it("follows a canary with --watch through its phases until it succeeds", async () => {
        api.setCanary(
            NS,
            "checkout",
            canary("Progressing", { weight: 10 }),
            canary("Progressing", { weight: 10 }),
            canary("Progressing", { weight: 20 }),
            canary("Promoting", { weight: 50 }),
            canary("Finalising"),
            canary("Succeeded"),
        );
        api.setDeployment(NS, "checkout-primary", primary("2.4.0"), primary("2.4.0"), primary("2.4.0"), primary("2.4.0"), primary("2.4.1"));
        api.setDeployment(NS, "checkout", target("2.4.1"));
        const run = await status("--watch", "--interval", "10ms");
        expect(run.code).to.equal(0);
        const lines = run.stdout.trimEnd().split("\n");
        expect(lines[0]).to.match(/^watching checkout 2\.4\.1 in stack production/);
        // One line per change: the repeated first answer prints once.
        const phases = lines.slice(1, -1).map((l) => l.replace(/^\d\d:\d\d:\d\d /, "").split(" · ")[0]);
        expect(phases).to.deep.equal([
            "Progressing weight 10% failed 0/5",
            "Progressing weight 20% failed 0/5",
            "Promoting weight 50% failed 0/5",
            "Finalising weight 0% failed 0/5",
            "Succeeded weight 0% failed 0/5",
        ]);
        expect(lines[lines.length - 1]).to.equal("healthy: 2.4.1 serves all traffic (canary analysis passed)");
    });

    it("ends --watch with exit 1 when the canary fails", async () => {
        api.setCanary(NS, "checkout", canary("Progressing", { weight: 10, failedChecks: 4 }), canary("Failed", { failedChecks: 5 }));
        api.setDeployment(NS, "checkout-primary", primary("2.4.0"));
        api.setDeployment(NS, "checkout", target("2.4.1"));
        const run = await status("--watch", "--interval", "10ms");
        expect(run.code).to.equal(1);
        expect(run.stdout).to.match(/\nFAILED: Flagger failed the canary of 2\.4\.1 \(5 failed checks\) and rolled the cluster back to 2\.4\.0/);
    });

    it("keeps --watch waiting while the stack's version is not applied, instead of reading an old result", async () => {
        api.setCanary(NS, "checkout", canary("Failed", { failedChecks: 5 }), canary("Failed", { failedChecks: 5 }), canary("Progressing", { weight: 10 }), canary("Succeeded"));
        api.setDeployment(NS, "checkout-primary", primary("2.4.0"), primary("2.4.0"), primary("2.4.0"), primary("2.4.1"));
        api.setDeployment(NS, "checkout", target("2.3.9"), target("2.3.9"), target("2.4.1"));
        const run = await status("--watch", "--interval", "10ms");
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include("Failed weight 0% failed 5/5 · primary 2.4.0");
    });

    it("gives up --watch after --timeout with exit 1", async () => {
        api.setCanary(NS, "checkout", canary("Progressing", { weight: 10 }));
        api.setDeployment(NS, "checkout-primary", primary("2.4.0"));
        api.setDeployment(NS, "checkout", target("2.4.1"));
        const run = await status("--watch", "--interval", "10ms", "--timeout", "100ms");
        expect(run.code).to.equal(1);
        expect(run.stdout).to.match(/timed out after 100ms: Flagger is analysing 2\.4\.1/);
    });

    it("refuses a context the kubeconfig does not have, listing those it has", async () => {
        const run = await status("--context", "staging");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/kube context "staging" is not in the kubeconfig \(contexts: prod-eu-west-1\)/);
    });

    it("refuses to run without a kubeconfig", async () => {
        const run = await runCli(["status", "checkout"], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/no kubeconfig: \$KUBECONFIG is not set/);
    });

    it("reports a cluster that refuses access with exit 2", async () => {
        api.onRequest(() => ({ status: 403, body: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403 } }));
        try {
            const run = await status();
            expect(run.code).to.equal(2);
            expect(run.stderr).to.match(/not allowed to read .* \(HTTP 403\)/);
        } finally {
            api.onRequest(() => undefined);
        }
    });

    describe("--revert-on-failure", () => {
        let repo: GitRepo;
        beforeEach(() => {
            repo = projectRepo(); // checkout 2.4.1
            repo.commit("release checkout 2.4.2", { [STACK_FILE]: checkoutAt("2.4.2", "2.4.1") });
            env = { ...repo.env, KUBECONFIG: api.writeKubeconfig(repo.root, CONTEXT) };
        });
        afterEach(() => repo.remove());

        it("rolls the stack file back to the version Flagger serves again, and still exits 1", async () => {
            api.setCanary(NS, "checkout", canary("Failed", { failedChecks: 5 }));
            api.setDeployment(NS, "checkout-primary", primary("2.4.1"));
            api.setDeployment(NS, "checkout", target("2.4.2", { replicas: 0 }));
            const run = await runCli(["status", "checkout", "--revert-on-failure"], { cwd: repo.dir, env });
            expect(run.code).to.equal(1);
            expect(run.stdout).to.include("reverting the stack file to match the cluster:\nrollback checkout 2.4.2 → 2.4.1");
            const checkout = parse(repo.read(STACK_FILE)).config["releasectl:services"].checkout;
            expect(checkout).to.include({ version: "2.4.1", previousVersion: "2.4.2", rollback: true });
        });

        it("does not touch the stack file when the failure is not of the stack's version", async () => {
            api.setCanary(NS, "checkout", canary("Failed", { failedChecks: 5 }));
            api.setDeployment(NS, "checkout-primary", primary("2.4.1"));
            api.setDeployment(NS, "checkout", target("2.4.1-rc.1"));
            const before = repo.read(STACK_FILE);
            const run = await runCli(["status", "checkout", "--revert-on-failure"], { cwd: repo.dir, env });
            expect(run.code).to.equal(0);
            expect(repo.read(STACK_FILE)).to.equal(before);
        });
    });
});

describe("rollout state of a Deployment", () => {
    const d = (extra: Partial<Parameters<typeof deploymentObject>[0]>) => deploymentObject({ name: "x", namespace: NS, version: "1.0.0", ...extra });
    it("waits while the controller has not observed the new spec", () => expect(rolloutState(d({ generation: 3, observedGeneration: 2 }))).to.equal("waiting for the new spec to be observed"));
    it("counts updated replicas", () => expect(rolloutState(d({ updated: 1 }))).to.equal("1 of 3 new replicas updated"));
    it("counts old replicas still terminating", () => expect(rolloutState(d({ total: 4 }))).to.equal("1 old replica terminating"));
    it("counts available replicas", () => expect(rolloutState(d({ available: 2 }))).to.equal("2 of 3 updated replicas available"));
    it("says rolled out when all are available", () => expect(rolloutState(d({}))).to.equal("rolled out (3/3 available)"));
    it("says when a Deployment is scaled to zero", () => expect(rolloutState(d({ replicas: 0 }))).to.equal("scaled to 0"));
});
