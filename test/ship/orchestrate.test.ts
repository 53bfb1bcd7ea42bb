import { expect } from "chai";
import * as path from "path";
import { Writable } from "stream";
import { ClusterState } from "../../cli/cluster/canary-status";
import { ChecklistReport } from "../../cli/checklist/run";
import { RollbackOutcome } from "../../cli/operations/rollback";
import { CommandContext } from "../../cli/context";
import { ShipGit } from "../../cli/ship/git-steps";
import { ship, ShipDeps } from "../../cli/ship/orchestrate";
import { plainProgress } from "../../cli/ship/progress";
import { decideRelease, ShipRelease } from "../../cli/ship/decide";
import { planText, shipPlan } from "../../cli/ship/plan";
import { RELEASE_STEPS, ROLLBACK_STEPS } from "../../cli/ship/steps";
import { summaryText } from "../../cli/ship/summary";
import { canaryObject, deploymentObject } from "../helpers/fake-kube-api";
import { GitRepo } from "../cli/git-fixture";
import { PRODUCTION, shipRepo, STACK_FILE, withContract } from "./fixture";

/**
 * The step machine alone, with every edge replaced by a recording stand-in: what cannot be
 * driven through the command line (a person's answer at the prompt, an edge that throws).
 */

const PASSED = { passed: true, counts: { passed: 30, failed: 0, advisory: 1, "not applicable": 2 }, items: [] } as unknown as ChecklistReport;

function cluster(primary: string): ClusterState {
    return {
        canary: canaryObject({ name: "checkout", namespace: "shop", phase: "Succeeded" }),
        primary: deploymentObject({ name: "checkout-primary", namespace: "shop", version: primary }),
        target: deploymentObject({ name: "checkout", namespace: "shop", version: primary }),
    } as ClusterState;
}

function recordingDeps(overrides: Partial<ShipDeps> = {}): ShipDeps & { log: string[] } {
    const log: string[] = [];
    const git: ShipGit = {
        writeStackFile: async (_expected, text) => void log.push(`write ${/version: (\S+)/.exec(text)?.[1]}`),
        commitStackFile: (subject) => {
            log.push(`commit ${subject}`);
            return "0123456789abcdef0123456789abcdef01234567";
        },
        writeChangelog: async (entry) => (log.push(`changelog ${entry.notes.service} ${entry.notes.version}`), { line: "changelog written" }),
        restoreChangelog: () => void log.push("restore changelog"),
        committedStackFile: () => undefined,
        tagExists: () => false,
        tag: (name) => void log.push(`tag ${name}`),
        branch: () => "main",
    };
    let t = 0;
    return {
        log,
        progress: plainProgress(new Writable({ write: (_c, _e, done) => done() })),
        git,
        pulumi: async (args) => {
            log.push(`pulumi ${args[0]}`);
            return { code: 0, stdout: "https://hooks.example.com/secret", stderr: "" };
        },
        readCluster: async () => cluster("2.4.1"),
        precheck: () => PASSED,
        rollback: async (to) => {
            log.push(`rollback to ${to}`);
            return { plan: { target: { version: to }, downgrades: [] } } as unknown as RollbackOutcome;
        },
        announce: async (_target, _address, text) => void log.push(`announce ${text.split(":")[0]}`),
        sleep: async (ms) => void (t += ms),
        now: () => t,
        ...overrides,
    };
}

