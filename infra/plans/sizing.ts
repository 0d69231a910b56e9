/**
 * How plans turn into capacity and disk: the rules expansion, validation and placement share.
 */
import { hetznerServerType, HETZNER_VOLUME_MIN_GB } from "./hetzner";

/** One capacity unit is about 512 MB of a shared host's memory. */
export const MB_PER_CAPACITY_UNIT = 512;
/** Memory kept back on every shared host for the OS, PostgreSQL's shared buffers and Caddy. */
export const SHARED_HOST_RESERVED_GB = 2;
/** Free space kept on a shared host's volume above its tenants' storage, for growth and dumps. */
export const VOLUME_HEADROOM = 0.25;

/** Capacity units a server type offers as a shared host, or undefined for a type Hetzner does not sell. */
export function sharedHostCapacity(serverType: string): number | undefined {
  const type = hetznerServerType(serverType);
  if (!type) return undefined;
  const usableMb = (type.memoryGb - SHARED_HOST_RESERVED_GB) * 1024;
  return Math.max(0, Math.floor(usableMb / MB_PER_CAPACITY_UNIT));
}

/**
 * Volume size for a shared host carrying `storageGb` of tenant data: headroom added, rounded up to 10 GB
 * so that small changes to the tenant list do not resize the volume every time.
 */
export function sharedVolumeGb(storageGb: number): number {
  return Math.max(HETZNER_VOLUME_MIN_GB, Math.ceil((storageGb * (1 + VOLUME_HEADROOM)) / 10) * 10);
}

/** A dedicated tenant's volume is its plan's storage, never below Hetzner's minimum. */
export function dedicatedVolumeGb(storageGb: number): number {
  return Math.max(HETZNER_VOLUME_MIN_GB, Math.ceil(storageGb));
}
