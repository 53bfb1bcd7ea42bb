import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Only assembles the pack: constructing it starts the analyzer's gRPC server, so nothing else
// (tests included) imports this file.
new PolicyPack("releasectl-checklist", {
    description: "The release checklist of releasectl: preflight rules that block a bad release before anything changes.",
    enforcementLevel: "advisory",
    policies,
});
