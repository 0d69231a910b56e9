/**
 * What a manifest change does to the tenants, for review: added, removed, re-planned, moved (a data
 * migration), and status changes. Pure: two fleet models in, a list of changes out.
 */
import type { FleetModel, TenantModel } from "./model";
import { tenantsOf } from "./model";

export type TenantChangeKind =
  | "added"
  | "removed"
  | "replanned"
  | "moved-tier"
  | "moved-host"
  | "moved-location"
  | "status"
  | "hostname"
  | "move"
  | "cut-over";

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
  t.tier === "shared"
    ? `shared host ${t.host}`
    : t.tier === "dedicated"
      ? `its own ${t.server.serverType} in ${t.server.location}`
      : `namespace ${t.namespace} on cluster ${t.cluster}`;

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
    const cutOver = now.movedFrom !== undefined && was.movedFrom === undefined && was.move !== undefined;
    if (!was.move && now.move) {
      changes.push({
        kind: "move",
        tenant: id,
        detail: `declared: ${now.move.tier === "shared" ? `shared host ${now.move.host}` : "its own server"} gets an empty copy; it stays served from ${where(now)} until tenancy migrate ${id} and the cut-over`,
        dataMigration: true,
      });
    }
    if (cutOver) {
      changes.push({
        kind: "cut-over",
        tenant: id,
        detail: `${where(was)} → ${where(now)}: its hostnames move to the copy tenancy migrate verified; the old copy is kept, locked, until purged`,
        dataMigration: true,
      });
    } else if (was.tier !== now.tier) {
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
    if (!cutOver && was.tier === "shared" && now.tier === "shared" && was.host !== now.host) {
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
    if (was.hostname !== now.hostname) {
      changes.push({
        kind: "hostname",
        tenant: id,
        detail: `${was.hostname} → ${now.hostname}`,
        // Only a change of fleet.zone does this, and the fleet setting carries the warning.
        dataMigration: false,
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
    "hostname",
    "move",
    "cut-over",
  ];
  return changes.sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.tenant.localeCompare(b.tenant),
  );
}

/** A change to a fleet-wide setting or a shared host, for review: each can touch many resources at once. */
export interface SettingChange {
  /** `fleet.zone`, `sharedHosts[shared-fsn1-a].serverType`, … */
  setting: string;
  /** The shared host it concerns, if any. */
  host?: string;
  before: string;
  after: string;
  /** Why a reviewer must stop at it, when they must. */
  warning?: string;
}

const FLEET_WARNINGS: Record<string, string> = {
  zone: "every tenant hostname, DNS record and origin certificate is replaced; tenants are unreachable at their old names",
  cloudflarePlan: "what the edge may use changes (rate-limit rules, custom hostnames)",
  defaultLocation: "new hosts and each stack's Storage Box are placed by it",
};

export function diffSettings(base: FleetModel, current: FleetModel): SettingChange[] {
  const changes: SettingChange[] = [];
  const fleet = (m: FleetModel) => ({
    zone: m.zone,
    cloudflarePlan: m.cloudflarePlan,
    defaultLocation: m.defaultLocation,
    "app.image": m.app.image,
    "app.port": String(m.app.port),
    "app.healthPath": m.app.healthPath,
  });
  const [was, now] = [fleet(base), fleet(current)];
  for (const key of Object.keys(now) as (keyof typeof now)[]) {
    if (was[key] === now[key]) continue;
    changes.push({
      setting: `fleet.${key === "defaultLocation" ? "location" : key}`,
      before: was[key] ?? "(none)",
      after: now[key],
      ...(FLEET_WARNINGS[key] ? { warning: FLEET_WARNINGS[key] } : {}),
    });
  }
  const hosts = (m: FleetModel) => new Map(m.shared.hosts.map((h) => [h.name, h]));
  const [before, after] = [hosts(base), hosts(current)];
  for (const [name, host] of after) {
    const old = before.get(name);
    if (!old) {
      changes.push({
        setting: `sharedHosts[${name}]`,
        host: name,
        before: "(none)",
        after: `${host.server.serverType} in ${host.location}`,
      });
      continue;
    }
    const fields = {
      serverType: [old.server.serverType, host.server.serverType],
      location: [old.location, host.location],
      volumeGb: [String(old.server.volumeGb), String(host.server.volumeGb)],
    };
    for (const [field, [from, to]] of Object.entries(fields)) {
      if (from !== to)
        changes.push({ setting: `sharedHosts[${name}].${field}`, host: name, before: from!, after: to! });
    }
  }
  for (const [name, host] of before) {
    if (!after.has(name))
      changes.push({
        setting: `sharedHosts[${name}]`,
        host: name,
        before: `${host.server.serverType} in ${host.location}`,
        after: "(removed)",
        warning:
          "the host's server, volume and addresses are left behind or deleted; its tenants lose service",
      });
  }
  return changes;
}
