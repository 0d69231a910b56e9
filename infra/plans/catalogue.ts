/**
 * The plan catalogue: what each plan sells and which tier hosts it.
 *
 * Limits are data. Expansion reads them to size volumes and fill shared hosts, the cost report reads the
 * price, the host renderers write them into the app's tenant registry, and the policy pack bundles the
 * same catalogue as its default config. A manifest may override a built-in plan or add a new one
 * (`plans:` in tenants.yaml); `mergePlans` gives the effective catalogue.
 */
import type { HetznerLocation } from "./hetzner";

export type Tier = "shared" | "dedicated" | "kubernetes";
/** The tiers, in the order their stacks deploy: the shared stack owns the zone, the others follow. */
export const TIERS: readonly Tier[] = ["shared", "dedicated", "kubernetes"];

interface PlanLimits {
  /** Monthly list price in EUR, excluding VAT. */
  monthlyPrice: number;
  /** Data the tenant may keep, in GB: sizes the dedicated volume and a shared host's volume share. */
  storageGb: number;
  maxUsers: number;
  /** Becomes the plan's Cloudflare rate-limit rule. */
  apiCallsPerHour: number;
  /** How long nightly backups are kept (restic `forget --keep-daily`). */
  backupRetentionDays: number;
  /** Custom domains the tenant may point at its site (Cloudflare for SaaS custom hostnames). */
  customDomains: number;
  /** PostgreSQL `CONNECTION LIMIT` of the tenant's role. */
  dbConnectionLimit: number;
}

/** What a plan hosted on Hetzner servers also sells: images of the server, a window for its reboots. */
interface ServerPlanLimits extends PlanLimits {
  /** Hetzner server backups (daily image of the server disk; they never include volumes). */
  serverBackups: boolean;
  /**
   * When the tenant's host may install updates and reboot, in UTC (infra/plans/maintenance.ts):
   * `Sun 03:00-05:00`. A shared host takes the overlap of its tenants' plans' windows.
   */
  maintenanceWindow: string;
}

export interface SharedPlan extends ServerPlanLimits {
  name: string;
  tier: "shared";
  /** Units of a shared host the tenant takes; one unit is about 512 MB of the host's memory. */
  capacityUnits: number;
}

export interface DedicatedPlan extends ServerPlanLimits {
  name: string;
  tier: "dedicated";
  /** Server types the tenant may run on; the first is the default. */
  serverTypes: string[];
  /** Locations the tenant may run in; the fleet's default location is used when it is one of them. */
  locations: HetznerLocation[];
}

/**
 * A containerized plan: the tenant's own namespace on the fleet's Kubernetes cluster (fleet.kubernetes).
 * CPU in millicores and memory in MiB, as Kubernetes counts them. The namespace's ResourceQuota is
 * cpuMillicores, memoryMb and pods (requests equal limits: the resources are guaranteed); the app and its
 * database are sized within it (rules.ts checks they fit, with room for a rolling update).
 */
export interface ContainerPlan extends PlanLimits {
  name: string;
  tier: "kubernetes";
  /** The namespace's quota: CPU (millicores), memory (MiB) and pods. */
  cpuMillicores: number;
  memoryMb: number;
  pods: number;
  /** One replica of the app: its CPU (millicores) and memory (MiB). */
  appCpuMillicores: number;
  appMemoryMb: number;
  /** The autoscaler's bounds on the app's replicas. */
  minReplicas: number;
  maxReplicas: number;
  /** CloudNativePG instances (1 primary, the rest streaming replicas), each with storageGb of its own. */
  dbInstances: number;
  dbCpuMillicores: number;
  dbMemoryMb: number;
}

export type Plan = SharedPlan | DedicatedPlan | ContainerPlan;
export type PlanCatalogue = Readonly<Record<string, Plan>>;

/** Every field a plan may carry, for the manifest schema and the error messages. */
export type PlanFields = Omit<SharedPlan, "name" | "tier"> &
  Omit<DedicatedPlan, "name" | "tier"> &
  Omit<ContainerPlan, "name" | "tier"> & { tier: Tier };

/**
 * Built-in defaults, modelled on what small SaaS companies sell (see docs/plans.md for the sources):
 * hobby and starter share a host; professional, business and enterprise get their own server.
 */
