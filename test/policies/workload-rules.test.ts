import { expect } from "chai";
import { changed, exampleObject, foreignDeployment } from "./fixtures";
import { runResource, TestResource } from "./runtime";

const CONTAINER = ["spec", "template", "spec", "containers", 0];
const messages = (o: { violations: readonly { message: string }[] }) => o.violations.map((v) => v.message);

/** Resources declared outside releasectl's builders, each carrying a container with `image`. */
function foreign(kind: "StatefulSet" | "DaemonSet" | "Pod" | "CronJob", image: string): TestResource {
    const container = { name: "main", image };
    const pod = { containers: [container] };
    const specs = {
        StatefulSet: { type: "kubernetes:apps/v1:StatefulSet", spec: { serviceName: "db", selector: {}, template: { spec: pod } } },
        DaemonSet: { type: "kubernetes:apps/v1:DaemonSet", spec: { selector: {}, template: { spec: pod } } },
        Pod: { type: "kubernetes:core/v1:Pod", spec: pod },
        CronJob: { type: "kubernetes:batch/v1:CronJob", spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: pod } } } } },
    } as const;
    const s = specs[kind];
    return { type: s.type, name: `other-${kind.toLowerCase()}`, props: { apiVersion: "x", kind, metadata: { name: `other-${kind.toLowerCase()}` }, spec: s.spec } };
}

describe("workload-image-not-latest", () => {
    it("passes a versioned image", async () => {
        expect(await runResource("workload-image-not-latest", exampleObject("Deployment"))).to.deep.equal({ violations: [] });
    });

    it("fails a releasectl Deployment whose image is latest", async () => {
        const outcome = await runResource("workload-image-not-latest", changed(exampleObject("Deployment"), [...CONTAINER, "image"], "registry.example.com/shop/checkout:latest"));
        expect(messages(outcome)[0]).to.include("container checkout runs registry.example.com/shop/checkout:latest").and.include("rollback cannot restore");
    });

    it("catches latest in a Deployment declared outside releasectl", async () => {
        const outcome = await runResource("workload-image-not-latest", foreignDeployment("nginx:latest"));
        expect(messages(outcome)[0]).to.include("container proxy runs nginx:latest");
    });

    for (const kind of ["StatefulSet", "DaemonSet", "Pod", "CronJob"] as const) {
        it(`catches latest in a ${kind} declared outside releasectl`, async () => {
            const outcome = await runResource("workload-image-not-latest", foreign(kind, "redis:latest"));
            expect(messages(outcome)[0]).to.include("container main runs redis:latest");
        });
    }

    it("catches latest in an init container", async () => {
        const job = exampleObject("Job");
        const outcome = await runResource("workload-image-not-latest", changed(job, ["spec", "template", "spec", "initContainers", 0, "image"], "busybox:latest"));
        expect(messages(outcome)[0]).to.include("init container backup runs busybox:latest");
    });

    it("does not apply to a Canary", async () => {
        expect((await runResource("workload-image-not-latest", exampleObject("Canary"))).notApplicable).to.include("Deployment");
    });
});

describe("workload-image-tagged", () => {
    it("passes an image pinned by digest only", async () => {
        expect(await runResource("workload-image-tagged", foreignDeployment(`registry.example.com/tools/proxy@sha256:${"a".repeat(64)}`))).to.deep.equal({ violations: [] });
    });

    it("catches an untagged image in a Deployment declared outside releasectl", async () => {
        const outcome = await runResource("workload-image-tagged", foreignDeployment("registry.example.com/tools/proxy"));
        expect(messages(outcome)[0]).to.include("runs registry.example.com/tools/proxy without a tag or digest").and.include("`latest`");
    });

    it("does not mistake a registry port for a tag", async () => {
        const outcome = await runResource("workload-image-tagged", foreignDeployment("localhost:5000/proxy"));
        expect(messages(outcome)[0]).to.include("localhost:5000/proxy without a tag");
    });

    for (const kind of ["StatefulSet", "Pod", "CronJob"] as const) {
        it(`catches an untagged image in a ${kind} declared outside releasectl`, async () => {
            expect(messages(await runResource("workload-image-tagged", foreign(kind, "postgres")))[0]).to.include("runs postgres without a tag or digest");
        });
    }

    it("fails a container without an image", async () => {
        const outcome = await runResource("workload-image-tagged", changed(exampleObject("Deployment"), [...CONTAINER, "image"], undefined));
        expect(messages(outcome)[0]).to.include("container checkout names no image");
    });
});

describe("workload-image-registry-allowed", () => {
    const config = { allowedRegistries: ["registry.example.com/shop"] };

    it("does not apply until allowed registries are configured", async () => {
        expect((await runResource("workload-image-registry-allowed", exampleObject("Deployment"))).notApplicable).to.include("no allowedRegistries");
    });

    it("passes an image under an allowed path", async () => {
        expect(await runResource("workload-image-registry-allowed", exampleObject("Deployment"), { config })).to.deep.equal({ violations: [] });
    });

    it("fails an image from another registry, naming the allowed ones", async () => {
        const outcome = await runResource("workload-image-registry-allowed", changed(exampleObject("Deployment"), [...CONTAINER, "image"], "ghcr.io/someone/checkout:2.4.1"), { config });
        expect(messages(outcome)[0]).to.include("from ghcr.io/someone/checkout").and.include("allowed registries (registry.example.com/shop)");
    });

    it("matches paths at a slash, not as a text prefix", async () => {
        const outcome = await runResource("workload-image-registry-allowed", changed(exampleObject("Deployment"), [...CONTAINER, "image"], "registry.example.com/shopping/cart:1.0.0"), { config });
        expect(messages(outcome)).to.have.length(1);
    });

    it("reads a Docker Hub short name as docker.io/library", async () => {
        const outcome = await runResource("workload-image-registry-allowed", foreignDeployment("nginx:1.27"), { config: { allowedRegistries: ["docker.io/library"] } });
        expect(outcome).to.deep.equal({ violations: [] });
    });
});

