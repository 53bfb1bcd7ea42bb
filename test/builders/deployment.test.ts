import { expect } from "chai";
import { buildDeployment } from "../../builders/deployment";
import { ANNOTATIONS } from "../../builders/names";
import { Doc, doc } from "../helpers/manifests";
import { serviceConfig, serviceWithMigration } from "../helpers/fixtures";
import { ServiceConfig } from "../../config/types";

const DIGEST = `sha256:${"ab".repeat(32)}`;

function deployment(s: ServiceConfig = serviceConfig()): Doc {
    return doc(buildDeployment(s, "production"));
}

function container(s: ServiceConfig = serviceConfig()): Doc {
    return deployment(s).spec.template.spec.containers[0];
}

describe("buildDeployment", () => {
    it("is an apps/v1 Deployment named after the service in its namespace", () => {
        const d = deployment();
        expect([d.apiVersion, d.kind, d.metadata.name, d.metadata.namespace]).to.deep.equal(["apps/v1", "Deployment", "web", "shop"]);
    });

    it("runs the image <repository>:<version>", () => {
        expect(container().image).to.equal("registry.example.com/shop/web:1.4.2");
    });

    it("pins the image by digest when one is configured, keeping the tag", () => {
        expect(container(serviceConfig({ imageDigest: DIGEST })).image).to.equal(`registry.example.com/shop/web:1.4.2@${DIGEST}`);
    });

    it("tags a version with build metadata with _ instead of +", () => {
        expect(container(serviceConfig({ version: "1.4.2+build.7" })).image).to.equal("registry.example.com/shop/web:1.4.2_build.7");
    });

    it("carries the recommended app.kubernetes.io labels", () => {
        expect(deployment().metadata.labels).to.deep.equal({
            "app.kubernetes.io/name": "web",
            "app.kubernetes.io/instance": "web",
            "app.kubernetes.io/version": "1.4.2",
            "app.kubernetes.io/component": "server",
            "app.kubernetes.io/part-of": "web",
            "app.kubernetes.io/managed-by": "releasectl",
        });
    });

    it("labels the pods with the version", () => {
        expect(deployment().spec.template.metadata.labels["app.kubernetes.io/version"]).to.equal("1.4.2");
    });

    it("writes a version with build metadata as a valid label value", () => {
        expect(deployment(serviceConfig({ version: "2.0.0-rc.1+build.7" })).metadata.labels["app.kubernetes.io/version"]).to.equal("2.0.0-rc.1_build.7");
    });

    it("annotates the Deployment and its pods with the exact version", () => {
        const d = deployment(serviceConfig({ version: "2.0.0-rc.1+build.7" }));
        expect(d.metadata.annotations[ANNOTATIONS.version]).to.equal("2.0.0-rc.1+build.7");
        expect(d.spec.template.metadata.annotations[ANNOTATIONS.version]).to.equal("2.0.0-rc.1+build.7");
    });

    it("records the previous version, rollback flag and environment", () => {
        const a = deployment(serviceConfig({ previousVersion: "1.4.1", rollback: true })).metadata.annotations;
        expect([a[ANNOTATIONS.previousVersion], a[ANNOTATIONS.rollback], a[ANNOTATIONS.environment]]).to.deep.equal(["1.4.1", "true", "production"]);
    });

    it("gives a rollback release a pod template of its own, so Flagger (which hashes the template) promotes it instead of ignoring a manual rollback", () => {
        // Flagger skips a target whose template hashes to the last promoted one ("manual rollback")
        // and leaves the Canary Failed; the cluster suite shows the promotion for real.
        const released = deployment(serviceConfig({ version: "2.5.0", previousVersion: "2.4.1" })).spec.template;
        const again = deployment(serviceConfig({ version: "2.5.0", previousVersion: "2.4.1" })).spec.template;
        const rolledBack = deployment(serviceConfig({ version: "2.5.0", previousVersion: "2.6.0", rollback: true })).spec.template;
        expect(JSON.stringify(again)).to.equal(JSON.stringify(released));
        expect(JSON.stringify(rolledBack)).to.not.equal(JSON.stringify(released));
        // Only the mark differs: the pods run the same image and spec.
        expect(rolledBack.spec).to.deep.equal(released.spec);
        expect(rolledBack.metadata.labels).to.deep.equal(released.metadata.labels);
    });

    it("records the migration phase and downgrade command", () => {
        const a = deployment(serviceWithMigration()).metadata.annotations;
        expect(a[ANNOTATIONS.migrationPhase]).to.equal("expand");
        expect(JSON.parse(a[ANNOTATIONS.downgradeCommand])).to.deep.equal(["/app/migrate", "down", "--to", "1.4.1"]);
    });

    it("records release evidence as annotations", () => {
        const a = deployment(serviceConfig({ evidence: { ciRun: "https://ci.example.com/runs/1" } })).metadata.annotations;
        expect(a[`${ANNOTATIONS.evidencePrefix}ci-run`]).to.equal("https://ci.example.com/runs/1");
    });

    it("has readiness and liveness probes on the configured paths", () => {
        const c = container(serviceConfig({ probes: { readinessPath: "/ready", livenessPath: "/live" } }));
        expect(c.readinessProbe.httpGet).to.deep.equal({ path: "/ready", port: "http" });
        expect(c.livenessProbe.httpGet).to.deep.equal({ path: "/live", port: "http" });
    });

    it("names the container port http, which the probes use", () => {
        expect(container(serviceConfig({ port: 9000 })).ports).to.deep.equal([{ name: "http", containerPort: 9000, protocol: "TCP" }]);
    });

    it("sets requests and limits from the config", () => {
        const c = container(
            serviceConfig({
                resources: { requests: { cpu: "250m", memory: "256Mi", ephemeralStorage: "200Mi" }, limits: { cpu: "1", memory: "512Mi", ephemeralStorage: "1Gi" } },
            }),
        );
        expect(c.resources).to.deep.equal({
            requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "200Mi" },
            limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "1Gi" },
        });
    });

    it("runs the pod under the restricted profile: non-root with seccomp RuntimeDefault", () => {
        const pod = deployment().spec.template.spec.securityContext;
        expect(pod.runAsNonRoot).to.equal(true);
        expect(pod.seccompProfile).to.deep.equal({ type: "RuntimeDefault" });
    });

    it("runs the container without privilege escalation, with all capabilities dropped and a read-only root", () => {
        const sc = container().securityContext;
        expect(sc).to.include({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        expect(sc.capabilities).to.deep.equal({ drop: ["ALL"] });
        expect(sc.seccompProfile).to.deep.equal({ type: "RuntimeDefault" });
    });

    it("gives the read-only container a writable /tmp", () => {
        const d = deployment();
        expect(container().volumeMounts).to.deep.equal([{ name: "tmp", mountPath: "/tmp" }]);
        expect(d.spec.template.spec.volumes[0].name).to.equal("tmp");
    });

    it("keeps the configured revisionHistoryLimit", () => {
        expect(deployment(serviceConfig({ revisionHistoryLimit: 4 })).spec.revisionHistoryLimit).to.equal(4);
    });

    it("leaves spec.replicas to the autoscaler", () => {
        expect(deployment().spec).not.to.have.property("replicas");
    });

    it("selects pods without the version, so the selector never changes", () => {
        expect(deployment().spec.selector).to.deep.equal({ matchLabels: { "app.kubernetes.io/name": "web" } });
    });

    it("selects its own pod template", () => {
        const d = deployment();
        expect(d.spec.template.metadata.labels).to.include(d.spec.selector.matchLabels);
    });

    it("passes the version and the configured env, sorted by name", () => {
        const env = container(serviceConfig({ env: { LOG_LEVEL: "info", FEATURE_X: "on" } })).env;
        expect(env).to.deep.equal([
            { name: "APP_VERSION", value: "1.4.2" },
            { name: "FEATURE_X", value: "on" },
            { name: "LOG_LEVEL", value: "info" },
        ]);
    });

    it("does not mount the service account token", () => {
        expect(deployment().spec.template.spec.automountServiceAccountToken).to.equal(false);
    });
});
