import { evidenceRule } from "../lib/evidence";

export const deploymentPerformanceReportRecorded = evidenceRule({
    name: "deployment-performance-report-recorded",
    annotationKey: "performance-report",
    configKey: "performanceReport",
    proves: "the performance tests passed",
    example: "https://perf.example.com/reports/checkout-2.4.1",
    severity: "medium",
});
