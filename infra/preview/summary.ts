/**
 * Reading a recorded stack: which resources belong to which tenant and host, totals by type, and what
 * differs from another recording (`tenancy plan --base`).
 */
import type { FleetModel, TenantModel } from "../expand";
import type { RecordedResource, RecordedStack } from "./engine";

/** Names of the resources that exist for one tenant alone. */
export function tenantResourceNames(tenant: TenantModel): Set<string> {
  return new Set([
    tenant.names.dnsRecord,
    tenant.names.dbPassword,
    ...Object.values(tenant.names.customHostnames),
  ]);
}

export interface StackSummary {
  tier: string;
  resources: number;
  byType: Record<string, number>;
  /** Resources per shared host or dedicated tenant component, its tenants' resources included. */
  byHost: Record<string, number>;
  byTenant: Record<string, number>;
}

export function summarise(stack: RecordedStack, model: FleetModel): StackSummary {
  const byType: Record<string, number> = {};
  const byHost: Record<string, number> = {};
  const byTenant: Record<string, number> = {};
  const tenants =
    stack.tier === "shared" ? model.shared.hosts.flatMap((h) => h.tenants) : model.dedicated.tenants;
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
  const component = /::tenancy:hosting:(?:SharedHost|DedicatedTenant)::([^:]+)$/;
  return component.exec(resource.urn)?.[1] ?? component.exec(resource.options.parent)?.[1];
}

export interface StackDiff {
  added: RecordedResource[];
  removed: RecordedResource[];
  changed: { resource: RecordedResource; fields: string[] }[];
}

/** What `current` registers that `base` did not, and the other way round, matched by URN. */
export function diffStacks(base: RecordedStack, current: RecordedStack): StackDiff {
  const before = new Map(base.resources.map((r) => [r.urn, r]));
  const after = new Map(current.resources.map((r) => [r.urn, r]));
  const changed: StackDiff["changed"] = [];
  for (const [urn, resource] of after) {
    const old = before.get(urn);
    if (!old) continue;
    const keys = new Set([...Object.keys(old.inputs), ...Object.keys(resource.inputs)]);
    const fields = [...keys].filter(
      (key) => JSON.stringify(old.inputs[key]) !== JSON.stringify(resource.inputs[key]),
    );
    if (fields.length > 0) changed.push({ resource, fields: fields.sort() });
  }
  return {
    added: current.resources.filter((r) => !before.has(r.urn)),
    removed: base.resources.filter((r) => !after.has(r.urn)),
    changed,
  };
}
