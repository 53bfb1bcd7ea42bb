import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { checkoutReleased, requireEngine, SECRETS, Workspace } from "./workspace";

/**
 * `releasectl ship` previews with `--save-plan` and applies with `pulumi up --plan --skip-preview`:
 * the program runs once less, and the engine itself guarantees that the update does what the
 * preview showed. This proves that guarantee on the real engine and Kubernetes provider (render
 * mode) with the policy pack: the saved plan applies the release; a plan applied after the stack
 * changed is refused at the resource that differs; and the plan file holds no secret in plain text.
 */
describe("update plans on the real engine (ship's preview and apply)", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace;
    let released: string;
    let plan: string;

    before(() => {
        requireEngine();
        ws = Workspace.applied();
        released = fs.readFileSync(ws.stackFile, "utf8");
        plan = path.join(ws.root, "plan", "plan.json");
        fs.mkdirSync(path.dirname(plan));
    });
    after(() => ws?.remove());

    const release = () => checkoutReleased(released);

    it("the preview writes an update plan, without any secret in plain text", () => {
        expect(release()).to.not.equal(released);
        fs.writeFileSync(ws.stackFile, release());
        const out = ws.ok(["preview", "--policy-pack", "policies", "--save-plan", plan]);
        expect(out).to.include("Update plan written to");
        const text = fs.readFileSync(plan, "utf8");
        expect(JSON.parse(text)).to.be.an("object");
        for (const secret of Object.values(SECRETS)) {
            expect(text).to.not.include(secret);
            expect(text).to.not.include(Buffer.from(secret).toString("base64"));
        }
    });

    it("up --plan --skip-preview applies the release the preview showed", () => {
        const out = ws.ok(["up", "--yes", "--policy-pack", "policies", "--plan", plan, "--skip-preview"]);
        expect(out).to.match(/checkout-migrate-2\.5\.0 created/);
        expect(out).to.match(/checkout-deployment updated/);
        const deployment = ws.renderedFile("apps_v1-deployment-shop-checkout.yaml");
        expect(deployment).to.include("image: registry.example.com/shop/checkout:2.5.0");
    });

    it("a plan applied after the stack changed is refused at the resource that differs", () => {
        fs.writeFileSync(ws.stackFile, release().replace(/(\n      replicas:\n        min: 3\n        max: )12\n/, "$113\n"));
        expect(fs.readFileSync(ws.stackFile, "utf8")).to.include("max: 13");
        const run = ws.pulumi(["up", "--yes", "--policy-pack", "policies", "--plan", plan, "--skip-preview"]);
        expect(run.code).to.not.equal(0);
        expect(run.output).to.match(/checkout-autoscaler violates plan: properties changed/);
        const hpa = ws.renderedFile("autoscaling_v2-horizontalpodautoscaler-shop-checkout.yaml");
        expect(hpa).to.include("maxReplicas: 12");
        expect(hpa).to.not.include("maxReplicas: 13");
    });
});
