/**
 * Manifest → FleetModel. Pure: the same manifest always gives the same model, and nothing here reads files
 * or talks to a cloud. Placement is read from the manifest (`host:`), never decided here: moving a tenant is
 * a data migration, so it must be a reviewed edit of tenants.yaml (see `place.ts`).
 */
import type { LoadedManifest, ManifestTenant } from "../manifest";
import {
  dedicatedVolumeGb,
  commonWindow,
  DEFAULT_MAINTENANCE_WINDOW,
  formatMaintenanceWindow,
  parseMaintenanceWindow,
  sharedHostCapacity,
  sharedVolumeGb,
  type ContainerPlan,
  type DedicatedPlan,
  type HetznerLocation,
  type MaintenanceWindow,
  type Plan,
  type SharedPlan,
} from "../plans";
import type {
  ContainerResources,
  ContainerTenantModel,
  DedicatedTenantModel,
  FleetModel,
  HostedStatus,
  SharedHostModel,
  SharedTenantModel,
  TenantLimits,
} from "./model";
import {
  databaseName,
  dedicatedServerName,
  kubernetesLabels,
  tenantNamespace,
  serverResourceNames,
  tenantHostname,
  tenantResourceNames,
} from "./names";

/** Expands a validated manifest (from `loadManifest`). */
export function expand({ manifest, plans }: Pick<LoadedManifest, "manifest" | "plans">): FleetModel {
  const { fleet } = manifest;
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  const planNamed = (name: string, tenant: ManifestTenant): Plan => {
    const plan = plans[name];
    if (!plan) throw new Error(`tenant "${tenant.id}": unknown plan "${name}" (manifest not validated?)`);
    return plan;
  };
  const planOf = (tenant: ManifestTenant): Plan => planNamed(tenant.plan, tenant);
  /** A move's target plan: the move's own, or the tenant's. */
  const movePlan = (tenant: ManifestTenant): Plan | undefined =>
    tenant.move ? planNamed(tenant.move.plan ?? tenant.plan, tenant) : undefined;
  const keptCopy = (tenant: ManifestTenant) =>
    tenant.movedFrom && tenant.movedFrom.purged === undefined ? tenant.movedFrom : undefined;

  const base = (tenant: ManifestTenant, plan: Plan, status: HostedStatus) => {
    const customDomains = tenant.domains ?? [];
    const hostname = tenantHostname(tenant.id, fleet.zone);
    const limits: TenantLimits = {
      maxUsers: plan.maxUsers,
      storageGb: plan.storageGb,
      apiCallsPerHour: plan.apiCallsPerHour,
      backupRetentionDays: plan.backupRetentionDays,
      customDomains: plan.customDomains,
    };
    const db = databaseName(tenant.id);
    const move = movePlan(tenant);
    const residency = tenant.residency ?? fleet.residency;
    return {
      id: tenant.id,
      displayName: tenant.name,
      plan: plan.name,
      status,
      ...(tenant.move && move
        ? {
            move: {
              tier: move.tier,
              plan: move.name,
              // Validation refuses a move into or out of the containerized tier (not built yet).
              ...(move.tier === "shared"
                ? { host: tenant.move.host }
                : move.tier === "dedicated"
                  ? {
                      location: tenant.move.location ?? fleet.location,
                      serverType: tenant.move.serverType ?? move.serverTypes[0],
                    }
                  : {}),
            },
          }
        : {}),
      ...(tenant.movedFrom
        ? {
            movedFrom: {
              tier: tenant.movedFrom.host ? ("shared" as const) : ("dedicated" as const),
              plan: tenant.movedFrom.plan,
              ...(tenant.movedFrom.host ? { host: tenant.movedFrom.host } : {}),
              ...(tenant.movedFrom.location ? { location: tenant.movedFrom.location } : {}),
              ...(tenant.movedFrom.serverType ? { serverType: tenant.movedFrom.serverType } : {}),
              at: tenant.movedFrom.at,
              ...(tenant.movedFrom.purged ? { purged: tenant.movedFrom.purged } : {}),
            },
          }
        : {}),
      ...(residency === undefined ? {} : { residency }),
      // Its own server's: a copy of it on a shared host reboots in that host's window.
      ...(tenant.maintenanceWindow === undefined || plan.tier !== "dedicated"
        ? {}
        : { maintenanceWindow: tenant.maintenanceWindow }),
      hostname,
      customDomains,
      hostnames: [hostname, ...customDomains],
      limits,
      database: { name: db, role: db, connectionLimit: plan.dbConnectionLimit },
      labels: {
        "managed-by": "tenancy",
        tier: plan.tier,
        tenant: tenant.id,
        plan: plan.name,
        status,
      },
      names: tenantResourceNames(tenant.id, customDomains),
    };
  };

  const sharedTenant = (tenant: ManifestTenant, plan: SharedPlan, host: string, status: HostedStatus) => ({
    ...base(tenant, plan, status),
    tier: "shared" as const,
    host,
    capacityUnits: plan.capacityUnits,
  });

  const hosts: SharedHostModel[] = manifest.sharedHosts.map((host) => {
    const tenants: SharedTenantModel[] = manifest.tenants
      .filter((tenant) => tenant.host === host.name && planOf(tenant).tier === "shared")
      .map((tenant) => sharedTenant(tenant, planOf(tenant) as SharedPlan, host.name, tenant.status))
      .sort(byId);
    const incoming: SharedTenantModel[] = manifest.tenants
      .filter((tenant) => tenant.move?.host === host.name && movePlan(tenant)?.tier === "shared")
      .map((tenant) => sharedTenant(tenant, movePlan(tenant) as SharedPlan, host.name, "incoming"))
      .sort(byId);
    const retained: SharedTenantModel[] = manifest.tenants
      .filter((tenant) => keptCopy(tenant)?.host === host.name)
      .map((tenant) =>
        sharedTenant(
          tenant,
          planNamed(keptCopy(tenant)!.plan, tenant) as SharedPlan,
          host.name,
          "moved-away",
        ),
      )
      .sort(byId);
    // Capacity and storage count every copy on the host: the data is there, or is coming.
    const all = [...tenants, ...incoming, ...retained];
    const capacityUnits = host.capacityUnits ?? sharedHostCapacity(host.serverType) ?? 0;
    const capacityUsed = all.reduce((sum, tenant) => sum + tenant.capacityUnits, 0);
    const tenantStorageGb = all.reduce((sum, tenant) => sum + tenant.limits.storageGb, 0);
    return {
      name: host.name,
      location: host.location,
      capacityUnits,
      capacityUsed,
      capacityFree: capacityUnits - capacityUsed,
      tenantStorageGb,
      server: {
        hetznerName: host.name,
        location: host.location,
        serverType: host.serverType,
        image: fleet.image,
        volumeGb: host.volumeGb ?? sharedVolumeGb(tenantStorageGb),
        serverBackups: all.some(
          (tenant) => (plans[tenant.plan] as SharedPlan | undefined)?.serverBackups === true,
        ),
        maintenanceWindow: sharedMaintenanceWindow(
          all.map((tenant) => plans[tenant.plan] as SharedPlan | undefined),
        ),
        labels: {
          "managed-by": "tenancy",
          tier: "shared",
          role: "shared-host",
          host: host.name,
          "capacity-units": String(capacityUnits),
          "capacity-used": String(capacityUsed),
          "capacity-free": String(capacityUnits - capacityUsed),
          // How many tenants of each plan: the policy pack recounts the capacity used from its own plans.
          ...planCounts(all),
        },
        names: serverResourceNames(host.name),
      },
      tenants,
      incoming,
      retained,
    };
  });

  const dedicatedTenant = (
    tenant: ManifestTenant,
    plan: DedicatedPlan,
    where: { location?: string; serverType?: string },
    status: HostedStatus,
  ): DedicatedTenantModel => {
    const tenantBase = base(tenant, plan, status);
    return {
      ...tenantBase,
      tier: "dedicated" as const,
      appImage: tenant.appImage ?? fleet.app.image,
      server: {
        hetznerName: dedicatedServerName(tenant.id),
        location: (where.location ?? fleet.location) as HetznerLocation,
        serverType: where.serverType ?? plan.serverTypes[0]!,
        image: fleet.image,
        volumeGb: dedicatedVolumeGb(plan.storageGb),
        serverBackups: plan.serverBackups,
        maintenanceWindow: tenant.maintenanceWindow ?? plan.maintenanceWindow,
        labels: { ...tenantBase.labels, role: "dedicated-tenant" },
        names: serverResourceNames(tenant.id),
      },
    };
  };

  const dedicated = manifest.tenants
    .filter((tenant) => planOf(tenant).tier === "dedicated")
    .map((tenant) => dedicatedTenant(tenant, planOf(tenant) as DedicatedPlan, tenant, tenant.status))
    .sort(byId);
  const incoming = manifest.tenants
    .filter((tenant) => movePlan(tenant)?.tier === "dedicated")
    .map((tenant) => dedicatedTenant(tenant, movePlan(tenant) as DedicatedPlan, tenant.move!, "incoming"))
    .sort(byId);
  const retained = manifest.tenants
    .filter((tenant) => {
      const copy = keptCopy(tenant);
      return copy !== undefined && copy.host === undefined;
    })
    .map((tenant) =>
      dedicatedTenant(
        tenant,
        planNamed(tenant.movedFrom!.plan, tenant) as DedicatedPlan,
        tenant.movedFrom!,
        "moved-away",
      ),
    )
    .sort(byId);

  const cluster = fleet.kubernetes;
  const containerTenant = (tenant: ManifestTenant, plan: ContainerPlan): ContainerTenantModel => {
    const tenantBase = base(tenant, plan, tenant.status);
    if (cluster === undefined)
      throw new Error(
        `tenant "${tenant.id}": plan "${plan.name}" needs fleet.kubernetes (manifest not validated?)`,
      );
    return {
      ...tenantBase,
      tier: "kubernetes" as const,
      appImage: tenant.appImage ?? fleet.app.image,
      namespace: tenantNamespace(tenant.id),
      cluster: cluster.name,
      resources: containerResources(plan),
      kubernetesLabels: kubernetesLabels(tenant.id, plan.name),
    };
  };
  const containerized = manifest.tenants
    .filter((tenant) => planOf(tenant).tier === "kubernetes")
    .map((tenant) => containerTenant(tenant, planOf(tenant) as ContainerPlan))
    .sort(byId);

  return {
    version: 1,
    zone: fleet.zone,
    cloudflarePlan: fleet.cloudflarePlan,
    advancedRateLimiting: fleet.cloudflareAdvancedRateLimiting,
    defaultLocation: fleet.location,
    app: { image: fleet.app.image, port: fleet.app.port, healthPath: fleet.app.healthPath },
    plans,
    shared: { tier: "shared", hosts },
    dedicated: { tier: "dedicated", tenants: dedicated, incoming, retained },
    kubernetes: {
      tier: "kubernetes",
      ...(cluster === undefined ? {} : { cluster: { ...cluster } }),
      tenants: containerized,
    },
  };
}

