import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import {
    DATABASE_CIPHERTEXT,
    merge,
    migrationValues,
    parse,
    releaseConfig,
    serviceConfig,
    serviceWithMigration,
    SOURCE,
    validValues,
    valuesWithService,
    WEBHOOK_CIPHERTEXT,
} from "../helpers/fixtures";
import { errorOf, expectRejected, rejection } from "../helpers/errors";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("parseReleaseConfig", () => {
    describe("a valid stack", () => {
        it("parses the baseline stack", () => {
            const config = parse(validValues());
            expect(config.services.map((s) => s.name)).to.deep.equal(["web"]);
            expect(config.namespace).to.equal("shop");
            expect(config.environment).to.equal("production");
            expect(config.source).to.equal(SOURCE);
        });

        it("sorts services by name", () => {
            const values = merge(validValues(), {
                services: { zeta: { image: "registry.example.com/zeta", version: "1.0.0" }, alpha: { image: "registry.example.com/alpha", version: "1.0.0" } },
            });
            expect(parse(values).services.map((s) => s.name)).to.deep.equal(["alpha", "web", "zeta"]);
        });

        it("uses the stack name as environment when none is set", () => {
            const values = merge(validValues(), { environment: undefined });
            expect(parse(values, { stack: "staging" }).environment).to.equal("staging");
        });

        it("lets a service override the stack namespace", () => {
            expect(serviceConfig({ namespace: "payments" }).namespace).to.equal("payments");
        });

        it("names the only notification target when the service names none", () => {
            expect(serviceConfig({ notification: undefined }).notification).to.equal("releases");
        });

        it("keeps a secure value's ciphertext and never a plaintext", () => {
            const address = parse(validValues()).notifications.releases.address;
            expect(address).to.deep.equal({ kind: "secret", path: "releasectl:notifications.releases.address", ciphertext: WEBHOOK_CIPHERTEXT });
        });

        it("turns a one-line migration command into sh -c", () => {
            const service = serviceWithMigration({ migration: { command: "./migrate up && ./seed" } });
            expect(service.migration?.command).to.deep.equal(["sh", "-c", "./migrate up && ./seed"]);
        });

        it("accepts a CPU quantity written as a YAML number", () => {
            expect(serviceConfig({ resources: { limits: { cpu: 2 } } }).resources.limits.cpu).to.equal("2");
        });

        it("accepts a registry with a port in the image repository", () => {
            expect(serviceConfig({ image: "registry.example.com:5000/shop/web" }).image.repository).to.equal("registry.example.com:5000/shop/web");
        });

        it("accepts an image digest of sha256 and 64 lowercase hex digits", () => {
            expect(serviceConfig({ imageDigest: DIGEST }).image.digest).to.equal(DIGEST);
        });

        it("accepts a migration image with a tag", () => {
            const service = serviceWithMigration({ migration: { image: "registry.example.com/shop/migrator:2.0.0" } });
            expect(service.migration?.image).to.equal("registry.example.com/shop/migrator:2.0.0");
        });
    });

    describe("defaults", () => {
        it("applies the canary interval of 1m", () => {
            const canary = serviceConfig().canary;
            expect([canary.interval, canary.intervalSeconds]).to.deep.equal(["1m", 60]);
        });

        it("applies the canary threshold of 5", () => {
            expect(serviceConfig().canary.threshold).to.equal(5);
        });

        it("applies maxWeight 50 and stepWeight 10", () => {
            const canary = serviceConfig().canary;
            expect([canary.maxWeight, canary.stepWeight]).to.deep.equal([50, 10]);
        });

        it("applies a success-rate minimum of 99%", () => {
            expect(serviceConfig().canary.successRateMin).to.equal(99);
        });

        it("applies a request-duration maximum of 500 ms", () => {
            expect(serviceConfig().canary.latencyMaxMs).to.equal(500);
        });

        it("applies the istio provider and a 600 s progress deadline", () => {
            const canary = serviceConfig().canary;
            expect([canary.provider, canary.progressDeadlineSeconds]).to.deep.equal(["istio", 600]);
        });

        it("applies a smoke test against the canary's readiness path", () => {
            const canary = serviceConfig({ port: 9000, probes: { readinessPath: "/ready" } }).canary;
            expect(canary.smokeTest).to.deep.equal({ command: "curl -sSf --max-time 10 http://web-canary.shop:9000/ready", timeout: "30s" });
        });

        it("applies port, probes, resources, replicas and revisionHistoryLimit", () => {
            const service = serviceConfig();
            expect(service.port).to.equal(8080);
            expect(service.probes).to.deep.equal({
                readinessPath: "/readyz",
                livenessPath: "/livez",
                initialDelaySeconds: 5,
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 3,
            });
            expect(service.resources).to.deep.equal({
                requests: { cpu: "100m", memory: "128Mi", ephemeralStorage: "128Mi" },
                limits: { cpu: "500m", memory: "256Mi", ephemeralStorage: "256Mi" },
            });
            expect(service.replicas).to.deep.equal({ min: 2, max: 10, targetCpuUtilization: 75 });
            expect(service.revisionHistoryLimit).to.equal(10);
        });

        it("applies the migration time limits", () => {
            const m = serviceWithMigration().migration;
            expect([m?.backoffLimit, m?.activeDeadlineSeconds, m?.ttlSecondsAfterFinished]).to.deep.equal([1, 900, 86400]);
        });

        it("applies alert thresholds and a metric selector for the service", () => {
            const alerts = serviceConfig().alerts;
            expect([alerts.errorRatePercent, alerts.latencyP99Ms, alerts.for, alerts.rateWindow]).to.deep.equal([1, 500, "5m", "5m"]);
            expect(alerts.metrics.selector).to.equal('namespace="shop",service="web"');
        });

        it("is not a rollback unless marked", () => {
            expect(serviceConfig().rollback).to.equal(false);
        });

        it("accepts a first release, which replaces no version", () => {
            expect(serviceConfig({ firstRelease: true, previousVersion: undefined }).firstRelease).to.equal(true);
        });

        it("rejects a first release that also names a previous version", () => {
            const message = rejection(valuesWithService({ firstRelease: true, previousVersion: "1.3.0" }));
            expect(message).to.include("releasectl:services.web.firstRelease = true: is not allowed with previousVersion (1.3.0)");
        });
    });

    describe("unknown keys", () => {
        it("rejects a misspelt service key and suggests the right one", () => {
            expectRejected(valuesWithService({ verison: "1.0.0" }), { key: "services.web.verison", allowed: 'unknown key; did you mean "version"?' });
        });

        it("lists the allowed keys with an unknown service key", () => {
            const message = rejection(valuesWithService({ colour: "blue" }));
            expect(message).to.include("Allowed keys: image, imageDigest, version");
            expect(message).not.to.include("did you mean");
        });

        it("rejects a misspelt canary key and suggests the right one", () => {
            expectRejected(valuesWithService({ canary: { stepweight: 5 } }), { key: "services.web.canary.stepweight", allowed: 'did you mean "stepWeight"?' });
        });

        it("rejects a misspelt migration key and suggests the right one", () => {
            expectRejected(valuesWithService({ migration: { ...migrationValues(), downgradeComand: ["x"] } }), {
                key: "services.web.migration.downgradeComand",
                allowed: 'did you mean "downgradeCommand"?',
            });
        });

        it("rejects a misspelt alert metrics key", () => {
            expectRejected(valuesWithService({ alerts: { metrics: { selecter: 'job="x"' } } }), {
                key: "services.web.alerts.metrics.selecter",
                allowed: 'did you mean "selector"?',
            });
        });

        it("rejects a misspelt top-level key and suggests the right one", () => {
            const message = expectRejected(merge(validValues(), { namespce: "shop" }), { key: "namespce", allowed: 'did you mean "namespace"?' });
            expect(message).to.include("Allowed keys in the releasectl namespace: environment, namespace");
        });
    });

    describe("types", () => {
        it("rejects a port written as text", () => {
            expectRejected(valuesWithService({ port: "8080" }), { key: "services.web.port", value: '"8080"', allowed: "must be a whole number from 1 to 65535" });
        });

        it("rejects a fractional replica count", () => {
            expectRejected(valuesWithService({ replicas: { min: 1.5 } }), { key: "services.web.replicas.min", value: "1.5", allowed: "a whole number from 1 to 1000" });
        });

        it("rejects rollback that is not a boolean", () => {
            expectRejected(valuesWithService({ rollback: "yes" }), { key: "services.web.rollback", value: '"yes"', allowed: "must be true or false" });
        });

        it("rejects services given as a list", () => {
            expectRejected({ ...validValues(), services: ["web"] }, { key: "services", value: "a list of 1", allowed: "must be a map" });
        });

        it("rejects a probe path that is not a path", () => {
            expectRejected(valuesWithService({ probes: { readinessPath: "ready" } }), {
                key: "services.web.probes.readinessPath",
                value: '"ready"',
                allowed: "an HTTP path starting with /",
            });
        });

        it("rejects a memory quantity it cannot read", () => {
            expectRejected(valuesWithService({ resources: { requests: { memory: "lots" } } }), {
                key: "services.web.resources.requests.memory",
                value: '"lots"',
                allowed: "a memory quantity such as 256Mi",
            });
        });

        it("rejects a secret in env", () => {
            expectRejected(valuesWithService({ env: { TOKEN: { secure: "v1:abc" } } }), {
                key: "services.web.env.TOKEN",
                value: "a secure value",
                allowed: "secrets are not allowed in env",
            });
        });
    });

    describe("required values", () => {
        it("requires a namespace", () => {
            expectRejected(merge(validValues(), { namespace: undefined }), { key: "namespace", allowed: "is required: a Kubernetes namespace name" });
        });

        it("rejects the default namespace", () => {
            expectRejected(merge(validValues(), { namespace: "default" }), { key: "namespace", value: '"default"', allowed: 'not "default"' });
        });

        it("requires at least one service", () => {
            expectRejected({ ...validValues(), services: {} }, { key: "services", allowed: "declare at least one service" });
        });

        it("requires an image", () => {
            expectRejected(valuesWithService({ image: undefined }), { key: "services.web.image", allowed: "is required: an image repository without tag or digest" });
        });

        it("requires a version", () => {
            expectRejected(valuesWithService({ version: undefined }), { key: "services.web.version", allowed: "is required: a SemVer 2.0 version" });
        });

        it("rejects a service name that is not a DNS label", () => {
            const values = { ...validValues(), services: { Web_1: { image: "registry.example.com/web", version: "1.0.0" } } };
            expectRejected(values, { key: "services.Web_1", allowed: "lowercase letters, digits and -, starting with a letter" });
        });
    });

    describe("versions", () => {
        for (const version of ["1.4.2", "2.0.0-rc.1", "1.4.2+build.7", "3.0.0-rc.1+build.7", "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay", "0.0.4-0.3.7"]) {
            it(`accepts the SemVer 2.0 version ${version}`, () => {
                expect(serviceConfig({ version }).version).to.equal(version);
            });
        }

        for (const version of ["v1.2.3", "1.2", "1.2.3-01", "01.2.3", "1.2.3+", "1.2.3-rc..1", "latest"]) {
            it(`rejects the version ${version} and says what is allowed`, () => {
                expectRejected(valuesWithService({ version }), {
                    key: "services.web.version",
                    value: JSON.stringify(version),
                    allowed: "must be a SemVer 2.0 version such as 1.4.2, 2.0.0-rc.1 or 1.4.2+build.7 (no leading v)",
                });
            });
        }

        it("rejects a version YAML read as a number and says to quote it", () => {
            expectRejected(valuesWithService({ version: 1.2 }), { key: "services.web.version", value: "1.2", allowed: "quote it in YAML so it stays text" });
        });

        it("rejects a previousVersion that is not SemVer", () => {
            expectRejected(valuesWithService({ previousVersion: "v1.4.1" }), { key: "services.web.previousVersion", value: '"v1.4.1"', allowed: "a SemVer 2.0 version" });
        });
    });

    describe("images", () => {
        const allowed = "must be an image repository without tag or digest, e.g. registry.example.com/team/app (the tag is the version)";

        it("rejects an image with a tag", () => {
            expectRejected(valuesWithService({ image: "registry.example.com/shop/web:1.4.2" }), {
                key: "services.web.image",
                value: '"registry.example.com/shop/web:1.4.2"',
                allowed,
            });
        });

        it("rejects an image with a digest", () => {
            expectRejected(valuesWithService({ image: `registry.example.com/shop/web@${DIGEST}` }), { key: "services.web.image", value: '"registry.example.com/shop/web@sha256:', allowed });
        });

        it("rejects an image repository in upper case", () => {
            expectRejected(valuesWithService({ image: "registry.example.com/Shop/Web" }), { key: "services.web.image", value: '"registry.example.com/Shop/Web"', allowed });
        });

        for (const digest of ["sha256:abc", `sha256:${"A".repeat(64)}`, `md5:${"a".repeat(32)}`, "a".repeat(64)]) {
            it(`rejects the digest ${digest.slice(0, 16)}…`, () => {
                expectRejected(valuesWithService({ imageDigest: digest }), {
                    key: "services.web.imageDigest",
                    value: JSON.stringify(digest),
                    allowed: "sha256: followed by 64 lowercase hex digits",
                });
            });
        }

        it("rejects a migration image without a tag or digest", () => {
            expectRejected(valuesWithService({ migration: { ...migrationValues(), image: "registry.example.com/shop/migrator" } }), {
                key: "services.web.migration.image",
                value: '"registry.example.com/shop/migrator"',
                allowed: "a full image reference with a tag or digest",
            });
        });
    });

    describe("canary settings", () => {
        it("rejects maxWeight above 100", () => {
            expectRejected(valuesWithService({ canary: { maxWeight: 101 } }), { key: "services.web.canary.maxWeight", value: "101", allowed: "a whole number from 1 to 100" });
        });

        it("rejects stepWeight above maxWeight", () => {
            expectRejected(valuesWithService({ canary: { maxWeight: 30, stepWeight: 40 } }), {
                key: "services.web.canary.stepWeight",
                value: "40",
                allowed: "must not exceed maxWeight (30)",
            });
        });

        it("rejects an interval below 10s", () => {
            expectRejected(valuesWithService({ canary: { interval: "5s" } }), { key: "services.web.canary.interval", value: '"5s"', allowed: "an interval of at least 10s" });
        });

        it("takes the metric window from the interval unless canary.metricWindow sets it, and rejects one that measures nothing", () => {
            expect(serviceConfig({ canary: { interval: "30s" } }).canary.metricWindow).to.equal("30s");
            expect(serviceConfig({ canary: { interval: "30s", metricWindow: "2m" } }).canary.metricWindow).to.equal("2m");
            expectRejected(valuesWithService({ canary: { metricWindow: "5s" } }), { key: "services.web.canary.metricWindow", value: '"5s"', allowed: "a rate() window under 10s" });
            expectRejected(valuesWithService({ canary: { metricWindow: "two minutes" } }), { key: "services.web.canary.metricWindow", value: '"two minutes"', allowed: "at least 4 times Prometheus' scrape interval" });
        });

        it("accepts an interval of exactly 10s", () => {
            expect(serviceConfig({ canary: { interval: "10s" } }).canary.intervalSeconds).to.equal(10);
        });

        it("rejects an interval that is not a duration", () => {
            expectRejected(valuesWithService({ canary: { interval: "1 minute" } }), {
                key: "services.web.canary.interval",
                value: '"1 minute"',
                allowed: "a duration such as 30s or 1m",
            });
        });

        for (const interval of ["1h", "1.5m"]) {
            it(`rejects the interval ${interval}, which Flagger's CRD does not accept`, () => {
                expectRejected(valuesWithService({ canary: { interval } }), {
                    key: "services.web.canary.interval",
                    value: JSON.stringify(interval),
                    allowed: "Flagger's CRD rejects 1h and 1.5m",
                });
            });
        }

        it("accepts a compound interval such as 1m30s", () => {
            expect(serviceConfig({ canary: { interval: "1m30s" } }).canary.intervalSeconds).to.equal(90);
        });

        it("rejects a webhook timeout in hours", () => {
            expectRejected(valuesWithService({ canary: { loadTestTimeout: "1h" } }), {
                key: "services.web.canary.loadTestTimeout",
                value: '"1h"',
                allowed: "a duration such as 30s",
            });
        });

        it("rejects an unknown provider and lists the supported ones", () => {
            expectRejected(valuesWithService({ canary: { provider: "traefik" } }), {
                key: "services.web.canary.provider",
                value: '"traefik"',
                allowed: "one of istio, linkerd, nginx, kubernetes",
            });
        });

        it("requires a host for the nginx provider", () => {
            expectRejected(valuesWithService({ canary: { provider: "nginx" } }), { key: "services.web.canary.host", allowed: "is required for provider nginx" });
        });

        it("rejects a success-rate minimum above 100", () => {
            expectRejected(valuesWithService({ canary: { successRateMin: 101 } }), {
                key: "services.web.canary.successRateMin",
                value: "101",
                allowed: "a number from 0 to 100",
            });
        });

        it("rejects a threshold of 0", () => {
            expectRejected(valuesWithService({ canary: { threshold: 0 } }), { key: "services.web.canary.threshold", value: "0", allowed: "a whole number from 1 to 100" });
        });
    });

    describe("migrations", () => {
        it("requires a downgrade command", () => {
            expectRejected(valuesWithService({ migration: { ...migrationValues(), downgradeCommand: undefined } }), {
                key: "services.web.migration.downgradeCommand",
                allowed: "every migration names its downgrade",
            });
        });

        it("requires a migration command", () => {
            expectRejected(valuesWithService({ migration: { ...migrationValues(), command: undefined } }), {
                key: "services.web.migration.command",
                allowed: "is required: the command that migrates the schema",
            });
        });

        it("rejects an empty command list", () => {
            expectRejected(valuesWithService({ migration: { ...migrationValues(), command: [] } }), {
                key: "services.web.migration.command",
                value: "a list of 0",
                allowed: "a non-empty list of strings, or one shell command line",
            });
        });

        it("rejects a phase other than expand or contract", () => {
            expectRejected(valuesWithService({ migration: { ...migrationValues(), phase: "migrate" } }), {
                key: "services.web.migration.phase",
                value: '"migrate"',
                allowed: "must be expand (additive; the previous version still works) or contract",
            });
        });

        it("requires a phase", () => {
            expectRejected(valuesWithService({ migration: { ...migrationValues(), phase: undefined } }), { key: "services.web.migration.phase", allowed: "is required: expand" });
        });

        it("requires the database URL and says how to set it", () => {
            expectRejected(valuesWithService({ migration: { ...migrationValues(), databaseUrl: undefined } }), {
                key: "services.web.migration.databaseUrl",
                allowed: "pulumi config set --secret --path 'releasectl:services.web.migration.databaseUrl' <value>",
            });
        });

        it("keeps the database URL's ciphertext", () => {
            expect(serviceWithMigration().migration?.databaseUrl.ciphertext).to.equal(DATABASE_CIPHERTEXT);
        });
    });

    describe("secrets written as plain text", () => {
        it("rejects a plain-text database URL without echoing it", () => {
            const message = expectRejected(valuesWithService({ migration: { ...migrationValues(), databaseUrl: "postgres://app:hunter2@db.shop:5432/orders" } }), {
                key: "services.web.migration.databaseUrl",
                value: '"<plain text>"',
                allowed: "must be a secret, not plain text; set it with: pulumi config set --secret",
            });
            expect(message).not.to.include("hunter2");
            expect(message).not.to.include("postgres://");
        });

        it("rejects a plain-text webhook address without echoing it", () => {
            const message = expectRejected(merge(validValues(), { notifications: { releases: { address: "https://hooks.slack.com/services/T0/B0/s3cr3t" } } }), {
                key: "notifications.releases.address",
                value: '"<plain text>"',
                allowed: "must be a secret, not plain text",
            });
            expect(message).not.to.include("s3cr3t");
        });

        it("rejects a plain-text number without echoing it", () => {
            const message = rejection(valuesWithService({ migration: { ...migrationValues(), databaseUrl: 987654 } }));
            expect(message).to.include("must be a secret, not plain text");
            expect(message).not.to.include("987654");
        });

        it("rejects an empty secure value", () => {
            expectRejected(merge(validValues(), { notifications: { releases: { address: { secure: "" } } } }), {
                key: "notifications.releases.address",
                allowed: "has an empty secure value",
            });
        });
    });

    describe("program mode (values from the Pulumi engine)", () => {
        const plainValues = () =>
            merge(validValues(), { notifications: { releases: { address: "https://hooks.slack.com/services/T0/B0/s3cr3t" } } });

        it("accepts a plaintext from a key the engine marks secret", () => {
            const config = parse(plainValues(), { mode: "program", isSecretKey: (key) => key === "releasectl:notifications" });
            expect(config.notifications.releases.address.plaintext).to.equal("https://hooks.slack.com/services/T0/B0/s3cr3t");
        });

        it("asks the engine about the namespaced top-level key", () => {
            const asked: string[] = [];
            parse(plainValues(), { mode: "program", isSecretKey: (key) => (asked.push(key), true) });
            expect(asked).to.deep.equal(["releasectl:notifications"]);
        });

        it("rejects a value the engine does not mark secret, without echoing it", () => {
            const message = expectRejected(plainValues(), { key: "notifications.releases.address", value: '"<plain text>"', allowed: "must be a secret" }, {
                mode: "program",
                isSecretKey: () => false,
            });
            expect(message).not.to.include("s3cr3t");
        });

        it("reads whole numbers the engine hands over as text", () => {
            const values = merge(plainValues(), { services: { web: { port: "9090" } } });
            expect(parse(values, { mode: "program", isSecretKey: () => true }).services[0].port).to.equal(9090);
        });
    });

    describe("resources", () => {
        it("rejects a CPU limit below the request", () => {
            expectRejected(valuesWithService({ resources: { requests: { cpu: "250m" }, limits: { cpu: "200m" } } }), {
                key: "services.web.resources.limits.cpu",
                value: '"200m"',
                allowed: "must be at least requests.cpu (250m)",
            });
        });

        it("rejects a memory limit below the request across units", () => {
            expectRejected(valuesWithService({ resources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } } }), {
                key: "services.web.resources.limits.memory",
                value: '"512Mi"',
                allowed: "must be at least requests.memory (1Gi)",
            });
        });

        it("rejects replicas.max below replicas.min", () => {
            expectRejected(valuesWithService({ replicas: { min: 5, max: 3 } }), { key: "services.web.replicas.max", value: "3", allowed: "must be at least replicas.min (5)" });
        });
    });

    describe("notifications", () => {
        it("rejects a service naming an unknown target and lists the declared ones", () => {
            expectRejected(valuesWithService({ notification: "oncall" }), {
                key: "services.web.notification",
                value: '"oncall"',
                allowed: "names no entry of releasectl:notifications (declared: releases)",
            });
        });

        it("requires a target when several are declared", () => {
            const values = merge(valuesWithService({ notification: undefined }), {
                notifications: { oncall: { type: "msteams", address: { secure: "v1:b25jYWxs:x==" } } },
            });
            expectRejected(values, { key: "services.web.notification", allowed: "is required: name one of releases, oncall" });
        });

        it("rejects an unsupported notification type", () => {
            expectRejected(merge(validValues(), { notifications: { releases: { type: "email" } } }), {
                key: "notifications.releases.type",
                value: '"email"',
                allowed: "one of slack, msteams, discord, rocket, gchat",
            });
        });
    });

    describe("alerts", () => {
        it("rejects a metric selector written with braces", () => {
            expectRejected(valuesWithService({ alerts: { metrics: { selector: '{job="web"}' } } }), {
                key: "services.web.alerts.metrics.selector",
                value: JSON.stringify('{job="web"}'),
                allowed: "label matchers without braces",
            });
        });

        it("accepts a selector with several matchers", () => {
            const selector = 'job="web", env=~"prod|canary"';
            expect(serviceConfig({ alerts: { metrics: { selector } } }).alerts.metrics.selector).to.equal(selector);
        });

        it("rejects a fractional Prometheus duration", () => {
            expectRejected(valuesWithService({ alerts: { for: "1.5m" } }), { key: "services.web.alerts.for", value: '"1.5m"', allowed: "a Prometheus duration such as 5m" });
        });
    });

    describe("messages", () => {
        it("reports the first problem and counts the rest", () => {
            const message = rejection(valuesWithService({ port: "8080", rollback: "yes" }));
            expect(message).to.include("releasectl:services.web.port");
            expect(message).to.include("(and 1 more problem; fix this one first)");
        });

        it("throws a ConfigError that carries file, key path and value", () => {
            const error = errorOf(() => releaseConfig({ canary: { maxWeight: 120 } })) as ConfigError;
            expect([error.file, error.keyPath, error.value]).to.deep.equal([SOURCE, "releasectl:services.web.canary.maxWeight", 120]);
        });

        it("shortens a very long bad value to one line", () => {
            const message = rejection(valuesWithService({ image: `registry.example.com/${"a".repeat(200)}:tag` }));
            expect(message).to.include('..."');
            expect(message.length).to.be.below(400);
        });
    });
});
