import { expect } from "chai";
import { execFileSync } from "child_process";
import * as path from "path";
import { buildRelease } from "../../builders/service-objects";
import { ServiceObjects } from "../../builders/types";
import { loadStack } from "../../config/load";
import { DECLARATIONS, runChecklist } from "../../cli/checklist/run";
import { loadChecklistConfig, loadRepositoryChecksConfig, parseChecklistConfig } from "../../cli/checklist/pack-config";
import { REPOSITORY_CHECKS } from "../../cli/checklist/repository-checks";
import { formatText } from "../../cli/checklist/output";
import { releaseResources } from "../../cli/checklist/resources";
import { EXAMPLE_DIR } from "./project";

const config = loadStack(EXAMPLE_DIR, "production");
const now = new Date("2026-06-10T10:00:00Z");
const header = { stack: "production", environment: "production", services: [], now };

function run(releases: ServiceObjects[]) {
    return runChecklist({ stack: "production", resources: releaseResources(config, releases), config: parseChecklistConfig({}, undefined, DECLARATIONS), now });
}

/** The example's releases with one object's manifest changed. */
function withDeployment(service: string, change: (m: Record<string, any>) => void): ServiceObjects[] {
    return buildRelease(config).map((r) =>
        r.service !== service
            ? r
            : {
                  ...r,
                  objects: r.objects.map((o) => {
                      if (o.manifest.kind !== "Deployment") return o;
                      const manifest = structuredClone(o.manifest) as Record<string, any>;
                      change(manifest);
                      return { ...o, manifest: manifest as typeof o.manifest };
                  }),
              },
    );
}

describe("the offline checklist runner", () => {
    it("passes the example's rendered release", () => {
        expect(run(buildRelease(config)).passed).to.equal(true);
    });

    it("fails, naming the rule, for a Deployment whose probe is missing", () => {
        const report = run(withDeployment("storefront", (m) => delete m.spec.template.spec.containers[0].readinessProbe));
        expect(report.passed).to.equal(false);
        const text = formatText(report, header);
        expect(text).to.match(/failed\s+workload-probes-defined/);
        expect(text).to.include("storefront-deployment (Deployment shop/storefront): container storefront has no readinessProbe");
    });

    it("gives each object the URN the engine gives a child of the ServiceRelease component", () => {
        const resources = releaseResources(config, buildRelease(config));
        const deployment = resources.find((r) => r.name === "checkout-deployment")!;
        expect(deployment.urn).to.equal("urn:pulumi:production::releasectl::releasectl:index:ServiceRelease$kubernetes:apps/v1:Deployment::checkout-deployment");
        expect(deployment.dependencies).to.deep.equal(["urn:pulumi:production::releasectl::releasectl:index:ServiceRelease$kubernetes:batch/v1:Job::checkout-migrate-2.4.1"]);
        expect(resources.find((r) => r.name === "checkout")!.type).to.equal("releasectl:index:ServiceRelease");
    });

    it("counts every rule and repository check once", () => {
        const report = runChecklist({
            stack: "production",
            resources: releaseResources(config, buildRelease(config)),
            config: parseChecklistConfig({}, undefined, DECLARATIONS),
            now,
            repository: { repository: { kind: "skipped" }, config, services: config.services, projectDir: EXAMPLE_DIR, stackFile: path.join(EXAMPLE_DIR, "Pulumi.production.yaml") },
        });
        const total = Object.values(report.counts).reduce((a, b) => a + b, 0);
        expect(total).to.equal(DECLARATIONS.length);
    });
});

describe("releasectl check's modules", () => {
    it("never load @pulumi/pulumi or @pulumi/policy", () => {
        const script = `
            const { main } = require("./cli/main");
            const { Writable } = require("stream");
            const sink = new Writable({ write(c, e, d) { d(); } });
            main(["check", "--stack", "production", "--no-repo"], { stdout: sink, stderr: sink }).then((code) => {
                const loaded = Object.keys(require.cache).filter((k) => /node_modules[\\\\/]@pulumi[\\\\/](pulumi|policy)[\\\\/]/.test(k));
                process.stdout.write(JSON.stringify({ code, loaded }));
            });`;
        const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: EXAMPLE_DIR, encoding: "utf8" });
        expect(JSON.parse(out)).to.deep.equal({ code: 0, loaded: [] });
    });

    it("gives the repository checks the same levels and settings from their declarations alone as from every rule's", () => {
        const all = loadChecklistConfig(undefined, EXAMPLE_DIR, DECLARATIONS);
        const repositoryOnly = loadRepositoryChecksConfig(undefined, EXAMPLE_DIR);
        expect(REPOSITORY_CHECKS.length).to.be.greaterThan(5);
        for (const check of REPOSITORY_CHECKS) {
            expect(repositoryOnly.levelOf(check.name), check.name).to.equal(all.levelOf(check.name));
            expect(repositoryOnly.settingsOf(check.name), check.name).to.deep.equal(all.settingsOf(check.name));
        }
        expect(repositoryOnly.settingsOf("repository-changelog-entry").changelogFile).to.equal("CHANGELOG.md");
    });
});
