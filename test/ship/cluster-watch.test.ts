import { expect } from "chai";
import { CanaryObject, ClusterState, DeploymentObject, interpret } from "../../cli/cluster/canary-status";
import { previousServes, waitForPrevious, watchCanary, WatchDeps } from "../../cli/ship/cluster-watch";
import { canaryObject, deploymentObject } from "../helpers/fake-kube-api";

const STATUS = { service: "checkout", stack: "production", stackVersion: "2.5.0", threshold: 5 };

function state(opts: { phase: string; primary: string; target: string; transition?: string; applied?: string; failedChecks?: number; primaryAvailable?: number }): ClusterState {
    const canary = canaryObject({ name: "checkout", namespace: "shop", phase: opts.phase, failedChecks: opts.failedChecks }) as { status: Record<string, unknown> };
    if (opts.transition) canary.status.lastTransitionTime = opts.transition;
    if (opts.applied) canary.status.lastAppliedSpec = opts.applied;
    return {
        canary: canary as CanaryObject,
        primary: deploymentObject({ name: "checkout-primary", namespace: "shop", version: opts.primary, available: opts.primaryAvailable }) as DeploymentObject,
        target: deploymentObject({ name: "checkout", namespace: "shop", version: opts.target }) as DeploymentObject,
    };
}

/** Answers the looks in turn (the last repeats; an Error is thrown), on a clock that sleeps instantly. */
function looks(...answers: (ClusterState | Error)[]): WatchDeps & { lines: string[] } {
    let t = 0;
    let i = 0;
    const lines: string[] = [];
    return {
        lines,
        read: async () => {
            const answer = answers[Math.min(i++, answers.length - 1)];
            if (answer instanceof Error) throw answer;
            return answer;
        },
        sleep: async (ms) => void (t += ms),
        now: () => t,
        onChange: (line) => lines.push(line),
    };
}

const watch = (deps: WatchDeps, baseline: ClusterState, timeoutMs = 60_000) => watchCanary(deps, { status: STATUS, baseline, intervalMs: 1000, timeoutMs });
const BEFORE = state({ phase: "Succeeded", primary: "2.4.1", target: "2.4.1" });

