import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import { requireEngine, Workspace } from "../../tests/workspace";
import { condition, CONTEXT, get, imageVersion, firing, KWOK_FAIL_MARKER, kubectl, list, loadAlertRules, NS, query, requireCluster, setBehaviour, SIMULATOR, Webhook, waitFor } from "./cluster";

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

/** The Kubernetes objects a `pulumi stack export --show-secrets` says were sent: each resource's inputs, secrets decoded. */
function sentObjects(deployment: any): any[] {
    const SECRET_SIG = "4dabf18193072939515e22adb298388d";
    const decode = (v: any): any => {
        if (Array.isArray(v)) return v.map(decode);
        if (v !== null && typeof v === "object") {
            if (SECRET_SIG in v) return decode(JSON.parse(v.plaintext));
            return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith("__")).map(([k, x]) => [k, decode(x)]));
        }
        return v;
    };
    return (deployment.deployment?.resources ?? [])
        .filter((r: any) => /^kubernetes:/.test(r.type) && r.custom && r.type !== "pulumi:providers:kubernetes" && r.inputs?.kind)
        .map((r: any) => decode(r.inputs));
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

    // Every command's output of a test goes to $CLUSTER_DIR/logs/suite.log beside the components'
    // logs, so a failure can be read against Flagger's and the API server's.
    let logged = 0;
    afterEach(function () {
        if (!process.env.CLUSTER_DIR || !ws) return;
        const outputs = ws.outputs.slice(logged);
        logged = ws.outputs.length;
        const title = this.currentTest?.title ?? "";
        fs.appendFileSync(`${process.env.CLUSTER_DIR}/logs/suite.log`, `===== ${new Date().toISOString()} ${this.currentTest?.state ?? ""}: ${title}\n${outputs.join("\n-----\n")}\n`);
    });

    after(async () => {
        await hook?.close();
        ws?.remove();
    });

    /** The lines that say what went wrong (pulumi prints its errors above the summary) and the last 40. */
    const tail = (output: string) => {
        const lines = output.split("\n");
        const errors = lines.filter((l) => /error|refus|fail/i.test(l)).slice(0, 20);
        return [...errors, "...", ...lines.slice(-40)].join("\n");
    };

    /** Follows the Canary once a second until its phase is one of `phases`. */
    const phase = (name: string, phases: string[], timeoutMs = 240_000) =>
        waitFor(`Canary ${name} ${phases.join(" or ")}`, timeoutMs, () => (phases.includes(get("canary", name)?.status?.phase) ? get("canary", name) : undefined), () => JSON.stringify(get("canary", name)?.status));

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

        // Strict field validation: every object exactly as pulumi sent it (the inputs in its state)
        // passes the API server's strict validation, the CRDs' structural schemas included, so no
        // field was dropped as unknown or duplicated.
        const exported = ws.pulumi(["stack", "export", "--show-secrets"]);
        expect(exported.code, exported.output).to.equal(0);
        const objects = sentObjects(JSON.parse(exported.output.slice(exported.output.indexOf("{"))));
        expect(objects.map((o) => o.kind)).to.include.members(["Deployment", "Canary", "Job", "MetricTemplate", "AlertProvider", "PrometheusRule", "Secret"]);
        const validated = kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager", "strict-check", "--dry-run=server", "--validate=strict", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
        expect(validated.code, validated.stderr).to.equal(0);
        expect(validated.stderr, "the API server warned about a field").to.equal("");
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

    /**
     * Records the coming release's evidence (CI run, review, scan, performance report) and commits
     * it, as a team does before shipping: the checklist refuses links left from the previous release.
     */
    function renewEvidence(version: string): void {
        const text = fs.readFileSync(ws.stackFile, "utf8");
        const renewed = text
            .replace(/(ci\.example\.com\/shop\/checkout\/runs\/)\S+/, `$1${version}`)
            .replace(/(git\.example\.com\/shop\/checkout\/pull\/)\S+/, `$1${version}`)
            .replace(/(scan\.example\.com\/reports\/checkout-)\S+/, `$1${version}`)
            .replace(/(perf\.example\.com\/reports\/checkout-)\S+/, `$1${version}`);
        expect(renewed, "the evidence lines were not found").to.not.equal(text);
        fs.writeFileSync(ws.stackFile, renewed);
        ws.commit(`evidence for checkout ${version}`);
    }

    it("3. ship releases a good version: Flagger analyses it with the program's MetricTemplates and promotes it", async () => {
        await setBehaviour({ checkout: { "2.5.0": { errorRate: 0, latencyMs: 40 } } });
        renewEvidence("2.5.0");
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

    it("4. ship --target of a bad version: Flagger fails the analysis, ship rolls the configuration back and the previous version serves; the storefront is never touched", async () => {
        await setBehaviour({ checkout: { "2.6.0": { errorRate: 0.2, latencyMs: 40 } } });
        expect(await loadAlertRules()).to.include.members(["HighErrorRate", "CanaryFailed"]);
        const started = Date.now();
        let firstFailedCheck: number | undefined;
        let canaryFailedFired = false;
        const watch = setInterval(async () => {
            if (firstFailedCheck === undefined && (get("canary", "checkout")?.status?.failedChecks ?? 0) > 0) firstFailedCheck = Date.now();
            if (!canaryFailedFired && (await firing("CanaryFailed").catch(() => [])).some((a) => a.service === "checkout")) canaryFailedFired = true;
        }, 1000);
        renewEvidence("2.6.0");
        // --target: the program declares checkout alone for the release; the rollback applies the whole stack
        const storefront = get("deployment", "storefront");
        const run = await ship(["checkout", "2.6.0", "--target", "--monitor", "20s", "--interval", "2s"]).finally(() => clearInterval(watch));
        const storefrontAfter = get("deployment", "storefront");
        expect(storefrontAfter?.metadata.uid, "the storefront's Deployment was deleted or recreated").to.equal(storefront.metadata.uid);
        expect(storefrontAfter.metadata.generation).to.equal(storefront.metadata.generation);
        const restored = Date.now();
        expect(run.code, tail(run.output)).to.equal(1);
        const text = fs.readFileSync(ws.stackFile, "utf8");
        expect(text).to.match(/version: 2\.5\.0\n(?:.*\n)*?\s+rollback: true/);
        expect(imageVersion(get("deployment", "checkout"))).to.equal("2.5.0");
        expect(imageVersion(get("deployment", "checkout-primary"))).to.equal("2.5.0");
        expect(hook.texts().some((t) => /roll/i.test(t) && t.includes("2.6.0")), hook.texts().join("\n")).to.equal(true);
        // Flagger's own alert, through the AlertProvider the program declared (Slack payload, author <canary>.<namespace>).
        const flaggerAlerts = hook.texts().flatMap((t) => {
            try {
                return (JSON.parse(t).attachments ?? []) as { author_name?: string; text?: string }[];
            } catch {
                return [];
            }
        });
        expect(flaggerAlerts.some((a) => a.author_name === `checkout.${NS}` && /fail|roll/i.test(a.text ?? "")), hook.texts().join("\n")).to.equal(true);
        expect(firstFailedCheck, "Flagger never counted a failed check").to.not.equal(undefined);
        const first = firstFailedCheck as number;
        const line = `rollback: ${((restored - first) / 1000).toFixed(1)} s from the first failed check to ship's exit with the previous version serving (ship ran ${((restored - started) / 1000).toFixed(1)} s)`;
        console.log(`      ${line}`);
        if (process.env.CLUSTER_TIMINGS_FILE) fs.appendFileSync(process.env.CLUSTER_TIMINGS_FILE, `${JSON.stringify({ scenario: "bad release", firstFailedCheckToRestoredSeconds: (restored - first) / 1000, shipSeconds: (restored - started) / 1000 })}\n`);
        // After the rollback: the rollback release is a new revision to Flagger (its pods carry the
        // rollback mark), so Flagger promotes it without analysis and the Canary ends Succeeded:
        // Prometheus shows flagger_canary_status back at 1 and the CanaryFailed alert, which fired
        // while the bad release was rolled back, resolves.
        await phase("checkout", ["Succeeded"], 180_000);
        expect(imageVersion(get("deployment", "checkout-primary"))).to.equal("2.5.0");
        expect(get("deployment", "checkout-primary").status.availableReplicas).to.be.at.least(1);
        expect(canaryFailedFired, "CanaryFailed never fired in Prometheus while Flagger rolled 2.6.0 back").to.equal(true);
        await waitFor("flagger_canary_status 1 in Prometheus", 60_000, async () => (await query(`flagger_canary_status{name="checkout",namespace="${NS}"}`)) === 1);
        await waitFor("CanaryFailed to resolve", 60_000, async () => (await firing("CanaryFailed")).every((a) => a.service !== "checkout"));
    });

    it("5. ship of a version that passes the canary but breaches the alert thresholds in the monitor window is rolled back", async () => {
        await setBehaviour({ checkout: { "2.7.0": { errorRate: 0, latencyMs: 40 } } });
        // Healthy through the analysis; once Flagger has promoted it, 2.7.0 starts failing 30 % of
        // its requests, as a release whose fault only shows under full traffic does.
        let promotedAt: number | undefined;
        let breachSeen: number | undefined;
        let rulesLoaded: Promise<string[]> | undefined;
        let highErrorRateFired = false;
        const watch = setInterval(async () => {
            if (promotedAt === undefined && get("canary", "checkout")?.status?.phase === "Succeeded" && imageVersion(get("deployment", "checkout-primary")) === "2.7.0") {
                promotedAt = Date.now();
                // The rules of the release being monitored, so Prometheus' own alerting runs beside ship's monitor.
                rulesLoaded = loadAlertRules();
                await setBehaviour({ checkout: { "2.7.0": { errorRate: 0.3, latencyMs: 40 } } });
            }
            if (promotedAt !== undefined && breachSeen === undefined) {
                const rate = await query(`sum(rate(http_requests_total{namespace="${NS}",pod=~"checkout-.*",code=~"5.."}[30s])) / sum(rate(http_requests_total{namespace="${NS}",pod=~"checkout-.*"}[30s]))`).catch(() => undefined);
                if (rate !== undefined && rate > 0.01) breachSeen = Date.now();
            }
            if (promotedAt !== undefined && !highErrorRateFired) {
                highErrorRateFired = (await firing("HighErrorRate").catch(() => [])).some((a) => a.service === "checkout");
            }
        }, 1000);
        renewEvidence("2.7.0");
        const run = await ship(["checkout", "2.7.0", "--monitor", "90s", "--monitor-interval", "2s", "--interval", "2s"]).finally(() => clearInterval(watch));
        const restored = Date.now();
        expect(run.code, tail(run.output)).to.equal(1);
        expect(promotedAt, "Flagger never promoted 2.7.0: the failure must come from the monitor step, not the canary").to.not.equal(undefined);
        expect(await rulesLoaded).to.include("HighErrorRate");
        expect(highErrorRateFired, "the program's HighErrorRate alert never fired in Prometheus while ship's monitor saw a breach").to.equal(true);
        const text = fs.readFileSync(ws.stackFile, "utf8");
        expect(text).to.match(/version: 2\.5\.0\n(?:.*\n)*?\s+rollback: true/);
        expect(imageVersion(get("deployment", "checkout"))).to.equal("2.5.0");
        // The rollback release skips the analysis: Flagger promotes 2.5.0 straight back.
        await waitFor("checkout-primary to run 2.5.0", 180_000, () => imageVersion(get("deployment", "checkout-primary")) === "2.5.0", () => JSON.stringify(get("canary", "checkout")?.status));
        await phase("checkout", ["Succeeded"]);
        const serving = Date.now();
        expect(hook.texts().some((t) => /roll/i.test(t) && t.includes("2.7.0")), hook.texts().join("\n")).to.equal(true);
        if (breachSeen !== undefined) {
            const line = `monitor rollback: ${((serving - breachSeen) / 1000).toFixed(1)} s from Prometheus first showing the breach to 2.5.0 serving again (ship exited after ${((restored - breachSeen) / 1000).toFixed(1)} s)`;
            console.log(`      ${line}`);
            if (process.env.CLUSTER_TIMINGS_FILE) fs.appendFileSync(process.env.CLUSTER_TIMINGS_FILE, `${JSON.stringify({ scenario: "monitor breach", breachToServingSeconds: (serving - breachSeen) / 1000, breachToShipExitSeconds: (restored - breachSeen) / 1000 })}\n`);
        }
        await setBehaviour({});
    });

    it("6. status --watch follows a real canary to Succeeded, and to Failed, where --revert-on-failure reverts the stack file", async () => {
        // A good release, applied by hand (pulumi up), followed by status --watch.
        let run = ws.releasectl(["prepare", "checkout", "2.8.0"]);
        expect(run.code, run.output).to.equal(0);
        ws.commit("release checkout 2.8.0");
        let up = ws.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up.output)).to.equal(0);
        const good = ws.releasectl(["status", "checkout", "--watch", "--interval", "2s", "--timeout", "5m"]);
        expect(good.code, good.output).to.equal(0);
        expect(get("canary", "checkout").status.phase).to.equal("Succeeded");
        expect(imageVersion(get("deployment", "checkout-primary"))).to.equal("2.8.0");

        // A bad one: Flagger fails the analysis and rolls back; status --watch --revert-on-failure
        // sees it and rolls the stack file back to what the cluster serves.
        await setBehaviour({ checkout: { "2.9.0": { errorRate: 0.25, latencyMs: 40 } } });
        run = ws.releasectl(["prepare", "checkout", "2.9.0"]);
        expect(run.code, run.output).to.equal(0);
        ws.commit("release checkout 2.9.0");
        up = ws.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up.output)).to.equal(0);
        const before = fs.readFileSync(ws.stackFile, "utf8");
        const bad = ws.releasectl(["status", "checkout", "--watch", "--interval", "2s", "--timeout", "5m", "--revert-on-failure"]);
        expect(bad.code, bad.output).to.equal(1);
        const canary = get("canary", "checkout");
        expect(canary.status.phase).to.equal("Failed");
        expect(imageVersion(get("deployment", "checkout-primary")), "Flagger rolled back: the primary still serves 2.8.0").to.equal("2.8.0");
        const after = fs.readFileSync(ws.stackFile, "utf8");
        expect(after).to.not.equal(before);
        expect(after).to.match(/version: 2\.8\.0\n(?:.*\n)*?\s+rollback: true/);
        // The reverted file, applied: the Deployment runs 2.8.0 again and no analysis starts.
        ws.commit("rollback checkout to 2.8.0");
        up = ws.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up.output)).to.equal(0);
        expect(imageVersion(get("deployment", "checkout"))).to.equal("2.8.0");
        expect(imageVersion(get("deployment", "checkout-primary"))).to.equal("2.8.0");
        await setBehaviour({});
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

    it("7b. releasectl rollback across a contract migration without a downgrade is refused before anything changes", async () => {
        // A contract release committed without a downgradeCommand (a hand edit, or history from before
        // the loader required one): pulumi up refuses it and the cluster keeps 2.4.1 ...
        let run = ws.releasectl(["prepare", "checkout", "3.0.0"]);
        expect(run.code, run.output).to.equal(0);
        ws.edit("        phase: expand\n", "        phase: contract\n");
        ws.edit('        downgradeCommand: ["/app/migrate", "down"]\n', "");
        ws.commit("release checkout 3.0.0: drop orders.legacy_total");
        let up = ws.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up.output)).to.not.equal(0);
        expect(up.output).to.include("migration.downgradeCommand");
        expect(imageVersion(get("deployment", "checkout"))).to.equal("2.4.1");
        expect(get("job", "checkout-migrate-3-0-0")).to.equal(undefined);
        // ... and the fix forward, 3.0.1 with its downgrade, is released on the cluster.
        ws.edit('        command: ["/app/migrate", "up"]\n', '        command: ["/app/migrate", "up"]\n        downgradeCommand: ["/app/migrate", "down"]\n');
        run = ws.releasectl(["prepare", "checkout", "3.0.1"]);
        expect(run.code, run.output).to.equal(0);
        ws.commit("release checkout 3.0.1: drop orders.legacy_total, with its downgrade");
        up = ws.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up.output)).to.equal(0);
        expect(condition(get("job", "checkout-migrate-3-0-1"), "Complete")).to.equal("True");
        // The Canary is still Succeeded from 7a until Flagger picks up the new revision: wait for the primary.
        await waitFor("checkout-primary to run 3.0.1", 240_000, () => imageVersion(get("deployment", "checkout-primary")) === "3.0.1", () => JSON.stringify(get("canary", "checkout")?.status));
        await phase("checkout", ["Succeeded"]);

        // Back to 2.4.1 crosses 3.0.0's contract, which has no way back: refused, and nothing changes.
        const file = fs.readFileSync(ws.stackFile);
        const head = ws.git(["rev-parse", "HEAD"]);
        const status = ws.git(["status", "--porcelain"]);
        const jobs = list("job").map((j) => j.metadata.name).sort();
        for (const to of ["2.4.1", "2.8.0"]) {
            run = ws.releasectl(["rollback", "checkout", "--to", to]);
            expect(run.code, `releasectl rollback checkout --to ${to}: ${run.output}`).to.equal(2);
            expect(run.output, "refused for another reason").to.match(/3\.0\.0 \([0-9a-f]{7}\) ran a contract migration without a downgradeCommand/);
            expect(fs.readFileSync(ws.stackFile).equals(file), "the stack file changed").to.equal(true);
        }
        expect(ws.git(["rev-parse", "HEAD"])).to.equal(head);
        expect(ws.git(["status", "--porcelain"])).to.equal(status);
        // Nothing reached the cluster: same Jobs, the Deployments and the Canary as they were.
        expect(list("job").map((j) => j.metadata.name).sort()).to.deep.equal(jobs);
        expect(imageVersion(get("deployment", "checkout"))).to.equal("3.0.1");
        expect(imageVersion(get("deployment", "checkout-primary"))).to.equal("3.0.1");
        expect(get("canary", "checkout").status.phase).to.equal("Succeeded");
    });
});
