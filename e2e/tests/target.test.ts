import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { serviceTargets } from "../../cli/ship/targets";
import { parseStackText } from "../../config/load";
import { checkoutReleased, requireEngine, Workspace } from "./workspace";

/**
 * `ship --target`: the release's preview and up limited to the service's URNs. On the real engine
 * (render mode): the URNs releasectl computes are the ones the engine gives, the targeted update
 * applies the service's release (the previous version's Job deleted), and another service's
 * pending change is left unapplied, which is the trade-off `ship --help` states.
 */
describe("ship --target on the real engine", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace;
    let released: string;
    const rendered = (file: string) => ws.renderedFile(file);

    before(() => {
        requireEngine();
        ws = Workspace.applied();
        released = fs.readFileSync(ws.stackFile, "utf8");
    });
    after(() => ws?.remove());

    it("the URNs releasectl targets are the engine's own for checkout's resources", () => {
        const state = JSON.parse(ws.exportState()) as { deployment: { resources: { urn: string }[] } };
        const engine = state.deployment.resources.map((r) => r.urn).filter((u) => u.includes("::checkout") && !u.endsWith("::default"));
        const config = parseStackText(ws.dir, "production", released, "Pulumi.production.yaml");
        expect(serviceTargets(config, config, "checkout")).to.deep.equal([...engine].sort());
    });

    it("a targeted update applies checkout's release and leaves the storefront's pending change unapplied", () => {
        // checkout's release, and another service's edit that is not released now
        const next = checkoutReleased(released).replace(/(\n    storefront:\n(?: {6,}.*\n)*? {8}stepWeight: )10\n/, "$15\n");
        expect(next).to.match(/\n    storefront:\n(?: {6,}.*\n)*? {8}stepWeight: 5\n/);
        const storefrontBefore = rendered("flagger.app_v1beta1-canary-shop-storefront.yaml");
        fs.writeFileSync(ws.stackFile, next);
        const targets = serviceTargets(parseStackText(ws.dir, "production", released, "x"), parseStackText(ws.dir, "production", next, "x"), "checkout");
        const args = targets.flatMap((t) => ["--target", t]);
        const plan = path.join(ws.root, "target-plan.json");
        const preview = ws.ok(["preview", "--policy-pack", "policies", ...args, "--save-plan", plan]);
        expect(preview).to.not.match(/storefront-canary +update/);
        const up = ws.ok(["up", "--yes", "--policy-pack", "policies", ...args, "--plan", plan, "--skip-preview"]);
        expect(up).to.match(/checkout-migrate-2\.5\.0 created/);
        expect(up).to.match(/checkout-migrate-2\.4\.1 deleted/);
        expect(rendered("apps_v1-deployment-shop-checkout.yaml")).to.include("image: registry.example.com/shop/checkout:2.5.0");
        expect(rendered("flagger.app_v1beta1-canary-shop-storefront.yaml")).to.equal(storefrontBefore);
        // the drift --help warns of: a whole-stack preview still has the storefront's change to apply
        const full = ws.ok(["preview"]);
        expect(full).to.match(/storefront-canary +update/);
    });
});

/**
 * ship --target also tells the program (RELEASECTL_TARGET_FILE) to declare only the released
 * service, so the release's cost does not grow with the stack. What that must not do: delete or
 * change anything of the services it leaves out, or lose their stack outputs; and a file that is
 * not ship's own for this stack must make the program declare everything.
 */
