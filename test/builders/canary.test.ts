import { expect } from "chai";
import { buildCanary, buildMetricTemplates, DEFAULT_PROMETHEUS_URL } from "../../builders/canary";
import { buildIngress } from "../../builders/ingress";
import { ReleaseConfig } from "../../config/types";
import { Doc, doc, kinds, serviceObjects } from "../helpers/manifests";
import { merge, parse, Overrides, releaseConfig, valuesWithService } from "../helpers/fixtures";

function canary(config: ReleaseConfig = releaseConfig()): Doc {
    return doc(buildCanary(config, config.services[0]));
}

const withProvider = (provider: string, extra: Overrides = {}) => releaseConfig({ canary: { provider, ...extra } });

describe("buildCanary", () => {
    it("is a flagger.app/v1beta1 Canary named after the service", () => {
        const c = canary();
        expect([c.apiVersion, c.kind, c.metadata.name, c.metadata.namespace]).to.deep.equal(["flagger.app/v1beta1", "Canary", "web", "shop"]);
    });

    it("targets the service's Deployment", () => {
        expect(canary().spec.targetRef).to.deep.equal({ apiVersion: "apps/v1", kind: "Deployment", name: "web" });
    });

    it("refers to the autoscaler, so Flagger scales the primary the same way", () => {
        expect(canary().spec.autoscalerRef).to.deep.equal({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: "web" });
    });

    it("exposes the service port", () => {
        expect(canary(releaseConfig({ port: 3000 })).spec.service.port).to.equal(3000);
    });

    it("sets the progress deadline", () => {
        expect(canary(releaseConfig({ canary: { progressDeadlineSeconds: 900 } })).spec.progressDeadlineSeconds).to.equal(900);
    });

    it("analyses at the configured interval, threshold and weights", () => {
        const a = canary(releaseConfig({ canary: { interval: "30s", threshold: 3, maxWeight: 60, stepWeight: 20 } })).spec.analysis;
        expect([a.interval, a.threshold, a.maxWeight, a.stepWeight]).to.deep.equal(["30s", 3, 60, 20]);
    });

    it("checks the builtin request-success-rate with the configured minimum", () => {
        const metric = canary(releaseConfig({ canary: { successRateMin: 99.5 } })).spec.analysis.metrics.find((m: Doc) => m.name === "request-success-rate");
        expect(metric.thresholdRange).to.deep.equal({ min: 99.5 });
    });

    it("checks the builtin request-duration with the configured maximum in ms", () => {
        const metric = canary(releaseConfig({ canary: { latencyMaxMs: 250 } })).spec.analysis.metrics.find((m: Doc) => m.name === "request-duration");
        expect(metric.thresholdRange).to.deep.equal({ max: 250 });
    });

    it("runs the smoke test as a pre-rollout webhook before any traffic moves", () => {
        const hook = canary(releaseConfig({ canary: { smokeTest: "curl -f http://web-canary.shop:8080/ready" } })).spec.analysis.webhooks.find((w: Doc) => w.type === "pre-rollout");
        expect(hook).to.deep.equal({
            name: "smoke-test",
            type: "pre-rollout",
            url: "http://flagger-loadtester.flagger-system/",
            timeout: "30s",
            metadata: { type: "bash", cmd: "curl -f http://web-canary.shop:8080/ready" },
        });
    });

    it("runs the load test as a rollout webhook at every step", () => {
        const hook = canary(releaseConfig({ canary: { loadTest: "hey -z 30s http://web-canary.shop:8080/", loadTestTimeout: "10s" } })).spec.analysis.webhooks.find(
            (w: Doc) => w.type === "rollout",
        );
        expect(hook.metadata).to.deep.equal({ type: "cmd", cmd: "hey -z 30s http://web-canary.shop:8080/" });
        expect(hook.timeout).to.equal("10s");
    });

    it("sends alerts to the service's AlertProvider", () => {
        expect(canary().spec.analysis.alerts).to.deep.equal([{ name: "releases", severity: "info", providerRef: { name: "web-releases", namespace: "shop" } }]);
    });

    for (const provider of ["istio", "linkerd"]) {
        it(`sets provider ${provider} with stepped weights`, () => {
            const c = canary(withProvider(provider));
            expect(c.spec.provider).to.equal(provider);
            expect(c.spec.analysis).to.include({ maxWeight: 50, stepWeight: 10 });
            expect(c.spec).not.to.have.property("ingressRef");
        });
    }

    it("refers to the Ingress with provider nginx", () => {
        const c = canary(withProvider("nginx", { host: "shop.example.com" }));
        expect(c.spec.provider).to.equal("nginx");
        expect(c.spec.ingressRef).to.deep.equal({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "web" });
    });

    it("gates nginx on the builtin success rate and a p99 latency MetricTemplate declared before the Canary", () => {
        const config = withProvider("nginx", { host: "shop.example.com", latencyMaxMs: 300 });
        const metrics = canary(config).spec.analysis.metrics;
        expect(metrics.map((m: Doc) => m.name)).to.deep.equal(["request-success-rate", "latency"]);
        expect(metrics[1]).to.deep.include({ templateRef: { name: "web-latency", namespace: "shop" }, thresholdRange: { max: 300 } });
        const objects = kinds(serviceObjects(config));
        expect(objects.filter((k) => k === "MetricTemplate")).to.have.length(1);
        expect(objects.indexOf("MetricTemplate")).to.be.below(objects.indexOf("Canary"));
    });

    it("declares the Ingress only for provider nginx", () => {
        expect(kinds(serviceObjects(withProvider("nginx", { host: "shop.example.com" })))).to.include("Ingress");
        expect(kinds(serviceObjects(withProvider("istio")))).not.to.include("Ingress");
    });

    it("routes the Ingress host to the service port through the configured class", () => {
        const config = withProvider("nginx", { host: "shop.example.com", ingressClassName: "public" });
        const ingress = doc(buildIngress(config.services[0]));
        expect(ingress.spec.ingressClassName).to.equal("public");
        expect(ingress.spec.rules[0].host).to.equal("shop.example.com");
        expect(ingress.spec.rules[0].http.paths[0].backend).to.deep.equal({ service: { name: "web", port: { number: 8080 } } });
    });

    describe("provider kubernetes (blue/green)", () => {
        const blueGreen = () => withProvider("kubernetes", { iterations: 6 });

        it("runs iterations instead of weights", () => {
            const a = canary(blueGreen()).spec.analysis;
            expect(a.iterations).to.equal(6);
            expect(a).not.to.have.any.keys("maxWeight", "stepWeight");
        });

        it("measures with the service's MetricTemplates instead of mesh metrics", () => {
            const metrics = canary(blueGreen()).spec.analysis.metrics;
            expect(metrics.map((m: Doc) => m.templateRef)).to.deep.equal([
                { name: "web-error-rate", namespace: "shop" },
                { name: "web-latency", namespace: "shop" },
            ]);
        });

        it("allows an error rate of 100 minus the success-rate minimum", () => {
            const errorRate = canary(withProvider("kubernetes", { successRateMin: 99.5 })).spec.analysis.metrics[0];
            expect(errorRate.thresholdRange).to.deep.equal({ max: 0.5 });
        });

        it("declares two MetricTemplates before the Canary", () => {
            const objects = kinds(serviceObjects(blueGreen()));
            expect(objects.filter((k) => k === "MetricTemplate")).to.have.length(2);
            expect(objects.lastIndexOf("MetricTemplate")).to.be.below(objects.indexOf("Canary"));
        });

        it("queries the stack's Prometheus", () => {
            const config = parse(merge(valuesWithService({ canary: { provider: "kubernetes" } }), { prometheusUrl: "http://prom.example:9090" }));
            const [template] = buildMetricTemplates(config, config.services[0]).map(doc);
            expect(template.spec.provider).to.deep.equal({ type: "prometheus", address: "http://prom.example:9090" });
        });

        it("queries the in-cluster Prometheus when the stack names none", () => {
            const config = blueGreen();
            const [template] = buildMetricTemplates(config, config.services[0]).map(doc);
            expect(template.spec.provider.address).to.equal(DEFAULT_PROMETHEUS_URL);
        });
    });

    it("skips analysis for a rollback, so a known-good version is promoted at once", () => {
        expect(canary(releaseConfig({ rollback: true })).spec.skipAnalysis).to.equal(true);
    });

    it("analyses a normal release", () => {
        expect(canary().spec.skipAnalysis).to.equal(false);
    });
});
