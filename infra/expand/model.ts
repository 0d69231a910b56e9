/**
 * The FleetModel: everything the stacks need to build the fleet, derived from the manifest alone.
 * Plain data (JSON-serialisable), so it can be golden-tested, printed by `tenancy plan --json`, and read by
 * the host renderers and the components without either parsing YAML.
 */
import type { CloudflarePlan } from "../edge/cloudflare-plans";
import type { HetznerLocation, Plan, Tier } from "../plans";
import type { TenantStatus } from "../manifest";

export interface FleetModel {
  version: 1;
  /** Cloudflare zone every tenant is served under. */
  zone: string;
  /** The zone's Cloudflare plan: what the edge may use. */
  cloudflarePlan: CloudflarePlan;
  /** Enterprise with the Advanced Rate Limiting add-on: rate limits may count per hostname. */
  advancedRateLimiting: boolean;
  /** The fleet's default location: new hosts, and each stack's Storage Box. */
  defaultLocation: HetznerLocation;
  app: { image: string; port: number; healthPath: string };
  /** The effective plan catalogue (built-in plans with the manifest's overrides). */
  plans: Record<string, Plan>;
  shared: SharedTierModel;
  dedicated: DedicatedTierModel;
  kubernetes: KubernetesTierModel;
}

export interface KubernetesTierModel {
  tier: "kubernetes";
  /** The cluster the containerized tenants run on (fleet.kubernetes); absent when the fleet has none. */
  cluster?: ClusterModel;
  tenants: ContainerTenantModel[];
}

/** The existing cluster, as the manifest describes it (docs/kubernetes.md, "Prerequisites"). */
export interface ClusterModel {
  /** Its name: the origin record of its ingress is origin-<name>.<zone>. */
  name: string;
  /** Where its nodes run: the tenants' residency and their backups' country follow it. */
  location: HetznerLocation;
  /** The Hetzner server type of its worker nodes: what a tenant's guaranteed resources cost. */
  nodeType: string;
  /** The ingress controller: its IngressClass, and the namespace and Service of its pods. */
  ingressClass: string;
  ingressNamespace: string;
  ingressService: string;
  /** The StorageClass of the databases' volumes (it must allow volume expansion). */
  storageClass: string;
}

export interface SharedTierModel {
  tier: "shared";
  hosts: SharedHostModel[];
}

export interface DedicatedTierModel {
  tier: "dedicated";
  /** Dedicated tenants, served (or suspended, decommissioned) from their own server. */
  tenants: DedicatedTenantModel[];
  /** Servers provisioned, empty, for tenants moving in from a shared host (status "incoming"). */
  incoming: DedicatedTenantModel[];
  /** Servers kept after their tenant moved to a shared host, until the copy is purged ("moved-away"). */
  retained: DedicatedTenantModel[];
}

/** A Hetzner server with its volume, addresses, firewall, certificate and backup account. */
export interface ServerModel {
  /** Server name at Hetzner (also its hostname). */
  hetznerName: string;
  location: HetznerLocation;
  serverType: string;
  image: string;
  volumeGb: number;
  /** Hetzner server backups (daily images of the server disk; volumes are backed up by restic). */
  serverBackups: boolean;
  /**
   * When the server installs updates and reboots (UTC, infra/plans/maintenance.ts): a dedicated tenant's
   * own window or its plan's; on a shared host, the overlap of the windows of its tenants' plans.
   */
  maintenanceWindow: string;
  /** Hetzner labels, read by the policy pack at preview time. */
  labels: Record<string, string>;
  /** Pulumi resource names of the server's parts: stable, derived from the host name or tenant id only. */
  names: ServerResourceNames;
}

export interface ServerResourceNames {
  /** The ComponentResource (SharedHost or DedicatedTenant). */
  component: string;
  server: string;
  ipv4: string;
  ipv6: string;
  firewall: string;
  volume: string;
  volumeAttachment: string;
  originKey: string;
  originCsr: string;
  originCertificate: string;
  /** The host's proxied A and AAAA records (`origin-<server>.<zone>`), which tenant records point at. */
  originDnsIpv4: string;
  originDnsIpv6: string;
  backupAccount: string;
  backupAccountPassword: string;
  /** The host's own restic repository key (a RandomPassword). */
  backupKey: string;
  hostApply: string;
}

export interface TenantLimits {
  maxUsers: number;
  storageGb: number;
  apiCallsPerHour: number;
  backupRetentionDays: number;
  customDomains: number;
}

