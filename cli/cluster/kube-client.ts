import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UserError } from "../../config/errors";
import { CanaryObject, ClusterState, DeploymentObject } from "./canary-status";

/**
 * Reads the release's objects from the cluster with @kubernetes/client-node (v2, ESM-only: it
 * is imported only when `status` runs, and costs ~1.5 s to load). The kubeconfig comes from the
 * caller's environment ($KUBECONFIG, else ~/.kube/config, else the in-cluster service account),
 * the context from --context, else the stack's kubeContext, else the current context.
 */

export interface ClusterTarget {
    readonly namespace: string;
    /** Canary name; the Deployments are `<name>` and `<name>-primary`. */
    readonly name: string;
}

export interface ClusterReader {
    /** `context <name> (<server>)`, for messages. */
    readonly where: string;
    read(target: ClusterTarget): Promise<ClusterState>;
}

type ClientModule = typeof import("@kubernetes/client-node", { with: { "resolution-mode": "import" } });

export async function connect(env: NodeJS.ProcessEnv, context: string | undefined): Promise<ClusterReader> {
    const files = (env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f !== "");
    const home = path.join(env.HOME ?? os.homedir(), ".kube", "config");
    // No kubeconfig at all is bad input: said before the client (~0.4 s to import) is loaded.
    if (files.length === 0 && !fs.existsSync(home) && !env.KUBERNETES_SERVICE_HOST) {
        throw new UserError(`no kubeconfig: $KUBECONFIG is not set and ${home} does not exist; point KUBECONFIG at the cluster's kubeconfig`, "ENOKUBECONFIG");
    }
    const k8s: ClientModule = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    try {
        if (files.length > 0) {
            kc.loadFromFile(files[0]);
            for (const file of files.slice(1)) {
                const more = new k8s.KubeConfig();
                more.loadFromFile(file);
                kc.mergeConfig(more, true);
            }
        } else if (fs.existsSync(home)) {
            kc.loadFromFile(home);
        } else if (env.KUBERNETES_SERVICE_HOST) {
            kc.loadFromCluster();
        } else {
            throw new UserError(`no kubeconfig: $KUBECONFIG is not set and ${home} does not exist; point KUBECONFIG at the cluster's kubeconfig`, "ENOKUBECONFIG");
        }
    } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError(`kubeconfig ${files[0] ?? home}: cannot be read: ${(e as Error).message.split("\n")[0]}`, "ENOKUBECONFIG");
    }
    if (context !== undefined) {
        if (!kc.getContextObject(context)) {
            throw new UserError(
                `kube context "${context}" is not in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(", ") || "none"}); set releasectl:kubeContext in the stack or pass --context`,
                "ENOCONTEXT",
            );
        }
        kc.setCurrentContext(context);
    }
    const server = kc.getCurrentCluster()?.server ?? "?";
    const where = `context ${kc.getCurrentContext()} (${server})`;
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const apps = kc.makeApiClient(k8s.AppsV1Api);

    const orMissing = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
        try {
            return await call();
        } catch (e) {
            const code = (e as { code?: unknown }).code;
            if (code === 404) return undefined;
            if (code === 401 || code === 403) {
                throw new UserError(`${where}: not allowed to read ${what} (HTTP ${code}); check your credentials (kubectl auth can-i get ${what})`, "EFORBIDDEN");
            }
            const cause = (e as { cause?: { code?: string; message?: string } }).cause;
            throw new UserError(`${where}: cannot read ${what}: ${cause?.code ?? cause?.message ?? (e as Error).message.split("\n")[0]}; check the cluster address and your network`, "ECLUSTER");
        }
    };

    return {
        where,
        async read(target: ClusterTarget): Promise<ClusterState> {
            const { namespace, name } = target;
            const [canary, primary, canaryDeployment] = await Promise.all([
                orMissing(`canaries.flagger.app -n ${namespace}`, () =>
                    custom.getNamespacedCustomObject({ group: "flagger.app", version: "v1beta1", namespace, plural: "canaries", name }) as Promise<CanaryObject>,
                ),
                orMissing(`deployments -n ${namespace}`, () => apps.readNamespacedDeployment({ name: `${name}-primary`, namespace }) as Promise<DeploymentObject>),
                orMissing(`deployments -n ${namespace}`, () => apps.readNamespacedDeployment({ name, namespace }) as Promise<DeploymentObject>),
            ]);
            return { canary, primary, target: canaryDeployment };
        },
    };
}
