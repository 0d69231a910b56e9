/**
 * What Hetzner Cloud offers: locations and server types, as data with the date it was recorded.
 *
 * Validation reads it to refuse a location or server type Hetzner does not have, or a type that is not
 * sold in a location; placement reads the memory of a type to size a shared host. Prices are not here:
 * they change more often than the catalogue and live in `infra/cost/prices.ts`.
 */

export const HETZNER_CATALOGUE_AS_OF = "2026-11-22";
export const HETZNER_CATALOGUE_SOURCE =
  "https://docs.hetzner.com/cloud/servers/overview (server types and locations); provider typings of @pulumi/hcloud 1.41";

export type HetznerLocation = "fsn1" | "nbg1" | "hel1" | "ash" | "hil" | "sin";

/** Each location's country (ISO 3166-1 alpha-2): what a tenant's data residency is judged against. */
export const HETZNER_LOCATIONS: Readonly<
  Record<HetznerLocation, { city: string; country: string; region: "eu" | "us" | "ap" }>
> = {
  fsn1: { city: "Falkenstein, DE", country: "DE", region: "eu" },
  nbg1: { city: "Nuremberg, DE", country: "DE", region: "eu" },
  hel1: { city: "Helsinki, FI", country: "FI", region: "eu" },
  ash: { city: "Ashburn, VA, US", country: "US", region: "us" },
  hil: { city: "Hillsboro, OR, US", country: "US", region: "us" },
  sin: { city: "Singapore, SG", country: "SG", region: "ap" },
};

export interface HetznerServerType {
  vcpus: number;
  memoryGb: number;
  diskGb: number;
  cpu: "shared-intel-amd" | "shared-amd" | "dedicated-amd" | "shared-arm";
  /** Locations where the type can be ordered. */
  locations: readonly HetznerLocation[];
}

const EU: readonly HetznerLocation[] = ["fsn1", "nbg1", "hel1"];
const ALL: readonly HetznerLocation[] = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"];

/**
 * Server types currently sold. The cx22 family was retired in 2025 in favour of cx23..cx53; it is left out
 * on purpose so that a manifest naming it gets an error before Hetzner refuses the order.
 */
export const HETZNER_SERVER_TYPES: Readonly<Record<string, HetznerServerType>> = {
  // Cost-optimised, shared vCPU (EU only).
  cx23: { vcpus: 2, memoryGb: 4, diskGb: 40, cpu: "shared-intel-amd", locations: EU },
  cx33: { vcpus: 4, memoryGb: 8, diskGb: 80, cpu: "shared-intel-amd", locations: EU },
  cx43: { vcpus: 8, memoryGb: 16, diskGb: 160, cpu: "shared-intel-amd", locations: EU },
  cx53: { vcpus: 16, memoryGb: 32, diskGb: 320, cpu: "shared-intel-amd", locations: EU },
  // Regular performance, shared AMD vCPU.
  cpx22: { vcpus: 3, memoryGb: 4, diskGb: 80, cpu: "shared-amd", locations: ALL },
  cpx32: { vcpus: 4, memoryGb: 8, diskGb: 160, cpu: "shared-amd", locations: ALL },
  cpx42: { vcpus: 8, memoryGb: 16, diskGb: 320, cpu: "shared-amd", locations: ALL },
  cpx52: { vcpus: 12, memoryGb: 24, diskGb: 480, cpu: "shared-amd", locations: ALL },
  cpx62: { vcpus: 16, memoryGb: 32, diskGb: 640, cpu: "shared-amd", locations: ALL },
  // Dedicated AMD vCPU.
  ccx13: { vcpus: 2, memoryGb: 8, diskGb: 80, cpu: "dedicated-amd", locations: ALL },
  ccx23: { vcpus: 4, memoryGb: 16, diskGb: 160, cpu: "dedicated-amd", locations: ALL },
  ccx33: { vcpus: 8, memoryGb: 32, diskGb: 240, cpu: "dedicated-amd", locations: ALL },
  ccx43: { vcpus: 16, memoryGb: 64, diskGb: 360, cpu: "dedicated-amd", locations: ALL },
  ccx53: { vcpus: 32, memoryGb: 128, diskGb: 600, cpu: "dedicated-amd", locations: ALL },
  ccx63: { vcpus: 48, memoryGb: 192, diskGb: 960, cpu: "dedicated-amd", locations: ALL },
  // Arm (Ampere), shared vCPU (EU only).
  cax11: { vcpus: 2, memoryGb: 4, diskGb: 40, cpu: "shared-arm", locations: EU },
  cax21: { vcpus: 4, memoryGb: 8, diskGb: 80, cpu: "shared-arm", locations: EU },
  cax31: { vcpus: 8, memoryGb: 16, diskGb: 160, cpu: "shared-arm", locations: EU },
  cax41: { vcpus: 16, memoryGb: 32, diskGb: 320, cpu: "shared-arm", locations: EU },
};

/** Hetzner refuses volumes under 10 GB or over 10 TB. */
export const HETZNER_VOLUME_MIN_GB = 10;
export const HETZNER_VOLUME_MAX_GB = 10240;

export function isHetznerLocation(name: string): name is HetznerLocation {
  return Object.hasOwn(HETZNER_LOCATIONS, name);
}

export function hetznerServerType(name: string): HetznerServerType | undefined {
  return Object.hasOwn(HETZNER_SERVER_TYPES, name) ? HETZNER_SERVER_TYPES[name] : undefined;
}
