import { Rule } from "../lib/rule";
import { canaryAlertsConfigured } from "./canary-alerts-configured";
import { canaryAnnouncesOutcome } from "./canary-announces-outcome";
import { canaryMaxWeightMultipleOfStep } from "./canary-max-weight-multiple-of-step";
import { canarySkipAnalysisOnlyForRollback } from "./canary-skip-analysis-only-for-rollback";
import { canarySmokeTestBeforeTraffic } from "./canary-smoke-test-before-traffic";
import { canaryThresholdsStrict } from "./canary-thresholds-strict";
import { deploymentCiRunRecorded } from "./deployment-ci-run-recorded";
import { deploymentImageTagMatchesVersion } from "./deployment-image-tag-matches-version";
import { deploymentNoPrereleaseInProduction } from "./deployment-no-prerelease-in-production";
import { deploymentPromotedFromEarlierStack } from "./deployment-promoted-from-earlier-stack";
import { deploymentPerformanceReportRecorded } from "./deployment-performance-report-recorded";
import { deploymentReviewRecorded } from "./deployment-review-recorded";
import { deploymentRollbackPlanRecorded } from "./deployment-rollback-plan-recorded";
import { deploymentSecurityScanRecorded } from "./deployment-security-scan-recorded";
import { deploymentTargetedByCanary } from "./deployment-targeted-by-canary";
import { deploymentVersionMovesForward } from "./deployment-version-moves-forward";
import { deploymentVersionSemver } from "./deployment-version-semver";
import { jobCleanedUpAfterFinish } from "./job-cleaned-up-after-finish";
import { jobRetriesAndDeadlineBounded } from "./job-retries-and-deadline-bounded";
import { migrationContractReadOnly } from "./migration-contract-read-only";
import { migrationJobPrecedesDeployment } from "./migration-job-precedes-deployment";
import { migrationReversible } from "./migration-reversible";
import { releaseAlertsCoverVersion } from "./release-alerts-cover-version";
import { workloadImageNotLatest } from "./workload-image-not-latest";
import { workloadImageRegistryAllowed } from "./workload-image-registry-allowed";
import { workloadImageTagged } from "./workload-image-tagged";
import { workloadOutsideFreezeWindow } from "./workload-outside-freeze-window";
import { workloadPodSecurityRestricted } from "./workload-pod-security-restricted";
import { workloadProbesDefined } from "./workload-probes-defined";
import { workloadResourcesBounded } from "./workload-resources-bounded";

/** Every rule of the checklist, once. The pack and `releasectl check` both run exactly this list. */
export const RULES: readonly Rule[] = [
    deploymentCiRunRecorded,
    deploymentPromotedFromEarlierStack,
    deploymentReviewRecorded,
    deploymentSecurityScanRecorded,
    deploymentPerformanceReportRecorded,
    migrationReversible,
    deploymentRollbackPlanRecorded,
    releaseAlertsCoverVersion,
    deploymentVersionSemver,
    deploymentVersionMovesForward,
    deploymentNoPrereleaseInProduction,
    deploymentImageTagMatchesVersion,
    workloadImageTagged,
    workloadImageNotLatest,
    workloadImageRegistryAllowed,
    workloadResourcesBounded,
    workloadPodSecurityRestricted,
    jobRetriesAndDeadlineBounded,
    canaryMaxWeightMultipleOfStep,
    workloadOutsideFreezeWindow,
    canaryAlertsConfigured,
    migrationContractReadOnly,
    migrationJobPrecedesDeployment,
    deploymentTargetedByCanary,
    canaryThresholdsStrict,
    canarySkipAnalysisOnlyForRollback,
    canarySmokeTestBeforeTraffic,
    workloadProbesDefined,
    canaryAnnouncesOutcome,
    jobCleanedUpAfterFinish,
];
