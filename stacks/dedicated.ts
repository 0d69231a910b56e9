/**
 * The "dedicated" stack: one server per large tenant.
 *
 * The DedicatedTenant component (issue #4) turns each tenant into cloud resources; until it lands this
 * stack registers nothing and exports what it will build.
 */
import type { FleetModel } from "../infra/expand";
import type { StackConfig } from "./config";

export function dedicatedStack(model: FleetModel, _config: StackConfig) {
  return {
    tenants: Object.fromEntries(
      model.dedicated.tenants.map((tenant) => [
        tenant.id,
        {
          url: `https://${tenant.hostname}`,
          plan: tenant.plan,
          status: tenant.status,
          location: tenant.server.location,
          serverType: tenant.server.serverType,
        },
      ]),
    ),
  };
}
