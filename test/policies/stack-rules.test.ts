import { expect } from "chai";
import { changed, exampleConfig, stackResources, stackWith } from "./fixtures";
import { runStack, TestResource } from "./runtime";

const named = (resources: readonly TestResource[], name: string) => resources.find((r) => r.name === name)!;
const messages = (o: { violations: readonly { message: string }[] }) => o.violations.map((v) => v.message);

/** The example stack with checkout released as a rollback: no migration Job, no MigrationFailed alert. */
function rollbackStack(): TestResource[] {
    const config = exampleConfig();
    return stackResources({ ...config, services: config.services.map((s) => (s.name === "checkout" ? { ...s, rollback: true } : s)) });
}

describe("migration-job-precedes-deployment", () => {
    it("passes the example: checkout's Deployment depends on its migration Job", async () => {
        expect(await runStack("migration-job-precedes-deployment", stackResources())).to.deep.equal({ violations: [] });
    });

    it("fails a Deployment that does not wait for its migration Job, naming the Deployment's URN", async () => {
        const resources = stackResources();
        const deployment = named(resources, "checkout-deployment");
        const outcome = await runStack("migration-job-precedes-deployment", stackWith(resources, { ...deployment, dependencies: [] }));
        expect(messages(outcome)).to.have.length(2);
        expect(messages(outcome)[0]).to.include("Deployment shop/checkout does not wait for migration Job checkout-migrate-2-4-1");
        expect(outcome.violations[0].urn).to.equal(deployment.urn);
        expect(messages(outcome)[1]).to.include("is not awaited by the Deployment of its service (checkout)");
    });

    it("accepts a Deployment that waits for the Job through another resource", async () => {
        const resources = stackResources();
        const deployment = named(resources, "checkout-deployment");
        const job = named(resources, "checkout-migrate-2.4.1");
        const gate: TestResource = { type: "kubernetes:core/v1:ConfigMap", name: "gate", urn: "urn:pulumi:production::releasectl::gate", props: { kind: "ConfigMap" }, dependencies: [job.urn!] };
        const outcome = await runStack("migration-job-precedes-deployment", [...stackWith(resources, { ...deployment, dependencies: [gate.urn!] }), gate]);
        expect(outcome).to.deep.equal({ violations: [] });
    });

    it("accepts a rollback release without a migration Job: it goes back on the schema as it is", async () => {
        const resources = rollbackStack();
        expect(resources.some((r) => r.props.kind === "Job")).to.equal(false);
        expect(await runStack("migration-job-precedes-deployment", resources)).to.deep.equal({
            violations: [],
            notApplicable: "no release in the stack declares a database migration",
        });
    });

    it("fails a release that declares a migration but has no Job for its version", async () => {
        const resources = stackResources().filter((r) => r.props.kind !== "Job");
        const outcome = await runStack("migration-job-precedes-deployment", resources);
        expect(messages(outcome)[0]).to.include("declares a expand migration for 2.4.1, but the stack has no migration Job for that version");
    });

    it("fails when the only migration Job is for another version", async () => {
        const resources = stackResources();
        const job = named(resources, "checkout-migrate-2.4.1");
        const outcome = await runStack("migration-job-precedes-deployment", stackWith(resources, changed(job, ["metadata", "annotations", "releasectl.dev/version"], "2.4.0")));
        expect(messages(outcome)[0]).to.include("no migration Job for that version");
    });

    it("does not apply to a stack without migrations", async () => {
        const resources = stackResources().filter((r) => (r.name ?? "").startsWith("storefront-"));
        expect((await runStack("migration-job-precedes-deployment", resources)).notApplicable).to.include("no release in the stack declares a database migration");
    });
});

describe("release-alerts-cover-version", () => {
    it("passes the example's PrometheusRules", async () => {
        expect(await runStack("release-alerts-cover-version", stackResources())).to.deep.equal({ violations: [] });
    });

    it("does not ask a rollback release for the MigrationFailed alert, since it runs no migration", async () => {
        expect(await runStack("release-alerts-cover-version", rollbackStack())).to.deep.equal({ violations: [] });
    });

    it("fails a release whose alert rules are labelled with another version", async () => {
        const resources = stackResources();
        const rule = named(resources, "storefront-alert-rules");
        const groups = structuredClone((rule.props.spec as { groups: { rules: { labels: Record<string, string> }[] }[] }).groups);
        for (const r of groups[0].rules) r.labels.version = "1.11.3";
        const outcome = await runStack("release-alerts-cover-version", stackWith(resources, changed(rule, ["spec", "groups"], groups)));
        expect(messages(outcome)).to.have.length(1);
        expect(messages(outcome)[0]).to.include("storefront releases 1.12.0, but no PrometheusRule").and.include("HighErrorRate").and.include("version=1.12.0");
    });

    it("requires MigrationFailed for a release that migrates", async () => {
        const resources = stackResources();
        const rule = named(resources, "checkout-alert-rules");
        const groups = structuredClone((rule.props.spec as { groups: { rules: { alert: string }[] }[] }).groups);
        groups[0].rules = groups[0].rules.filter((r) => r.alert !== "MigrationFailed");
        const outcome = await runStack("release-alerts-cover-version", stackWith(resources, changed(rule, ["spec", "groups"], groups)));
        expect(messages(outcome)[0]).to.include("has MigrationFailed labelled service=checkout version=2.4.1");
    });

    it("fails a release without any PrometheusRule", async () => {
        const outcome = await runStack("release-alerts-cover-version", stackResources().filter((r) => r.props.kind !== "PrometheusRule"));
        expect(messages(outcome)).to.have.length(2);
    });
});

describe("deployment-targeted-by-canary", () => {
    it("passes when every release's Deployment has a Canary", async () => {
        expect(await runStack("deployment-targeted-by-canary", stackResources())).to.deep.equal({ violations: [] });
    });

    it("fails a Deployment no Canary targets", async () => {
        const resources = stackResources();
        const canary = named(resources, "storefront-canary");
        const outcome = await runStack("deployment-targeted-by-canary", stackWith(resources, changed(canary, ["spec", "targetRef", "name"], "storefront-v2")));
        expect(messages(outcome)).to.have.length(1);
        expect(messages(outcome)[0]).to.include("Deployment shop/storefront is not the target of any Canary");
    });

    it("does not apply to a stack without releases", async () => {
        const outcome = await runStack("deployment-targeted-by-canary", stackResources().filter((r) => r.props.kind !== "Deployment"));
        expect(outcome.notApplicable).to.include("no release");
    });
});
