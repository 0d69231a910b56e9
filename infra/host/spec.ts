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
  /** Every tenant on the host, decommissioned ones included (their data stays). */
  tenants: TenantModel[];
  memoryGb: number;
  vcpus: number;
}

export function sharedHostSpec(model: FleetModel, host: SharedHostModel): HostSpec {
  return spec(model, host.name, "shared", host.server, model.app.image, host.tenants);
}

export function dedicatedHostSpec(model: FleetModel, tenant: DedicatedTenantModel): HostSpec {
  return spec(model, tenant.id, "dedicated", tenant.server, tenant.appImage, [tenant]);
}

export function hostSpecs(model: FleetModel): HostSpec[] {
  return [
    ...model.shared.hosts.map((host) => sharedHostSpec(model, host)),
    ...model.dedicated.tenants.map((tenant) => dedicatedHostSpec(model, tenant)),
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
  return {
    name,
    tier,
    zone: model.zone,
    server,
    app: { ...model.app, image },
    tenants,
    memoryGb: type.memoryGb,
    vcpus: type.vcpus,
  };
}