/**
 * What a containerized plan gives a tenant. The quota's storage is every instance's volume; its
 * volumes, one per instance and one more, so that CloudNativePG can replace an instance's volume.
 */
export function containerResources(plan: ContainerPlan): ContainerResources {
  return {
    quota: {
      cpuMillicores: plan.cpuMillicores,
      memoryMb: plan.memoryMb,
      pods: plan.pods,
      storageGb: plan.storageGb * (plan.dbInstances + 1),
      volumes: plan.dbInstances + 1,
    },
    app: {
      cpuMillicores: plan.appCpuMillicores,
      memoryMb: plan.appMemoryMb,
      minReplicas: plan.minReplicas,
      maxReplicas: plan.maxReplicas,
    },
    database: {
      instances: plan.dbInstances,
      cpuMillicores: plan.dbCpuMillicores,
      memoryMb: plan.dbMemoryMb,
      storageGb: plan.storageGb,
    },
  };
}

/** `plan-<name>: <tenants on it>` labels, one per plan present on a host. */
function planCounts(tenants: SharedTenantModel[]): Record<string, string> {
  const counts: Record<string, number> = {};
  for (const tenant of tenants) counts[tenant.plan] = (counts[tenant.plan] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).map(([plan, n]) => [`plan-${plan}`, String(n)]));
}

/**
 * A shared host's window: the overlap of its tenants' plans' windows (validation refuses a host whose plans
 * have none), or the default when it keeps no tenant.
 */
function sharedMaintenanceWindow(tenantPlans: (SharedPlan | undefined)[]): string {
  const windows = tenantPlans.flatMap((plan) => (plan ? [parseWindow(plan.maintenanceWindow)] : []));
  if (windows.length === 0) return DEFAULT_MAINTENANCE_WINDOW;
  const common = commonWindow(windows);
  if (common === undefined)
    throw new Error("the plans on a shared host have no common maintenance window (manifest not validated?)");
  return formatMaintenanceWindow(common);
}

function parseWindow(text: string): MaintenanceWindow {
  const window = parseMaintenanceWindow(text);
  if (typeof window === "string") throw new Error(`${window} (manifest not validated?)`);
  return window;
}
