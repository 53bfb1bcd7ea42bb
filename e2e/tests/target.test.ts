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
