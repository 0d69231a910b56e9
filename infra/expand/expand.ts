/**
 * Manifest → FleetModel. Pure: the same manifest always gives the same model, and nothing here reads files
 * or talks to a cloud. Placement is read from the manifest (`host:`), never decided here: moving a tenant is
 * a data migration, so it must be a reviewed edit of tenants.yaml (see `place.ts`).
 */
import type { LoadedManifest, ManifestTenant } from "../manifest";
import {
  dedicatedVolumeGb,
  sharedHostCapacity,
  sharedVolumeGb,
  type DedicatedPlan,
  type Plan,
  type SharedPlan,
} from "../plans";
import type {
  DedicatedTenantModel,
  FleetModel,
  SharedHostModel,
  SharedTenantModel,
  TenantLimits,
} from "./model";
import {
  databaseName,
  dedicatedServerName,
  serverResourceNames,
  tenantHostname,
  tenantResourceNames,
} from "./names";

/** Expands a validated manifest (from `loadManifest`). */
export function expand({ manifest, plans }: Pick<LoadedManifest, "manifest" | "plans">): FleetModel {
  const { fleet } = manifest;
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  const planOf = (tenant: ManifestTenant): Plan => {
    const plan = plans[tenant.plan];
    if (!plan)
      throw new Error(`tenant "${tenant.id}": unknown plan "${tenant.plan}" (manifest not validated?)`);
    return plan;
  };

  const base = (tenant: ManifestTenant, plan: Plan) => {
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
    return {
      id: tenant.id,
      displayName: tenant.name,
      plan: plan.name,
      status: tenant.status,
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
        status: tenant.status,
      },
      names: tenantResourceNames(tenant.id, customDomains),
    };
  };

  const hosts: SharedHostModel[] = manifest.sharedHosts.map((host) => {
    const tenants: SharedTenantModel[] = manifest.tenants
      .filter((tenant) => tenant.host === host.name && planOf(tenant).tier === "shared")
      .map((tenant) => {
        const plan = planOf(tenant) as SharedPlan;
        return {
          ...base(tenant, plan),
          tier: "shared" as const,
          host: host.name,
          capacityUnits: plan.capacityUnits,
        };
      })
      .sort(byId);
    const capacityUnits = host.capacityUnits ?? sharedHostCapacity(host.serverType) ?? 0;
    const capacityUsed = tenants.reduce((sum, tenant) => sum + tenant.capacityUnits, 0);
    const tenantStorageGb = tenants.reduce((sum, tenant) => sum + tenant.limits.storageGb, 0);
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
        serverBackups: tenants.some((tenant) => plans[tenant.plan]?.serverBackups === true),
        labels: {
          "managed-by": "tenancy",
          tier: "shared",
          role: "shared-host",
          host: host.name,
          "capacity-units": String(capacityUnits),
          "capacity-used": String(capacityUsed),
          "capacity-free": String(capacityUnits - capacityUsed),
          // How many tenants of each plan: the policy pack recounts the capacity used from its own plans.
          ...planCounts(tenants),
        },
        names: serverResourceNames(host.name),
      },
      tenants,
    };
  });

  const dedicated: DedicatedTenantModel[] = manifest.tenants
    .filter((tenant) => planOf(tenant).tier === "dedicated")
    .map((tenant) => {
      const plan = planOf(tenant) as DedicatedPlan;
      const tenantBase = base(tenant, plan);
      const location = tenant.location ?? fleet.location;
      const serverType = tenant.serverType ?? plan.serverTypes[0]!;
      return {
        ...tenantBase,
        tier: "dedicated" as const,
        appImage: tenant.appImage ?? fleet.app.image,
        server: {
          hetznerName: dedicatedServerName(tenant.id),
          location,
          serverType,
          image: fleet.image,
          volumeGb: dedicatedVolumeGb(plan.storageGb),
          serverBackups: plan.serverBackups,
          labels: { ...tenantBase.labels, role: "dedicated-tenant" },
          names: serverResourceNames(tenant.id),
        },
      };
    })
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
    dedicated: { tier: "dedicated", tenants: dedicated },
  };
}

/** `plan-<name>: <tenants on it>` labels, one per plan present on a host. */
function planCounts(tenants: SharedTenantModel[]): Record<string, string> {
  const counts: Record<string, number> = {};
  for (const tenant of tenants) counts[tenant.plan] = (counts[tenant.plan] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).map(([plan, n]) => [`plan-${plan}`, String(n)]));
}
