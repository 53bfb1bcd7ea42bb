import { expect } from "chai";
import * as path from "path";
import { parseRender, readRendered, requireEngine, Workspace } from "./workspace";

/**
 * A key left empty (`probes:` with every sub-key commented out, which YAML reads as null) is the
 * key left out: through the real engine, which hands the program the services as JSON, the
 * program declares exactly what it declares without the key, and `releasectl render` agrees.
 */
describe("an empty key through the real engine", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace;

    before(() => {
        requireEngine();
        ws = Workspace.applied();
    });
    after(() => ws?.remove());

    const deployment = () => readRendered(path.join(ws.root, "rendered")).get("Deployment/shop/checkout");
    const probes = (d: { spec: { template: { spec: { containers: { readinessProbe: unknown; livenessProbe: unknown }[] } } } }) => {
        const container = d.spec.template.spec.containers[0];
        return { readiness: container.readinessProbe, liveness: container.livenessProbe };
    };
    const PROBES = "      probes:\n        readinessPath: /healthz/ready\n        livenessPath: /healthz/live\n";

    it("deploys checkout's probes: with nothing under it as if the key were absent (the defaults), and render agrees", () => {
        const released = probes(deployment());
        expect(JSON.stringify(released)).to.include("/healthz/ready");

        ws.edit(PROBES, "      probes:\n        # readinessPath: /healthz/ready\n        # livenessPath: /healthz/live\n");
        ws.ok(["up", "--yes", "--skip-preview"]);
        const empty = deployment();
        const rendered = parseRender(ws.render()).get("Deployment/shop/checkout");

        ws.edit("      probes:\n        # readinessPath: /healthz/ready\n        # livenessPath: /healthz/live\n", "");
        ws.ok(["up", "--yes", "--skip-preview"]);
        const absent = deployment();

        expect(empty).to.deep.equal(absent);
        expect(probes(empty)).to.not.deep.equal(released);
        expect(JSON.stringify(probes(empty))).to.include("/readyz").and.include("/livez");
        expect(probes(rendered)).to.deep.equal(probes(empty));
    });
});
