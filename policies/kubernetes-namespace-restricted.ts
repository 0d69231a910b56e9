import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeObject, isTenantNamespace, NAMESPACE, type KubeObject } from "./kubernetes";

const PSA = "pod-security.kubernetes.io";
/** A pinned Pod Security version: `v1.<minor>` (never latest, which moves with the cluster). */
const PINNED_VERSION = /^v1\.\d+$/;

export const kubernetesNamespaceRestricted: ResourceValidationPolicy = {
  name: "kubernetes-namespace-restricted",
  description:
    "A tenant's namespace (labelled managed-by tenancy or with a tenant, or named tenant-<id>) makes Pod " +
    "Security Admission enforce the restricted level at a pinned version (enforce-version v1.<minor>, not " +
    "latest), and warns and audits at restricted too, so that the cluster itself refuses an unhardened pod.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create the namespace through the ContainerTenant component, which labels it pod-security.kubernetes.io/enforce, warn and audit: restricted with a pinned version.",
  validateResource: (args, report) => {
    if (args.type !== NAMESPACE) args.notApplicable("not a namespace");
    const object = args.props as KubeObject;
    if (!isTenantNamespace(object.metadata)) args.notApplicable("not a tenant's namespace");
    const what = describeObject(args.type, args.name, object.metadata);
    const labels = object.metadata?.labels ?? {};
    const fix =
      "Create it through the ContainerTenant component, which labels it restricted at a pinned version.";
    for (const mode of ["enforce", "warn", "audit"]) {
      const level = labels[`${PSA}/${mode}`];
      if (level !== "restricted")
        report(
          `${what}: label ${PSA}/${mode} is ${level === undefined ? "missing" : `"${level}"`}, not "restricted". ${fix}`,
        );
    }
    const version = labels[`${PSA}/enforce-version`];
    if (version === undefined || !PINNED_VERSION.test(version))
      report(
        `${what}: label ${PSA}/enforce-version is ${version === undefined ? "missing (so latest)" : `"${version}"`}, not a pinned version (v1.<minor>). ${fix}`,
      );
  },
};
