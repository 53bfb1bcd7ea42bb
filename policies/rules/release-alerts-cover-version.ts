import { MIGRATION_ALERT, REQUIRED_ALERTS } from "../../builders/alerts";
import { labelValueForVersion } from "../../config/versions";
import { asArray, asString, get } from "../lib/manifest";
import { releaseRecord } from "../lib/release-record";
import { checked, notApplicable, StackRule, Violation } from "../lib/rule";
import { describeResource, key, namespaceOf, ofKind, serviceOf } from "../lib/stack";

export const releaseAlertsCoverVersion: StackRule = {
    scope: "stack",
    name: "release-alerts-cover-version",
    description:
        `Every release has a PrometheusRule in its namespace with the alerts labelled with its service and version: ${REQUIRED_ALERTS.join(", ")}, and ${MIGRATION_ALERT} when it migrates (a rollback does not).`,
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "releasectl declares the PrometheusRule with every release; outside releasectl, add alert rules labelled service=<service> and version=<version> for each alert " +
        "named in the violation, so an on-call person sees which release misbehaves.",
    settings: [],
    validate(resources) {
        const releases = ofKind(resources, "apps/Deployment").filter((d) => releaseRecord(d.props) !== undefined);
        if (releases.length === 0) return notApplicable("the stack declares no release (no Deployment with a releasectl.dev/version annotation)");
        // Alert names by namespace, service and version label, from one pass over every rule group.
        const alerts = new Map<string, Set<string>>();
        for (const set of ofKind(resources, "monitoring.coreos.com/PrometheusRule")) {
            for (const group of asArray(get(set.props, "spec", "groups"))) {
                for (const rule of asArray(get(group, "rules"))) {
                    const alert = asString(get(rule, "alert"));
                    if (!alert) continue;
                    const k = key(namespaceOf(set), asString(get(rule, "labels", "service")), asString(get(rule, "labels", "version")));
                    if (!alerts.has(k)) alerts.set(k, new Set());
                    alerts.get(k)!.add(alert);
                }
            }
        }
        const violations: Violation[] = [];
        for (const d of releases) {
            const release = releaseRecord(d.props)!;
            const service = serviceOf(d);
            const version = labelValueForVersion(release.version);
            const present = alerts.get(key(namespaceOf(d), service, version)) ?? new Set<string>();
            const migrates = release.migrationPhase !== undefined && !release.rollback;
            const required: string[] = [...REQUIRED_ALERTS, ...(migrates ? [MIGRATION_ALERT] : [])];
            const missing = required.filter((a) => !present.has(a));
            if (missing.length === 0) continue;
            violations.push({
                urn: d.urn,
                message:
                    `${describeResource(d)} releases ${release.version}, but no PrometheusRule in its namespace has ${missing.join(", ")} labelled service=${service} version=${version}: ` +
                    "a bad release would go unnoticed after promotion. Declare the alert rules for this version.",
            });
        }
        return checked(violations);
    },
};
