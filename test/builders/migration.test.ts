import { expect } from "chai";
import { buildDatabaseSecret, buildMigrationJob } from "../../builders/migration";
import { migrationJobName } from "../../builders/names";
import { buildDeployment } from "../../builders/deployment";
import { SECRET_PLACEHOLDER, ServiceConfig } from "../../config/types";
import { Doc, doc, kinds, serviceObjects } from "../helpers/manifests";
import { DATABASE_CIPHERTEXT, releaseConfig, serviceConfig, serviceWithMigration } from "../helpers/fixtures";

function job(s: ServiceConfig = serviceWithMigration()): Doc {
    return doc(buildMigrationJob(s));
}

describe("migration builders", () => {
    describe("the Job's name", () => {
        it("is per service and version", () => {
            expect(job().metadata.name).to.equal("web-migrate-1-4-2");
        });

        it("changes with the version, since Jobs are immutable", () => {
            expect(job(serviceWithMigration({ version: "1.4.3" })).metadata.name).to.equal("web-migrate-1-4-3");
        });

        it("keeps a plain prerelease readable", () => {
            expect(migrationJobName("web", "2.0.0-rc.1")).to.equal("web-migrate-2-0-0-rc-1");
        });

        it("adds a hash of the exact version when build metadata would be lost", () => {
            const a = migrationJobName("web", "1.4.2+build.7");
            const b = migrationJobName("web", "1.4.2-build.7");
            expect(a).to.match(/^web-migrate-1-4-2-build-7-[0-9a-f]{8}$/);
            expect(a).not.to.equal(b);
        });

        it("adds a hash when dashes in the prerelease would be ambiguous", () => {
            expect(migrationJobName("web", "1.0.0-rc-1")).not.to.equal(migrationJobName("web", "1.0.0-rc.1"));
        });

        it("stays within 63 characters and unique for long versions", () => {
            const long = (n: number) => `1.0.0-${"x".repeat(60)}.${n}`;
            const [a, b] = [migrationJobName("checkout-service", long(1)), migrationJobName("checkout-service", long(2))];
            expect(a.length).to.be.at.most(63);
            expect(a).not.to.equal(b);
            expect(a).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        });
    });

    it("never restarts a failed pod", () => {
        expect(job().spec.template.spec.restartPolicy).to.equal("Never");
    });

    it("takes backoffLimit, activeDeadlineSeconds and ttlSecondsAfterFinished from the config", () => {
        const spec = job(serviceWithMigration({ migration: { backoffLimit: 0, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 3600 } })).spec;
        expect([spec.backoffLimit, spec.activeDeadlineSeconds, spec.ttlSecondsAfterFinished]).to.deep.equal([0, 600, 3600]);
    });

    it("lets the next pulumi up replace a failed Job", () => {
        expect(job().metadata.annotations["pulumi.com/replaceUnready"]).to.equal("true");
    });

    it("waits longer than the Job's own deadline", () => {
        expect(Number(job().metadata.annotations["pulumi.com/timeoutSeconds"])).to.be.above(job().spec.activeDeadlineSeconds);
    });

    it("runs the migration command in the app's image", () => {
        const [migrate] = job().spec.template.spec.containers;
        expect(migrate.command).to.deep.equal(["/app/migrate", "up"]);
        expect(migrate.image).to.equal("registry.example.com/shop/web:1.4.2");
    });

    it("runs in the migration image when one is configured", () => {
        const [migrate] = job(serviceWithMigration({ migration: { image: "registry.example.com/shop/migrator:3.1.0" } })).spec.template.spec.containers;
        expect(migrate.image).to.equal("registry.example.com/shop/migrator:3.1.0");
    });

    it("runs the backup first, as an init container", () => {
        const spec = job(serviceWithMigration({ migration: { backupCommand: ["/app/backup", "--label", "pre-1.4.2"] } })).spec.template.spec;
        expect(spec.initContainers.map((c: Doc) => [c.name, c.command])).to.deep.equal([["backup", ["/app/backup", "--label", "pre-1.4.2"]]]);
    });

    it("has no init container without a backup", () => {
        expect(job().spec.template.spec).not.to.have.property("initContainers");
    });

    it("reads DATABASE_URL from the database Secret", () => {
        const [migrate] = job().spec.template.spec.containers;
        expect(migrate.env[0]).to.deep.equal({ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "web-database", key: "DATABASE_URL" } } });
    });

    it("runs under the restricted security context", () => {
        const spec = job().spec.template.spec;
        expect(spec.securityContext).to.include({ runAsNonRoot: true });
        expect(spec.containers[0].securityContext).to.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        expect(spec.containers[0].securityContext.capabilities).to.deep.equal({ drop: ["ALL"] });
    });

    it("labels its pods so the Deployment's selector never matches them", () => {
        const s = serviceWithMigration();
        const selector: Record<string, string> = doc(buildDeployment(s, "production")).spec.selector.matchLabels;
        const podLabels = job(s).spec.template.metadata.labels;
        expect(Object.entries(selector).every(([k, v]) => podLabels[k] === v)).to.equal(false);
    });

    it("records the phase and downgrade command on the Job", () => {
        const annotations = job(serviceWithMigration({ migration: { phase: "contract" } })).metadata.annotations;
        expect(annotations["releasectl.dev/migration-phase"]).to.equal("contract");
        expect(JSON.parse(annotations["releasectl.dev/downgrade-command"])).to.deep.equal(["/app/migrate", "down", "--to", "1.4.1"]);
    });

    it("puts a placeholder, never the secret, in the database Secret", () => {
        const secret = buildDatabaseSecret(serviceWithMigration());
        expect(doc(secret.manifest).stringData).to.deep.equal({ DATABASE_URL: SECRET_PLACEHOLDER });
        expect(JSON.stringify(secret.manifest)).not.to.include(DATABASE_CIPHERTEXT);
    });

    it("binds the database Secret to the migration's Pulumi secret", () => {
        const s = serviceWithMigration();
        expect(buildDatabaseSecret(s).secrets).to.deep.equal([{ path: ["stringData", "DATABASE_URL"], secret: s.migration?.databaseUrl }]);
    });

    it("declares no Job and no database Secret without a migration", () => {
        const objects = serviceObjects(releaseConfig());
        expect(kinds(objects)).not.to.include("Job");
        expect(objects.map((o) => o.manifest.metadata.name)).not.to.include("web-database");
        expect(serviceConfig().migration).to.equal(undefined);
    });
});
