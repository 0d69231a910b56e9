/**
 * The rules that need more than one value: plans, placement, collisions and capacity.
 * Each rule reports its own message at the line of the field at fault.
 */
import {
  commonWindow,
  formatMaintenanceWindow,
  hetznerServerType,
  locationCountry,
  parseMaintenanceWindow,
  residencyAllows,
  sharedHostCapacity,
  sharedVolumeGb,
  HETZNER_VOLUME_MAX_GB,
  type ContainerPlan,
  type MaintenanceWindow,
  type Plan,
} from "../plans";
import { didYouMean } from "./hints";

/** Dedicated tenants' servers are named `dedicated-<id>`; shared host names must keep out of that space. */
export const DEDICATED_PREFIX = "dedicated-";
/**
 * Each host's proxied address records are `origin-<server name>.<zone>` (components/tenant-edge.ts), and a
 * tenant is served at `<id>.<zone>`: tenant ids must keep out of that space.
 */
export const ORIGIN_PREFIX = "origin-";
import { KubernetesClusterSchema, type ManifestSharedHost, type ManifestTenant } from "./schema";
import type { HetznerLocation } from "../plans";
import type { CloudflarePlan } from "../edge/cloudflare-plans";
import { checkEdge } from "./edge";
import { checkMoves } from "./moves";

/** Ids the product itself needs under the zone, so no tenant may take them. */
export const RESERVED_IDS: ReadonlySet<string> = new Set([
  "www",
  "api",
  "admin",
  "app",
  "mail",
  "smtp",
  "imap",
  "pop",
  "mx",
  "ns1",
  "ns2",
  "status",
  "docs",
  "help",
  "support",
  "billing",
  "blog",
  "cdn",
  "static",
  "assets",
  "auth",
  "login",
  "sso",
  "dashboard",
  "console",
  "staging",
  "dev",
  "test",
  "internal",
  "vpn",
  "git",
  "autoconfig",
  "autodiscover",
  "localhost",
]);

export type Report = (path: readonly PropertyKey[], message: string, hint?: string) => void;

export interface RuleInput {
  fleet: {
    zone: string;
    location: HetznerLocation;
    residency?: string | undefined;
    cloudflarePlan: CloudflarePlan;
    cloudflareDnsRecordQuota?: number | undefined;
    cloudflareAdvancedRateLimiting: boolean;
    /** fleet.kubernetes as written; KubernetesClusterSchema checks it on its own. */
    kubernetes?: unknown;
  };
  plans: Readonly<Record<string, Plan>>;
  /** Plans whose own entry is invalid (already reported): tenants on them are not checked against them. */
  brokenPlans: ReadonlySet<string>;
  /** Likewise for shared hosts whose entry is invalid: their tenants are not checked against them. */
  brokenHosts: ReadonlySet<string>;
  hosts: { index: number; host: ManifestSharedHost }[];
  tenants: { index: number; tenant: ManifestTenant }[];
  /** `tenancy place` loads manifests whose shared tenants have no host yet. */
  allowUnplaced: boolean;
  /** Line of a path, for messages such as "first defined at line 12". */
  lineOf: (path: readonly PropertyKey[]) => number;
}

export function checkRules(input: RuleInput, report: Report): void {
  checkHosts(input, report);
  checkTenants(input, report);
  checkDomains(input, report);
  checkCapacity(input, report);
  checkEdge(input, report);
  checkMoves(input, report);
  checkResidency(input, report);
  checkMaintenance(input, report);
}

/**
 * A shared host reboots in a window every plan of the tenants it keeps allows: their windows must
 * overlap by an hour or more (infra/plans/maintenance.ts).
 */
