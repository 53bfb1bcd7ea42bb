import { expect } from "chai";
import { Writable } from "stream";
import { ClusterState } from "../../cli/cluster/canary-status";
import { ChecklistReport } from "../../cli/checklist/run";
import { RollbackOutcome } from "../../cli/operations/rollback";
import { CommandContext } from "../../cli/context";
import { ShipGit } from "../../cli/ship/git-steps";
import { ship, ShipDeps } from "../../cli/ship/orchestrate";
import { plainProgress } from "../../cli/ship/progress";
import { decideRelease, ShipRelease } from "../../cli/ship/decide";
import { canaryObject, deploymentObject } from "../helpers/fake-kube-api";
import { GitRepo } from "../cli/git-fixture";
import { shipRepo } from "./fixture";

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

    before(() => {
        repo = shipRepo();
        const ctx: CommandContext = { argv: [], cwd: repo.dir, stdout: process.stdout, stderr: process.stderr, env: repo.env, debug: false };
        release = decideRelease(ctx, { service: "checkout", version: "2.5.0", timing: { monitor: "0", interval: "1s", watchTimeout: "10s" }, auto: {} });
    });
    after(() => repo.remove());

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
});
