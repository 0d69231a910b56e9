import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  describeObject,
  isTenantNamespace,
  LIMIT_RANGE,
  NAMESPACE,
  NETWORK_POLICY,
  RESOURCE_QUOTA,
  type KubeObject,
} from "./kubernetes";

interface NetworkPolicySpec {
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  policyTypes?: string[];
  ingress?: unknown[];
  egress?: unknown[];
}

/** Why a NetworkPolicy is not a default deny of all traffic, or undefined when it is one. */
function notDefaultDeny(spec: NetworkPolicySpec | undefined): string | undefined {
  const selector = spec?.podSelector;
  if (selector === undefined) return "it has no spec.podSelector";
  const selects =
    Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions ?? []).length > 0;
  if (selects) return "its spec.podSelector selects only some pods, not {}";
  const types = spec?.policyTypes ?? [];
  const lacking = ["Ingress", "Egress"].filter((t) => !types.includes(t));
  if (lacking.length > 0) return `its spec.policyTypes lack ${lacking.join(" and ")}`;
  const allowing = (["ingress", "egress"] as const).filter((rules) => (spec?.[rules] ?? []).length > 0);
  if (allowing.length > 0) return `it allows traffic (spec.${allowing.join(" and spec.")} rules)`;
  return undefined;
}

const FIX =
  "Create the tenant through the ContainerTenant component, which puts a ResourceQuota, a LimitRange and a default-deny NetworkPolicy in its namespace.";

export const kubernetesNamespaceIsolated: StackValidationPolicy = {
  name: "kubernetes-namespace-isolated",
  description:
    "Every tenant namespace (labelled managed-by tenancy or with a tenant, or named tenant-<id>) holds a " +
    "ResourceQuota, a LimitRange with a Container limit, and a default-deny NetworkPolicy (podSelector {}, " +
    "policyTypes Ingress and Egress, no ingress or egress rules), so that a tenant can neither take the " +
    "cluster's resources nor reach or be reached by anything its allow policies do not name.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: FIX,
  validateStack: (args, report) => {
    const objects = (type: string) =>
      args.resources.filter((r) => r.type === type).map((r) => ({ r, object: r.props as KubeObject }));
    const namespaces = objects(NAMESPACE).filter(({ object }) => isTenantNamespace(object.metadata));
    if (namespaces.length === 0) args.notApplicable("no tenant namespaces in this stack");
    const inNamespace = (type: string, name: string | undefined) =>
      objects(type).filter(({ object }) => object.metadata?.namespace === name);

    for (const { r, object } of namespaces) {
      const name = object.metadata?.name;
      const what = `${describeObject(r.type, r.name, object.metadata)} (namespace ${String(name)})`;
      const fire = (problem: string, at: PolicyResource = r) => report(`${what} ${problem}. ${FIX}`, at.urn);
      if (inNamespace(RESOURCE_QUOTA, name).length === 0) fire("has no ResourceQuota");
      const limits = inNamespace(LIMIT_RANGE, name);
      if (limits.length === 0) fire("has no LimitRange");
      else if (
        !limits.some(({ object: lr }) =>
          ((lr.spec?.limits ?? []) as { type?: string }[]).some((limit) => limit.type === "Container"),
        )
      )
        fire("has no LimitRange with a limit of type Container (spec.limits[].type)");
      const policies = inNamespace(NETWORK_POLICY, name).map(({ r: np, object: o }) => ({
        np,
        why: notDefaultDeny(o.spec as NetworkPolicySpec | undefined),
      }));
      if (!policies.some(({ why }) => why === undefined)) {
        const reasons = policies.map(({ np, why }) => `NetworkPolicy ${np.name}: ${why}`);
        fire(
          `has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)` +
            (reasons.length > 0 ? ` (${reasons.join("; ")})` : ""),
        );
      }
    }
  },
};