function checkMaintenance({ plans, hosts, tenants }: RuleInput, report: Report): void {
  for (const { index, host } of hosts) {
    const planNames = new Set(sharedCopies(host.name, tenants));
    const windows: { plan: string; window: MaintenanceWindow }[] = [];
    for (const planName of planNames) {
      const plan = Object.hasOwn(plans, planName) ? plans[planName] : undefined;
      const window = plan?.tier === "shared" ? parseMaintenanceWindow(plan.maintenanceWindow) : undefined;
      if (window !== undefined && typeof window !== "string") windows.push({ plan: planName, window });
    }
    if (windows.length > 1 && commonWindow(windows.map(({ window }) => window)) === undefined) {
      report(
        ["sharedHosts", index, "name"],
        `the plans on shared host "${host.name}" allow no common maintenance window of an hour or more (` +
          windows.map(({ plan, window }) => `${plan}: ${formatMaintenanceWindow(window)}`).join("; ") +
          `); give the plans' maintenanceWindow an hour in common, or keep these plans on different hosts`,
      );
    }
  }
}

/** The plans of every copy of a tenant's data on a shared host: served there, moving there, kept there. */
function sharedCopies(hostName: string, tenants: RuleInput["tenants"]): string[] {
  return tenants.flatMap(({ tenant }) => [
    ...(tenant.host === hostName ? [tenant.plan] : []),
    ...(tenant.move?.host === hostName ? [tenant.move.plan ?? tenant.plan] : []),
    ...(tenant.movedFrom?.host === hostName && !tenant.movedFrom.purged ? [tenant.movedFrom.plan] : []),
  ]);
}

/**
 * A tenant's data stays within its residency (its own, else the fleet's): every place it is kept (its
 * host, and the target of a declared move) must be in a country the residency allows. Backups follow
 * the host (components/context.ts), so this also keeps them in.
 */
function checkResidency({ fleet, hosts, tenants, plans }: RuleInput, report: Report): void {
  const hostLocation = new Map(hosts.map(({ host }) => [host.name, host.location]));
  for (const { index, tenant } of tenants) {
    const residency = tenant.residency ?? fleet.residency;
    if (residency === undefined) continue;
    const whose =
      tenant.residency === undefined ? `the fleet's residency ${residency}` : `residency ${residency}`;
    const region = residency === "EU" ? "the EU" : residency;
    const check = (
      path: PropertyKey[],
      location: HetznerLocation | undefined,
      what: string,
      fix = `place the tenant in ${region} or change its residency`,
    ) => {
      if (location === undefined) return;
      const country = locationCountry(location);
      if (!residencyAllows(residency, country))
        report(path, `${what} is in ${location} (${country}), outside ${whose}; ${fix}`);
    };
    const plan = Object.hasOwn(plans, tenant.plan) ? plans[tenant.plan] : undefined;
    if (plan?.tier === "kubernetes")
      check(
        ["tenants", index, "plan"],
        clusterLocation(fleet.kubernetes),
        "the Kubernetes cluster (fleet.kubernetes)",
        `its database and backups would leave ${region}: give the tenant a dedicated plan in ${region}`,
      );
    else if (plan?.tier === "shared" && tenant.host !== undefined)
      check(["tenants", index, "host"], hostLocation.get(tenant.host), `host "${tenant.host}"`);
    else if (plan?.tier === "dedicated")
      check(
        ["tenants", index, tenant.location === undefined ? "plan" : "location"],
        tenant.location ?? fleet.location,
        "the tenant's server",
      );
    if (tenant.move?.host !== undefined)
      check(
        ["tenants", index, "move", "host"],
        hostLocation.get(tenant.move.host),
        `move target "${tenant.move.host}"`,
      );
    else if (tenant.move?.location !== undefined)
      check(["tenants", index, "move", "location"], tenant.move.location, "the move's target server");
  }
}

function clusterLocation(cluster: unknown): HetznerLocation | undefined {
  const parsed = KubernetesClusterSchema.shape.location.safeParse(
    typeof cluster === "object" && cluster !== null
      ? (cluster as { location?: unknown }).location
      : undefined,
  );
  return parsed.success ? parsed.data : undefined;
}

