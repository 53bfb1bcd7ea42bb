import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { REPOSITORY_CHECKS } from "../../cli/checklist/repository-checks";
import { CHECKLIST } from "../../policies/checklist";
import { SETTINGS_SCHEMA } from "../../policies/settings";
import { createPolicies, policies } from "../../policies/policies";
import { RULES } from "../../policies/rules";
import { changed, exampleObject, PROJECT_DIR, stackResources } from "./fixtures";
import { runResource, runStack, UNKNOWN_OBJECT, UNKNOWN_STRING } from "./runtime";

const RULE_FILES = fs
    .readdirSync(path.join(PROJECT_DIR, "policies", "rules"))
    .filter((f) => f.endsWith(".ts") && f !== "index.ts")
    .map((f) => f.replace(/\.ts$/, ""));

describe("the releasectl-checklist pack", () => {
    it("declares every rule file exactly once, under the file's name", () => {
        const names = RULES.map((r) => r.name);
        expect([...names].sort()).to.deep.equal([...RULE_FILES].sort());
        expect(new Set(names).size).to.equal(names.length);
    });

    it("names every rule in kebab-case, starting with what it judges", () => {
        for (const rule of RULES) {
            expect(rule.name).to.match(/^(deployment|workload|job|migration|canary|release)(-[a-z0-9]+)+$/, rule.name);
        }
    });

    it("gives every rule a description, remediation steps, a severity and an enforcement level", () => {
        for (const rule of RULES) {
            expect(rule.description.length, rule.name).to.be.greaterThan(30);
            expect(rule.remediationSteps.length, rule.name).to.be.greaterThan(30);
            expect(["low", "medium", "high", "critical"], rule.name).to.include(rule.severity);
            expect(["advisory", "mandatory"], rule.name).to.include(rule.enforcementLevel);
        }
    });

    it("wraps each rule as one CrossGuard policy carrying its metadata", () => {
        expect(policies.map((p) => p.name)).to.deep.equal(RULES.map((r) => r.name));
        for (const [i, p] of policies.entries()) {
            const rule = RULES[i];
            expect(p).to.include({ description: rule.description, enforcementLevel: rule.enforcementLevel, severity: rule.severity, remediationSteps: rule.remediationSteps });
            const kind = rule.scope === "resource" ? "validateResource" : "validateStack";
            expect(p, rule.name).to.have.property(kind).that.is.a("function");
        }
    });

    it("declares the settings each rule reads as its configSchema, each with a default", () => {
        for (const [i, p] of policies.entries()) {
            const keys = Object.keys(p.configSchema?.properties ?? {});
            expect(keys, p.name).to.deep.equal([...RULES[i].settings]);
            for (const key of keys) expect(p.configSchema!.properties[key], `${p.name}.${key}`).to.have.property("default");
        }
    });

    it("never names enforcementLevel in a configSchema (the engine refuses the pack)", () => {
        for (const p of policies) expect(Object.keys(p.configSchema?.properties ?? {})).not.to.include("enforcementLevel");
        expect(Object.keys(SETTINGS_SCHEMA)).not.to.include("enforcementLevel");
    });

    it("records the Pod Security Standards as the framework of the pod security rule", () => {
        const p = policies.find((x) => x.name === "workload-pod-security-restricted")!;
        expect(p.framework).to.include({ name: "Kubernetes Pod Security Standards", specification: "restricted" });
    });

    it("places every rule in exactly one checklist item", () => {
        for (const rule of RULES) {
            expect(CHECKLIST.filter((i) => i.rules.includes(rule.name)), rule.name).to.have.length(1);
        }
    });

    it("names in the checklist only rules of the pack or repository checks", () => {
        const known = new Set([...RULES.map((r) => r.name), ...REPOSITORY_CHECKS.map((c) => c.name)]);
        for (const item of CHECKLIST) for (const name of item.rules) expect(known.has(name), name).to.equal(true);
        for (const c of REPOSITORY_CHECKS) expect(CHECKLIST.filter((i) => i.rules.includes(c.name)), c.name).to.have.length(1);
    });

    it("says for every checklist item without a rule which runtime mechanism covers it", () => {
        for (const item of CHECKLIST.filter((i) => i.rules.length === 0)) expect(item.runtime, item.item).to.be.a("string").with.length.greaterThan(40);
    });

    it("is a real pack folder: PulumiPolicy.yaml, a versioned package.json, and an index.ts that only builds the PolicyPack", () => {
        const dir = path.join(PROJECT_DIR, "policies");
        expect(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")).to.match(/^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        expect(pkg.version).to.match(/^\d+\.\d+\.\d+/);
        expect(pkg.dependencies).to.have.property("@pulumi/policy");
        const index = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
        expect(index).to.include('new PolicyPack("releasectl-checklist"');
        expect(index.match(/^import .* from "(.*)";$/gm)).to.deep.equal(['import { PolicyPack } from "@pulumi/policy";', 'import { policies } from "./policies";']);
    });

    it("keeps the rules free of @pulumi/policy and @pulumi/pulumi, so the command line can load them", () => {
        const dirs = ["rules", "lib"].map((d) => path.join(PROJECT_DIR, "policies", d));
        const files = [...dirs.flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f))), path.join(PROJECT_DIR, "policies", "settings.ts"), path.join(PROJECT_DIR, "policies", "checklist.ts")];
        for (const file of files) expect(fs.readFileSync(file, "utf8"), file).not.to.match(/from "@pulumi\//);
    });
});

