import { ANNOTATIONS } from "../../builders/names";

/**
 * What the cluster says about a release, in words: the Flagger Canary's phase, weight and
 * failed checks, and the rollout of the two Deployments (`<name>`, the canary Flagger analyses,
 * and `<name>-primary`, the one serving users). Pure: Kubernetes objects in, a view out; the
 * command fetches the objects.
 */

/** The parts of a Deployment status reads. */
export interface DeploymentObject {
    readonly metadata?: { readonly name?: string; readonly generation?: number; readonly annotations?: Record<string, string> };
    readonly spec?: {
        readonly replicas?: number;
        readonly template?: { readonly metadata?: { readonly annotations?: Record<string, string> }; readonly spec?: { readonly containers?: readonly { readonly image?: string }[] } };
    };
    readonly status?: {
        readonly observedGeneration?: number;
        readonly replicas?: number;
        readonly updatedReplicas?: number;
        readonly availableReplicas?: number;
        readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly reason?: string; readonly message?: string }[];
    };
}

/** The parts of a flagger.app/v1beta1 Canary status reads. */
export interface CanaryObject {
    readonly status?: {
        readonly phase?: string;
        readonly canaryWeight?: number;
        readonly failedChecks?: number;
        readonly iterations?: number;
        readonly lastTransitionTime?: string;
        /** Flagger's hash of the target's pod template it last picked up (a new revision changes it). */
        readonly lastAppliedSpec?: string;
        readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly reason?: string; readonly message?: string }[];
    };
}

export interface ClusterState {
    /** undefined: no such Canary (never applied, or Flagger not installed). */
    readonly canary?: CanaryObject;
    readonly primary?: DeploymentObject;
    readonly target?: DeploymentObject;
}

export type Verdict = "succeeded" | "failed" | "progressing" | "pending" | "missing";

export interface StatusView {
    readonly service: string;
    readonly phase: string;
    readonly weight: number;
    readonly failedChecks: number;
    readonly threshold: number;
    readonly message?: string;
    readonly stackVersion: string;
    /** Version the primary Deployment (serving users) runs. */
    readonly primaryVersion?: string;
    /** Version of the canary Deployment (what Flagger analyses, what pulumi up applied). */
    readonly targetVersion?: string;
    readonly primaryRollout: string;
    readonly targetRollout: string;
    readonly verdict: Verdict;
    /** Flagger failed the stack's version and the primary still serves another one. */
    readonly flaggerRolledBack: boolean;
    /** One sentence: what is going on and what to do. */
    readonly summary: string;
}

export interface StatusContext {
    readonly service: string;
    readonly stack: string;
    readonly stackVersion: string;
    /** The Canary's analysis threshold (failed checks before Flagger rolls back). */
    readonly threshold: number;
}

const PROGRESSING = new Set(["Initializing", "Progressing", "Promoting", "Finalising", "Waiting", "WaitingPromotion"]);

/** The release version a Deployment runs: its version annotation, else its image tag. */
export function deploymentVersion(d: DeploymentObject | undefined): string | undefined {
    if (d === undefined) return undefined;
    const annotated = d.spec?.template?.metadata?.annotations?.[ANNOTATIONS.version] ?? d.metadata?.annotations?.[ANNOTATIONS.version];
    if (annotated) return annotated;
    const image = d.spec?.template?.spec?.containers?.[0]?.image;
    const tag = image && !image.includes("@") ? /:([^/:]+)$/.exec(image)?.[1] : undefined;
    // Image tags carry build metadata as `_` (imageTagForVersion); turn it back.
    return tag?.replace(/_/g, "+");
}

/** Rollout state in the words of `kubectl rollout status`. */
export function rolloutState(d: DeploymentObject | undefined): string {
    if (d === undefined) return "not found";
    const st = d.status ?? {};
    if ((d.metadata?.generation ?? 0) > (st.observedGeneration ?? 0)) return "waiting for the new spec to be observed";
    const progressing = st.conditions?.find((c) => c.type === "Progressing");
    if (progressing?.reason === "ProgressDeadlineExceeded") return `stuck: ${progressing.message ?? "progress deadline exceeded"}`;
    const want = d.spec?.replicas ?? 1;
    if (want === 0) return "scaled to 0";
    const updated = st.updatedReplicas ?? 0;
    const total = st.replicas ?? 0;
    const available = st.availableReplicas ?? 0;
    if (updated < want) return `${updated} of ${want} new replicas updated`;
    if (total > updated) return `${total - updated} old replica${total - updated === 1 ? "" : "s"} terminating`;
    if (available < updated) return `${available} of ${updated} updated replicas available`;
    return `rolled out (${available}/${want} available)`;
}