function checkHosts({ hosts, lineOf }: RuleInput, report: Report): void {
  const seen = new Map<string, number>();
  for (const { index, host } of hosts) {
    const first = seen.get(host.name);
    if (first !== undefined) {
      report(
        ["sharedHosts", index, "name"],
        `duplicate shared host "${host.name}"; first defined at line ${lineOf(["sharedHosts", first, "name"])}`,
      );
    } else seen.set(host.name, index);
    if (RESERVED_IDS.has(host.name)) {
      report(
        ["sharedHosts", index, "name"],
        `"${host.name}" is reserved for the product's own hostnames; choose another name`,
      );
    } else if (host.name.startsWith(DEDICATED_PREFIX)) {
      report(
        ["sharedHosts", index, "name"],
        `shared host names may not start with "${DEDICATED_PREFIX}": that prefix names the servers of dedicated tenants`,
      );
    }
    const type = hetznerServerType(host.serverType);
    if (type && !type.locations.includes(host.location)) {
      report(
        ["sharedHosts", index, "serverType"],
        `server type ${host.serverType} is not sold in ${host.location}; it is sold in ${type.locations.join(", ")}`,
      );
    }
  }
}

function checkTenants(input: RuleInput, report: Report): void {
  const { plans, brokenPlans, brokenHosts, hosts, tenants, fleet, lineOf, allowUnplaced } = input;
  const hostsByName = new Map(hosts.map(({ host }) => [host.name, host]));
  const firstIndexOfId = new Map<string, number>();
  const planNames = Object.keys(plans);
  for (const { index, tenant } of tenants) {
    const at = (field: string): PropertyKey[] => ["tenants", index, field];
    const first = firstIndexOfId.get(tenant.id);
    if (first !== undefined) {
      report(
        at("id"),
        `duplicate tenant id "${tenant.id}"; first defined at line ${lineOf(["tenants", first, "id"])}`,
      );
    } else firstIndexOfId.set(tenant.id, index);
    if (RESERVED_IDS.has(tenant.id)) {
      report(at("id"), `"${tenant.id}" is reserved for the product's own hostnames; choose another id`);
    } else if (tenant.id.startsWith(ORIGIN_PREFIX)) {
      report(
        at("id"),
        `"${tenant.id}" starts with "${ORIGIN_PREFIX}", the prefix of the hosts' own address records ` +
          `(${ORIGIN_PREFIX}<server name>.<zone>), so its hostname could collide with one; choose another id`,
      );
    } else if (hostsByName.has(tenant.id)) {
      report(at("id"), `"${tenant.id}" is the name of a shared host; choose another id`);
    }

    if (brokenPlans.has(tenant.plan)) continue;
    const plan = Object.hasOwn(plans, tenant.plan) ? plans[tenant.plan] : undefined;
    if (!plan) {
      report(
        at("plan"),
        `unknown plan "${tenant.plan}"; known plans: ${planNames.join(", ")}`,
        didYouMean(tenant.plan, planNames),
      );
      continue;
    }
    if (plan.tier === "shared") {
      if (tenant.serverType !== undefined) {
        report(
          at("serverType"),
          `serverType applies to dedicated tenants only; plan "${plan.name}" is shared, so the host's server type applies`,
        );
      }
      if (tenant.appImage !== undefined) {
        report(
          at("appImage"),
          `appImage applies to dedicated tenants only; a shared host runs one app for all its tenants`,
        );
      }
      if (tenant.maintenanceWindow !== undefined) {
        report(
          at("maintenanceWindow"),
          `maintenanceWindow applies to dedicated tenants only; a shared host reboots in the window all its tenants' plans allow (set the plan's maintenanceWindow)`,
        );
      }
      if (tenant.host === undefined) {
        if (!allowUnplaced) {
          report(
            ["tenants", index],
            `shared tenant "${tenant.id}" has no host; run "tenancy place --write" to place it`,
          );
        }
        continue;
      }
      if (brokenHosts.has(tenant.host)) continue;
      const host = hostsByName.get(tenant.host);
      if (!host) {
        const names = [...hostsByName.keys()];
        report(
          at("host"),
          `unknown shared host "${tenant.host}"; shared hosts: ${names.join(", ") || "none"}`,
          didYouMean(tenant.host, names),
        );
      } else if (tenant.location !== undefined && tenant.location !== host.location) {
        report(
          at("host"),
          `host "${host.name}" is in ${host.location}, but the tenant must live in ${tenant.location}`,
        );
      }
    } else if (plan.tier === "kubernetes") {
      checkContainerTenant(input, index, tenant, plan.name, report);
    } else {
      if (tenant.host !== undefined) {
        report(
          at("host"),
          `host applies to shared tenants only; plan "${plan.name}" is dedicated, so the tenant gets its own server`,
        );
      }
      const location = tenant.location ?? fleet.location;
      const locationAllowed = plan.locations.includes(location);
      if (!locationAllowed) {
        const why =
          tenant.location === undefined
            ? ` (the fleet's default location; set location: to one the plan allows)`
            : "";
        report(
          tenant.location === undefined ? at("plan") : at("location"),
          `location ${location}${why} is not allowed by plan "${plan.name}"; allowed: ${plan.locations.join(", ")}`,
        );
      }
      const serverType = tenant.serverType ?? plan.serverTypes[0]!;
      if (!plan.serverTypes.includes(serverType)) {
        report(
          at("serverType"),
          `server type ${serverType} is not allowed by plan "${plan.name}"; allowed: ${plan.serverTypes.join(", ")}`,
        );
      } else if (locationAllowed) {
        const type = hetznerServerType(serverType);
        if (type && !type.locations.includes(location)) {
          report(
            tenant.serverType === undefined ? at("plan") : at("serverType"),
            `server type ${serverType} is not sold in ${location}; it is sold in ${type.locations.join(", ")}`,
          );
        }
      }
    }
  }
}

