/**
 * What a stack last deployed, as far as the tenants' data is concerned: where each tenant lives, in what
 * state, and each server's volume size. Both stacks export it (`deployment`) after every update, and read
 * their own last export before the next one (stacks/previous.ts), so that the lifecycle guard holds at
 * `pulumi up` without git, and volumes never shrink. Review (`--base`) builds the same from the base's
 * manifest. Pure data, JSON-serialisable.
 */
import type { FleetModel, MovePlacement } from "../expand";
import { tenantsOf } from "../expand";
import type { Tier } from "../plans";

export const STATE_VERSION = 1;

export interface TenantPlacement {
  tier: Tier;
  plan: string;
  /** The shared host; absent for a dedicated tenant (its own server). */
  host?: string;
  /** A dedicated tenant's location. */
  location?: string;
}

export interface TenantState extends TenantPlacement {
  status: string;
  /** A declared move: where the tenant is going (provisioned there, empty, until `tenancy migrate`). */
  move?: TenantPlacement;
  /** After the cut-over: where the tenant came from, whose copy is kept until purged. */
  movedFrom?: TenantPlacement & { purged?: string };
}

export interface FleetState {
  version: typeof STATE_VERSION;
  zone: string;
  tenants: Record<string, TenantState>;
  /** Shared hosts, with their location. */
  hosts: Record<string, { location: string }>;
  /** Each server's data volume, by component (shared host name or dedicated tenant id), in GB. */
  volumes: Record<string, number>;
}

export function placementOf(tenant: TenantState | TenantPlacement): string {
  if (tenant.tier === "kubernetes") return `its own namespace on the Kubernetes cluster (${tenant.plan})`;
  return tenant.tier === "shared"
    ? `shared host ${tenant.host}`
    : `its own server (${tenant.plan}${tenant.location ? `, ${tenant.location}` : ""})`;
}

function placement(where: MovePlacement): TenantPlacement {
  if (where.tier === "kubernetes") return { tier: "kubernetes", plan: where.plan };
  return where.tier === "shared"
    ? { tier: "shared", plan: where.plan, host: where.host! }
    : { tier: "dedicated", plan: where.plan, location: where.location! };
}

export function fleetState(model: FleetModel): FleetState {
  const tenants: FleetState["tenants"] = {};
  for (const tenant of tenantsOf(model)) {
    const placed: TenantState =
      tenant.tier === "shared"
        ? { tier: "shared", plan: tenant.plan, host: tenant.host, status: tenant.status }
        : tenant.tier === "dedicated"
          ? { tier: "dedicated", plan: tenant.plan, location: tenant.server.location, status: tenant.status }
          : { tier: "kubernetes", plan: tenant.plan, status: tenant.status };
    if (tenant.move) placed.move = placement(tenant.move);
    if (tenant.movedFrom)
      placed.movedFrom = {
        ...placement(tenant.movedFrom),
        ...(tenant.movedFrom.purged ? { purged: tenant.movedFrom.purged } : {}),
      };
    tenants[tenant.id] = placed;
  }
  const volumes: FleetState["volumes"] = {};
  for (const host of model.shared.hosts) volumes[host.name] = host.server.volumeGb;
  for (const server of [...model.dedicated.tenants, ...model.dedicated.incoming, ...model.dedicated.retained])
    volumes[server.id] = server.server.volumeGb;
  return {
    version: STATE_VERSION,
    zone: model.zone,
    tenants,
    hosts: Object.fromEntries(model.shared.hosts.map((host) => [host.name, { location: host.location }])),
    volumes,
  };
}

/** A state read back from a stack output: checked, so that a garbled or foreign output is not trusted. */
export function parseFleetState(value: unknown): FleetState | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const state = value as Partial<FleetState>;
  if (state.version !== STATE_VERSION || typeof state.zone !== "string") return undefined;
  if (
    typeof state.tenants !== "object" ||
    typeof state.hosts !== "object" ||
    typeof state.volumes !== "object"
  )
    return undefined;
  return state as FleetState;
}