/**
 * A tenant's state on one host: its manifest status where it is placed; "incoming" on a move's target,
 * provisioned and empty until `tenancy migrate` copies the data; "moved-away" on the host it left, its
 * copy kept (locked, after a final backup) until purged.
 */
export type HostedStatus = TenantStatus | "incoming" | "moved-away";

/** Whether a tenant in this state is served: its hostnames answer, from this host. */
export function isServed(status: HostedStatus): boolean {
  return status === "active" || status === "suspended";
}

/** Where a tenant is, or goes: the model's form of a placement (infra/lifecycle/state.ts). */
export interface MovePlacement {
  tier: Tier;
  plan: string;
  host?: string;
  location?: string;
  serverType?: string;
}

interface TenantModelBase {
  id: string;
  displayName: string;
  plan: string;
  /** Where its data and backups must stay (its own residency, else the fleet's); absent: anywhere. */
  residency?: string;
  /** A dedicated tenant's own maintenance window (its server's), in place of its plan's. */
  maintenanceWindow?: string;
  status: HostedStatus;
  /** A declared move, not yet cut over: where the tenant goes. */
  move?: MovePlacement;
  /** After a cut-over: where the tenant came from (its copy there kept until purged). */
  movedFrom?: MovePlacement & { at: string; purged?: string };
  /** `<id>.<zone>`. */
  hostname: string;
  customDomains: string[];
  /** The primary hostname first, then the custom domains. */
  hostnames: string[];
  limits: TenantLimits;
  database: { name: string; role: string; connectionLimit: number };
  labels: Record<string, string>;
  names: TenantResourceNames;
}

export interface TenantResourceNames {
  dnsRecord: string;
  /** One Cloudflare custom hostname per custom domain, keyed by the domain. */
  customHostnames: Record<string, string>;
}

export interface SharedTenantModel extends TenantModelBase {
  tier: "shared";
  host: string;
  capacityUnits: number;
}

export interface DedicatedTenantModel extends TenantModelBase {
  tier: "dedicated";
  appImage: string;
  server: ServerModel;
}

/** The resources a containerized tenant's plan gives it, as Kubernetes counts them. */
export interface ContainerResources {
  /** The namespace's ResourceQuota (requests equal limits). */
  quota: { cpuMillicores: number; memoryMb: number; pods: number; storageGb: number; volumes: number };
  /** One app replica, and the autoscaler's bounds. */
  app: { cpuMillicores: number; memoryMb: number; minReplicas: number; maxReplicas: number };
  /** The CloudNativePG cluster: instances, each with these resources and its own volume. */
  database: { instances: number; cpuMillicores: number; memoryMb: number; storageGb: number };
}

export interface ContainerTenantModel extends TenantModelBase {
  tier: "kubernetes";
  /** The tenant's own app image, pinned (its own version, for gradual rollouts). */
  appImage: string;
  /** `tenant-<id>`: everything of the tenant lives in it. */
  namespace: string;
  resources: ContainerResources;
  /** The cluster's name (origin-<cluster>.<zone> is where its hostnames point). */
  cluster: string;
  /** Kubernetes labels of every object of the tenant (the policies read them). */
  kubernetesLabels: Record<string, string>;
}

export type TenantModel = SharedTenantModel | DedicatedTenantModel | ContainerTenantModel;

export interface SharedHostModel {
  name: string;
  location: HetznerLocation;
  capacityUnits: number;
  capacityUsed: number;
  capacityFree: number;
  /** Sum of the placed tenants' plan storage; the volume adds headroom. */
  tenantStorageGb: number;
  server: ServerModel;
  tenants: SharedTenantModel[];
  /** Tenants moving here, provisioned empty until `tenancy migrate` (status "incoming"). */
  incoming: SharedTenantModel[];
  /** Copies of tenants that moved away from here, kept until purged (status "moved-away"). */
  retained: SharedTenantModel[];
}

export function tenantsOf(model: FleetModel, tier?: Tier): TenantModel[] {
  const shared = model.shared.hosts.flatMap((host) => host.tenants);
  if (tier === "shared") return shared;
  if (tier === "dedicated") return model.dedicated.tenants;
  if (tier === "kubernetes") return model.kubernetes.tenants;
  return [...shared, ...model.dedicated.tenants, ...model.kubernetes.tenants];
}