/**
 * A containerized tenant runs in a namespace of its own on the fleet's cluster: it needs the cluster, and
 * the fields that place or size a server are not its own.
 */
function checkContainerTenant(
  { fleet }: RuleInput,
  index: number,
  tenant: ManifestTenant,
  planName: string,
  report: Report,
): void {
  const at = (field: string): PropertyKey[] => ["tenants", index, field];
  if (fleet.kubernetes === undefined)
    report(
      at("plan"),
      `plan "${planName}" runs on Kubernetes, and fleet.kubernetes describes no cluster; add fleet.kubernetes (docs/kubernetes.md)`,
    );
  const notHere: [keyof ManifestTenant, string][] = [
    ["host", "a containerized tenant has a namespace of its own, not a shared host"],
    ["serverType", "a containerized tenant's resources come from its plan"],
    [
      "location",
      "a containerized tenant runs where the cluster runs (fleet.kubernetes.location); state its residency instead",
    ],
    [
      "maintenanceWindow",
      "the cluster's owners update its nodes; the tenant's pods are spread so that one node's reboot stops none",
    ],
  ];
  for (const [field, why] of notHere)
    if (tenant[field] !== undefined)
      report(at(field), `${field} does not apply to plan "${planName}", which runs on Kubernetes: ${why}`);
}

/**
 * A containerized plan's app and database fit in its namespace's quota, with room for one more app
 * replica during a rolling update and one more database pod while CloudNativePG joins or replaces an
 * instance: else the quota would stop the update half-way.
 */
