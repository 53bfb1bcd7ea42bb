/**
 * The release checklist: every item, the phase it belongs to, and what covers it. An item is
 * covered before the release by rules (pack rules run by `pulumi preview` and `releasectl check`;
 * repository checks run by `releasectl check` only), and/or while it happens by a runtime
 * mechanism, with the reason it cannot be checked beforehand. README's checklist table and the
 * output of `releasectl check` are generated from this list.
 */

export type Phase = "pre-release" | "during" | "post-release";

export const PHASES: readonly { readonly phase: Phase; readonly title: string }[] = [
    { phase: "pre-release", title: "Pre-release" },
    { phase: "during", title: "During the release" },
    { phase: "post-release", title: "After the release" },
];

export interface ChecklistItem {
    readonly phase: Phase;
    readonly item: string;
    /** Names of pack rules and repository checks, in output order. */
    readonly rules: readonly string[];
    /** What covers the item while the release runs, and why no rule can check it beforehand. */
    readonly runtime?: string;
}

export const CHECKLIST: readonly ChecklistItem[] = [
    {
        phase: "pre-release",
        item: "code merged to the release branch",
        rules: ["repository-branch-allowed", "repository-working-tree-clean", "repository-version-tag-unused"],
    },
    { phase: "pre-release", item: "all CI checks passed", rules: ["deployment-ci-run-recorded", "repository-evidence-renewed", "deployment-promoted-from-earlier-stack"] },
    { phase: "pre-release", item: "code review done", rules: ["deployment-review-recorded"] },
    { phase: "pre-release", item: "security scan passed", rules: ["deployment-security-scan-recorded", "workload-image-registry-allowed"] },
    { phase: "pre-release", item: "performance tests passed", rules: ["deployment-performance-report-recorded"] },
    { phase: "pre-release", item: "database migration scripts prepared", rules: ["migration-reversible", "job-retries-and-deadline-bounded"] },
    { phase: "pre-release", item: "rollback plan prepared", rules: ["deployment-rollback-plan-recorded", "deployment-version-moves-forward", "repository-version-not-rolled-back"] },
    { phase: "pre-release", item: "monitoring and alerts updated", rules: ["release-alerts-cover-version"] },
    {
        phase: "pre-release",
        item: "release hygiene",
        rules: [
            "deployment-version-semver",
            "repository-stack-config-size",
            "repository-stack-config-headroom",
            "deployment-no-prerelease-in-production",
            "deployment-image-tag-matches-version",
            "workload-image-tagged",
            "workload-image-not-latest",
            "workload-resources-bounded",
            "workload-pod-security-restricted",
            "canary-max-weight-multiple-of-step",
            "workload-outside-freeze-window",
        ],
    },
    {
        phase: "during",
        item: "notify the teams",
        rules: ["canary-alerts-configured"],
        runtime: "Flagger sends each canary event (started, each step, promoted, rolled back) to the AlertProvider as it happens; delivery can only be seen then.",
    },
    {
        phase: "during",
        item: "read-only mode where needed",
        rules: ["migration-contract-read-only"],
        runtime:
            "Read-only mode is a switch inside the application, which no manifest shows; expand migrations keep the previous version working and need none, contract migrations are flagged so the operator switches it on.",
    },
    {
        phase: "during",
        item: "run the database migrations",
        rules: ["migration-job-precedes-deployment"],
        runtime: "Pulumi waits for the migration Job to complete before it touches the Deployment; a failed Job stops `pulumi up`, and the MigrationFailed alert fires.",
    },
    {
        phase: "during",
        item: "deploy",
        rules: ["deployment-targeted-by-canary", "canary-skip-analysis-only-for-rollback"],
        runtime: "Flagger shifts traffic to the new version step by step and rolls back by itself when the analysis fails threshold times.",
    },
    {
        phase: "during",
        item: "smoke test",
        rules: ["canary-smoke-test-before-traffic"],
        runtime: "The pre-rollout webhook runs the smoke test against the new pods before any traffic moves; its result exists only once the pods run.",
    },
    {
        phase: "during",
        item: "health checks",
        rules: ["workload-probes-defined"],
        runtime: "Readiness and liveness probes are evaluated by the kubelet on the running pods; the rollout waits for readiness.",
    },
    {
        phase: "post-release",
        item: "monitor key metrics",
        rules: ["canary-thresholds-strict"],
        runtime:
            "Flagger's request-success-rate and request-duration analysis during the rollout, then the HighErrorRate and HighLatency alerts of the release's PrometheusRule: metrics exist only once the version serves traffic.",
    },
    {
        phase: "post-release",
        item: "check error logs",
        rules: [],
        runtime:
            "Logs exist only after the release runs; the PodsRestarting, PodsCrashLooping and HighErrorRate alerts point the on-call person at them (their descriptions name the command to run).",
    },
    {
        phase: "post-release",
        item: "collect user feedback",
        rules: [],
        runtime: "Feedback comes from people after the release; the release announcement in the team's channel (Flagger's info alerts) is where it is collected. No tool can check it beforehand.",
    },
    {
        phase: "post-release",
        item: "performance normal",
        rules: [],
        runtime: "The request-duration analysis gates promotion and the HighLatency alert watches p99 latency afterwards; both need live traffic (limits are checked by canary-thresholds-strict).",
    },
    {
        phase: "post-release",
        item: "release announcement",
        rules: ["canary-announces-outcome"],
        runtime: "Flagger posts the promotion (info-severity alert or event/post-rollout webhook) when it happens.",
    },
    { phase: "post-release", item: "documentation updated", rules: ["repository-changelog-entry"] },
    {
        phase: "post-release",
        item: "old resources cleaned up",
        rules: ["job-cleaned-up-after-finish"],
        runtime: "Kubernetes deletes finished migration Jobs after ttlSecondsAfterFinished; Flagger scales the canary to zero after promotion; revisionHistoryLimit bounds old ReplicaSets.",
    },
];