describe("the example production stack under the pack", () => {
    const resources = stackResources();

    it("passes every resource policy, with nothing downgraded", async () => {
        for (const rule of RULES.filter((r) => r.scope === "resource")) {
            const judged: string[] = [];
            for (const resource of resources) {
                const outcome = await runResource(rule.name, resource);
                expect(outcome.violations, `${rule.name} on ${resource.name}`).to.deep.equal([]);
                expect(outcome.downgraded, `${rule.name} on ${resource.name}`).to.equal(undefined);
                if (outcome.notApplicable === undefined) judged.push(resource.name ?? "");
            }
            // Passing only counts where the rule judged something. Three rules judge nothing until the
            // pack config names allowed registries, freeze windows or promotion sources, and the defaults name none.
            if (["workload-image-registry-allowed", "workload-outside-freeze-window", "deployment-promoted-from-earlier-stack"].includes(rule.name)) expect(judged, rule.name).to.deep.equal([]);
            else expect(judged, `${rule.name} applies to some resource of the example`).not.to.be.empty;
        }
    });

    it("passes every stack policy", async () => {
        for (const rule of RULES.filter((r) => r.scope === "stack")) {
            const outcome = await runStack(rule.name, resources);
            expect(outcome.violations, rule.name).to.deep.equal([]);
            expect(outcome.notApplicable, rule.name).to.equal(undefined);
        }
    });
});

describe("unknown values during preview", () => {
    it("reports an image unknown at preview as a violation instead of being downgraded", async () => {
        const deployment = changed(exampleObject("Deployment"), ["spec", "template", "spec", "containers", 0, "image"], UNKNOWN_STRING);
        const outcome = await runResource("workload-image-not-latest", deployment);
        expect(outcome.downgraded).to.equal(undefined);
        expect(outcome.violations).to.have.length(1);
        expect(outcome.violations[0].message).to.include("cannot judge this resource during preview").and.include("spec.template.spec.containers.0.image");
    });

    it("reports an unknown annotation map in a stack policy as a violation", async () => {
        const resources = stackResources();
        const deployment = resources.find((r) => r.name === "checkout-deployment")!;
        const unknown = changed(deployment, ["metadata", "annotations"], UNKNOWN_OBJECT);
        const outcome = await runStack("migration-job-precedes-deployment", resources.map((r) => (r === deployment ? unknown : r)));
        expect(outcome.downgraded).to.equal(undefined);
        expect(outcome.violations[0].message).to.include("cannot judge").and.include("metadata.annotations");
    });

    it("does not touch unknown values a rule does not need", async () => {
        const deployment = changed(exampleObject("Deployment"), ["status"], UNKNOWN_OBJECT);
        const outcome = await runResource("workload-probes-defined", changed(deployment, ["metadata", "uid"], UNKNOWN_STRING));
        expect(outcome).to.deep.equal({ violations: [] });
    });
});

describe("createPolicies", () => {
    it("builds a fresh policy list with the injected clock", () => {
        const list = createPolicies({ now: () => new Date(0) });
        expect(list).to.have.length(RULES.length);
        expect(list).not.to.equal(policies);
    });
});
