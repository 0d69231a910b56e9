/**
 * The "shared" stack: the shared hosts and their tenants.
 *
 * The SharedHost component (issue #4) turns each host into cloud resources; until it lands this stack
 * registers nothing and exports the placement it will build, so `pulumi preview -s shared` already shows
 * what the manifest asks for.
 */
import type { FleetModel } from "../infra/expand";
import type { StackConfig } from "./config";

export function sharedStack(model: FleetModel, _config: StackConfig) {
  return {
    hosts: model.shared.hosts.map((host) => ({
      name: host.name,
      location: host.location,
      serverType: host.server.serverType,
      capacity: `${host.capacityUsed}/${host.capacityUnits}`,
      tenants: host.tenants.map((tenant) => tenant.id),
    })),
    tenants: Object.fromEntries(
      model.shared.hosts.flatMap((host) =>
        host.tenants.map((tenant) => [
          tenant.id,
          { url: `https://${tenant.hostname}`, host: host.name, plan: tenant.plan, status: tenant.status },
        ]),
      ),
    ),
  };
}
