import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describeObject, podSpecOf, WORKLOAD_TYPES, type KubeObject } from "./kubernetes";

/** The seccomp profiles Pod Security's restricted level accepts. */
const SECCOMP = ["RuntimeDefault", "Localhost"];

const FIX =
  "Create the workload through the ContainerTenant component, whose pods run hardened (non-root, read-only root filesystem, all capabilities dropped, no privilege escalation, seccomp RuntimeDefault).";

export const kubernetesPodsHardened: ResourceValidationPolicy = {
  name: "kubernetes-pods-hardened",
  description:
    "Every pod a workload runs (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) is hardened as " +
    "Pod Security's restricted level asks: no container, init container or ephemeral container is privileged, " +
    "adds capabilities, keeps any (capabilities.drop must hold ALL), may escalate privileges " +
    "(allowPrivilegeEscalation must be false), runs as root (runAsNonRoot true and no runAsUser 0, at the " +
    "container or the pod level) or writes its root filesystem; the pod uses no host network, PID or IPC " +
    "namespace and no hostPath volume, and each container runs under seccomp RuntimeDefault or Localhost.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: FIX,
  validateResource: (args, report) => {
    if (!WORKLOAD_TYPES.includes(args.type)) args.notApplicable("runs no pods");
    const object = args.props as KubeObject;
    const what = describeObject(args.type, args.name, object.metadata);
    const pod = podSpecOf(args.type, args.props);
    if (!pod) return report(`${what} has no pod spec the policy can read. ${FIX}`);
    const fire = (field: string, problem: string) => report(`${what}: ${field} ${problem}. ${FIX}`);

    for (const flag of ["hostNetwork", "hostPID", "hostIPC"] as const)
      if (pod[flag] === true) fire(`the pod's ${flag}`, "is true: it shares the node's namespace");
    for (const [index, volume] of (pod.volumes ?? []).entries())
      if (volume.hostPath !== undefined)
        fire(`volumes[${index}]${volume.name ? ` (${volume.name})` : ""}`, "is a hostPath volume");

    const podContext = pod.securityContext ?? {};
    for (const { container, path } of containersOf(pod)) {
      const context = container.securityContext ?? {};
      const at = (field: string) => `${path} securityContext.${field}`;
      if (context.privileged === true) fire(at("privileged"), "is true");
      const capabilities = context.capabilities ?? {};
      if ((capabilities.add ?? []).length > 0)
        fire(at("capabilities.add"), `adds ${(capabilities.add ?? []).join(", ")}`);
      if (!(capabilities.drop ?? []).includes("ALL")) fire(at("capabilities.drop"), "does not hold ALL");
      if (context.allowPrivilegeEscalation !== false)
        fire(at("allowPrivilegeEscalation"), `is ${String(context.allowPrivilegeEscalation)}, not false`);
      if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true)
        fire(at("runAsNonRoot"), "is not true in the container's or the pod's securityContext");
      if ((context.runAsUser ?? podContext.runAsUser) === 0) fire(at("runAsUser"), "is 0 (root)");
      if (context.readOnlyRootFilesystem !== true)
        fire(at("readOnlyRootFilesystem"), `is ${String(context.readOnlyRootFilesystem)}, not true`);
      const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
      if (seccomp === undefined || !SECCOMP.includes(seccomp))
        fire(
          at("seccompProfile.type"),
          `is ${String(seccomp)} (in the container's and the pod's securityContext), not ${SECCOMP.join(" or ")}`,
        );
    }
  },
};
