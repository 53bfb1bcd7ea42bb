/**
 * The restricted Pod Security profile (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * non-root, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault, plus a
 * read-only root filesystem (writable scratch space comes from an emptyDir at /tmp).
 */
export const RUN_AS_USER = 65532;

export function podSecurityContext() {
    return {
        runAsNonRoot: true,
        runAsUser: RUN_AS_USER,
        runAsGroup: RUN_AS_USER,
        fsGroup: RUN_AS_USER,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export function containerSecurityContext() {
    return {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export const TMP_VOLUME = { name: "tmp", emptyDir: { sizeLimit: "64Mi" } };
export const TMP_MOUNT = { name: "tmp", mountPath: "/tmp" };
