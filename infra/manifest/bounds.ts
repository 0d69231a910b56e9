/**
 * The range of every number in tenants.yaml, each taken from what receives the value, so that a manifest
 * that validates never hands a system a number it refuses (and stops a deploy half-way).
 */
import {
  HETZNER_SERVER_TYPES,
  HETZNER_VOLUME_MAX_GB,
  HETZNER_VOLUME_MIN_GB,
  sharedHostCapacity,
} from "../plans";

export interface Bound {
  min: number;
  max: number;
  /** Why the maximum is what it is, for the error message. */
  why: string;
  /** Why the minimum is, where it is more than "a count starts at 0 or 1". */
  minWhy?: string;
}

/** PostgreSQL's `integer` (int4): https://www.postgresql.org/docs/15/datatype-numeric.html */
export const POSTGRES_INT4_MAX = 2_147_483_647;

/**
 * PostgreSQL's MAX_BACKENDS (0x3FFFF, src/include/postmaster/postmaster.h), the largest `max_connections`
 * a server accepts: a role's CONNECTION LIMIT (an int4) above it could never be reached.
 */
export const POSTGRES_MAX_BACKENDS = 262_143;

/** The most capacity units any server type Hetzner sells offers as a shared host (infra/plans/hetzner.ts). */
export const MAX_SHARED_HOST_UNITS = Math.max(
  ...Object.keys(HETZNER_SERVER_TYPES).map((type) => sharedHostCapacity(type) ?? 0),
);

/** A pod runs on one node: no replica can ask for more than the largest server type Hetzner sells. */
const LARGEST_NODE = Object.values(HETZNER_SERVER_TYPES).reduce(
  (largest, type) => ({
    vcpus: Math.max(largest.vcpus, type.vcpus),
    memoryGb: Math.max(largest.memoryGb, type.memoryGb),
  }),
  { vcpus: 0, memoryGb: 0 },
);

const POD_CPU: Bound = {
  min: 50,
  max: LARGEST_NODE.vcpus * 1000,
  why: `a pod runs on one node, and the largest Hetzner server type has ${LARGEST_NODE.vcpus} vCPUs`,
  minWhy: "less cannot start the app or PostgreSQL",
};
const POD_MEMORY: Bound = {
  min: 128,
  max: LARGEST_NODE.memoryGb * 1024,
  why: `a pod runs on one node, and the largest Hetzner server type has ${LARGEST_NODE.memoryGb} GB`,
  minWhy: "less cannot start the app or PostgreSQL",
};
const REPLICAS: Bound = { min: 1, max: 100, why: "a hundred replicas is beyond one tenant's namespace" };

export const BOUNDS = {
  /** TCP ports are 16-bit and port 0 is reserved: https://www.rfc-editor.org/rfc/rfc6335#section-6 */
  port: { min: 1, max: 65_535, why: "TCP ports end at 65535" },
  /**
   * Prices become revenue in `tenancy cost` and `tenancy plan`, summed in doubles and shown to the cent.
   * With no price above a million euros a month, the fleet's totals stay exact to the cent
   * (Number.MAX_SAFE_INTEGER cents, ECMA-262 §21.1.2.6) for any fleet of under 90 million tenants.
   */
  monthlyPrice: { min: 0, max: 1_000_000, why: "a million euros a month keeps the cost report exact" },
  /** A tenant that needs more units than the largest shared host offers could never be placed. */
  capacityUnits: {
    min: 1,
    max: MAX_SHARED_HOST_UNITS,
    why: `no Hetzner server type offers more as a shared host`,
  },
  /** Hetzner Cloud volumes are 10 GB to 10 TB: https://docs.hetzner.com/cloud/volumes/overview */
  storageGb: { min: 1, max: HETZNER_VOLUME_MAX_GB, why: "Hetzner's largest volume" },
  volumeGb: {
    min: HETZNER_VOLUME_MIN_GB,
    max: HETZNER_VOLUME_MAX_GB,
    why: "Hetzner's largest volume",
    minWhy: "Hetzner's smallest volume",
  },
  /**
   * Reaches the app as an integer in its tenant registry (/etc/tenancy/app/tenants.json, docs/host.md), which
   * says no more of its type: the bound is the widest integer every stack the app may keep it in takes
   * (PostgreSQL integer, a 32-bit int).
   */
  maxUsers: { min: 1, max: POSTGRES_INT4_MAX, why: "the app reads it as a 32-bit integer" },
  /**
   * Becomes Cloudflare's `requests_per_period` (this figure ÷ 60, components/zone.ts), an integer of at least
   * 1 with no published maximum (https://developers.cloudflare.com/waf/rate-limiting-rules/parameters/);
   * the app reads the same figure from its registry, hence the same 32-bit bound as maxUsers.
   */
  apiCallsPerHour: { min: 1, max: POSTGRES_INT4_MAX, why: "the app reads it as a 32-bit integer" },
  /**
   * Becomes restic's `forget --keep-within <n>d` (infra/host/files/tenancy-backup), which takes any 64-bit
   * count (https://restic.readthedocs.io/en/stable/060_forget.html) and subtracts it from the newest
   * snapshot's date, where a count near 2^63 / 86400 days would overflow and keep nothing. The bound is
   * the product's: a hundred years.
   */
  backupRetentionDays: { min: 1, max: 36_500, why: "a hundred years" },
  /**
   * Each custom domain is a Cloudflare for SaaS custom hostname; a zone below Enterprise takes at most
   * 50,000: https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/plans/
   */
  customDomains: {
    min: 0,
    max: 50_000,
    why: "Cloudflare for SaaS takes at most 50,000 custom hostnames a zone",
  },
  /** `CONNECTION LIMIT` of the tenant's role (infra/host/sql.ts): an int4, useless above MAX_BACKENDS. */
  dbConnectionLimit: {
    min: 1,
    max: POSTGRES_MAX_BACKENDS,
    why: "PostgreSQL's largest max_connections; CONNECTION LIMIT itself ends at 2147483647",
  },
  /** A containerized plan's namespace quota: a tenant may have several nodes' worth, within one cluster. */
  cpuMillicores: { min: 100, max: 1_000_000, why: "a thousand cores is beyond one tenant's namespace" },
  memoryMb: { min: 256, max: 4_194_304, why: "4 TiB is beyond one tenant's namespace" },
  pods: {
    min: 2,
    max: 1000,
    why: "a thousand pods is beyond one tenant's namespace",
    minWhy: "the app and its database",
  },
  /** Its pods' sizes (Kubernetes counts CPU in millicores, memory in MiB). */
  appCpuMillicores: POD_CPU,
  appMemoryMb: POD_MEMORY,
  dbCpuMillicores: POD_CPU,
  dbMemoryMb: POD_MEMORY,
  minReplicas: REPLICAS,
  maxReplicas: REPLICAS,
  dbInstances: {
    min: 1,
    max: 10,
    why: "a primary and nine streaming replicas; more is a different architecture",
  },
} as const satisfies Record<string, Bound>;
