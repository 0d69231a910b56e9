/**
 * What a manifest change does to the tenants, for review: added, removed, re-planned, moved (a data
 * migration), and status changes. Pure: two fleet models in, a list of changes out.
 */
import type { FleetModel, TenantModel } from "./model";
import { tenantsOf } from "./model";

export type TenantChangeKind =
  "added" | "removed" | "replanned" | "moved-tier" | "moved-host" | "moved-location" | "status";

export interface TenantChange {
  kind: TenantChangeKind;
  tenant: string;
  /** Human description of the change. */
  detail: string;
  /** Data must move: a migration to plan, never a side effect. */
  dataMigration: boolean;
  /** Something a reviewer must stop at (data at risk). */
  warning?: string;
}

const where = (t: TenantModel) =>
  t.tier === "shared" ? `shared host ${t.host}` : `its own ${t.server.serverType} in ${t.server.location}`;

export function diffFleets(base: FleetModel, current: FleetModel): TenantChange[] {
  const before = new Map(tenantsOf(base).map((t) => [t.id, t]));
  const after = new Map(tenantsOf(current).map((t) => [t.id, t]));
  const changes: TenantChange[] = [];
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was) {
      changes.push({
        kind: "added",
        tenant: id,
        detail: `${now.plan} (${now.tier}) on ${where(now)}`,
        dataMigration: false,
      });
      continue;
    }
    if (was.tier !== now.tier) {
      changes.push({
        kind: "moved-tier",
        tenant: id,
        detail: `${was.plan} (${was.tier}) → ${now.plan} (${now.tier})`,
        dataMigration: true,
        warning:
          "moves between tiers: its database must be migrated to the new host before the old one is retired",
      });
    } else if (was.plan !== now.plan) {
      changes.push({
        kind: "replanned",
        tenant: id,
        detail: `${was.plan} → ${now.plan}`,
        dataMigration: false,
      });
    }
    if (was.tier === "shared" && now.tier === "shared" && was.host !== now.host) {
      changes.push({
        kind: "moved-host",
        tenant: id,
        detail: `${was.host} → ${now.host}`,
        dataMigration: true,
        warning: "moves to another shared host: its database must be migrated first",
      });
    }
    if (was.tier === "dedicated" && now.tier === "dedicated" && was.server.location !== now.server.location) {
      changes.push({
        kind: "moved-location",
        tenant: id,
        detail: `${was.server.location} → ${now.server.location}`,
        dataMigration: true,
        warning:
          "changes location: Hetzner cannot move a server or volume, so this is a new server and a migration",
      });
    }
    if (was.status !== now.status) {
      changes.push({
        kind: "status",
        tenant: id,
        detail: `${was.status} → ${now.status}`,
        dataMigration: false,
      });
    }
  }
  for (const [id, was] of before) {
    if (after.has(id)) continue;
    changes.push({
      kind: "removed",
      tenant: id,
      detail: `${was.plan} (${was.tier}), was ${was.status}`,
      dataMigration: false,
      ...(was.status === "decommissioned"
        ? {}
        : {
            warning:
              "removed without being decommissioned first: set status: decommissioned and deploy before removing",
          }),
    });
  }
  const order: TenantChangeKind[] = [
    "added",
    "removed",
    "moved-tier",
    "moved-host",
    "moved-location",
    "replanned",
    "status",
  ];
  return changes.sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.tenant.localeCompare(b.tenant),
  );
}
