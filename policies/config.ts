/**
 * The pack's view of the plan catalogue: the limits the owners approved, from the policy config
 * (`--policy-pack-config`), or the bundled defaults (catalogue.json) when none is given. A manifest can
 * only ask for limits; what is checked here is what the owners allow.
 */
import type { PolicyConfigSchema, PolicyResource } from "@pulumi/policy";
import defaults from "./catalogue.json";

/** The limits of one plan: infra/plans' Plan, restated here because the pack must build without the repository. */
export interface PlanLimits {
  tier: "shared" | "dedicated" | "kubernetes";
  monthlyPrice: number;
  /** Per database instance, in GiB, on the kubernetes tier. */
  storageGb: number;
  maxUsers: number;
  apiCallsPerHour: number;
  backupRetentionDays: number;
  /** Hetzner server backups: plans hosted on servers (shared, dedicated) only. */
  serverBackups?: boolean;
  customDomains: number;
  dbConnectionLimit: number;
  capacityUnits?: number;
  serverTypes?: string[];
  locations?: string[];
  /** When its tenants' hosts may update and reboot: `<days> HH:MM-HH:MM`, UTC. */
  maintenanceWindow?: string;
  /** The kubernetes tier: the namespace's quota (millicores, MiB, pods), the app's and the database's sizes. */
  cpuMillicores?: number;
  memoryMb?: number;
  pods?: number;
  appCpuMillicores?: number;
  appMemoryMb?: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** CloudNativePG instances, each with storageGb of its own. */
  dbInstances?: number;
  dbCpuMillicores?: number;
  dbMemoryMb?: number;
}

export type Plans = Record<string, PlanLimits>;

export const DEFAULTS = defaults as unknown as {
  asOf: string;
  plans: Plans;
  sharedHostCapacity: Record<string, number>;
  cloudflareRanges: string[];
  /** Per Cloudflare plan ("enterprise-advanced": with Advanced Rate Limiting): what a rate-limit rule may do. */
  cloudflareRateLimits: Record<string, CloudflareRateLimits>;
  minPasswordLength: number;
};

export interface CloudflareRateLimits {
  maxRules: number;
  /** Counting characteristics besides cf.colo.id; "any" for every one. */
  characteristics: string[] | "any";
  periods: number[];
}

/** The config schema of every policy that reads plan limits. */
export const PLANS_SCHEMA: PolicyConfigSchema = {
  properties: {
    plans: {
      type: "object",
      description:
        "The plan catalogue the owners approved: plan name → limits (tenancy policy-config writes it).",
      default: DEFAULTS.plans,
      additionalProperties: {
        type: "object",
        // serverBackups is not required: a kubernetes plan runs on no server of its own.
        required: ["tier", "storageGb", "apiCallsPerHour", "customDomains"],
        properties: {
          tier: { type: "string", enum: ["shared", "dedicated", "kubernetes"] },
          storageGb: { type: "number" },
          apiCallsPerHour: { type: "number" },
          serverBackups: { type: "boolean" },
          customDomains: { type: "number" },
          capacityUnits: { type: "number" },
          serverTypes: { type: "array", items: { type: "string" } },
          locations: { type: "array", items: { type: "string" } },
          maintenanceWindow: { type: "string" },
          ...Object.fromEntries(
            [
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
            ].map((field) => [field, { type: "number" }]),
          ),
        },
      },
    },
  },
};

export function plansOf(args: { getConfig<T extends object>(): T }): Plans {
  return args.getConfig<{ plans: Plans }>().plans;
}

/** The plan a tenant asks for, if the policy config knows it; otherwise the message to report. */
export function approvedPlan(plans: Plans, name: string | undefined): PlanLimits | string {
  if (name === undefined) return "carries no plan label";
  const plan = Object.hasOwn(plans, name) ? plans[name] : undefined;
  return (
    plan ??
    `asks for plan "${name}", which the policy config does not have (known: ${Object.keys(plans).join(", ")})`
  );
}

/**
 * For a policy on a dedicated tenant's server or volume: the plan the owners approved for it. Only a
 * resource labelled tier=shared is not applicable (shared resources hold many plans, and the capacity
 * policy judges them); any other, a missing tier label included, must carry a plan the config has, or it
 * would escape every plan limit. A plan the config lacks is reported, and then there is nothing to check.
 */
export function dedicatedPlan(
  labels: Record<string, string>,
  args: { name: string; getConfig<T extends object>(): T; notApplicable(reason?: string): never },
  report: (message: string) => void,
  what: string,
): PlanLimits | undefined {
  if (labels.tier === "shared") args.notApplicable("shared resources hold many plans");
  const plan = approvedPlan(plansOf(args), labels.plan);
  if (typeof plan !== "string") return plan;
  const whose = labels.tenant === undefined ? `${what} ${args.name}` : `${what} of tenant "${labels.tenant}"`;
  const fix =
    labels.plan === undefined
      ? "Create it through the DedicatedTenant component, which labels it with its tier, tenant and plan."
      : "Move the tenant to a plan of the policy config, or have the policy owners add the plan to it (tenancy policy-config).";
  report(`${whose} ${plan}. ${fix}`);
  return undefined;
}

/** The hosting props a SharedHost or DedicatedTenant component registers (components/host.ts). */
export interface HostingProps {
  tier: string;
  serverType: string;
  /** When the host updates and reboots: `<days> HH:MM-HH:MM`, UTC. */
  maintenanceWindow: string;
  tenants: {
    id: string;
    plan: string;
    status: string;
    hostnames: string[];
    customDomains: string[];
    /** Where the tenant's data and backups must stay: EU or a country code; "" for none. */
    residency: string;
    /** A dedicated tenant's own maintenance window, in place of its plan's; "" for none. */
    maintenanceWindow: string;
  }[];
}

/** Where a host's backups go, as the host components register it (components/backup-target.ts). */
export interface BackupTargetProps {
  kind: "storage-box" | "s3";
  country: string;
  /** A Storage Box's Hetzner location. */
  location?: string;
  /** An S3 repository's URL (restic's s3:https://<endpoint>/<bucket>/<host>). */
  repository?: string;
}

export const HOST_COMPONENTS = ["tenancy:hosting:SharedHost", "tenancy:hosting:DedicatedTenant"];

export function isHostComponent(type: string): boolean {
  return HOST_COMPONENTS.includes(type);
}

/**
 * The tenants a host component declares, or undefined when its props carry no tenants list. A stack
 * validation sees what the engine holds for a component, which is what it registered as outputs, not
 * the inputs it was constructed with (those only reach resource validations). Without the list, nothing
 * about the host's tenants can be checked, and the policy must say so rather than pass.
 */
export function declaredTenants(host: PolicyResource): HostingProps["tenants"] | undefined {
  const tenants = (host.props as Partial<HostingProps>).tenants;
  return Array.isArray(tenants) ? tenants : undefined;
}

/** The violation for a host component whose tenants the policy cannot see. */
export function undeclaredTenants(host: PolicyResource, what: string): string {
  return (
    `Host "${host.name}" declares no tenants to the policy pack (its props have no tenants list), so ${what} ` +
    `cannot be checked. A stack policy sees a component's registered outputs: register the host's hosting ` +
    `props (hostingProps in components/host.ts) as its outputs too.`
  );
}
