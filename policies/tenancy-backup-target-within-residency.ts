import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { declaredTenants, isHostComponent, undeclaredTenants, type BackupTargetProps } from "./config";

const STORAGE_BOX = "hcloud:index/storageBox:StorageBox";

/**
 * The country of each Hetzner location (restated from infra/plans/hetzner.ts: a published pack runs
 * without the repository).
 */
const LOCATION_COUNTRY: Readonly<Record<string, string>> = {
  fsn1: "DE",
  nbg1: "DE",
  hel1: "FI",
  ash: "US",
  hil: "US",
  sin: "SG",
};

const EU = new Set(
  "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split(" "),
);

/**
 * S3 endpoints whose region is the provider's guarantee, not a hint, and where that region is. Cloudflare
 * R2's jurisdictions (eu, fedramp, us; developers.cloudflare.com/r2/reference/data-location) are; its
 * location hints, on the account's plain endpoint, are "a best effort and not a guarantee", so that
 * endpoint is not here. AWS S3 and Backblaze B2 keep a bucket in the region of its endpoint.
 */
const GUARANTEED_ENDPOINTS: readonly {
  pattern: RegExp;
  country: (m: RegExpExecArray) => string | undefined;
}[] = [
  { pattern: /^[0-9a-f]{32}\.eu\.r2\.cloudflarestorage\.com$/, country: () => "EU" },
  { pattern: /^[0-9a-f]{32}\.(?:us|fedramp)\.r2\.cloudflarestorage\.com$/, country: () => "US" },
  { pattern: /^(?:[^.]+\.)?s3[.-]([a-z0-9-]+)\.amazonaws\.com$/, country: (m) => AWS_REGION_COUNTRY(m[1]!) },
  { pattern: /^s3\.([a-z0-9-]+)\.backblazeb2\.com$/, country: (m) => BACKBLAZE_REGION_COUNTRY(m[1]!) },
];

function AWS_REGION_COUNTRY(region: string): string | undefined {
  if (/^us-(?:east|west)-\d$/.test(region)) return "US";
  return (
    {
      "eu-central-1": "DE",
      "eu-west-1": "IE",
      "eu-west-3": "FR",
      "eu-north-1": "SE",
      "eu-south-1": "IT",
    } as Record<string, string>
  )[region];
}

function BACKBLAZE_REGION_COUNTRY(region: string): string | undefined {
  if (/^us-(?:west|east)-\d{3}$/.test(region)) return "US";
  return region.startsWith("eu-central-") ? "NL" : undefined;
}

function allows(residency: string, country: string): boolean {
  return residency === country || (residency === "EU" && EU.has(country));
}

/** The country of an S3 repository URL, when its endpoint's region is a guarantee. */
function bucketCountry(repository: string): string | undefined {
  const endpoint = /^s3:https:\/\/([^/]+)\//.exec(repository)?.[1];
  if (endpoint === undefined) return undefined;
  for (const { pattern, country } of GUARANTEED_ENDPOINTS) {
    const match = pattern.exec(endpoint);
    if (match) return country(match);
  }
  return undefined;
}

export const tenancyBackupTargetWithinResidency: StackValidationPolicy = {
  name: "tenancy-backup-target-within-residency",
  description:
    "A host's backups must stay within the data residency of every tenant it holds: its Storage Box's " +
    "location, or its S3 bucket's region, must be in a country each tenant's residency allows. It reads the " +
    "host components' backupTarget and tenants outputs, and the Storage Boxes' locations.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Place the tenant on a host in its residency (tenants.yaml), or give the stack a backup bucket in that " +
    "country (tenancy:backupBuckets) with a provider whose region is a guarantee.",
  validateStack: (args, report) => {
    const hosts = args.resources.filter((r) => isHostComponent(r.type));
    if (hosts.length === 0) args.notApplicable("no hosts in this stack");
    const boxLocations = new Set(
      args.resources.filter((r) => r.type === STORAGE_BOX).map((r) => String(r.props.location)),
    );
    for (const host of hosts) {
      const where = targetCountry(host, boxLocations, (message) => report(message, host.urn));
      if (where === undefined) continue;
      const tenants = declaredTenants(host);
      if (!tenants) {
        report(undeclaredTenants(host, "the residency of its backups"), host.urn);
        continue;
      }
      for (const tenant of tenants) {
        if (tenant.residency && !allows(tenant.residency, where.country))
          report(
            `Host "${host.name}" keeps its backups in ${where.what} (${where.country}), outside the residency ` +
              `${tenant.residency} of its tenant "${tenant.id}". Place the tenant on a host in ${tenant.residency}, ` +
              `or back the host up to a target there.`,
            host.urn,
          );
      }
    }
  },
};

/** Where a host's backups are, as this pack can verify it; undefined (reported) when it cannot. */
function targetCountry(
  host: PolicyResource,
  boxLocations: ReadonlySet<string>,
  report: (message: string) => void,
): { country: string; what: string } | undefined {
  const target = host.props.backupTarget as Partial<BackupTargetProps> | undefined;
  if (target?.kind === "storage-box") {
    const location = target.location ?? "";
    const country = LOCATION_COUNTRY[location];
    if (!boxLocations.has(location) || country === undefined) {
      report(
        `Host "${host.name}" declares its backups on a Storage Box in ${location || "no location"}, and the stack ` +
          `has none there (its Storage Boxes: ${[...boxLocations].join(", ") || "none"}). Build the host with the ` +
          `stack's backup targets (components/backup-target.ts).`,
      );
      return undefined;
    }
    return { country, what: `the Storage Box in ${location}` };
  }
  if (target?.kind === "s3") {
    const repository = target.repository ?? "";
    const country = bucketCountry(repository);
    if (country === undefined) {
      report(
        `Host "${host.name}" keeps its backups in the S3 repository "${repository}", whose region is not one this ` +
          `pack knows to be guaranteed (Cloudflare R2 jurisdictions, AWS S3 and Backblaze B2 regions). A location ` +
          `hint is not a guarantee: use a bucket whose region is (tenancy:backupBuckets).`,
      );
      return undefined;
    }
    return { country, what: `the S3 bucket at ${repository.replace(/^s3:https:\/\/([^/]+)\/.*$/, "$1")}` };
  }
  report(
    `Host "${host.name}" declares no backup target, so where its tenants' backups go cannot be checked. ` +
      `Build it with the SharedHost or DedicatedTenant component, which registers its backupTarget.`,
  );
  return undefined;
}