export const BUILT_IN_PLANS: PlanCatalogue = {
  hobby: {
    name: "hobby",
    tier: "shared",
    monthlyPrice: 15,
    capacityUnits: 1,
    storageGb: 2,
    maxUsers: 5,
    apiCallsPerHour: 1000,
    backupRetentionDays: 30,
    serverBackups: false,
    customDomains: 0,
    dbConnectionLimit: 5,
    maintenanceWindow: "daily 03:00-05:00",
  },
  starter: {
    name: "starter",
    tier: "shared",
    monthlyPrice: 49,
    capacityUnits: 2,
    storageGb: 10,
    maxUsers: 20,
    apiCallsPerHour: 5000,
    backupRetentionDays: 30,
    serverBackups: false,
    customDomains: 1,
    dbConnectionLimit: 10,
    maintenanceWindow: "daily 03:00-05:00",
  },
  professional: {
    name: "professional",
    tier: "dedicated",
    monthlyPrice: 179,
    storageGb: 50,
    maxUsers: 100,
    apiCallsPerHour: 20000,
    backupRetentionDays: 365,
    serverBackups: true,
    customDomains: 3,
    dbConnectionLimit: 50,
    maintenanceWindow: "Sun 03:00-05:00",
    serverTypes: ["cx33", "cpx32", "ccx13"],
    locations: ["fsn1", "nbg1", "hel1"],
  },
  business: {
    name: "business",
    tier: "dedicated",
    monthlyPrice: 399,
    storageGb: 200,
    maxUsers: 500,
    apiCallsPerHour: 100000,
    backupRetentionDays: 730,
    serverBackups: true,
    customDomains: 5,
    dbConnectionLimit: 100,
    maintenanceWindow: "Sun 03:00-05:00",
    serverTypes: ["ccx13", "cx43", "cpx42", "ccx23"],
    locations: ["fsn1", "nbg1", "hel1", "ash", "hil"],
  },
  enterprise: {
    name: "enterprise",
    tier: "dedicated",
    monthlyPrice: 899,
    storageGb: 500,
    maxUsers: 5000,
    apiCallsPerHour: 500000,
    backupRetentionDays: 2555,
    serverBackups: true,
    customDomains: 20,
    dbConnectionLimit: 200,
    maintenanceWindow: "Sun 04:00-06:00",
    serverTypes: ["ccx23", "ccx33", "ccx43"],
    locations: ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"],
  },
  // The containerized plans: a namespace of the tenant's own on the fleet's cluster, with guaranteed
  // resources and a replicated database (docs/kubernetes.md).
  "business-k8s": {
    name: "business-k8s",
    tier: "kubernetes",
    monthlyPrice: 449,
    storageGb: 50,
    maxUsers: 500,
    apiCallsPerHour: 100000,
    backupRetentionDays: 730,
    customDomains: 5,
    dbConnectionLimit: 100,
    cpuMillicores: 3000,
    memoryMb: 6144,
    pods: 8,
    appCpuMillicores: 250,
    appMemoryMb: 512,
    minReplicas: 2,
    maxReplicas: 3,
    dbInstances: 2,
    dbCpuMillicores: 500,
    dbMemoryMb: 1024,
  },
  "enterprise-k8s": {
    name: "enterprise-k8s",
    tier: "kubernetes",
    monthlyPrice: 999,
    storageGb: 100,
    maxUsers: 5000,
    apiCallsPerHour: 500000,
    backupRetentionDays: 2555,
    customDomains: 20,
    dbConnectionLimit: 200,
    cpuMillicores: 6000,
    memoryMb: 12288,
    pods: 10,
    appCpuMillicores: 500,
    appMemoryMb: 1024,
    minReplicas: 2,
    maxReplicas: 4,
    dbInstances: 2,
    dbCpuMillicores: 1000,
    dbMemoryMb: 2048,
  },
};

