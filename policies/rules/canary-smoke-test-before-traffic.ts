import { asArray, asString, get } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

export const canarySmokeTestBeforeTraffic: ResourceRule = {
    scope: "resource",
    name: "canary-smoke-test-before-traffic",
    description: "A Canary runs a smoke test (a pre-rollout webhook) before any traffic moves to the new version.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Add a webhook of type pre-rollout to spec.analysis.webhooks (releasectl adds one running canary.smokeTest through flagger-loadtester); " +
        "a failing pre-rollout webhook stops the rollout before users see the version.",
    settings: [],
    kinds: ["flagger.app/Canary"],
    validate(resource) {
        const webhooks = asArray(get(resource.props, "spec", "analysis", "webhooks"));
        if (webhooks.some((w) => asString(get(w, "type")) === "pre-rollout")) return checked([]);
        return checked([
            "the Canary has no pre-rollout webhook, so the first users are the smoke test. Add a pre-rollout webhook that runs the smoke test (releasectl's canary.smokeTest).",
        ]);
    },
};
