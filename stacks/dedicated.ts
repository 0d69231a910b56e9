/**
 * The "dedicated" stack: one DedicatedTenant per large tenant, and the stack's backup store.
 */
import type { FleetModel } from "../infra/expand";
import { dedicatedHostSpec } from "../infra/host";
import { DedicatedTenant } from "../components";
import { stackHostingContext, type StackConfig } from "./config";

export function dedicatedStack(model: FleetModel, config: StackConfig) {
  const context = stackHostingContext("dedicated", model, config);
  const tenants = model.dedicated.tenants.map(
    (tenant) => new DedicatedTenant(tenant.id, { tenant, spec: dedicatedHostSpec(model, tenant), context }),
  );
  return { tenants: Object.fromEntries(tenants.map((t, i) => [model.dedicated.tenants[i]!.id, t.endpoint])) };
}
