/**
 * What one host serves, whichever the tier: a shared host with many tenants, or a dedicated tenant's own
 * server with one. The renderers work from this, so both tiers get the same host files.
 */
import type { DedicatedTenantModel, FleetModel, ServerModel, SharedHostModel, TenantModel } from "../expand";
import { hetznerServerType, type Tier } from "../plans";

export interface HostSpec {
  /** Shared host name or dedicated tenant id: what `tenancy render` and the component are called. */
  name: string;
  tier: Tier;
  zone: string;
  server: ServerModel;
  app: { image: string; port: number; healthPath: string };
  /**
   * Every tenant whose data is on the host: served ones, decommissioned ones (their data stays), a move's
   * incoming copy and a moved tenant's kept copy. Purged tenants are not: their data is gone.
   */
  tenants: TenantModel[];
  /**
   * Whether the host holds any tenant's data. When it does not (its tenants were all purged), its volume
   * and addresses are no longer protected, so that removing it from the manifest cannot stop half-way.
   */
  holdsData: boolean;
  memoryGb: number;
  vcpus: number;
}

export function sharedHostSpec(model: FleetModel, host: SharedHostModel): HostSpec {
  const tenants = [...host.tenants, ...host.incoming, ...host.retained];
  return spec(model, host.name, "shared", host.server, model.app.image, tenants);
}

/** A dedicated server: a tenant's own, one provisioned for a tenant moving in, or one kept after a move. */
export function dedicatedHostSpec(model: FleetModel, tenant: DedicatedTenantModel): HostSpec {
  return spec(model, tenant.id, "dedicated", tenant.server, tenant.appImage, [tenant]);
}

/** Every dedicated server of the fleet: one per dedicated tenant, move target and kept copy. */
export function dedicatedServers(model: FleetModel): DedicatedTenantModel[] {
  return [...model.dedicated.tenants, ...model.dedicated.incoming, ...model.dedicated.retained];
}

export function hostSpecs(model: FleetModel): HostSpec[] {
  return [
    ...model.shared.hosts.map((host) => sharedHostSpec(model, host)),
    ...dedicatedServers(model).map((tenant) => dedicatedHostSpec(model, tenant)),
  ];
}

/** The spec of one host, by shared host name or dedicated tenant id. */
export function hostSpec(model: FleetModel, name: string): HostSpec | undefined {
  return hostSpecs(model).find((host) => host.name === name);
}

function spec(
  model: FleetModel,
  name: string,
  tier: Tier,
  server: ServerModel,
  image: string,
  tenants: TenantModel[],
): HostSpec {
  const type = hetznerServerType(server.serverType);
  if (!type) throw new Error(`host ${name}: unknown server type ${server.serverType}`);
  const kept = tenants.filter((tenant) => tenant.status !== "purged");
  return {
    name,
    tier,
    zone: model.zone,
    server,
    app: { ...model.app, image },
    tenants: kept,
    holdsData: kept.length > 0,
    memoryGb: type.memoryGb,
    vcpus: type.vcpus,
  };
}
