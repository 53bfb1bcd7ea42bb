import { expect } from "chai";
import { changed, exampleObject } from "./fixtures";
import { runResource, TestResource } from "./runtime";

const ANN = ["metadata", "annotations"];
const job = () => exampleObject("Job");
const messages = (o: { violations: readonly { message: string }[] }) => o.violations.map((v) => v.message);

/** A migration Job written by hand for a stack made outside releasectl. */
function foreignMigrationJob(annotations: Record<string, string>): TestResource {
    return {
        type: "kubernetes:batch/v1:Job",
        name: "orders-migrate",
        props: {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "orders-migrate", namespace: "orders", labels: { "app.kubernetes.io/component": "migration" }, annotations },
            spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "migrate", image: "registry.example.com/orders/migrate:3.1.0" }] } } },
        },
    };
}

describe("job-retries-and-deadline-bounded", () => {
    it("passes a Job with backoffLimit and activeDeadlineSeconds", async () => {
        expect(await runResource("job-retries-and-deadline-bounded", job())).to.deep.equal({ violations: [] });
    });

    it("fails a Job without backoffLimit", async () => {
        const outcome = await runResource("job-retries-and-deadline-bounded", changed(job(), ["spec", "backoffLimit"], undefined));
        expect(messages(outcome)[0]).to.include("spec.backoffLimit is not set").and.include("6 times");
    });

    it("fails a Job without activeDeadlineSeconds", async () => {
        const outcome = await runResource("job-retries-and-deadline-bounded", changed(job(), ["spec", "activeDeadlineSeconds"], undefined));
        expect(messages(outcome)[0]).to.include("spec.activeDeadlineSeconds is not set");
    });
});

describe("job-cleaned-up-after-finish", () => {
    it("passes a Job with ttlSecondsAfterFinished", async () => {
        expect(await runResource("job-cleaned-up-after-finish", job())).to.deep.equal({ violations: [] });
    });

    it("fails a Job without ttlSecondsAfterFinished", async () => {
        const outcome = await runResource("job-cleaned-up-after-finish", changed(job(), ["spec", "ttlSecondsAfterFinished"], undefined));
        expect(messages(outcome)[0]).to.include("spec.ttlSecondsAfterFinished is not set").and.include("every release adds one more");
    });
});

describe("migration-reversible", () => {
    it("passes releasectl's migration Job", async () => {
        expect(await runResource("migration-reversible", job())).to.deep.equal({ violations: [] });
    });

    it("fails a migration Job without a downgrade", async () => {
        const outcome = await runResource("migration-reversible", changed(job(), [...ANN, "releasectl.dev/downgrade-command"], undefined));
        expect(messages(outcome)[0]).to.include("declares no downgrade").and.include("rollback into an outage");
    });

    it("fails a downgrade that is not a list of strings", async () => {
        const outcome = await runResource("migration-reversible", changed(job(), [...ANN, "releasectl.dev/downgrade-command"], "[]"));
        expect(messages(outcome)[0]).to.include("not a JSON list of strings ([])");
    });

    it("fails a migration Job with an unknown phase", async () => {
        const outcome = await runResource("migration-reversible", changed(job(), [...ANN, "releasectl.dev/migration-phase"], "big-bang"));
        expect(messages(outcome)[0]).to.include('phase "big-bang"');
    });

    it("fails a Deployment that records a migration without its downgrade", async () => {
        const outcome = await runResource("migration-reversible", changed(exampleObject("Deployment"), [...ANN, "releasectl.dev/downgrade-command"], undefined));
        expect(messages(outcome)[0]).to.include("declares no downgrade");
    });

    it("catches a migration Job of a stack made outside releasectl that has no downgrade", async () => {
        const outcome = await runResource("migration-reversible", foreignMigrationJob({ "releasectl.dev/migration-phase": "contract" }));
        expect(messages(outcome)).to.have.length(1);
        expect(messages(outcome)[0]).to.include("declares no downgrade");
    });

    it("catches a Job labelled as a migration that declares neither phase nor downgrade", async () => {
        expect(messages(await runResource("migration-reversible", foreignMigrationJob({})))).to.have.length(2);
    });

    it("does not apply to a Deployment without a migration", async () => {
        expect((await runResource("migration-reversible", exampleObject("Deployment", "storefront"))).notApplicable).to.include("no database migration");
    });
});

describe("migration-contract-read-only", () => {
    it("passes an expand migration", async () => {
        expect(await runResource("migration-contract-read-only", job())).to.deep.equal({ violations: [] });
    });

    it("flags a contract migration and asks for read-only mode", async () => {
        const outcome = await runResource("migration-contract-read-only", changed(job(), [...ANN, "releasectl.dev/migration-phase"], "contract"));
        expect(messages(outcome)[0]).to.include("runs a contract migration").and.include("read-only mode");
    });
});
