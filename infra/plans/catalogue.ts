/**
 * The plan catalogue: what each plan sells and which tier hosts it.
 *
 * Limits are data. Expansion reads them to size volumes and fill shared hosts, the cost report reads the
 * price, the host renderers write them into the app's tenant registry, and the policy pack bundles the
 * same catalogue as its default config. A manifest may override a built-in plan or add a new one
 * (`plans:` in tenants.yaml); `mergePlans` gives the effective catalogue.
 */
import type { HetznerLocation } from "./hetzner";

export type Tier = "shared" | "dedicated";
export const TIERS: readonly Tier[] = ["shared", "dedicated"];

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
  /** Hetzner server backups (daily image of the server disk; they never include volumes). */
  serverBackups: boolean;
  /** Custom domains the tenant may point at its site (Cloudflare for SaaS custom hostnames). */
  customDomains: number;
  /** PostgreSQL `CONNECTION LIMIT` of the tenant's role. */
  dbConnectionLimit: number;
  /**
   * When the tenant's host may install updates and reboot, in UTC (infra/plans/maintenance.ts):
   * `Sun 03:00-05:00`. A shared host takes the overlap of its tenants' plans' windows.
   */
  maintenanceWindow: string;
}

export interface SharedPlan extends PlanLimits {
  name: string;
  tier: "shared";
  /** Units of a shared host the tenant takes; one unit is about 512 MB of the host's memory. */
  capacityUnits: number;
}

export interface DedicatedPlan extends PlanLimits {
  name: string;
  tier: "dedicated";
  /** Server types the tenant may run on; the first is the default. */
  serverTypes: string[];
  /** Locations the tenant may run in; the fleet's default location is used when it is one of them. */
  locations: HetznerLocation[];
}

export type Plan = SharedPlan | DedicatedPlan;
export type PlanCatalogue = Readonly<Record<string, Plan>>;

/** Every field a plan may carry, for the manifest schema and the error messages. */
export type PlanFields = Omit<SharedPlan, "name" | "tier"> &
  Omit<DedicatedPlan, "name" | "tier"> & { tier: Tier };

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
};

const COMMON_FIELDS = [
  "monthlyPrice",
  "storageGb",
  "maxUsers",
  "apiCallsPerHour",
  "backupRetentionDays",
  "serverBackups",
  "customDomains",
  "dbConnectionLimit",
  "maintenanceWindow",
] as const;
export const TIER_FIELDS = {
  shared: [...COMMON_FIELDS, "capacityUnits"],
  dedicated: [...COMMON_FIELDS, "serverTypes", "locations"],
} as const satisfies Record<Tier, readonly (keyof PlanFields)[]>;
export const TIER_ONLY_FIELDS: Readonly<Record<string, Tier>> = {
  capacityUnits: "shared",
  serverTypes: "dedicated",
  locations: "dedicated",
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
      problems.push({ plan: name, message: `new plan "${name}" needs a tier: shared or dedicated` });
      continue;
    }
    let misplaced = false;
    for (const [field, onlyFor] of Object.entries(TIER_ONLY_FIELDS)) {
      if (onlyFor !== tier && override[field as keyof PlanOverride] !== undefined) {
        problems.push({
          plan: name,
          field: field as keyof PlanFields,
          message: `${field} applies to ${onlyFor} plans only, and "${name}" is a ${tier} plan`,
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
