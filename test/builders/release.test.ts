import { expect } from "chai";
import { buildRelease, buildServiceObjects, objectNamesOf, pulumiNames } from "../../builders/service-objects";
import { ReleaseObject, typeToken } from "../../builders/types";
import { kinds, serviceObjects } from "../helpers/manifests";
import { allProvidersValues, migrationValues, Overrides, parse, releaseConfig } from "../helpers/fixtures";

const withMigration = (overrides: Overrides = {}) => releaseConfig({ migration: migrationValues(), ...overrides });

function byKind(objects: readonly ReleaseObject[], kind: string): ReleaseObject {
    const found = objects.find((o) => o.manifest.kind === kind);
    if (!found) throw new Error(`no ${kind}`);
    return found;
}

describe("buildServiceObjects", () => {
    it("declares, in apply order, secrets and notifications, the Job, the workload, the Canary and the alert rules", () => {
        expect(kinds(serviceObjects(withMigration()))).to.deep.equal([
            "Secret",
            "AlertProvider",
            "Secret",
            "Job",
            "Deployment",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "Canary",
            "PrometheusRule",
        ]);
    });

    it("makes the Deployment depend on the migration Job", () => {
        const objects = serviceObjects(withMigration());
        expect(byKind(objects, "Deployment").dependsOn).to.deep.equal([byKind(objects, "Job").name]);
    });

    it("runs no migration Job for a rollback: known-good code goes back on the schema as it is", () => {
        const objects = serviceObjects(withMigration({ rollback: true }));
        expect(kinds(objects)).to.not.include("Job");
        expect(objects.filter((o) => o.manifest.kind === "Secret").map((o) => o.name)).to.deep.equal(["web-webhook-secret"]);
        expect(byKind(objects, "Deployment").dependsOn).to.deep.equal([]);
    });

    it("drops the MigrationFailed alert for a rollback, which runs no migration", () => {
        const rule = byKind(serviceObjects(withMigration({ rollback: true })), "PrometheusRule");
        const alerts = ((rule.manifest.spec as any).groups[0].rules as { alert: string }[]).map((r) => r.alert);
        expect(alerts).to.not.include("MigrationFailed");
        expect(alerts).to.include("CanaryFailed");
    });

    it("lets the Deployment wait for nothing without a migration", () => {
        expect(byKind(serviceObjects(releaseConfig()), "Deployment").dependsOn).to.deep.equal([]);
    });

    it("makes the Job wait for its database Secret and delete before replace", () => {
        const job = byKind(serviceObjects(withMigration()), "Job");
        expect(job.dependsOn).to.deep.equal(["web-database-secret"]);
        expect(job.deleteBeforeReplace).to.equal(true);
    });

    it("makes the Canary wait for the Deployment, autoscaler and AlertProvider", () => {
        expect(byKind(serviceObjects(releaseConfig()), "Canary").dependsOn).to.deep.equal(["web-deployment", "web-autoscaler", "web-alert-provider"]);
    });

    it("only depends on objects declared before", () => {
        const config = parse(allProvidersValues());
        for (const release of buildRelease(config)) {
            const seen = new Set<string>();
            for (const object of release.objects) {
                for (const dep of object.dependsOn) expect(seen.has(dep), `${object.name} → ${dep}`).to.equal(true);
                seen.add(object.name);
            }
        }
    });

    it("gives every object a unique resource name", () => {
        const names = buildRelease(parse(allProvidersValues())).flatMap((r) => r.objects.map((o) => o.name));
        expect(new Set(names).size).to.equal(names.length);
    });

    it("keeps the resource names of long-lived objects from version to version", () => {
        const stable = (version: string) =>
            serviceObjects(withMigration({ version }))
                .filter((o) => ["Deployment", "HorizontalPodAutoscaler", "Canary", "AlertProvider", "PrometheusRule"].includes(o.manifest.kind))
                .map((o) => o.name);
        expect(stable("1.4.3")).to.deep.equal(stable("1.4.2"));
    });

    it("gives the migration Job a new resource name per version", () => {
        const jobName = (version: string) => byKind(serviceObjects(withMigration({ version })), "Job").name;
        expect(jobName("1.4.3")).not.to.equal(jobName("1.4.2"));
    });

    it("names resources with the builders' resource names", () => {
        const config = releaseConfig();
        expect(byKind(serviceObjects(config), "Deployment").name).to.equal(pulumiNames.deployment(config.services[0]));
    });

    it("derives Pulumi type tokens from apiVersion and kind", () => {
        expect([typeToken("v1", "Secret"), typeToken("apps/v1", "Deployment"), typeToken("flagger.app/v1beta1", "Canary")]).to.deep.equal([
            "kubernetes:core/v1:Secret",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:flagger.app/v1beta1:Canary",
        ]);
    });

    it("puts every object in the service's namespace", () => {
        const config = releaseConfig({ namespace: "payments" });
        expect(new Set(serviceObjects(config).map((o) => o.manifest.metadata.namespace))).to.deep.equal(new Set(["payments"]));
    });

    it("carries secrets only on Secret objects", () => {
        for (const object of buildServiceObjects(withMigration(), withMigration().services[0]).objects) {
            if (object.manifest.kind !== "Secret") expect(object.secrets, object.name).to.deep.equal([]);
            else expect(object.secrets, object.name).to.have.length(1);
        }
    });
});

describe("objectNamesOf (the stack output services.<name>.objects)", () => {
    it("names every object of a blue/green service, both MetricTemplates included", () => {
        const config = parse(allProvidersValues());
        const blueGreen = config.services.find((s) => s.canary.provider === "kubernetes");
        expect(blueGreen, "the fixture has a blue/green service").to.not.equal(undefined);
        const manifests = buildServiceObjects(config, blueGreen!).objects.map((o) => o.manifest);
        const names = objectNamesOf(manifests);
        // Every object is there once: nothing is overwritten by another of its kind.
        expect(Object.values(names).sort()).to.deep.equal(manifests.map((m) => m.metadata.name).sort());
        const templates = Object.keys(names).filter((k) => k.startsWith("MetricTemplate"));
        expect(templates).to.have.length(2);
        // A kind with a single object keeps its plain key.
        expect(names.Deployment).to.equal(manifests.find((m) => m.kind === "Deployment")!.metadata.name);
    });
});

describe("buildRelease", () => {
    it("declares one release per service, sorted by name", () => {
        const releases = buildRelease(parse(allProvidersValues()));
        expect(releases.map((r) => r.service)).to.deep.equal(["batch", "edge", "linkerd", "mesh"]);
    });

    it("records each release's version", () => {
        const releases = buildRelease(parse(allProvidersValues()));
        expect(releases.find((r) => r.service === "mesh")?.version).to.equal("3.0.0-rc.1+build.7");
    });
});
