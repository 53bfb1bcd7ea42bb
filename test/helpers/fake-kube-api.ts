import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

/**
 * A stand-in Kubernetes API server on 127.0.0.1 for command tests: it answers GETs of the
 * objects a test put in it, in JSON as the API server does, a Status 404 for anything else, and
 * records every request. Successive answers can be queued per object, so a test can play a
 * Flagger canary moving through its phases for `--watch`.
 */

export interface RecordedRequest {
    readonly method: string;
    readonly path: string;
    readonly body: string;
}

/** A custom answer: return undefined to fall through to the stored objects. */
export type Handler = (req: RecordedRequest) => { status: number; body: unknown } | undefined;

export class FakeKubeApi {
    readonly requests: RecordedRequest[] = [];
    private readonly answers = new Map<string, (object | undefined)[]>();
    private handler?: Handler;

    private constructor(
        private readonly server: http.Server,
        readonly url: string,
    ) {}

    static async start(): Promise<FakeKubeApi> {
        let api: FakeKubeApi | undefined;
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => api!.answer(req, res, body));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        api = new FakeKubeApi(server, `http://127.0.0.1:${port}`);
        return api;
    }

    /** Answers for GET `path`, in turn on successive requests; the last one stays. undefined: 404. */
    set(apiPath: string, ...objects: (object | undefined)[]): void {
        this.answers.set(apiPath, objects.length === 0 ? [undefined] : [...objects]);
    }

    setCanary(namespace: string, name: string, ...canaries: (object | undefined)[]): void {
        this.set(`/apis/flagger.app/v1beta1/namespaces/${namespace}/canaries/${name}`, ...canaries);
    }

    setDeployment(namespace: string, name: string, ...deployments: (object | undefined)[]): void {
        this.set(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`, ...deployments);
    }

    /** Answers requests before the stored objects (writes, watches, errors). */
    onRequest(handler: Handler): void {
        this.handler = handler;
    }

    /**
     * Writes a kubeconfig pointing at this server (plain HTTP, so insecure-skip-tls-verify, which
     * client-node requires for http://) and returns its path.
     */
    writeKubeconfig(dir: string, context = "test"): string {
        const file = path.join(dir, "kubeconfig.yaml");
        fs.writeFileSync(
            file,
            [
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: fake",
                "  cluster:",
                `    server: ${this.url}`,
                "    insecure-skip-tls-verify: true",
                "users:",
                "- name: tester",
                "  user:",
                "    token: test-token",
                "contexts:",
                `- name: ${context}`,
                "  context:",
                "    cluster: fake",
                "    user: tester",
                `current-context: ${context}`,
                "",
            ].join("\n"),
        );
        return file;
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
        const recorded = { method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0], body };
        this.requests.push(recorded);
        const send = (status: number, payload: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(payload));
        };
        const custom = this.handler?.(recorded);
        if (custom) return send(custom.status, custom.body);
        const queue = recorded.method === "GET" ? this.answers.get(recorded.path) : undefined;
        const object = queue === undefined ? undefined : queue.length > 1 ? queue.shift() : queue[0];
        if (object === undefined) {
            return send(404, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `${recorded.path} not found`, reason: "NotFound", code: 404 });
        }
        send(200, object);
    }
}

/** A flagger.app/v1beta1 Canary with the given status. */
export function canaryObject(opts: { name: string; namespace: string; phase: string; weight?: number; failedChecks?: number; message?: string }): object {
    return {
        apiVersion: "flagger.app/v1beta1",
        kind: "Canary",
        metadata: { name: opts.name, namespace: opts.namespace, generation: 3 },
        spec: { targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: opts.name } },
        status: {
            phase: opts.phase,
            canaryWeight: opts.weight ?? 0,
            failedChecks: opts.failedChecks ?? 0,
            iterations: 0,
            lastTransitionTime: "2026-01-01T00:00:00Z",
            conditions: [
                {
                    type: "Promoted",
                    status: opts.phase === "Succeeded" || opts.phase === "Initialized" ? "True" : opts.phase === "Failed" ? "False" : "Unknown",
                    reason: opts.phase,
                    message: opts.message ?? `Canary phase ${opts.phase}`,
                },
            ],
        },
    };
}

/** An apps/v1 Deployment running `version` (annotation and image tag), rolled out unless told otherwise. */
export function deploymentObject(opts: {
    name: string;
    namespace: string;
    version: string;
    image?: string;
    replicas?: number;
    updated?: number;
    available?: number;
    total?: number;
    generation?: number;
    observedGeneration?: number;
}): object {
    const replicas = opts.replicas ?? 3;
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: opts.name, namespace: opts.namespace, generation: opts.generation ?? 2, annotations: { "releasectl.dev/version": opts.version } },
        spec: {
            replicas,
            template: {
                metadata: { annotations: { "releasectl.dev/version": opts.version } },
                spec: { containers: [{ name: opts.name, image: `${opts.image ?? "registry.example.com/app"}:${opts.version.replace(/\+/g, "_")}` }] },
            },
        },
        status: {
            observedGeneration: opts.observedGeneration ?? opts.generation ?? 2,
            replicas: opts.total ?? replicas,
            updatedReplicas: opts.updated ?? replicas,
            availableReplicas: opts.available ?? replicas,
            readyReplicas: opts.available ?? replicas,
        },
    };
}
