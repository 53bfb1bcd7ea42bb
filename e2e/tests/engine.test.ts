import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { SECRET_PLACEHOLDER } from "../../config/types";
import { execFileSync } from "child_process";
import { ENGINE_BIN, parseRender, readRendered, requireEngine, SECRETS, sdkProviderVersion, Workspace } from "./workspace";

/** Resource changes in `pulumi preview --diff` output: `~ type: (update)` then `[urn=...::name]`. */
function resourceChanges(diff: string): { op: string; type: string; name: string }[] {
    const changes: { op: string; type: string; name: string }[] = [];
    const lines = diff.split("\n");
    lines.forEach((line, i) => {
        const m = /^\s*[-+~]{1,2}\s+(kubernetes:\S+): \((\w[\w-]*)\)/.exec(line);
        const urn = /\[urn=\S+::([^\]]+)\]/.exec(lines.slice(i + 1, i + 4).join("\n"));
        if (m && urn) changes.push({ op: m[2], type: m[1], name: urn[1] });
    });
    return changes;
}

/**
 * The real engine end to end: the Pulumi CLI, our Node.js language host and the Kubernetes
 * provider built from their Go modules (npm run engine:build), a file backend, the passphrase
 * secrets provider, and the Kubernetes provider's renderYamlToDirectory instead of a cluster.
 */
