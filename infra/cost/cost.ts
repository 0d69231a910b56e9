/**
 * `tenancy cost`: monthly infrastructure cost per host, per tenant and per tier, from the FleetModel alone,
 * beside what the plans bring in.
 *
 * - A server costs its type's price, Hetzner backups (a percentage of it) when on, its volume and its
 *   primary IPv4 (IPv6 is free), plus an equal share of its tier's Storage Box (one sub-account each).
 * - A shared host's cost is split over its tenants by capacity units used, so the tenants of a host add up
 *   to the host. Capacity left free shows as the host's "idle units", not as a cost of its own.
 * - A containerized tenant costs the share of the cluster's nodes its requests take (its app at
 *   minReplicas and every database instance, requests being its limits), counted in whichever of CPU and
 *   memory fills a node first, plus its database volumes. This assumes the nodes are the manifest's
 *   fleet.kubernetes.nodeType and wholly allocatable; the cluster's own control plane, system pods and
 *   spare room are the cluster's, not priced here, and neither are the S3 backups (billed by usage).
 * - Revenue counts active tenants only: suspended and decommissioned tenants still cost, and pay nothing.
 */
import { backupTargetFor, HETZNER_SERVER_TYPES, HETZNER_VOLUME_MIN_GB, type Tier } from "../plans";
import type { ClusterModel, ContainerTenantModel, FleetModel, ServerModel, TenantModel } from "../expand";
import type { PriceTable } from "./prices";

export interface ServerCost {
  server: number;
  serverBackups: number;
  volume: number;
  ipv4: number;
  ipv6: number;
  storageBoxShare: number;
  total: number;
}

export interface HostCost {
  name: string;
  serverType: string;
  tenants: number;
  capacityUsed: number;
  capacityUnits: number;
  cost: ServerCost;
}

export interface TenantCost {
  id: string;
  tier: Tier;
  plan: string;
  status: string;
  /** The shared host, for shared tenants. */
  host?: string;
  cost: number;
  revenue: number;
  margin: number;
}

export interface Totals {
  cost: number;
  revenue: number;
  margin: number;
}

export interface CostReport {
  currency: "EUR";
  pricesAsOf: string;
  hosts: HostCost[];
  tenants: TenantCost[];
  tiers: Record<Tier, Totals & { storageBox: number }>;
  fleet: Totals;
}

export function costReport(model: FleetModel, prices: PriceTable): CostReport {
  // Servers provisioned for a move, or kept after one, cost too: they count in the tier, not in a tenant.
  const copies = [...model.dedicated.incoming, ...model.dedicated.retained];
  const sharedBoxes = storageBoxes(
    model.shared.hosts.map((host) => host.server),
    prices,
  );
  const dedicatedBoxes = storageBoxes(
    [...model.dedicated.tenants, ...copies].map((tenant) => tenant.server),
    prices,
  );
  let sharedCopiesCost = 0;

  const revenueOf = (tenant: TenantModel) =>
    tenant.status === "active" ? (model.plans[tenant.plan]?.monthlyPrice ?? 0) : 0;
  const tenants: TenantCost[] = [];

  const hosts = model.shared.hosts.map((host): HostCost => {
    const cost = serverCost(host.server, prices, sharedBoxes.share(host.server));
    const shareOf = (units: number) =>
      host.capacityUsed === 0 ? 0 : (cost.total * units) / host.capacityUsed;
    for (const tenant of host.tenants)
      tenants.push(tenantLine(tenant, shareOf(tenant.capacityUnits), revenueOf(tenant), host.name));
    for (const copy of [...host.incoming, ...host.retained]) sharedCopiesCost += shareOf(copy.capacityUnits);
    return {
      name: host.name,
      serverType: host.server.serverType,
      tenants: host.tenants.length,
      capacityUsed: host.capacityUsed,
      capacityUnits: host.capacityUnits,
      cost,
    };
  });
  for (const tenant of model.dedicated.tenants) {
    const cost = serverCost(tenant.server, prices, dedicatedBoxes.share(tenant.server));
    tenants.push(tenantLine(tenant, cost.total, revenueOf(tenant)));
  }
  const cluster = model.kubernetes.cluster;
  for (const tenant of model.kubernetes.tenants)
    tenants.push(tenantLine(tenant, cluster ? containerCost(tenant, cluster, prices) : 0, revenueOf(tenant)));

  const totals = (lines: TenantCost[], extraCost: number): Totals => {
    const cost = lines.reduce((sum, line) => sum + line.cost, extraCost);
    const revenue = lines.reduce((sum, line) => sum + line.revenue, 0);
    return { cost, revenue, margin: revenue - cost };
  };
  // A host without tenants still costs: it belongs to the tier, not to a tenant.
  const emptyHosts = hosts
    .filter((host) => host.capacityUsed === 0)
    .reduce((sum, h) => sum + h.cost.total, 0);
  const shared = totals(
    tenants.filter((t) => t.tier === "shared"),
    emptyHosts + sharedCopiesCost,
  );
  const dedicated = totals(
    tenants.filter((t) => t.tier === "dedicated"),
    copies.reduce(
      (sum, copy) => sum + serverCost(copy.server, prices, dedicatedBoxes.share(copy.server)).total,
      0,
    ),
  );
  const kubernetes = totals(
    tenants.filter((t) => t.tier === "kubernetes"),
    0,
  );
  return {
    currency: "EUR",
    pricesAsOf: prices.asOf,
    hosts,
    tenants,
    tiers: {
      shared: { ...shared, storageBox: sharedBoxes.monthly },
      dedicated: { ...dedicated, storageBox: dedicatedBoxes.monthly },
      kubernetes: { ...kubernetes, storageBox: 0 },
    },
    fleet: {
      cost: shared.cost + dedicated.cost + kubernetes.cost,
      revenue: shared.revenue + dedicated.revenue + kubernetes.revenue,
      margin: shared.margin + dedicated.margin + kubernetes.margin,
    },
  };
}