export function interpret(state: ClusterState, ctx: StatusContext): StatusView {
    const { service, stack, stackVersion, threshold } = ctx;
    const primaryVersion = deploymentVersion(state.primary);
    const targetVersion = deploymentVersion(state.target);
    const base = {
        service,
        stackVersion,
        threshold,
        primaryVersion,
        targetVersion,
        primaryRollout: rolloutState(state.primary),
        targetRollout: rolloutState(state.target),
    };
    if (state.canary === undefined) {
        return {
            ...base,
            phase: "NotFound",
            weight: 0,
            failedChecks: 0,
            verdict: "missing",
            flaggerRolledBack: false,
            summary: `no Canary for ${service} in the cluster: the release is not applied (pulumi up --stack ${stack}), or Flagger is not installed`,
        };
    }
    const st = state.canary.status ?? {};
    const phase = st.phase ?? "Initializing";
    const weight = st.canaryWeight ?? 0;
    const failedChecks = st.failedChecks ?? 0;
    const message = st.conditions?.find((c) => c.type === "Promoted")?.message;
    const view = { ...base, phase, weight, failedChecks, message };
    const applied = targetVersion === undefined || targetVersion === stackVersion;

    if (phase === "Failed") {
        const rolledBack = applied && primaryVersion !== undefined && primaryVersion !== stackVersion;
        const summary = !applied
            ? `the last canary (of ${targetVersion}) failed; the stack's ${stackVersion} is not applied yet (pulumi up --stack ${stack})`
            : rolledBack
              ? `Flagger failed the canary of ${stackVersion} (${failedChecks} failed checks) and rolled the cluster back to ${primaryVersion}; the stack file still names ${stackVersion}: roll the configuration back with releasectl rollback ${service} --stack ${stack} (or status --revert-on-failure)`
              : `Flagger failed the canary of ${stackVersion} (${failedChecks} failed checks)${message ? `: ${message}` : ""}`;
        return { ...view, verdict: applied ? "failed" : "pending", flaggerRolledBack: rolledBack, summary };
    }
    if (phase === "Succeeded" || phase === "Initialized") {
        if (primaryVersion === stackVersion) {
            return { ...view, verdict: "succeeded", flaggerRolledBack: false, summary: `${stackVersion} serves all traffic (${phase === "Initialized" ? "first release: promoted without analysis" : "canary analysis passed"})` };
        }
        const summary = !applied
            ? `the cluster runs ${primaryVersion ?? "another version"}; ${stackVersion} is not applied yet (pulumi up --stack ${stack})`
            : `${stackVersion} is applied; Flagger has not started its analysis yet (it checks every canary interval)`;
        return { ...view, verdict: "pending", flaggerRolledBack: false, summary };
    }
    if (PROGRESSING.has(phase)) {
        const what = phase === "Promoting" || phase === "Finalising" ? `promoting ${targetVersion ?? stackVersion}` : `analysing ${targetVersion ?? stackVersion}`;
        return {
            ...view,
            verdict: applied ? "progressing" : "pending",
            flaggerRolledBack: false,
            summary: `Flagger is ${what}: ${weight}% of traffic, ${failedChecks} of ${threshold} failed checks`,
        };
    }
    return { ...view, verdict: "pending", flaggerRolledBack: false, summary: `the Canary is in phase ${phase}` };
}

/** The several-line report of one look at the cluster. */
export function statusReport(view: StatusView, where: string): string {
    const lines = [
        `${view.service} ${where}: ${view.phase}`,
        `  canary      ${view.phase === "NotFound" ? "not found" : `weight ${view.weight}%, failed checks ${view.failedChecks} of ${view.threshold}`}${view.message ? `; "${view.message}"` : ""}`,
        `  primary     ${view.service}-primary ${view.primaryVersion ?? "?"}: ${view.primaryRollout}`,
        `  canary pods ${view.service} ${view.targetVersion ?? "?"}: ${view.targetRollout}`,
        `  stack file  ${view.stackVersion}`,
        `${VERDICT_WORDS[view.verdict]}: ${view.summary}`,
    ];
    return `${lines.join("\n")}\n`;
}

const VERDICT_WORDS: Record<Verdict, string> = {
    succeeded: "healthy",
    failed: "FAILED",
    progressing: "in progress",
    pending: "waiting",
    missing: "not found",
};

/** One line for --watch, printed whenever it changes. */
export function progressLine(view: StatusView): string {
    const canary = view.phase === "NotFound" ? "no Canary yet" : `${view.phase} weight ${view.weight}% failed ${view.failedChecks}/${view.threshold}`;
    return `${canary} · primary ${view.primaryVersion ?? "?"} ${view.primaryRollout} · canary ${view.targetVersion ?? "?"} ${view.targetRollout}`;
}
