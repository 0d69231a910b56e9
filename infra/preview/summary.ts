/**
 * Reading a recorded stack: which resources belong to which tenant and host, and totals by type.
 * What differs from another recording is changes.ts.
 */
import { tenantsOf, type FleetModel, type TenantModel } from "../expand";
import type { RecordedResource, RecordedStack } from "./engine";

/**
 * Names of the resources that exist for one tenant alone: its DNS record and its custom hostnames. Its
 * database password is derived from the stack's key (components/tenant-passwords.ts), no resource.
 */
export function tenantResourceNames(tenant: TenantModel): Set<string> {
  return new Set([tenant.names.dnsRecord, ...Object.values(tenant.names.customHostnames)]);
}

export interface StackSummary {
  tier: string;
  resources: number;
  byType: Record<string, number>;
  /**
   * Resources per host component (a shared host, a dedicated tenant's server, a containerized tenant's
   * namespace), its tenants' resources included.
   */
  byHost: Record<string, number>;
  byTenant: Record<string, number>;
}

export function summarise(stack: RecordedStack, model: FleetModel): StackSummary {
  const byType: Record<string, number> = {};
  const byHost: Record<string, number> = {};
  const byTenant: Record<string, number> = {};
  const tenants = tenantsOf(model, stack.tier);
  const ownerOf = new Map<string, string>();
  for (const tenant of tenants) for (const name of tenantResourceNames(tenant)) ownerOf.set(name, tenant.id);
  for (const resource of stack.resources) {
    byType[resource.type] = (byType[resource.type] ?? 0) + 1;
    const host = hostOf(resource);
    if (host) byHost[host] = (byHost[host] ?? 0) + 1;
    const tenant = ownerOf.get(resource.name);
    if (tenant) byTenant[tenant] = (byTenant[tenant] ?? 0) + 1;
  }
  return { tier: stack.tier, resources: stack.resources.length, byType, byHost, byTenant };
}

/** The host component a resource is (or belongs to), from its URN or its parent's. */
function hostOf(resource: RecordedResource): string | undefined {
  const component = /::tenancy:hosting:(?:SharedHost|DedicatedTenant|ContainerTenant)::([^:]+)$/;
  return component.exec(resource.urn)?.[1] ?? component.exec(resource.options.parent)?.[1];
}
