import type { ResourceValidationPolicy } from "@pulumi/policy";
import { approvedPlan, plansOf, PLANS_SCHEMA, type PlanLimits } from "./config";
import {
  CNPG_CLUSTER,
  describeObject,
  GIB,
  HPAS,
  MIB,
  parseQuantity,
  RESOURCE_QUOTA,
  TENANT_LABELS,
  type KubeObject,
} from "./kubernetes";

const JUDGED = [RESOURCE_QUOTA, ...HPAS, CNPG_CLUSTER];

/** One bound of a quota: the spec.hard keys that carry it (the first is the one to set), in plan units. */
interface Bound {
  keys: string[];
  unit: number;
  unitName: string;
  allowed: (plan: Required<PlanLimits>) => number;
  planField: string;
}

const QUOTA_BOUNDS: Bound[] = [
  { keys: ["requests.cpu", "cpu"], unit: 1e-3, unitName: "millicores", allowed: (p) => p.cpuMillicores, planField: "cpuMillicores" },
  { keys: ["limits.cpu"], unit: 1e-3, unitName: "millicores", allowed: (p) => p.cpuMillicores, planField: "cpuMillicores" },
  { keys: ["requests.memory", "memory"], unit: MIB, unitName: "MiB", allowed: (p) => p.memoryMb, planField: "memoryMb" },
  { keys: ["limits.memory"], unit: MIB, unitName: "MiB", allowed: (p) => p.memoryMb, planField: "memoryMb" },
  { keys: ["pods"], unit: 1, unitName: "pods", allowed: (p) => p.pods, planField: "pods" },
  // Each database instance has storageGb of its own; one more share is room for a volume being replaced.
  { keys: ["requests.storage"], unit: GIB, unitName: "GiB", allowed: (p) => p.storageGb * (p.dbInstances + 1), planField: "storageGb × (dbInstances + 1)" },
]; // prettier-ignore

const KUBERNETES_FIELDS = ["cpuMillicores", "memoryMb", "pods", "maxReplicas", "dbInstances"] as const;

const FIX =
  "Keep the tenant on a plan whose limits cover it (the ContainerTenant component sizes it from the plan), or have the policy owners raise the plan's limits in the policy config.";

export const kubernetesQuotaWithinPlan: ResourceValidationPolicy = {
  name: "kubernetes-quota-within-plan",
  description:
    "A containerized tenant gets no more than its plan as the policy config approves it: its ResourceQuota " +
    "bounds requests and limits of CPU and memory, pods and storage, each within the plan (storage: storageGb " +
    "for each database instance and one more), its autoscaler's maxReplicas and its CloudNativePG cluster's " +
    "instances, storage size and each instance's CPU and memory (requests and limits) are within the plan. It reads the objects' spec and their tenancy.io/plan " +
    "label, which must name a kubernetes plan of the policy config. A quota that leaves one of these unbounded is refused.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: FIX,
  configSchema: PLANS_SCHEMA,
  validateResource: (args, report) => {
    if (!JUDGED.includes(args.type)) args.notApplicable("not a quota, an autoscaler or a database cluster");
    const object = args.props as KubeObject;
    const what = describeObject(args.type, args.name, object.metadata);
    const planName = object.metadata?.labels?.[TENANT_LABELS.plan];
    const found = approvedPlan(plansOf(args), planName);
    if (typeof found === "string") {
      const fix =
        planName === undefined
          ? "Create it through the ContainerTenant component, which labels it with its tenant and plan."
          : "Move the tenant to a plan of the policy config, or have the policy owners add the plan to it (tenancy policy-config).";
      return report(`${what} ${found} (label ${TENANT_LABELS.plan}). ${fix}`);
    }
    const missing = KUBERNETES_FIELDS.filter((field) => typeof found[field] !== "number");
    if (found.tier !== "kubernetes" || missing.length > 0) {
      return report(
        `${what} is on plan "${planName}", which is no kubernetes plan in the policy config ` +
          `(tier ${found.tier}${missing.length > 0 ? `, no ${missing.join(", ")}` : ""}). Move the tenant to a kubernetes plan.`,
      );
    }
    // Every field of a kubernetes plan is there (checked above); the rest keep their number type.
    const plan = found as Required<PlanLimits>;
    const spec = object.spec ?? {};
    const onPlan = `plan "${planName}" allows`;

    if (args.type === RESOURCE_QUOTA) {
      const hard = (spec.hard ?? {}) as Record<string, unknown>;
      for (const bound of QUOTA_BOUNDS) {
        const key = bound.keys.find((k) => hard[k] !== undefined);
        if (key === undefined) {
          report(
            `${what} sets no spec.hard.${bound.keys[0]}, so the namespace is unbounded there; ${onPlan} ` +
              `${bound.allowed(plan)} ${bound.unitName} (${bound.planField}). ${FIX}`,
          );
          continue;
        }
        const quantity = parseQuantity(hard[key]);
        if (quantity === undefined) {
          report(
            `${what} has spec.hard.${key} ${JSON.stringify(hard[key])}, which is no Kubernetes quantity. ${FIX}`,
          );
          continue;
        }
        const amount = quantity / bound.unit;
        if (amount > bound.allowed(plan) + 1e-9) {
          report(
            `${what} has spec.hard.${key} ${String(hard[key])} (${round(amount)} ${bound.unitName}); ${onPlan} ` +
              `${bound.allowed(plan)} ${bound.unitName} (${bound.planField}). ${FIX}`,
          );
        }
      }
    } else if (HPAS.includes(args.type)) {
      const max: unknown = spec.maxReplicas;
      if (typeof max !== "number" || max > plan.maxReplicas) {
        report(
          `${what} has spec.maxReplicas ${String(max)}; ${onPlan} ${plan.maxReplicas} (maxReplicas). ${FIX}`,
        );
      }
    } else {
      const instances: unknown = spec.instances;
      if (typeof instances !== "number" || instances > plan.dbInstances) {
        report(
          `${what} has spec.instances ${String(instances)}; ${onPlan} ${plan.dbInstances} (dbInstances). ${FIX}`,
        );
      }
      // Each instance's CPU and memory, requests and limits, within the plan's database size.
      const resources = (spec.resources ?? {}) as Record<string, Record<string, unknown> | undefined>;
      for (const side of ["requests", "limits"]) {
        for (const [resource, unit, unitName, allowed, field] of [
          ["cpu", 1e-3, "millicores", plan.dbCpuMillicores, "dbCpuMillicores"],
          ["memory", MIB, "MiB", plan.dbMemoryMb, "dbMemoryMb"],
        ] as const) {
          const value = resources[side]?.[resource];
          const quantity = parseQuantity(value);
          if (quantity === undefined || quantity / unit > allowed + 1e-9) {
            report(
              `${what} has spec.resources.${side}.${resource} ${String(value)}; ${onPlan} ${allowed} ${unitName} per instance (${field}). ${FIX}`,
            );
          }
        }
      }
      const size: unknown = (spec.storage as { size?: unknown } | undefined)?.size;
      const gib = parseQuantity(size);
      if (gib === undefined || gib / GIB > plan.storageGb + 1e-9) {
        report(
          `${what} has spec.storage.size ${String(size)}; ${onPlan} ${plan.storageGb} GiB per instance (storageGb). ${FIX}`,
        );
      }
    }
  },
};

const round = (value: number) => Math.round(value * 1000) / 1000;
