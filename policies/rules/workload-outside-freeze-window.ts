import { formatInZone, spanCovering } from "../lib/freeze";
import { SERVING_KINDS } from "../lib/manifest";
import { productionReason, releaseRecord } from "../lib/release-record";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

export const workloadOutsideFreezeWindow: ResourceRule = {
    scope: "resource",
    name: "workload-outside-freeze-window",
    description: "No workload is released while a change-freeze window from the pack's config is in effect (rollbacks excepted).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Wait until the freeze ends. To repair production during a freeze, release a rollback (releasectl rollback), which this rule lets through. " +
        "To break glass, run with a pack config that sets workload-outside-freeze-window to advisory, and say why in the release.",
    settings: ["freezeWindows", "productionStacks", "productionEnvironments"],
    kinds: SERVING_KINDS,
    validate(resource, ctx) {
        const windows = ctx.settings.freezeWindows;
        if (windows.length === 0) return notApplicable("no freeze windows configured");
        const release = releaseRecord(resource.props);
        const production = productionReason(ctx, release?.environment);
        const applicable = windows.filter((w) => (w.stacks ? w.stacks.includes(ctx.stack) : production !== undefined));
        if (applicable.length === 0) return notApplicable(`no freeze window applies to stack ${ctx.stack}`);
        // Putting back a known-good version is what a freeze must still allow.
        if (release?.rollback) return checked([]);
        const violations: string[] = [];
        for (const window of applicable) {
            const span = spanCovering(window, ctx.now);
            if (!span) continue;
            violations.push(
                `change freeze "${window.name}" is in effect until ${formatInZone(span.end, window.timeZone)} (it started ${formatInZone(span.start, window.timeZone)}), ` +
                    `and it covers stack ${ctx.stack}: releases wait until it ends. To repair production, release a rollback (releasectl rollback).`,
            );
        }
        return checked(violations);
    },
};
