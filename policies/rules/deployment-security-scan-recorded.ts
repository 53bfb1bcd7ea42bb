import { evidenceRule } from "../lib/evidence";

export const deploymentSecurityScanRecorded = evidenceRule({
    name: "deployment-security-scan-recorded",
    annotationKey: "security-scan",
    configKey: "securityScan",
    proves: "the security scan passed",
    example: "https://scan.example.com/reports/checkout-2.4.1",
    severity: "critical",
});
