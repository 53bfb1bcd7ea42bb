import { evidenceRule } from "../lib/evidence";

export const deploymentCiRunRecorded = evidenceRule({
    name: "deployment-ci-run-recorded",
    annotationKey: "ci-run",
    configKey: "ciRun",
    proves: "all CI checks passed",
    example: "https://ci.example.com/shop/checkout/runs/8812",
    severity: "high",
});
