import { expect } from "chai";
import { loadStack } from "../../config/load";
import { serviceConfig, valuesWithService } from "../helpers/fixtures";
import { expectRejected } from "../helpers/errors";
import { REPO } from "../helpers/project";

/**
 * The keys for disruption budgets, topology spread, ephemeral storage, the nginx load test's
 * ingress controller and the alert rules' labels: defaults and what the loader refuses.
 */
describe("availability and monitoring keys", () => {
    describe("resources ephemeralStorage", () => {
        it("requests 128Mi and limits 256Mi by default", () => {
            const { requests, limits } = serviceConfig().resources;
            expect([requests.ephemeralStorage, limits.ephemeralStorage]).to.deep.equal(["128Mi", "256Mi"]);
        });

        it("takes the configured quantities", () => {
            const { requests, limits } = serviceConfig({ resources: { requests: { ephemeralStorage: "1Gi" }, limits: { ephemeralStorage: "2Gi" } } }).resources;
            expect([requests.ephemeralStorage, limits.ephemeralStorage]).to.deep.equal(["1Gi", "2Gi"]);
        });

        it("refuses a limit below the request", () => {
            expectRejected(valuesWithService({ resources: { requests: { ephemeralStorage: "1Gi" }, limits: { ephemeralStorage: "512Mi" } } }), {
                key: "services.web.resources.limits.ephemeralStorage",
                value: '"512Mi"',
                allowed: "must be at least requests.ephemeralStorage (1Gi)",
            });
        });

        it("refuses a value that is not a quantity", () => {
            expectRejected(valuesWithService({ resources: { limits: { ephemeralStorage: "lots" } } }), {
                key: "services.web.resources.limits.ephemeralStorage",
                allowed: "a storage quantity such as 256Mi or 1Gi",
            });
        });
    });

    describe("disruptionBudget and topologySpread", () => {
        it("are on when replicas.min > 1 and off for a single replica", () => {
            expect([serviceConfig().disruptionBudget.enabled, serviceConfig().topologySpread.enabled]).to.deep.equal([true, true]);
            const single = serviceConfig({ replicas: { min: 1 } });
            expect([single.disruptionBudget.enabled, single.topologySpread.enabled]).to.deep.equal([false, false]);
        });

        it("default to one unavailable primary pod and a soft spread over zones and nodes", () => {
            const s = serviceConfig();
            expect(s.disruptionBudget).to.deep.equal({ enabled: true, maxUnavailable: 1 });
            expect(s.topologySpread).to.deep.equal({
                enabled: true,
                maxSkew: 1,
                whenUnsatisfiable: "ScheduleAnyway",
                topologyKeys: ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
            });
        });

        it("refuses a budget that blocks every eviction (maxUnavailable 0)", () => {
            expectRejected(valuesWithService({ disruptionBudget: { maxUnavailable: 0 } }), {
                key: "services.web.disruptionBudget.maxUnavailable",
                allowed: "must be a whole number from 1 to 1000",
            });
            expectRejected(valuesWithService({ disruptionBudget: { maxUnavailable: "0%" } }), {
                key: "services.web.disruptionBudget.maxUnavailable",
                allowed: "a percentage from 1% to 100%",
            });
        });

        it("refuses an unknown whenUnsatisfiable and an empty list of topology keys", () => {
            expectRejected(valuesWithService({ topologySpread: { whenUnsatisfiable: "Sometimes" } }), {
                key: "services.web.topologySpread.whenUnsatisfiable",
                allowed: "ScheduleAnyway or DoNotSchedule",
            });
            expectRejected(valuesWithService({ topologySpread: { topologyKeys: [] } }), {
                key: "services.web.topologySpread.topologyKeys",
                allowed: "must be a non-empty list of distinct node label keys",
            });
        });

        it("suggests the key for a typo", () => {
            expectRejected(valuesWithService({ disruptionBudget: { maxUnavailible: 1 } }), {
                key: "services.web.disruptionBudget.maxUnavailible",
                allowed: 'did you mean "maxUnavailable"?',
            });
        });
    });

    describe("canary loadTesterUrl and ingressControllerUrl", () => {
        it("sends the webhooks to flagger-loadtester in flagger-system by default", () => {
            expect(serviceConfig().canary.loadTesterUrl).to.equal("http://flagger-loadtester.flagger-system/");
        });

        it("load-tests an nginx service through the ingress controller with the Ingress host", () => {
            const canary = serviceConfig({ canary: { provider: "nginx", host: "shop.example.com" } }).canary;
            expect(canary.loadTest.command).to.equal("hey -z 1m -q 10 -c 2 -host shop.example.com http://ingress-nginx-controller.ingress-nginx/");
        });

        it("takes the configured controller address", () => {
            const canary = serviceConfig({ canary: { provider: "nginx", host: "shop.example.com", ingressControllerUrl: "http://nginx.ingress:8080/" } }).canary;
            expect(canary.loadTest.command).to.equal("hey -z 1m -q 10 -c 2 -host shop.example.com http://nginx.ingress:8080/");
        });

        it("keeps a configured load test as it is", () => {
            const canary = serviceConfig({ canary: { provider: "nginx", host: "shop.example.com", loadTest: "hey -z 30s http://shop.example.com/" } }).canary;
            expect(canary.loadTest.command).to.equal("hey -z 30s http://shop.example.com/");
        });

        it("refuses a controller address that is not an http(s) URL", () => {
            expectRejected(valuesWithService({ canary: { provider: "nginx", host: "shop.example.com", ingressControllerUrl: "ingress-nginx-controller" } }), {
                key: "services.web.canary.ingressControllerUrl",
                allowed: "an http(s) URL",
            });
        });
    });

    describe("alerts ruleLabels and flaggerNamespaceLabel", () => {
        it("has no extra rule labels and matches both namespace layouts by default", () => {
            const a = serviceConfig().alerts;
            expect(a.ruleLabels).to.deep.equal({});
            expect(a.flaggerNamespaceLabel).to.equal(undefined);
        });

        it("takes rule labels with prefixed keys", () => {
            expect(serviceConfig({ alerts: { ruleLabels: { release: "kube-prometheus-stack", "example.com/team": "shop" } } }).alerts.ruleLabels).to.deep.equal({
                release: "kube-prometheus-stack",
                "example.com/team": "shop",
            });
        });

        it("refuses the labels releasectl sets itself, and values that are no label values", () => {
            expectRejected(valuesWithService({ alerts: { ruleLabels: { "app.kubernetes.io/part-of": "shop" } } }), {
                key: "services.web.alerts.ruleLabels.app.kubernetes.io/part-of",
                allowed: "releasectl sets the app.kubernetes.io/ labels itself",
            });
            expectRejected(valuesWithService({ alerts: { ruleLabels: { release: "kube prometheus" } } }), {
                key: "services.web.alerts.ruleLabels.release",
                allowed: "a label value",
            });
        });

        it("refuses a flaggerNamespaceLabel that is no Prometheus label name", () => {
            expectRejected(valuesWithService({ alerts: { flaggerNamespaceLabel: "exported-namespace" } }), {
                key: "services.web.alerts.flaggerNamespaceLabel",
                allowed: "a Prometheus label name",
            });
        });
    });

    it("the example stack loads with the new defaults", () => {
        const checkout = loadStack(REPO, "production").services.find((s) => s.name === "checkout")!;
        expect(checkout.disruptionBudget.enabled).to.equal(true);
        expect(checkout.resources.limits.ephemeralStorage).to.equal("256Mi");
    });
});
