import { asArray, asObject, asString, containerLabel, containersOf, get, podSpecOf, WORKLOAD_KINDS } from "../lib/manifest";
import { checked, ResourceRule } from "../lib/rule";

/** Volume types the restricted profile allows. */
const ALLOWED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret", "name"]);

export const workloadPodSecurityRestricted: ResourceRule = {
    scope: "resource",
    name: "workload-pod-security-restricted",
    description: "Pods meet the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no host namespaces or hostPath.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Set runAsNonRoot: true and seccompProfile.type: RuntimeDefault on the pod, and allowPrivilegeEscalation: false and capabilities.drop: [ALL] on every container " +
        "(releasectl's builders do this, see builders/security.ts); remove privileged, host namespaces, hostPort and hostPath volumes.",
    settings: [],
    kinds: WORKLOAD_KINDS,
    framework: {
        name: "Kubernetes Pod Security Standards",
        version: "v1.33",
        reference: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        specification: "restricted",
    },
    validate(resource) {
        const pod = podSpecOf(resource.type, resource.props);
        if (!pod) return checked([]);
        const problems: string[] = [];
        for (const ns of ["hostNetwork", "hostPID", "hostIPC"] as const) {
            if (pod[ns] === true) problems.push(`pod sets ${ns}: true`);
        }
        for (const v of asArray(pod.volumes)) {
            const volume = asObject(v) ?? {};
            const types = Object.keys(volume).filter((k) => !ALLOWED_VOLUMES.has(k));
            if (types.length > 0) problems.push(`volume ${asString(volume.name) ?? "?"} uses ${types.join(", ")}`);
        }
        const podCtx = asObject(pod.securityContext) ?? {};
        for (const ref of containersOf(pod)) {
            const c = asObject(ref.container.securityContext) ?? {};
            const who = containerLabel(ref);
            const effective = (key: string) => (c[key] !== undefined ? c[key] : podCtx[key]);
            if (c.privileged === true) problems.push(`${who} is privileged`);
            if (c.allowPrivilegeEscalation !== false) problems.push(`${who} does not set allowPrivilegeEscalation: false`);
            if (effective("runAsNonRoot") !== true) problems.push(`${who} does not run as non-root (runAsNonRoot: true)`);
            if (effective("runAsUser") === 0) problems.push(`${who} runs as user 0`);
            const drop = asArray(get(c, "capabilities", "drop")).map(asString);
            if (!drop.includes("ALL")) problems.push(`${who} does not drop ALL capabilities`);
            const added = asArray(get(c, "capabilities", "add")).map(asString).filter((cap) => cap !== "NET_BIND_SERVICE");
            if (added.length > 0) problems.push(`${who} adds capabilities ${added.join(", ")}`);
            const seccomp = asString(get(c, "seccompProfile", "type")) ?? asString(get(podCtx, "seccompProfile", "type"));
            if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${who} has no RuntimeDefault seccomp profile`);
            for (const port of asArray(ref.container.ports)) {
                if (get(port, "hostPort") !== undefined && get(port, "hostPort") !== 0) problems.push(`${who} uses a hostPort`);
            }
        }
        return checked(
            problems.length === 0
                ? []
                : [
                      `the pod does not meet the restricted Pod Security Standard (${problems.join("; ")}): a compromised or buggy release could reach the node. ` +
                          "Run non-root with allowPrivilegeEscalation: false, capabilities.drop: [ALL] and seccompProfile RuntimeDefault, and no host access.",
                  ],
        );
    },
};

