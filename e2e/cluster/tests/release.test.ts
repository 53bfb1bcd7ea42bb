import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import { requireEngine, Workspace } from "../../tests/workspace";
import { condition, CONTEXT, get, imageVersion, KWOK_FAIL_MARKER, kubectl, list, NS, requireCluster, setBehaviour, SIMULATOR, Webhook, waitFor } from "./cluster";

/**
 * The release loop on a real control plane (etcd, kube-apiserver, controller-manager, scheduler,
 * kwok nodes), real Flagger v1.36.1 reading the program's MetricTemplates from a real Prometheus
 * that scrapes the traffic simulator, and the real Pulumi CLI and Kubernetes provider (no
 * renderYamlToDirectory). Run with `npm run test:cluster`, which brings the cluster up and down.
 * Each test asserts on what the API server reports, never on releasectl's own words.
 */

const DB_URL = "postgres://checkout:cluster-db-plaintext@db.shop:5432/checkout";

const service = (name: string, version: string, previous: string, port: number, migration: string) => `    ${name}:
      image: registry.local/shop/${name}
      version: ${version}
      previousVersion: ${previous}
      port: ${port}
      replicas:
        min: 2
        max: 4
      canary:
        provider: kubernetes
        interval: 10s
        threshold: 2
        iterations: 3
        successRateMin: 99
        latencyMaxMs: 500
        loadTesterUrl: ${SIMULATOR}/loadtester/
${migration}      alerts:
        errorRatePercent: 1
        latencyP99Ms: 500
        rateWindow: 30s
        for: 0s
      notification: releases
      evidence:
        ciRun: https://ci.example.com/shop/${name}/runs/1
        review: https://git.example.com/shop/${name}/pull/1
        securityScan: https://scan.example.com/reports/${name}-${version}
        performanceReport: https://perf.example.com/reports/${name}-${version}
`;

const CHECKOUT_MIGRATION = `      migration:
        command: ["/app/migrate", "up"]
        downgradeCommand: ["/app/migrate", "down"]
        phase: expand
`;

/** The test stack: the example's shape, two services, blue/green (no mesh here), 10 s intervals. */
function stackText(): string {
    return `config:
  releasectl:environment: production
  releasectl:namespace: ${NS}
  releasectl:kubeContext: ${CONTEXT}
  releasectl:prometheusUrl: http://127.0.0.1:9090
  releasectl:notifications:
    releases:
      type: slack
      channel: "#releases"
  releasectl:services:
${service("checkout", "2.4.1", "2.4.0", 8080, CHECKOUT_MIGRATION)}${service("storefront", "1.12.0", "1.11.3", 3000, "")}`;
}