describe("workload-probes-defined", () => {
    it("passes a Deployment with both probes", async () => {
        expect(await runResource("workload-probes-defined", exampleObject("Deployment"))).to.deep.equal({ violations: [] });
    });

    it("fails a Deployment without a readiness probe", async () => {
        const outcome = await runResource("workload-probes-defined", changed(exampleObject("Deployment"), [...CONTAINER, "readinessProbe"], undefined));
        expect(messages(outcome)[0]).to.include("container checkout has no readinessProbe").and.include("traffic would reach pods before they can serve");
    });

    it("fails a Deployment without a liveness probe", async () => {
        const outcome = await runResource("workload-probes-defined", changed(exampleObject("Deployment"), [...CONTAINER, "livenessProbe"], undefined));
        expect(messages(outcome)[0]).to.include("container checkout has no livenessProbe").and.include("hung process");
    });

    it("catches a Deployment declared outside releasectl without probes", async () => {
        const outcome = await runResource("workload-probes-defined", changed(foreignDeployment(), [...CONTAINER, "livenessProbe"], undefined));
        expect(messages(outcome)[0]).to.include("container proxy has no livenessProbe");
    });

    it("does not ask a Job for probes", async () => {
        expect((await runResource("workload-probes-defined", exampleObject("Job"))).notApplicable).to.be.a("string");
    });
});

describe("workload-resources-bounded", () => {
    it("passes containers with requests and limits", async () => {
        expect(await runResource("workload-resources-bounded", exampleObject("Job"))).to.deep.equal({ violations: [] });
    });

    it("fails a container without a memory limit", async () => {
        const outcome = await runResource("workload-resources-bounded", changed(exampleObject("Deployment"), [...CONTAINER, "resources", "limits", "memory"], undefined));
        expect(messages(outcome)[0]).to.include("container checkout sets no resources limits.memory");
    });

    it("fails an init container without requests", async () => {
        const outcome = await runResource("workload-resources-bounded", changed(exampleObject("Job"), ["spec", "template", "spec", "initContainers", 0, "resources"], undefined));
        expect(messages(outcome)[0]).to.include(
            "init container backup sets no resources requests.cpu, requests.memory, requests.ephemeral-storage, limits.cpu, limits.memory, limits.ephemeral-storage",
        );
    });

    it("fails a container without an ephemeral-storage limit", async () => {
        const outcome = await runResource("workload-resources-bounded", changed(exampleObject("Deployment"), [...CONTAINER, "resources", "limits", "ephemeral-storage"], undefined));
        expect(messages(outcome)[0]).to.include("container checkout sets no resources limits.ephemeral-storage");
    });

    it("passes a hand-written Deployment that bounds cpu, memory and ephemeral storage", async () => {
        expect(await runResource("workload-resources-bounded", foreignDeployment())).to.deep.equal({ violations: [] });
    });
});

describe("workload-pod-security-restricted", () => {
    it("passes the builders' restricted security context", async () => {
        expect(await runResource("workload-pod-security-restricted", exampleObject("Deployment"))).to.deep.equal({ violations: [] });
    });

    it("fails a container that may escalate privileges", async () => {
        const outcome = await runResource("workload-pod-security-restricted", changed(exampleObject("Deployment"), [...CONTAINER, "securityContext", "allowPrivilegeEscalation"], true));
        expect(messages(outcome)[0]).to.include("container checkout does not set allowPrivilegeEscalation: false");
    });

    it("fails a container that keeps its capabilities", async () => {
        const outcome = await runResource("workload-pod-security-restricted", changed(exampleObject("Deployment"), [...CONTAINER, "securityContext", "capabilities"], undefined));
        expect(messages(outcome)[0]).to.include("does not drop ALL capabilities");
    });

    it("fails a pod on the host network", async () => {
        const outcome = await runResource("workload-pod-security-restricted", changed(exampleObject("Deployment"), ["spec", "template", "spec", "hostNetwork"], true));
        expect(messages(outcome)[0]).to.include("pod sets hostNetwork: true");
    });

    it("fails a hostPath volume", async () => {
        const outcome = await runResource("workload-pod-security-restricted", changed(exampleObject("Deployment"), ["spec", "template", "spec", "volumes", 0], { name: "host", hostPath: { path: "/" } }));
        expect(messages(outcome)[0]).to.include("volume host uses hostPath");
    });

    it("fails a pod that may run as root", async () => {
        const outcome = await runResource("workload-pod-security-restricted", changed(foreignDeployment(), ["spec", "template", "spec", "securityContext", "runAsNonRoot"], undefined));
        expect(messages(outcome)[0]).to.include("container proxy does not run as non-root");
    });

    it("fails a pod without a seccomp profile", async () => {
        const outcome = await runResource("workload-pod-security-restricted", changed(foreignDeployment(), ["spec", "template", "spec", "securityContext", "seccompProfile"], undefined));
        expect(messages(outcome)[0]).to.include("has no RuntimeDefault seccomp profile");
    });
});
