import { asNumber, get } from "../lib/manifest";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

export const canaryMaxWeightMultipleOfStep: ResourceRule = {
    scope: "resource",
    name: "canary-max-weight-multiple-of-step",
    description: "A Canary's maxWeight is a multiple of its stepWeight, so traffic reaches maxWeight in equal steps.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Choose canary.stepWeight so that it divides canary.maxWeight (e.g. 10 and 50); promotion then takes interval × maxWeight / stepWeight.",
    settings: [],
    kinds: ["flagger.app/Canary"],
    validate(resource) {
        const analysis = get(resource.props, "spec", "analysis");
        if (get(analysis, "stepWeights") !== undefined) return notApplicable("the analysis uses explicit stepWeights");
        const max = asNumber(get(analysis, "maxWeight"));
        const step = asNumber(get(analysis, "stepWeight"));
        if (max === undefined || step === undefined) return notApplicable("the analysis does not shift traffic by weight (blue/green iterations)");
        if (step > 0 && max % step === 0) return checked([]);
        return checked([
            `maxWeight ${max} is not a multiple of stepWeight ${step}: the last step is cut short (${Math.floor(max / step) * step} → ${max}), so the analysis sees an uneven traffic share. ` +
                "Choose a stepWeight that divides maxWeight.",
        ]);
    },
};