export function containerPlanProblems(
  plan: ContainerPlan,
): { field: keyof ContainerPlan; message: string }[] {
  const problems: { field: keyof ContainerPlan; message: string }[] = [];
  const appPods = plan.maxReplicas + 1;
  const dbPods = plan.dbInstances + 1;
  const cpu = plan.appCpuMillicores * appPods + plan.dbCpuMillicores * dbPods;
  const memory = plan.appMemoryMb * appPods + plan.dbMemoryMb * dbPods;
  const room = `${appPods} app pods (maxReplicas ${plan.maxReplicas} and one for a rolling update) and ${dbPods} database pods (dbInstances ${plan.dbInstances} and one while an instance is replaced)`;
  if (plan.minReplicas > plan.maxReplicas)
    problems.push({
      field: "minReplicas",
      message: `minReplicas ${plan.minReplicas} is above maxReplicas ${plan.maxReplicas}`,
    });
  if (cpu > plan.cpuMillicores)
    problems.push({
      field: "cpuMillicores",
      message: `cpuMillicores ${plan.cpuMillicores} is less than the ${cpu} that ${room} need`,
    });
  if (memory > plan.memoryMb)
    problems.push({
      field: "memoryMb",
      message: `memoryMb ${plan.memoryMb} is less than the ${memory} that ${room} need`,
    });
  if (appPods + dbPods > plan.pods)
    problems.push({
      field: "pods",
      message: `pods ${plan.pods} is fewer than the ${appPods + dbPods} that ${room} need`,
    });
  return problems;
}

function checkDomains({ plans, tenants, fleet, lineOf }: RuleInput, report: Report): void {
  const owner = new Map<string, { id: string; path: PropertyKey[] }>();
  for (const { index, tenant } of tenants) {
    const domains = tenant.domains ?? [];
    domains.forEach((domain, d) => {
      const path = ["tenants", index, "domains", d];
      if (domain === fleet.zone || domain.endsWith(`.${fleet.zone}`)) {
        report(
          path,
          `"${domain}" is under the fleet's zone ${fleet.zone}; the tenant is already served at ${tenant.id}.${fleet.zone}, and custom domains must be outside the zone`,
        );
        return;
      }
      const previous = owner.get(domain);
      if (previous) {
        const whose = previous.id === tenant.id ? "this tenant" : `tenant "${previous.id}"`;
        report(path, `custom domain "${domain}" is already used by ${whose} (line ${lineOf(previous.path)})`);
        return;
      }
      owner.set(domain, { id: tenant.id, path });
    });
    const plan = Object.hasOwn(plans, tenant.plan) ? plans[tenant.plan] : undefined;
    if (plan && domains.length > plan.customDomains) {
      const allowed = plan.customDomains === 1 ? "1 custom domain" : `${plan.customDomains} custom domains`;
      report(
        ["tenants", index, "domains"],
        `plan "${plan.name}" allows ${allowed}, and ${domains.length} ${domains.length === 1 ? "is" : "are"} listed`,
      );
    }
  }
}

function checkCapacity({ plans, hosts, tenants }: RuleInput, report: Report): void {
  for (const { index, host } of hosts) {
    // Every copy of a tenant's data on the host counts: where it is served, where it moves to, where a
    // copy is kept after a move.
    const placed = sharedCopies(host.name, tenants);
    let units = 0;
    let storageGb = 0;
    for (const planName of placed) {
      const plan = Object.hasOwn(plans, planName) ? plans[planName] : undefined;
      if (plan?.tier !== "shared") continue;
      units += plan.capacityUnits;
      storageGb += plan.storageGb;
    }
    const capacity = host.capacityUnits ?? sharedHostCapacity(host.serverType) ?? 0;
    if (units > capacity) {
      report(
        ["sharedHosts", index, "name"],
        `shared host "${host.name}" is over capacity: its ${placed.length === 1 ? "tenant needs" : `${placed.length} tenants need`} ${units} units and it has ${capacity}; ` +
          `move tenants to another host (a data migration) or choose a larger serverType`,
      );
    }
    const needGb = sharedVolumeGb(storageGb);
    if (host.volumeGb !== undefined && host.volumeGb < needGb) {
      report(
        ["sharedHosts", index, "volumeGb"],
        `volume of ${host.volumeGb} GB is too small: its tenants' plans need ${needGb} GB with headroom`,
      );
    }
    if (needGb > HETZNER_VOLUME_MAX_GB) {
      report(
        ["sharedHosts", index, "name"],
        `tenants need a ${needGb} GB volume, above Hetzner's ${HETZNER_VOLUME_MAX_GB} GB limit`,
      );
    }
  }
}
