import { asArray, asString, get } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

const ANNOUNCING_WEBHOOKS = ["event", "post-rollout"];

export const canaryAnnouncesOutcome: ResourceRule = {
    scope: "resource",
    name: "canary-announces-outcome",
    description: "A Canary announces the outcome of the release: an info-severity alert (Flagger sends every event, promotion included) or an event/post-rollout webhook.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
        "Give an alert in spec.analysis.alerts severity info (releasectl does), or add an event or post-rollout webhook that posts the announcement.",
    settings: [],
    kinds: ["flagger.app/Canary"],
    validate(resource) {
        const analysis = get(resource.props, "spec", "analysis");
        const infoAlert = asArray(get(analysis, "alerts")).some((a) => asString(get(a, "severity")) === "info");
        const webhook = asArray(get(analysis, "webhooks")).some((w) => ANNOUNCING_WEBHOOKS.includes(asString(get(w, "type")) ?? ""));
        if (infoAlert || webhook) return checked([]);
        return checked([
            "nothing announces the release when it is promoted: alerts below info severity only report failures, and there is no event or post-rollout webhook. " +
                "Set an alert's severity to info, or add a post-rollout webhook that announces it.",
        ]);
    },
};
