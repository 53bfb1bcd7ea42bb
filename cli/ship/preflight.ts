import { kubeNames } from "../../builders/names";
import { UserError } from "../../config/errors";
import { ClusterState, deploymentVersion } from "../cluster/canary-status";
import { git } from "../git";
import { BUSY_PHASES } from "./cluster-watch";
import { ClusterReader, ClusterTarget, connect } from "../cluster/kube-client";
import { PrometheusError, queryScalar } from "./prometheus";
import { findPulumi } from "./pulumi-cli";
import { ShipRelease } from "./decide";

/**
 * The checks of a real run that need this machine's tools and the cluster, after the release is
 * decided and before anything changes: each failure is bad input (exit 2) naming the fix.
 */
export interface ShipEnvironment {
    readonly pulumi: string;
    readonly cluster: ClusterReader;
    readonly target: ClusterTarget;
    /** The cluster before the release: what serves now, and the Canary's last transition. */
    readonly baseline: ClusterState;
    /** The name git records as the author of ship's commits (for the announcements). */
    readonly author: string;
}

export function gitAuthor(dir: string, env: NodeJS.ProcessEnv): string {
    try {
        return git(dir, ["var", "GIT_AUTHOR_IDENT"], { env })
            .trim()
            .replace(/\s+\d+\s+[+-]\d{4}$/, "")
            .replace(/\s*<[^>]*>$/, "");
    } catch {
        throw new UserError(
            `git does not know who you are, and ship commits the release as you: git config user.name "Your Name" && git config user.email you@example.com (in ${dir} or --global)`,
            "ENOIDENTITY",
        );
    }
}

export async function checkEnvironment(release: ShipRelease, env: NodeJS.ProcessEnv): Promise<ShipEnvironment> {
    const pulumi = findPulumi(env);
    const author = gitAuthor(release.dir, env);
    const cluster = await connect(env, release.kubeContext);
    const target = { namespace: release.service.namespace, name: kubeNames.canary(release.service) };
    const baseline = await cluster.read(target);
    const phase = baseline.canary?.status?.phase;
    if (phase !== undefined && BUSY_PHASES.has(phase)) {
        const version = deploymentVersion(baseline.target) ?? "another version";
        throw new UserError(
            `a canary of ${release.service.name} ${version} is under way in the cluster (${phase}, ${baseline.canary?.status?.canaryWeight ?? 0}% of traffic); ` +
                `wait for it to end (releasectl status ${release.service.name} --stack ${release.stack} --watch), then ship again`,
            "EBUSY",
        );
    }
    if (release.prometheus !== undefined) {
        try {
            await queryScalar(release.prometheus.url, "vector(1)", 5000);
        } catch (e) {
            if (!(e instanceof PrometheusError)) throw e;
            throw new UserError(
                `${e.message} (${release.prometheus.source}), and the monitor step needs it; from outside the cluster port-forward it ` +
                    `(kubectl -n monitoring port-forward svc/prometheus-operated 9090) and pass --prometheus-url http://127.0.0.1:9090, or skip monitoring with --monitor 0`,
                "ENOPROMETHEUS",
            );
        }
    }
    return { pulumi, cluster, target, baseline, author };
}