describe("ship's canary watch", () => {
    it("succeeds once the primary runs the new version and the Canary Succeeded", async () => {
        const deps = looks(state({ phase: "Progressing", primary: "2.4.1", target: "2.5.0" }), state({ phase: "Succeeded", primary: "2.5.0", target: "2.5.0" }));
        const outcome = await watch(deps, BEFORE);
        expect(outcome.ok).to.equal(true);
        expect(deps.lines).to.have.length(2);
    });

    it("waits while the Canary still says Succeeded for the previous version", async () => {
        const deps = looks(state({ phase: "Succeeded", primary: "2.4.1", target: "2.5.0" }), state({ phase: "Succeeded", primary: "2.5.0", target: "2.5.0" }));
        expect((await watch(deps, BEFORE)).ok).to.equal(true);
        expect(deps.lines[0]).to.match(/^Succeeded .* primary 2\.4\.1/);
    });

    it("fails with Flagger's count of failed checks", async () => {
        const outcome = await watch(looks(state({ phase: "Failed", primary: "2.4.1", target: "2.5.0", failedChecks: 5 })), BEFORE);
        expect(outcome).to.deep.include({ ok: false, timedOut: false, reason: 'Flagger failed the canary of 2.5.0 (5 of 5 checks failed): "Canary phase Failed"' });
    });

    it("takes a Failed phase left over from an earlier release for Flagger not having started yet", async () => {
        const old = state({ phase: "Failed", primary: "2.4.1", target: "2.4.2", transition: "2026-01-01T10:00:00Z" });
        const deps = looks(
            state({ phase: "Failed", primary: "2.4.1", target: "2.5.0", transition: "2026-01-01T10:00:00Z" }),
            state({ phase: "Progressing", primary: "2.4.1", target: "2.5.0", transition: "2026-01-01T11:00:00Z" }),
            state({ phase: "Succeeded", primary: "2.5.0", target: "2.5.0", transition: "2026-01-01T11:05:00Z" }),
        );
        expect((await watch(deps, old)).ok).to.equal(true);
    });

    it("takes a Failed phase that Flagger re-stamped, but for the old pod template, for Flagger not having started yet", async () => {
        // Seen on the real cluster: the Canary object changes with the release, Flagger rewrites the
        // Failed status (new transition time) before it picks up the new template (lastAppliedSpec).
        const old = state({ phase: "Failed", primary: "2.4.1", target: "2.4.2", transition: "2026-01-01T10:00:00Z", applied: "6d9c7b" });
        const deps = looks(
            state({ phase: "Failed", primary: "2.4.1", target: "2.5.0", transition: "2026-01-01T10:20:00Z", applied: "6d9c7b" }),
            state({ phase: "Progressing", primary: "2.4.1", target: "2.5.0", transition: "2026-01-01T10:21:00Z", applied: "84fa01" }),
            state({ phase: "Succeeded", primary: "2.5.0", target: "2.5.0", transition: "2026-01-01T10:25:00Z", applied: "84fa01" }),
        );
        expect((await watch(deps, old)).ok).to.equal(true);
        // The new template failing is the verdict.
        const failing = looks(
            state({ phase: "Failed", primary: "2.4.1", target: "2.5.0", transition: "2026-01-01T10:20:00Z", applied: "6d9c7b" }),
            state({ phase: "Failed", primary: "2.4.1", target: "2.5.0", transition: "2026-01-01T10:23:00Z", applied: "84fa01", failedChecks: 5 }),
        );
        const outcome = await watch(failing, old);
        expect(outcome.ok).to.equal(false);
        expect(failing.lines.length).to.equal(2);
    });

    it("retries a look that cannot reach the cluster", async () => {
        const deps = looks(new Error("connect ECONNREFUSED 10.0.0.1:443"), state({ phase: "Succeeded", primary: "2.5.0", target: "2.5.0" }));
        expect((await watch(deps, BEFORE)).ok).to.equal(true);
        expect(deps.lines[0]).to.equal("cannot read the cluster: connect ECONNREFUSED 10.0.0.1:443; retrying");
    });

    it("times out with what it saw last", async () => {
        const outcome = await watch(looks(state({ phase: "Progressing", primary: "2.4.1", target: "2.5.0" })), BEFORE, 5000);
        expect(outcome).to.deep.include({ ok: false, timedOut: true });
        expect(!outcome.ok && outcome.reason).to.equal("canary timed out after 5s: Flagger is analysing 2.5.0: 0% of traffic, 0 of 5 failed checks");
    });
});

describe("ship's wait for the previous version", () => {
    const view = (s: ClusterState) => interpret(s, { ...STATUS, stackVersion: "2.4.1" });

    it("counts the previous version as serving when the primary runs it, rolled out", () => {
        expect(previousServes(view(state({ phase: "Succeeded", primary: "2.4.1", target: "2.4.1" })), "2.4.1", "2.5.0")).to.equal(true);
    });

    it("counts it as serving after Flagger failed the bad canary (traffic back on the primary)", () => {
        expect(previousServes(view(state({ phase: "Failed", primary: "2.4.1", target: "2.5.0" })), "2.4.1", "2.5.0")).to.equal(true);
    });

    it("does not while the primary runs the bad version", () => {
        expect(previousServes(view(state({ phase: "Progressing", primary: "2.5.0", target: "2.4.1" })), "2.4.1", "2.5.0")).to.equal(false);
    });

    it("does not while a canary still moves traffic to the bad version", () => {
        expect(previousServes(view(state({ phase: "Progressing", primary: "2.4.1", target: "2.5.0" })), "2.4.1", "2.5.0")).to.equal(false);
    });

    it("does not while the primary is still rolling out", () => {
        expect(previousServes(view(state({ phase: "Succeeded", primary: "2.4.1", target: "2.4.1", primaryAvailable: 1 })), "2.4.1", "2.5.0")).to.equal(false);
    });

    it("times out naming what the cluster shows", async () => {
        const outcome = await waitForPrevious(looks(state({ phase: "Progressing", primary: "2.5.0", target: "2.4.1" })), {
            status: { ...STATUS, stackVersion: "2.4.1" },
            bad: "2.5.0",
            intervalMs: 1000,
            timeoutMs: 3000,
        });
        expect(!outcome.ok && outcome.reason).to.match(/^2\.4\.1 does not serve yet after 3s: Progressing weight 0% failed 0\/5 · primary 2\.5\.0 rolled out/);
    });
});
