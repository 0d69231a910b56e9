/**
 * Data residency: where a tenant's data (its database and every backup of it) may be kept. A residency
 * is a country (ISO 3166-1 alpha-2, e.g. FI, US) or EU, any member state of the European Union.
 */
import { HETZNER_LOCATIONS, type HetznerLocation } from "./hetzner";

/** The 27 member states (ISO 3166-1 alpha-2; Greece is GR). */
export const EU_COUNTRIES = [
  "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
  "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
] as const; // prettier-ignore

export const RESIDENCY_PATTERN = /^(?:EU|[A-Z]{2})$/;

/** Whether data kept in `country` stays within `residency`. */
export function residencyAllows(residency: string, country: string): boolean {
  return (
    residency === country || (residency === "EU" && (EU_COUNTRIES as readonly string[]).includes(country))
  );
}

export function locationCountry(location: HetznerLocation): string {
  return HETZNER_LOCATIONS[location].country;
}

/**
 * The Storage Box of each country that has one: Falkenstein for Germany, Helsinki for Finland (the
 * locations the hcloud provider's and Hetzner's Storage Box examples use; Hetzner offers Storage Boxes
 * in its European locations only, none in Ashburn, Hillsboro or Singapore). A host is backed up to the
 * Storage Box of its own country when there is one, else to the S3 bucket the stack configures for that
 * country (tenancy:backupBuckets).
 */
export const STORAGE_BOX_LOCATIONS: Readonly<Record<string, HetznerLocation>> = { DE: "fsn1", FI: "hel1" };

/** Where a host at `location` keeps its backups: a Storage Box location, or the country of an S3 bucket. */
export type BackupTargetModel =
  { kind: "storage-box"; location: HetznerLocation; country: string } | { kind: "s3"; country: string };

export function backupTargetFor(location: HetznerLocation): BackupTargetModel {
  const country = locationCountry(location);
  const box = STORAGE_BOX_LOCATIONS[country];
  return box ? { kind: "storage-box", location: box, country } : { kind: "s3", country };
}