/**
 * The tier's Storage Boxes: one per country of its servers where Hetzner sells them, each shared by the
 * servers backed up to it. A server backed up to an S3 bucket (components/backup-target.ts) bears no box
 * share; the bucket is billed by its provider by usage and is not priced here.
 */
function storageBoxes(servers: readonly ServerModel[], prices: PriceTable) {
  const members = new Map<string, number>();
  for (const server of servers) {
    const target = backupTargetFor(server.location);
    if (target.kind === "storage-box") members.set(target.country, (members.get(target.country) ?? 0) + 1);
  }
  return {
    monthly: members.size * prices.storageBox.monthly,
    share: (server: ServerModel) => {
      const target = backupTargetFor(server.location);
      const n = target.kind === "storage-box" ? (members.get(target.country) ?? 0) : 0;
      return n === 0 ? 0 : prices.storageBox.monthly / n;
    },
  };
}

function serverCost(server: ServerModel, prices: PriceTable, storageBoxShare: number): ServerCost {
  const type = prices.serverTypes[server.serverType];
  if (!type) {
    throw new PriceMissingError(
      `no price for server type ${server.serverType}; add it to the price table (--prices)`,
    );
  }
  const cost = {
    server: type.monthly,
    serverBackups: server.serverBackups ? (type.monthly * prices.serverBackupsPercent) / 100 : 0,
    volume: server.volumeGb * prices.volumePerGb.monthly,
    ipv4: prices.primaryIpv4.monthly,
    ipv6: prices.primaryIpv6.monthly,
    storageBoxShare,
  };
  return { ...cost, total: Object.values(cost).reduce((sum, value) => sum + value, 0) };
}

/**
 * A containerized tenant's share of the nodes: what its requests take of a node, in whichever of CPU and
 * memory runs out first, times the node's price; and its database volumes (Hetzner volumes, 10 GB at least).
 */
export function containerCost(
  tenant: ContainerTenantModel,
  cluster: ClusterModel,
  prices: PriceTable,
): number {
  const node = HETZNER_SERVER_TYPES[cluster.nodeType];
  const price = prices.serverTypes[cluster.nodeType];
  if (!node || !price)
    throw new PriceMissingError(
      `no price for the cluster's node type ${cluster.nodeType}; add it to the price table (--prices)`,
    );
  const { app, database } = tenant.resources;
  const cpu = app.cpuMillicores * app.minReplicas + database.cpuMillicores * database.instances;
  const memoryMb = app.memoryMb * app.minReplicas + database.memoryMb * database.instances;
  const share = Math.max(cpu / (node.vcpus * 1000), memoryMb / (node.memoryGb * 1024));
  const volumeGb = Math.max(database.storageGb, HETZNER_VOLUME_MIN_GB) * database.instances;
  return share * price.monthly + volumeGb * prices.volumePerGb.monthly;
}

function tenantLine(tenant: TenantModel, cost: number, revenue: number, host?: string): TenantCost {
  return {
    id: tenant.id,
    tier: tenant.tier,
    plan: tenant.plan,
    status: tenant.status,
    ...(host ? { host } : {}),
    cost,
    revenue,
    margin: revenue - cost,
  };
}

export class PriceMissingError extends Error {}

/** Rounds every money figure of a report to cents, for output. */
export function roundReport(report: CostReport): CostReport {
  return JSON.parse(
    JSON.stringify(report, (key, value: unknown) =>
      typeof value === "number" && !/^capacity|^tenants$/.test(key) ? Math.round(value * 100) / 100 : value,
    ),
  ) as CostReport;
}