describe("ship's step machine", () => {
    let repo: GitRepo;
    let release: ShipRelease;

    const decide = (at: GitRepo) => {
        const ctx: CommandContext = { argv: [], cwd: at.dir, stdout: process.stdout, stderr: process.stderr, env: at.env, debug: false };
        return decideRelease(ctx, { service: "checkout", version: "2.5.0", timing: { monitor: "0", interval: "1s", watchTimeout: "10s" }, auto: {}, planFile: path.join(at.dir, ".plan", "plan.json") });
    };

    before(() => {
        repo = shipRepo();
        release = decide(repo);
    });
    after(() => repo.remove());

    /** pulumi whose first `up` fails (the release's), every other call answered. */
    const firstUpFails = (deps: { log: string[] }) => {
        let ups = 0;
        return async (args: readonly string[]) => {
            deps.log.push(`pulumi ${args[0]}`);
            if (args[0] === "up" && ups++ === 0) return { code: 1, stdout: "", stderr: "error: update failed" };
            return { code: 0, stdout: "https://hooks.example.com/secret", stderr: "" };
        };
    };

    const facts = { baseline: cluster("2.4.1"), author: "Ada Release" };

    it("asks before the first change and changes nothing when the answer is no", async () => {
        const questions: string[] = [];
        const deps = recordingDeps({ confirm: async (q) => (questions.push(q), false) });
        const outcome = await ship(release, facts, deps);
        expect(outcome).to.deep.include({ result: "not released", exitCode: 1, failedStep: "confirm" });
        expect(questions).to.deep.equal(["release checkout 2.4.1 → 2.5.0 to stack production: commit Pulumi.production.yaml and CHANGELOG.md, pulumi up, follow the canary. Go on?"]);
        expect(deps.log).to.deep.equal([]);
    });

    it("goes on when the answer is yes", async () => {
        let served = "2.4.1";
        const deps = recordingDeps({
            confirm: async () => true,
            pulumi: async (args) => {
                if (args[0] === "up") served = "2.5.0";
                return { code: 0, stdout: "https://hooks.example.com/secret", stderr: "" };
            },
            readCluster: async () => cluster(served),
        });
        const outcome = await ship(release, facts, deps);
        expect(outcome.result).to.equal("released");
    });

    it("rolls back when applying throws instead of failing (pulumi cannot be started)", async () => {
        let ups = 0;
        const deps = recordingDeps({
            pulumi: async (args) => {
                if (args[0] === "up" && ups++ === 0) throw new Error("spawn /usr/local/bin/pulumi EACCES");
                deps.log.push(`pulumi ${args[0]}`);
                return { code: 0, stdout: "https://hooks.example.com/secret", stderr: "" };
            },
        });
        const outcome = await ship(release, facts, deps);
        expect(outcome).to.deep.include({ result: "rolled back", exitCode: 1, failedStep: "apply", reason: "internal error: spawn /usr/local/bin/pulumi EACCES" });
        expect(deps.log).to.deep.equal([
            "write 2.5.0",
            "changelog checkout 2.5.0",
            "commit release checkout 2.5.0",
            "pulumi preview",
            "rollback to 2.4.1",
            "commit rollback checkout to 2.4.1: internal error",
            "pulumi up",
            "pulumi config",
            "announce ROLLED BACK",
        ]);
    });

    it("rolls back when the person interrupts the canary watch (Ctrl-C)", async () => {
        let applied = false;
        const progressing = { ...cluster("2.4.1"), canary: canaryObject({ name: "checkout", namespace: "shop", phase: "Progressing", weight: 20 }) } as ClusterState;
        const deps = recordingDeps({
            pulumi: async (args) => {
                if (args[0] === "up") applied = true;
                deps.log.push(`pulumi ${args[0]}`);
                return { code: 0, stdout: "https://hooks.example.com/secret", stderr: "" };
            },
            readCluster: async () => (deps.log.includes("rollback to 2.4.1") ? cluster("2.4.1") : progressing),
            interrupted: () => applied,
        });
        const outcome = await ship(release, facts, deps);
        expect(outcome).to.deep.include({ result: "rolled back", failedStep: "canary", reason: "interrupted (Ctrl-C)" });
        expect(deps.log).to.include.members(["rollback to 2.4.1", "commit rollback checkout to 2.4.1: interrupted"]);
    });

    it("takes the changelog entry back out with the rollback, and names it in the commands when that commit fails", async () => {
        const change = { path: "CHANGELOG.md", file: "/repo/CHANGELOG.md", before: Buffer.from("# Changelog\n"), after: Buffer.from("# Changelog\n\n## checkout 2.5.0\n") };
        let ups = 0;
        const deps = recordingDeps();
        const outcome = await ship(release, facts, {
            ...deps,
            git: {
                ...deps.git,
                writeChangelog: async () => (deps.log.push("changelog"), { line: "CHANGELOG.md: entry written", change }),
                restoreChangelog: (c) => void deps.log.push(`restore ${c.path}`),
                commitStackFile: (subject, _body, also = []) => {
                    deps.log.push(`commit ${subject} -- ${["Pulumi.production.yaml", ...also].join(" ")}`);
                    if (subject.startsWith("rollback")) throw new Error("git commit failed in /repo (exit 1): pre-commit hook refused");
                    return "0123456789abcdef0123456789abcdef01234567";
                },
            },
            pulumi: async (args) => {
                if (args[0] === "up" && ups++ === 0) return { code: 1, stdout: "", stderr: "error: update failed" };
                return { code: 0, stdout: "https://hooks.example.com/secret", stderr: "" };
            },
        });
        expect(outcome.result).to.equal("rollback failed");
        expect(deps.log.slice(0, 5)).to.deep.equal([
            "write 2.5.0",
            "changelog",
            "commit release checkout 2.5.0 -- Pulumi.production.yaml CHANGELOG.md",
            "rollback to 2.4.1",
            "restore CHANGELOG.md",
        ]);
        expect(deps.log[5]).to.equal("commit rollback checkout to 2.4.1: pulumi up failed -- Pulumi.production.yaml CHANGELOG.md");
        expect(outcome.manual[0]).to.equal('git commit -m "rollback checkout to 2.4.1" -- Pulumi.production.yaml CHANGELOG.md');
        expect(outcome.stackFile).to.equal("Pulumi.production.yaml names 2.4.1 in the working tree, not committed (CHANGELOG.md without the entry of 2.5.0, not committed either)");
    });

    it("restores the stack file when the prepare commit fails (a hook refused it)", async () => {
        const deps = recordingDeps();
        const git = deps.git;
        const outcome = await ship(release, facts, {
            ...deps,
            git: {
                ...git,
                commitStackFile: () => {
                    throw new Error("git commit failed in /repo (exit 1): pre-commit hook refused");
                },
            },
        });
        expect(outcome).to.deep.include({ result: "not released", exitCode: 1, failedStep: "prepare" });
        expect(outcome.reason).to.equal("git commit failed: git commit failed in /repo (exit 1): pre-commit hook refused; Pulumi.production.yaml is restored; nothing was applied");
        expect(deps.log).to.deep.equal(["write 2.5.0", "changelog checkout 2.5.0", "write 2.4.1"]);
    });

    it("runs exactly the steps the dry-run plan lists: both come from one table", async () => {
        const plan = shipPlan(release, PASSED, []);
        const ids = (steps: readonly { id: string }[]) => steps.map((s) => s.id);
        expect(ids(plan.steps)).to.deep.equal(ids(RELEASE_STEPS));
        expect(ids(plan.rollback)).to.deep.equal(ids(ROLLBACK_STEPS));

        let served = "2.4.1";
        const released = await ship(
            release,
            facts,
            recordingDeps({
                pulumi: async (args) => {
                    if (args[0] === "up") served = "2.5.0";
                    return { code: 0, stdout: "https://hooks.example.com/secret", stderr: "" };
                },
                readCluster: async () => cluster(served),
            }),
        );
        expect(released.result).to.equal("released");
        expect(ids(released.steps)).to.deep.equal(ids(plan.steps));
        expect(released.steps.map((s) => s.title)).to.deep.equal(RELEASE_STEPS.map((s) => s.title));
        // a step the release skips is skipped in the run and says so in the plan
        expect(released.steps.find((s) => s.id === "monitor")).to.deep.include({ state: "skipped", detail: "--monitor 0" });
        expect(plan.steps.find((s) => s.id === "monitor")!.what).to.deep.equal(["skipped (--monitor 0)"]);

        const deps = recordingDeps();
        const rolledBack = await ship(release, facts, { ...deps, pulumi: firstUpFails(deps) });
        expect(rolledBack.result).to.equal("rolled back");
        expect(ids(rolledBack.steps)).to.deep.equal([...ids(plan.steps), ...ids(plan.rollback)]);
        expect(rolledBack.steps.slice(RELEASE_STEPS.length).map((s) => s.title)).to.deep.equal(ROLLBACK_STEPS.map((s) => s.title));
        // the dry-run says from which step on a failure rolls back, as the run does
        expect(planText(plan, "here")).to.include("rollback path, on a failure from step 4 (apply) on:\n");
        expect(RELEASE_STEPS.findIndex((s) => s.onFailure === "roll back")).to.equal(ids(plan.steps).indexOf("apply"));
    });

    it("stops the rollback where its decision says, with the commands the dry-run and the summary show", async () => {
        const contractRepo = shipRepo();
        try {
            contractRepo.commit("checkout: contract migration for 2.5.0", { [STACK_FILE]: withContract(PRODUCTION) });
            const contract = decide(contractRepo);
            expect(contract.rollback.downgrades).to.deep.equal([{ version: "2.5.0", command: ["/app/migrate", "down", "--to", "2.4.1"] }]);
            const deps = recordingDeps();
            const outcome = await ship(contract, facts, { ...deps, pulumi: firstUpFails(deps) });
            expect(outcome).to.deep.include({ result: "rollback failed", failedStep: "apply" });
            // one pulumi up: the release's; the rollback is committed, not applied
            expect(deps.log.filter((l) => l === "pulumi up")).to.have.length(1);
            expect(deps.log).to.include("commit rollback checkout to 2.4.1: pulumi up failed");
            expect(outcome.steps.find((s) => s.id === "reapply")).to.deep.include({ state: "failed" });
            expect(outcome.manual).to.deep.equal(contract.rollback.recovery.downgrade);
            expect(outcome.manual[0]).to.equal("/app/migrate down --to 2.4.1   # undo the contract migration of 2.5.0 (in the migration image), BEFORE pulumi up");
            const dryRun = planText(shipPlan(contract, PASSED, []), "here");
            expect(dryRun).to.include("2.5.0 runs a contract migration of its own: the rollback commits the configuration of 2.4.1 and STOPS before pulumi up, for you to run its downgrade first: /app/migrate down --to 2.4.1\n");
            const summary = summaryText(outcome);
            for (const command of outcome.manual) {
                expect(dryRun).to.include(`  $ ${command}\n`);
                expect(summary).to.include(`    $ ${command}\n`);
            }
        } finally {
            contractRepo.remove();
        }
    });

    it("does not try a rollback its decision refuses: the reason, and the commands to go back by hand", async () => {
        const refused = "refusing to roll checkout back from 2.5.0 to 2.4.1: release 2.5.0 (pending) ran a contract migration without a downgradeCommand";
        const irreversible: ShipRelease = { ...release, rollback: { ...release.rollback, refused } };
        const deps = recordingDeps();
        const outcome = await ship(irreversible, facts, { ...deps, pulumi: firstUpFails(deps) });
        expect(outcome).to.deep.include({ result: "rollback failed", failedStep: "apply", reason: `pulumi up failed: error: update failed; rollback failed: the stack file could not be rolled back: ${refused}` });
        expect(deps.log.some((l) => l.startsWith("rollback to"))).to.equal(false);
        expect(outcome.manual).to.deep.equal(irreversible.rollback.recovery.rollback);
        expect(outcome.stackFile).to.equal("Pulumi.production.yaml names 2.5.0 (release commit 0123456)");
        expect(planText(shipPlan(irreversible, PASSED, []), "here")).to.include(`the rollback would be refused: ${refused}\n`);
    });
});