describe("releases on a real Kubernetes control plane with real Flagger", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace;
    let hook: Webhook;

    before(async () => {
        requireEngine();
        requireCluster();
        hook = await Webhook.start();
        kubectl(["create", "namespace", NS]);
        await setBehaviour({});
        ws = Workspace.create({
            stack: stackText(),
            secrets: {
                "releasectl:notifications.releases.address": hook.url,
                "releasectl:services.checkout.migration.databaseUrl": DB_URL,
            },
        });
    });

    after(async () => {
        await hook?.close();
        ws?.remove();
    });

    const tail = (output: string) => output.split("\n").slice(-40).join("\n");

    it("1. pulumi up creates every object, runs the migration before the Deployment, and Flagger initializes each Canary", async () => {
        const up = ws.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up.output)).to.equal(0);
        expect(up.output, "the API server warned about a field it does not know").not.to.match(/unknown field/i);

        const job = get("job", "checkout-migrate-2-4-1");
        expect(condition(job, "Complete"), JSON.stringify(job?.status)).to.equal("True");
        const deployment = get("deployment", "checkout");
        expect(imageVersion(deployment)).to.equal("2.4.1");
        // Second resolution on both sides: the Deployment was created no earlier than the Job completed.
        expect(Date.parse(deployment.metadata.creationTimestamp)).to.be.at.least(Date.parse(job.status.completionTime));

        for (const [name, version] of [["checkout", "2.4.1"], ["storefront", "1.12.0"]]) {
            await waitFor(`Canary ${name} Initialized`, 180_000, () => get("canary", name)?.status?.phase === "Initialized", () => JSON.stringify(get("canary", name)?.status));
            const primary = await waitFor(`${name}-primary available`, 120_000, () => {
                const d = get("deployment", `${name}-primary`);
                return (d?.status?.availableReplicas ?? 0) >= 1 ? d : undefined;
            });
            expect(imageVersion(primary), `${name}-primary`).to.equal(version);
        }
        for (const kind of ["metrictemplate", "alertprovider", "prometheusrule", "horizontalpodautoscaler", "poddisruptionbudget"]) {
            expect(list(kind).length, kind).to.be.greaterThan(0);
        }
    });

    it("2. a failing migration stops pulumi up, and the Deployment and its primary keep the old version", async () => {
        const released = fs.readFileSync(ws.stackFile, "utf8");
        try {
            ws.edit("      version: 2.4.1\n      previousVersion: 2.4.0", "      version: 2.5.0\n      previousVersion: 2.4.1");
            ws.edit('command: ["/app/migrate", "up"]', `command: ["/app/migrate", "up", "${KWOK_FAIL_MARKER}"]`);
            const up = ws.pulumi(["up", "--yes", "--skip-preview"]);
            expect(up.code, tail(up.output)).to.not.equal(0);
            const job = get("job", "checkout-migrate-2-5-0");
            expect(condition(job, "Failed"), JSON.stringify(job?.status)).to.equal("True");
            expect(imageVersion(get("deployment", "checkout"))).to.equal("2.4.1");
            expect(imageVersion(get("deployment", "checkout-primary"))).to.equal("2.4.1");
            expect(get("canary", "checkout")?.status?.phase).to.equal("Initialized");
        } finally {
            fs.writeFileSync(ws.stackFile, released);
        }
        // Back to the released configuration: the failed Job goes, nothing else changes.
        const up = ws.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up.output)).to.equal(0);
        expect(get("job", "checkout-migrate-2-5-0")).to.equal(undefined);
    });

    /** Runs `releasectl ship` without blocking, so the test can watch the cluster meanwhile. */
    function ship(args: string[]): Promise<{ code: number; output: string }> {
        return new Promise((resolve) => {
            const child = spawn(process.execPath, [`${__dirname}/../../../bin/releasectl.js`, "ship", ...args, "--yes", "--cwd", ws.dir], {
                env: { ...ws.env, RELEASECTL_STACK: "", GIT_CONFIG_NOSYSTEM: "1", HOME: ws.root },
            });
            let output = "";
            child.stdout.on("data", (c) => (output += c));
            child.stderr.on("data", (c) => (output += c));
            child.on("close", (code) => {
                ws.outputs.push(output);
                resolve({ code: code ?? 1, output });
            });
        });
    }

    it("3. ship releases a good version: Flagger analyses it with the program's MetricTemplates and promotes it", async () => {
        await setBehaviour({ checkout: { "2.5.0": { errorRate: 0, latencyMs: 40 } } });
        const run = await ship(["checkout", "2.5.0", "--monitor", "20s", "--interval", "2s"]);
        expect(run.code, tail(run.output)).to.equal(0);
        const canary = get("canary", "checkout");
        expect(canary.status.phase).to.equal("Succeeded");
        expect(imageVersion(get("deployment", "checkout-primary"))).to.equal("2.5.0");
        const events = kubectl(["get", "events", "-n", NS, "--field-selector", "involvedObject.kind=Canary,involvedObject.name=checkout", "-o", "json"]);
        const messages: string[] = JSON.parse(events.stdout).items.map((e: { message: string }) => e.message);
        expect(messages.some((m) => /iteration 3\/3/.test(m)), messages.join("\n")).to.equal(true);
        expect(messages.some((m) => /no values found|failed/i.test(m)), messages.join("\n")).to.equal(false);
        expect(ws.git(["tag", "--list"]).split("\n").filter(Boolean).some((t) => t.endsWith("2.5.0"))).to.equal(true);
        expect(hook.texts().some((t) => t.includes("2.5.0")), hook.texts().join("\n")).to.equal(true);
    });

    it("4. ship of a bad version: Flagger fails the analysis, ship rolls the configuration back and the previous version serves", async () => {
        await setBehaviour({ checkout: { "2.6.0": { errorRate: 0.2, latencyMs: 40 } } });
        const started = Date.now();
        let firstFailedCheck: number | undefined;
        const watch = setInterval(() => {
            if (firstFailedCheck === undefined && (get("canary", "checkout")?.status?.failedChecks ?? 0) > 0) firstFailedCheck = Date.now();
        }, 1000);
        const run = await ship(["checkout", "2.6.0", "--monitor", "20s", "--interval", "2s"]).finally(() => clearInterval(watch));
        const restored = Date.now();
        expect(run.code, tail(run.output)).to.equal(1);
        const text = fs.readFileSync(ws.stackFile, "utf8");
        expect(text).to.match(/version: 2\.5\.0\n(?:.*\n)*?\s+rollback: true/);
        expect(imageVersion(get("deployment", "checkout"))).to.equal("2.5.0");
        expect(imageVersion(get("deployment", "checkout-primary"))).to.equal("2.5.0");
        expect(hook.texts().some((t) => /roll/i.test(t) && t.includes("2.6.0")), hook.texts().join("\n")).to.equal(true);
        expect(firstFailedCheck, "Flagger never counted a failed check").to.not.equal(undefined);
        const first = firstFailedCheck as number;
        const line = `rollback: ${((restored - first) / 1000).toFixed(1)} s from the first failed check to ship's exit with the previous version serving (ship ran ${((restored - started) / 1000).toFixed(1)} s)`;
        console.log(`      ${line}`);
        if (process.env.CLUSTER_TIMINGS_FILE) fs.appendFileSync(process.env.CLUSTER_TIMINGS_FILE, `${JSON.stringify({ scenario: "bad release", firstFailedCheckToRestoredSeconds: (restored - first) / 1000, shipSeconds: (restored - started) / 1000 })}\n`);
        // What Flagger shows after the rollback: the re-applied spec is the one it last promoted, so
        // it starts no new analysis; the canary Deployment stays scaled to zero and the Canary stays
        // Failed (flagger_canary_status 2) until the next release.
        const canary = await waitFor(
            "Flagger to see the re-applied spec",
            90_000,
            () => {
                const c = get("canary", "checkout");
                return c?.status?.lastAppliedSpec !== undefined && c.status.lastAppliedSpec === c.status.lastPromotedSpec ? c : undefined;
            },
            () => JSON.stringify(get("canary", "checkout")?.status),
        );
        expect(canary.status.phase).to.equal("Failed");
        expect(get("deployment", "checkout").spec.replicas).to.equal(0);
        expect(get("deployment", "checkout-primary").status.availableReplicas).to.be.at.least(1);
    });

    it("7a. releasectl rollback --to across an expand migration, then pulumi up: the primary serves the older version and no migration runs", async () => {
        const run = ws.releasectl(["rollback", "checkout", "--to", "2.4.1"]);
        expect(run.code, run.output).to.equal(0);
        ws.commit("rollback checkout to 2.4.1");
        const up = ws.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up.output)).to.equal(0);
        expect(imageVersion(get("deployment", "checkout"))).to.equal("2.4.1");
        await waitFor("checkout-primary to run 2.4.1", 180_000, () => imageVersion(get("deployment", "checkout-primary")) === "2.4.1", () => JSON.stringify(get("canary", "checkout")?.status));
        await waitFor("Canary checkout Succeeded", 120_000, () => get("canary", "checkout")?.status?.phase === "Succeeded", () => JSON.stringify(get("canary", "checkout")?.status));
        // A rollback release declares no migration Job: the newer (expanded) schema stays.
        expect(list("job").map((j) => j.metadata.name).filter((n: string) => n.startsWith("checkout-migrate-"))).to.deep.equal([]);
    });
});