const COMMON_FIELDS = [
  "monthlyPrice",
  "storageGb",
  "maxUsers",
  "apiCallsPerHour",
  "backupRetentionDays",
  "customDomains",
  "dbConnectionLimit",
] as const;
const SERVER_FIELDS = [...COMMON_FIELDS, "serverBackups", "maintenanceWindow"] as const;
export const CONTAINER_FIELDS = [
  "cpuMillicores",
  "memoryMb",
  "pods",
  "appCpuMillicores",
  "appMemoryMb",
  "minReplicas",
  "maxReplicas",
  "dbInstances",
  "dbCpuMillicores",
  "dbMemoryMb",
] as const;
export const TIER_FIELDS = {
  shared: [...SERVER_FIELDS, "capacityUnits"],
  dedicated: [...SERVER_FIELDS, "serverTypes", "locations"],
  kubernetes: [...COMMON_FIELDS, ...CONTAINER_FIELDS],
} as const satisfies Record<Tier, readonly (keyof PlanFields)[]>;

/** The tiers each field that not every tier has belongs to. */
export const TIER_ONLY_FIELDS: Readonly<Record<string, readonly Tier[]>> = {
  capacityUnits: ["shared"],
  serverTypes: ["dedicated"],
  locations: ["dedicated"],
  // A containerized tenant has no server of its own: the cluster's owners image and reboot its nodes.
  serverBackups: ["shared", "dedicated"],
  maintenanceWindow: ["shared", "dedicated"],
  ...Object.fromEntries(CONTAINER_FIELDS.map((field) => [field, ["kubernetes"] as const])),
};

/** A plan as a manifest writes it: any subset of the fields, merged over the built-in plan of that name. */
export type PlanOverride = Partial<PlanFields>;

export interface PlanMergeProblem {
  plan: string;
  /** The field at fault, or undefined when the problem is the plan as a whole. */
  field?: keyof PlanFields;
  message: string;
}

/**
 * The effective catalogue: built-in plans with the manifest's overrides applied and its new plans added.
 * Returns the problems instead of throwing, so the manifest validator can place each one on its line.
 */
export function mergePlans(
  overrides: Readonly<Record<string, PlanOverride>> = {},
  base: PlanCatalogue = BUILT_IN_PLANS,
): { plans: Record<string, Plan>; problems: PlanMergeProblem[] } {
  const plans: Record<string, Plan> = { ...base };
  const problems: PlanMergeProblem[] = [];
  for (const [name, override] of Object.entries(overrides)) {
    const builtIn = Object.hasOwn(base, name) ? base[name] : undefined;
    if (builtIn && override.tier !== undefined && override.tier !== builtIn.tier) {
      problems.push({
        plan: name,
        field: "tier",
        message:
          `the tier of built-in plan "${name}" is ${builtIn.tier} and cannot be changed to ${override.tier} ` +
          `(it would move every tenant on it to another stack); define a new plan instead`,
      });
      continue;
    }
    const tier = builtIn?.tier ?? override.tier;
    if (tier === undefined) {
      problems.push({
        plan: name,
        message: `new plan "${name}" needs a tier: shared, dedicated or kubernetes`,
      });
      continue;
    }
    let misplaced = false;
    for (const [field, onlyFor] of Object.entries(TIER_ONLY_FIELDS)) {
      if (!onlyFor.includes(tier) && override[field as keyof PlanOverride] !== undefined) {
        problems.push({
          plan: name,
          field: field as keyof PlanFields,
          message: `${field} applies to ${onlyFor.join(" and ")} plans only, and "${name}" is a ${tier} plan`,
        });
        misplaced = true;
      }
    }
    if (misplaced) continue;
    const merged: Record<string, unknown> = { ...(builtIn ?? {}), ...dropUndefined(override), name, tier };
    const missing = TIER_FIELDS[tier].filter((field) => merged[field] === undefined);
    if (missing.length > 0) {
      problems.push({
        plan: name,
        message: `new plan "${name}" must set every ${tier} plan field; missing: ${missing.join(", ")}`,
      });
      continue;
    }
    plans[name] = pickPlan(merged, tier);
  }
  return { plans, problems };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Keeps only the fields of the plan's tier, so a plan object never carries fields of the other tier. */
function pickPlan(fields: Record<string, unknown>, tier: Tier): Plan {
  const plan: Record<string, unknown> = { name: fields.name, tier };
  for (const field of TIER_FIELDS[tier]) plan[field] = fields[field];
  return plan as unknown as Plan;
}

export function plansOfTier(plans: PlanCatalogue, tier: Tier): Plan[] {
  return Object.values(plans).filter((plan) => plan.tier === tier);
}
