import { expect } from "chai";
import { decideRollback, RollbackInput } from "../../cli/ship/rollback-decision";
import { MigrationSummary, Release } from "../../cli/stack/history";

/**
 * Ship's rollback decision alone: the version it restores, what the release's migration means
 * for it, a refusal, and the commands a person runs where it stops. Made once, before anything
 * changes, the way `releasectl rollback` decides right after the release commit.
 */

const EXPAND: MigrationSummary = { phase: "expand", command: ["/app/migrate", "up"], downgradeCommand: ["/app/migrate", "down", "--to", "2.4.0"] };
const CONTRACT: MigrationSummary = { phase: "contract", command: ["/app/migrate", "up"], downgradeCommand: ["/app/migrate", "down", "--to", "2.4.1"] };

function release(version: string, n: number, migration?: MigrationSummary): Release {
    const sha = String(n).repeat(40).slice(0, 40);
    return { version, commit: sha, date: "2026-01-0" + n, author: "Ada Release", email: "ada@example.com", subject: `release checkout ${version}`, rollback: false, migration, configCommit: sha, configBlob: sha } as Release;
}

const input = (migration: MigrationSummary | undefined, earlier: MigrationSummary | undefined = EXPAND): RollbackInput => ({
    service: "checkout",
    namespace: "shop",
    stack: "production",
    fileName: "Pulumi.production.yaml",
    shown: "Pulumi.production.yaml",
    from: "2.4.1",
    version: "2.5.0",
    upArgs: ["up", "--stack", "production", "--policy-pack", "policies", "--yes"],
    releases: [release("2.4.0", 1, EXPAND), release("2.4.1", 2, earlier)],
    migration,
});

describe("ship's rollback decision", () => {
    it("restores the version that served before the release, with nothing to undo when the migration block is carried over", () => {
        const d = decideRollback(input(EXPAND));
        expect(d).to.deep.include({ to: "2.4.1", migration: { phase: "expand", own: false }, downgrades: [] });
        expect(d.refused).to.equal(undefined);
        expect(d.recovery.downgrade).to.deep.equal(["pulumi up --stack production --policy-pack policies --yes", "releasectl status checkout --stack production --watch"]);
    });

    it("stops before pulumi up for the release's own contract migration, its downgrade first in the commands", () => {
        const d = decideRollback(input(CONTRACT));
        expect(d.migration).to.deep.equal({ phase: "contract", own: true });
        expect(d.downgrades).to.deep.equal([{ version: "2.5.0", command: ["/app/migrate", "down", "--to", "2.4.1"] }]);
        expect(d.recovery.downgrade).to.deep.equal([
            "/app/migrate down --to 2.4.1   # undo the contract migration of 2.5.0 (in the migration image), BEFORE pulumi up",
            "pulumi up --stack production --policy-pack policies --yes",
            "releasectl status checkout --stack production --watch",
        ]);
    });

    it("takes a contract block carried over from the release before as no schema change of its own", () => {
        const d = decideRollback(input(CONTRACT, CONTRACT));
        expect(d.migration).to.deep.equal({ phase: "contract", own: false });
        expect(d.downgrades).to.deep.equal([]);
    });

    it("keeps an expand migration of the release's own: its schema stays", () => {
        const own: MigrationSummary = { ...EXPAND, command: ["/app/migrate", "up", "--to", "2.5.0"] };
        const d = decideRollback(input(own));
        expect(d.migration).to.deep.equal({ phase: "expand", own: true });
        expect(d.downgrades).to.deep.equal([]);
    });

    it("records a refusal of the rollback planner instead of throwing, with the commands to go back by hand", () => {
        const d = decideRollback(input({ phase: "contract", command: ["/app/migrate", "up"] }));
        expect(d.refused).to.match(/^refusing to roll checkout back from 2\.5\.0 to 2\.4\.1: release 2\.5\.0 \(pending\) ran a contract migration without a downgradeCommand/);
        expect(d.recovery.rollback[2]).to.equal(
            'releasectl rollback checkout --to <version> --stack production && git commit -m "rollback checkout" Pulumi.production.yaml && pulumi up --stack production --policy-pack policies --yes',
        );
    });

    it("names the changelog in the commit command only when ship took the entry back out", () => {
        const d = decideRollback(input(undefined));
        expect(d.migration).to.equal(undefined);
        expect(d.recovery.commit(undefined)[0]).to.equal('git commit -m "rollback checkout to 2.4.1" -- Pulumi.production.yaml');
        expect(d.recovery.commit("CHANGELOG.md")[0]).to.equal('git commit -m "rollback checkout to 2.4.1" -- Pulumi.production.yaml CHANGELOG.md');
    });
});
