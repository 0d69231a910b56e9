/**
 * The "dedicated" stack: one DedicatedTenant per large tenant, and the stack's backup store.
 */
import type { FleetModel } from "../infra/expand";
import { dedicatedHostSpec, dedicatedServers } from "../infra/host";
import { DedicatedTenant } from "../components";
import { stackHostingContext, type StackConfig } from "./config";

export function dedicatedStack(model: FleetModel, config: StackConfig) {
  const context = stackHostingContext("dedicated", model, config);
  // A server per dedicated tenant, per tenant moving in from a shared host, and per kept copy of one
  // that moved to a shared host.
  const servers = dedicatedServers(model).map(
    (tenant) => new DedicatedTenant(tenant.id, { tenant, spec: dedicatedHostSpec(model, tenant), context }),
  );
  const served = servers.filter((server) => server.endpoint !== undefined);
  return {
    tenants: Object.fromEntries(served.map((server) => [server.tenantId, server.endpoint!])),
    // Every server's addresses, serving or not (a move's target, a kept copy): tenancy migrate, purge and
    // restore reach them over SSH.
    servers: Object.fromEntries(
      servers.map((server) => [server.tenantId, { ipv4: server.ipv4, ipv6: server.ipv6 }]),
    ),
  };
}
