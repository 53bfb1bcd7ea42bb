import { expect } from "chai";
import { FakeKubeApi } from "../helpers/fake-kube-api";
import { havePrometheus, PrometheusServer, requestSeries, startPrometheus } from "../helpers/prometheus-server";
import { CliRun } from "../cli/run-cli";
import { checkoutAt, checkoutIn, expectSecretNotPrinted, FAST, makeWorld, markedRollback, Webhook, World } from "./fixture";

/** Monitoring windows short enough for a test, long enough for several rounds. */
const MONITOR = ["--monitor", "400ms", "--monitor-interval", "100ms"];

describe("releasectl ship's monitor step against a real Prometheus server", function () {
    this.timeout(60_000);
    let api: FakeKubeApi;
    let hook: Webhook;
    let healthy: PrometheusServer;
    let failing: PrometheusServer;
    let world: World | undefined;

    before(async function () {
        if (!havePrometheus()) this.skip();
        [api, hook, healthy, failing] = await Promise.all([
            FakeKubeApi.start(),
            Webhook.start(),
            startPrometheus(requestSeries({ namespace: "shop", service: "checkout", errorRatio: 0.001, latencyMs: 80 })),
            startPrometheus(requestSeries({ namespace: "shop", service: "checkout", errorRatio: 0.05, latencyMs: 80 })),
        ]);
    });
    after(async () => {
        await Promise.all([api?.close(), hook?.close(), healthy?.stop(), failing?.stop()]);
    });
    beforeEach(() => hook.reset());
    afterEach(() => {
        world?.remove();
        world = undefined;
    });

    /** Runs ship; whatever happened, the webhook address read through pulumi config get was never printed. */
    const ship = async (w: World, prometheus: PrometheusServer, ...args: string[]): Promise<CliRun> => {
        world = w;
        const run = await w.ship("checkout", "2.5.0", ...FAST, ...MONITOR, "--prometheus-url", prometheus.url, ...args);
        expectSecretNotPrinted(run);
        return run;
    };
    const ups = (w: World) => w.calls().filter((c) => c.args[0] === "up");

    it("passes a healthy service over the whole window, then tags and announces the release", async () => {
        const w = makeWorld({ api, hook });
        const r = await ship(w, healthy);
        expect(r.code, r.stdout + r.stderr).to.equal(0);
        expect(r.stdout).to.match(/^✓ monitor: done \(\d+\.\ds\) — 400ms clean, \d+ rounds: error rate 0\.1\d*% \(limit 1%\), p99 latency 99(\.\d+)?ms \(limit 500ms\)$/m);
        expect(r.stdout).to.match(/^ {4}round 1: error rate 0\.1\d*% \(limit 1%\), p99 latency 99(\.\d+)?ms \(limit 500ms\)$/m);
        expect(w.stackFile()).to.equal(checkoutAt("2.5.0", "2.4.1"));
        expect(w.repo.git("tag", "--list", "checkout-v2.5.0").trim()).to.equal("checkout-v2.5.0");
        expect(hook.texts()[0]).to.match(/^released checkout 2\.5\.0 to production \(was 2\.4\.1\), run by Ada Release: canary passed, 400ms of monitoring clean \(error rate 0\.1\d*% \(limit 1%\), p99 latency/);
    });

    it("fails on a 5% error rate after promotion and rolls back to the previous version", async () => {
        const w = makeWorld({ api, hook });
        const r = await ship(w, failing);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.match(/^✗ monitor: failed \(\d+\.\ds\) — monitoring: error rate (4\.\d+|5)% \(limit 1%\) in round 1 of the 400ms window$/m);
        expect(w.commands()).to.deep.equal(["preview", "up", "up", "config get"]);
        expect(checkoutIn(ups(w)[1].stackFile!)).to.deep.equal({ version: "2.4.1", rollback: true });
        expect(w.stackFile()).to.equal(markedRollback(checkoutAt("2.4.1", "2.5.0"), "2.5.0"));
        expect(w.log()[0]).to.match(/^rollback checkout to 2\.4\.1: monitoring: error rate (4\.\d+|5)% \(limit 1%\)$/);
        expect(r.stdout).to.match(/^✓ rollback: previous version serves: done .* — checkout-primary runs 2\.4\.1, rolled out$/m);
        expect(w.repo.git("tag", "--list", "checkout-v2.5.0").trim()).to.equal("");
        expect(hook.texts()[0]).to.match(/^ROLLED BACK: checkout 2\.5\.0 in production failed at monitor \(monitoring: error rate/);
    });

    it("says so, with the commands to follow it, when the previous version does not serve again in time", async () => {
        const w = makeWorld({ api, hook, cluster: { rollback: "stuck" } });
        const r = await ship(w, failing, "--rollback-timeout", "300ms");
        expect(r.code).to.equal(1);
        expect(w.commands()).to.deep.equal(["preview", "up", "up", "config get"]);
        expect(w.stackFile()).to.equal(markedRollback(checkoutAt("2.4.1", "2.5.0"), "2.5.0"));
        expect(r.stdout).to.include("ROLLBACK FAILED: production needs a person now\n");
        expect(r.stdout).to.match(/rollback failed: 2\.4\.1 does not serve yet after 300ms: Progressing weight 0% failed 0\/5 · primary 2\.5\.0/);
        expect(r.stdout).to.include("  stack file:  Pulumi.production.yaml names 2.4.1 (rollback commit ");
        expect(r.stdout).to.include("    $ releasectl status checkout --stack production --watch   # follow it\n");
        expect(hook.texts()[0]).to.match(/^ROLLBACK FAILED: checkout 2\.5\.0 failed in production \(monitoring: .*\) and the automatic rollback to 2\.4\.1 did not complete/);
    });
});