describe("ship --target: the program declares only the released service", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace;
    let released: string;

    before(() => {
        requireEngine();
        ws = Workspace.applied();
        released = fs.readFileSync(ws.stackFile, "utf8");
    });
    after(() => ws?.remove());

    const urns = () => (JSON.parse(ws.exportState()) as { deployment: { resources: { urn: string }[] } }).deployment.resources.map((r) => r.urn).sort();
    const outputs = () => JSON.parse(ws.ok(["stack", "output", "--json", "--show-secrets"])) as { services: Record<string, { version: string; objects: Record<string, string> }> };

    it("the targeted release applies checkout and leaves every other resource and output as it was", () => {
        const stateBefore = urns();
        const outputsBefore = outputs();
        const rendered = fs.readdirSync(path.join(ws.root, "rendered"), { recursive: true }) as string[];
        const others = rendered.filter((f) => !f.includes("checkout") && f.endsWith(".yaml"));
        expect(others.length).to.be.greaterThan(3);
        const othersBefore = others.map((f) => ws.renderedFile(path.basename(f)));

        const next = checkoutReleased(released);
        fs.writeFileSync(ws.stackFile, next);
        const targets = serviceTargets(parseStackText(ws.dir, "production", released, "x"), parseStackText(ws.dir, "production", next, "x"), "checkout");
        const args = targets.flatMap((t) => ["--target", t]);
        const file = path.join(ws.root, "targets.json");
        fs.writeFileSync(file, JSON.stringify({ stack: "production", services: ["checkout"] }));
        const plan = path.join(ws.root, "declared-plan.json");
        const env = { RELEASECTL_TARGET_FILE: file };
        const preview = ws.ok(["preview", "--policy-pack", "policies", ...args, "--save-plan", plan], env);
        // the program says what it declared: checkout alone
        expect(preview).to.match(/declaring checkout only; the other 1 service\(s\) of the stack are left as they are/);
        const deletes = [...preview.matchAll(/^\s*-\s+\S+:\S+\s+(\S+)\s+delete\b/gm)].map((m) => m[1]);
        expect(deletes).to.deep.equal(["checkout-migrate-2.4.1"]);
        const up = ws.ok(["up", "--yes", "--policy-pack", "policies", ...args, "--plan", plan, "--skip-preview"], env);
        expect(up).to.match(/checkout-migrate-2\.5\.0 created/);
        expect(up).to.match(/checkout-migrate-2\.4\.1 deleted/);
        expect(up).to.not.match(/storefront\S* +deleted/);
        expect(ws.renderedFile("apps_v1-deployment-shop-checkout.yaml")).to.include("image: registry.example.com/shop/checkout:2.5.0");

        // the other services: still in the state, their manifests untouched, their outputs kept
        const swapped = stateBefore.map((u) => u.replace("checkout-migrate-2.4.1", "checkout-migrate-2.5.0")).sort();
        expect(urns()).to.deep.equal(swapped);
        expect(others.map((f) => ws.renderedFile(path.basename(f)))).to.deep.equal(othersBefore);
        const after = outputs();
        expect(after.services.checkout.version).to.equal("2.5.0");
        for (const name of Object.keys(outputsBefore.services).filter((n) => n !== "checkout")) {
            expect(after.services[name], name).to.deep.equal(outputsBefore.services[name]);
        }
        // and a whole-stack preview of the same configuration has nothing left to do
        // (--expect-no-changes fails the preview, and so ok(), otherwise)
        expect(ws.ok(["preview", "--expect-no-changes"])).to.match(/Resources:\n\s+\d+ unchanged\s*$/m).and.not.match(/ to (create|delete|update|replace)\b/);
    });

    for (const [what, content] of [
        ["gone (its release ended)", undefined],
        ["written for another stack", JSON.stringify({ stack: "staging", services: ["checkout"] })],
        ["naming a service the stack does not have", JSON.stringify({ stack: "production", services: ["checkout", "nope"] })],
        ["not JSON", "checkout"],
    ] as const) {
        it(`a whole-stack preview with the variable set to a file ${what} declares every service`, () => {
            const file = path.join(ws.root, `stale-${what.length}.json`);
            if (content !== undefined) fs.writeFileSync(file, content);
            const run = ws.pulumi(["preview", "--expect-no-changes"], { RELEASECTL_TARGET_FILE: file });
            expect(run.output).to.not.match(/ delete\b/);
            expect(run.code, run.output).to.equal(0);
            expect(run.output).to.match(/RELEASECTL_TARGET_FILE=.*declaring every service/).and.not.match(/declaring checkout only/);
        });
    }
});
