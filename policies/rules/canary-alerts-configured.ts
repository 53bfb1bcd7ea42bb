import { asArray, asString, get } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

export const canaryAlertsConfigured: ResourceRule = {
    scope: "resource",
    name: "canary-alerts-configured",
    description: "A Canary notifies the team: its analysis sends alerts to an AlertProvider.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Declare a notification target under releasectl:notifications and name it in the service's notification; outside releasectl, " +
        "add spec.analysis.alerts with a providerRef to a Flagger AlertProvider.",
    settings: [],
    kinds: ["flagger.app/Canary"],
    validate(resource) {
        const alerts = asArray(get(resource.props, "spec", "analysis", "alerts"));
        if (alerts.some((a) => asString(get(a, "providerRef", "name")) !== undefined)) return checked([]);
        return checked([
            "the Canary sends no alerts (spec.analysis.alerts with a providerRef), so nobody hears that a release started, was promoted or was rolled back. Add an alert to an AlertProvider.",
        ]);
    },
};