describe("the real Pulumi engine", function () {
    this.timeout(20 * 60 * 1000);
    let ws: Workspace;
    let released: string;

    before(() => {
        requireEngine();
        ws = Workspace.create();
        released = fs.readFileSync(ws.stackFile, "utf8");
    });

    after(() => ws?.remove());

    /** Runs a case on an edited stack file and puts the released configuration back after it. */
    function withEdits<T>(edits: () => void, run: () => T): T {
        try {
            edits();
            return run();
        } finally {
            fs.writeFileSync(ws.stackFile, released);
        }
    }

    /** A mandatory violation as the CLI prints it: `- [mandatory] [severity: high]  rule  (type: name)`. */
    const violation = (rule: string, type: string, name: string) =>
        new RegExp(`- \\[mandatory\\](?: \\[severity: \\w+\\])?\\s+${rule}\\s+\\(${type.replace(/[./]/g, (c) => `\\${c}`)}: ${name}\\)`);

    /** The tail of a run's output, for assertion messages. */
    const tail = (output: string) => output.split("\n").slice(-40).join("\n");

    it("0. runs the provider built here from the plugin cache, under the version @pulumi/kubernetes asks for", () => {
        const version = sdkProviderVersion();
        expect(version, "package.json pins @pulumi/kubernetes exactly").to.match(/^\d+\.\d+\.\d+$/);
        const plugins = JSON.parse(execFileSync(path.join(ENGINE_BIN, "pulumi"), ["plugin", "ls", "--json"], { cwd: ws.dir, env: ws.env, encoding: "utf8" }));
        const kubernetes = plugins.filter((p: { name: string; kind: string }) => p.name === "kubernetes" && p.kind === "resource");
        expect(kubernetes.map((p: { version: string }) => p.version)).to.deep.equal([version]);
    });

    it("1. previews the example with the policy pack, listing each service's resources", () => {
        const output = ws.ok(["preview", "--policy-pack", "policies"]);
        // Ambient plugins are ignored: no "using pulumi-resource-kubernetes from $PATH" warning.
        expect(output).to.not.match(/using pulumi-resource-kubernetes from/);
        expect(output).to.match(/✅ releasectl-checklist@v0\.1\.0 \(local: policies\)/);
        for (const line of [
            "releasectl:index:ServiceRelease checkout create",
            "kubernetes:batch/v1:Job checkout-migrate-2.4.1 create",
            "kubernetes:apps/v1:Deployment checkout-deployment create",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler checkout-autoscaler create",
            "kubernetes:flagger.app/v1beta1:Canary checkout-canary create",
            "kubernetes:flagger.app/v1beta1:AlertProvider checkout-alert-provider create",
            "kubernetes:core/v1:Secret checkout-database-secret create",
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule checkout-alert-rules create",
            "releasectl:index:ServiceRelease storefront create",
            "kubernetes:networking.k8s.io/v1:Ingress storefront-ingress create",
            "kubernetes:flagger.app/v1beta1:Canary storefront-canary create",
        ]) {
            expect(output, line).to.include(line);
        }
        expect(output).to.not.include("storefront-migrate");
    });

    describe("2. a defect fails the preview, naming the policy as the CLI prints it", () => {
        it("2a. a prerelease version in production", () => {
            const run = withEdits(() => ws.edit("version: 2.4.1", "version: 2.5.0-rc.1"), () => ws.pulumi(["preview", "--policy-pack", "policies"]));
            expect(run.code).to.not.equal(0);
            expect(run.output, tail(run.output)).to.match(violation("deployment-no-prerelease-in-production", "kubernetes:apps/v1:Deployment", "checkout-deployment"));
        });

        it("2b. a migration without a downgrade", () => {
            const run = withEdits(() => ws.edit(/\n\s+downgradeCommand: .*/, ""), () => ws.pulumi(["preview", "--policy-pack", "policies"]));
            expect(run.code).to.not.equal(0);
            expect(run.output, tail(run.output)).to.include("releasectl:services.checkout.migration.downgradeCommand: is required");
            expect(run.output, tail(run.output)).to.include("(checklist rule migration-reversible)");
        });

        it("2c. a success-rate threshold below the pack's minimum", () => {
            const run = withEdits(() => ws.edit("successRateMin: 99", "successRateMin: 95"), () => ws.pulumi(["preview", "--policy-pack", "policies"]));
            expect(run.code).to.not.equal(0);
            expect(run.output, tail(run.output)).to.match(violation("canary-thresholds-strict", "kubernetes:flagger.app/v1beta1:Canary", "checkout-canary"));
        });
    });

    describe("3-4. pulumi up renders YAML without a cluster", () => {
        let renderDir: string;
        let firstRelease: string;

        before(() => {
            renderDir = path.join(ws.root, "rendered");
            ws.ok(["config", "set", "releasectl:renderYamlToDirectory", renderDir]);
            ws.commit("render to a directory instead of a cluster");
            firstRelease = fs.readFileSync(ws.stackFile, "utf8");
        });

        it("3a. renders exactly what releasectl render prints, secrets aside", () => {
            ws.ok(["up", "--yes", "--skip-preview", "--policy-pack", "policies"]);
            const rendered = readRendered(renderDir);
            const expected = parseRender(ws.render());
            expect([...rendered.keys()].sort()).to.deep.equal([...expected.keys()].sort());
            for (const [key, object] of rendered) {
                if (object.kind === "Secret") {
                    // Kubernetes needs the decrypted value here, and only here.
                    const data = Object.fromEntries(Object.entries(object.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
                    for (const value of Object.values(data)) expect(Object.values(SECRETS)).to.include(value);
                    delete object.data;
                    object.stringData = Object.fromEntries(Object.keys(data).map((k) => [k, SECRET_PLACEHOLDER]));
                }
                expect(object, key).to.deep.equal(expected.get(key));
            }
        });

        it("3b. a new version changes the image, labels and migration Job, and nothing else", () => {
            ws.edit("version: 2.4.1\n      previousVersion: 2.4.0", "version: 2.5.0\n      previousVersion: 2.4.1");
            // The release's own evidence: the pack refuses links that name only the replaced 2.4.1.
            ws.edit("reports/checkout-2.4.1\n        performanceReport: https://perf.example.com/reports/checkout-2.4.1", "reports/checkout-2.5.0\n        performanceReport: https://perf.example.com/reports/checkout-2.5.0");
            ws.commit("release checkout 2.5.0");
            const diff = ws.ok(["preview", "--diff", "--policy-pack", "policies"]);
            const changes = resourceChanges(diff);
            expect(changes.filter((c) => c.op === "create")).to.deep.equal([{ op: "create", type: "kubernetes:batch/v1:Job", name: "checkout-migrate-2.5.0" }]);
            expect(changes.filter((c) => c.op === "delete")).to.deep.equal([{ op: "delete", type: "kubernetes:batch/v1:Job", name: "checkout-migrate-2.4.1" }]);
            expect(changes.filter((c) => c.op === "update").map((c) => c.name)).to.include.members(["checkout-deployment", "checkout-canary", "checkout-alert-rules"]);
            expect(changes.filter((c) => !["create", "delete", "update"].includes(c.op)), "no replacements").to.deep.equal([]);
            expect(changes.filter((c) => c.name.startsWith("storefront-")), "storefront is untouched").to.deep.equal([]);
            expect(diff).to.include('~ image: "registry.example.com/shop/checkout:2.4.1" => "registry.example.com/shop/checkout:2.5.0"');
            expect(diff).to.include('~ app.kubernetes.io/version: "2.4.1" => "2.5.0"');
            ws.ok(["up", "--yes", "--skip-preview", "--policy-pack", "policies"]);
            const rendered = readRendered(renderDir);
            expect(rendered.get("Deployment/shop/checkout").spec.template.spec.containers[0].image).to.equal("registry.example.com/shop/checkout:2.5.0");
            expect(rendered.has("Job/shop/checkout-migrate-2-5-0")).to.equal(true);
            expect(rendered.has("Job/shop/checkout-migrate-2-4-1")).to.equal(false);
        });

        it("4. rolling back by restoring the previous stack configuration renders the previous version again", () => {
            const rollback = ws.releasectl(["rollback", "checkout", "--stack", "production"]);
            expect(rollback.code, rollback.output).to.equal(0);
            // the previous release's configuration, marked as a rollback, and nothing else changed
            const restored = fs.readFileSync(ws.stackFile, "utf8");
            expect(restored).to.equal(
                firstRelease.replace("previousVersion: 2.4.0\n", "previousVersion: 2.5.0\n      rollback: true\n"),
            );
            ws.commit("rollback checkout to 2.4.1");
            ws.ok(["up", "--yes", "--skip-preview", "--policy-pack", "policies"]);
            const rendered = readRendered(renderDir);
            expect(rendered.get("Deployment/shop/checkout").spec.template.spec.containers[0].image).to.equal("registry.example.com/shop/checkout:2.4.1");
            expect(rendered.get("Canary/shop/checkout").spec.skipAnalysis, "Flagger promotes a rollback at once").to.equal(true);
            expect(rendered.has("Job/shop/checkout-migrate-2-5-0")).to.equal(false);
            expect(rendered.has("Job/shop/checkout-migrate-2-4-1"), "a rollback runs no migration").to.equal(false);
        });
    });

    describe("5. the pack config", () => {
        it("5. the pack config file changes a threshold and the preview follows it", () => {
            const config = path.join(ws.root, "pack-config.json");
            fs.writeFileSync(config, JSON.stringify({ "canary-thresholds-strict": { successRateMin: 99.5, latencyMaxMs: 500 } }));
            const run = ws.pulumi(["preview", "--policy-pack", "policies", "--policy-pack-config", config]);
            expect(run.code, tail(run.output)).to.not.equal(0);
            expect(run.output, tail(run.output)).to.match(violation("canary-thresholds-strict", "kubernetes:flagger.app/v1beta1:Canary", "checkout-canary"));
            expect(run.output).to.include("99.5");
        });
    });

    describe("6. secrets", () => {
        it("never prints a secret, and keeps none in plain text in the stack file or the state", () => {
            // Something to look at first, or this test proves nothing.
            // The plaintexts searched for: both set with `pulumi config set --secret`, neither empty.
            const secrets = Object.values(SECRETS);
            expect(secrets).to.have.length(2);
            for (const secret of secrets) expect(secret).to.have.length.above(16);
            // The outputs of the commands run so far, among them the previews and ups that handled
            // the Kubernetes Secrets and the render that printed them with the placeholder.
            expect(ws.outputs.filter((o) => o.trim() !== ""), "commands run in the workspace that printed something").not.to.be.empty;
            expect(ws.outputs.some((o) => o.includes("kubernetes:core/v1:Secret checkout-database-secret")), "a preview listing the database Secret").to.equal(true);
            expect(ws.outputs.some((o) => o.includes(`DATABASE_URL: ${SECRET_PLACEHOLDER}`)), "a render printing the database Secret").to.equal(true);
            // The stack file, with each secret as a ciphertext.
            expect(fs.existsSync(ws.stackFile), ws.stackFile).to.equal(true);
            const stackFile = fs.readFileSync(ws.stackFile, "utf8");
            expect(stackFile.match(/^\s+secure: v1:\S+$/gm), "the stack file's secure: values").to.have.length(secrets.length);
            // The state: the backend's files, readable (not compressed), the stack's checkpoint among
            // them, and the state as `pulumi stack export` gives it, both holding the resources
            // `pulumi up` made, the Secrets among them, with their values encrypted.
            const state = ws.stateFiles();
            expect(state.filter((f) => f.file.endsWith(".gz")).map((f) => f.file), "compressed state files").to.deep.equal([]);
            const checkpoints = state.filter((f) => /[\\/]stacks[\\/](?:[^\\/]+[\\/])?production\.json$/.test(f.file));
            expect(checkpoints.map((f) => f.file), "the stack's checkpoint").to.have.length(1);
            const checkpoint = JSON.parse(checkpoints[0].text) as { checkpoint: { latest?: { resources?: { type: string }[] } } };
            expect((checkpoint.checkpoint.latest?.resources ?? []).map((r) => r.type), "resources in the checkpoint").to.include("kubernetes:core/v1:Secret");
            const exported = ws.exportState();
            const deployment = (JSON.parse(exported) as { deployment: { resources?: { type: string }[] } }).deployment;
            expect((deployment.resources ?? []).map((r) => r.type), "resources in the exported state").to.include("kubernetes:core/v1:Secret");
            const encrypted = /"4dabf18193072939515e22adb298388d":\s*"1b47061264138c4ac30d75fd1eb44270"/;
            expect(checkpoints[0].text, "secret values in the checkpoint, encrypted").to.match(encrypted);
            expect(exported, "secret values in the exported state, encrypted").to.match(encrypted);

            // None of it holds a secret, as it is or base64-encoded as a Secret's data holds it.
            for (const secret of secrets) {
                for (const plain of [secret, Buffer.from(secret, "utf8").toString("base64")]) {
                    for (const output of ws.outputs) expect(output).to.not.include(plain);
                    expect(stackFile).to.not.include(plain);
                    for (const { file, text } of state) expect(text, file).to.not.include(plain);
                    expect(exported, "the exported state").to.not.include(plain);
                }
            }
        });
    });
});
