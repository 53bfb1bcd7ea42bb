import { evidenceRule } from "../lib/evidence";

export const deploymentReviewRecorded = evidenceRule({
    name: "deployment-review-recorded",
    annotationKey: "review",
    configKey: "review",
    proves: "the code review is done",
    example: "https://git.example.com/shop/checkout/pull/412",
    severity: "high",
});
