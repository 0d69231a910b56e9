/**
 * The stack settings the program reads, each declared (typed, described) in Pulumi.yaml.
 * A test keeps the two lists equal.
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { getRootDirectory } from "@pulumi/pulumi/runtime/settings";
import { createHostingContext, type BackupBucket, type HostingContext } from "../components";
import { tenantsOf, type FleetModel } from "../infra/expand";
import { dedicatedServers, parseHostKeys, type S3Credentials } from "../infra/host";
import { TIERS, type Tier } from "../infra/plans";

export const CONFIG_KEYS = [
  "tier",
  "manifest",
  "cloudflareZoneId",
  "cloudflareAccountId",
  "adminCidrs",
  "sshKeys",
  "backupPassword",
  "alertWebhookUrl",
  "storageBoxHostKeys",
  "backupBuckets",
  "backupBucketKeys",
  "dbPasswordRotations",
  "kubeconfig",
] as const;

/**
 * The settings only some tiers use, and the tiers that need them: Pulumi.yaml gives each a default, so
 * that a stack of another tier need not set it (the CLI requires every declared key without one), and
 * the program requires it of its tiers.
 */
export const TIER_SETTINGS = {
  adminCidrs: ["shared", "dedicated"],
  sshKeys: ["shared", "dedicated"],
  backupPassword: ["shared", "dedicated"],
  storageBoxHostKeys: ["shared", "dedicated"],
  kubeconfig: ["kubernetes"],
} as const satisfies Partial<Record<(typeof CONFIG_KEYS)[number], readonly Tier[]>>;

/** Where a stack's settings live, for the messages that ask for one. */
const stackFile = (tier: Tier) => `Pulumi.${tier}.yaml`;

export interface StackConfig {
  tier: Tier;
  manifest: string;
  cloudflareZoneId: string;
  cloudflareAccountId: string;
  /** The hosts' settings (adminCidrs to storageBoxHostKeys): empty on the kubernetes stack, which has none. */
  adminCidrs: string[];
  sshKeys: string[];
  /**
   * The stack-wide restic password of repositories created before each host had a key of its own; the
   * hosts replace it by their own keys (adopt_host_key in tenancy-common.sh). Secret.
   */
  backupPassword: pulumi.Output<string>;
  /**
   * Where hosts send their alerts (tenancy-notify); secret, whichever way it was set. Empty (Pulumi.yaml's
   * default) is none. Checked where it is rendered (hostSecrets).
   */
  alertWebhookUrl?: pulumi.Output<string>;
  /** The Storage Box's SSH host keys, "TYPE BASE64" each: pinned on every host (infra/host/sftp.ts). */
  storageBoxHostKeys: string[];
  /** S3 buckets for the countries where Hetzner sells no Storage Box (backup-target.ts). */
  backupBuckets: BackupBucket[];
  /** Their access keys by country; secret. */
  backupBucketKeys: pulumi.Output<Record<string, S3Credentials>>;
  /**
   * Tenants whose database password was rotated, with their generation: "<tenant id>=<n>" entries, folded
   * into the derivation of the tenant's password (components/tenant-passwords.ts; docs/runbooks.md).
   */
  dbPasswordRotations: Record<string, number>;
  /** The cluster's kubeconfig (secret): the kubernetes stack's only way to its cluster. */
  kubeconfig?: pulumi.Output<string>;
}

const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;
const CIDR =
  /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$|^[0-9a-f:]+\/(?:12[0-8]|1[01]\d|[1-9]?\d)$/i;

export function readStackConfig(): StackConfig {
  const config = new pulumi.Config("tenancy");
  const fail = (key: string, message: string): never => {
    throw new pulumi.RunError(`tenancy:${key} ${message}`);
  };
  const tier = config.require("tier");
  if (!(TIERS as readonly string[]).includes(tier))
    fail("tier", `must be one of ${TIERS.join(", ")}, not "${tier}"`);
  const id = (key: string) => {
    const value = config.require(key);
    if (!CLOUDFLARE_ID.test(value))
      fail(key, `must be 32 lowercase hex digits (see the Cloudflare dashboard), not "${value}"`);
    return value;
  };
  const list = (key: string) => {
    const value = config.requireObject<unknown>(key);
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
      fail(key, "must be a list of strings");
    return value as string[];
  };
  const hostKeys = (lines: string[]) => {
    try {
      return parseHostKeys(lines, "tenancy:storageBoxHostKeys");
    } catch (error) {
      throw new pulumi.RunError(`${(error as Error).message} (see docs/deploy.md)`);
    }
  };
  const hosted = tier !== "kubernetes";
  /** A setting its tier needs (TIER_SETTINGS): refused when empty, with the tier that needs it named. */
  const needed = (key: keyof typeof TIER_SETTINGS, what: string): never =>
    fail(key, `is required by the ${tier} stack (${what}): set it in ${stackFile(tier as Tier)}`);
  const adminCidrs = hosted ? list("adminCidrs") : [];
  if (hosted && adminCidrs.length === 0)
    needed("adminCidrs", "the networks allowed to reach SSH on its hosts");
  for (const cidr of adminCidrs) {
    if (!CIDR.test(cidr)) fail("adminCidrs", `has "${cidr}", which is not a CIDR such as 198.51.100.0/24`);
    if (cidr === "0.0.0.0/0" || cidr === "::/0")
      fail("adminCidrs", `must not open SSH to the whole internet (${cidr})`);
  }
  const sshKeys = hosted ? list("sshKeys") : [];
  if (hosted && sshKeys.length === 0) needed("sshKeys", "the Hetzner SSH keys of its deploy user");
  const backupBuckets = config.getObject<unknown>("backupBuckets") ?? [];
  if (!Array.isArray(backupBuckets) || !backupBuckets.every((item) => typeof item === "string"))
    fail("backupBuckets", 'must be a list of "<COUNTRY>=s3:https://<endpoint>/<bucket>" strings');
  const rotations = config.getObject<unknown>("dbPasswordRotations") ?? [];
  if (!Array.isArray(rotations) || !rotations.every((item) => typeof item === "string"))
    fail("dbPasswordRotations", 'must be a list of "<tenant id>=<generation>" strings');
  return {
    tier: tier as Tier,
    manifest: manifestPath(config.get("manifest") ?? "tenants.yaml"),
    cloudflareZoneId: id("cloudflareZoneId"),
    cloudflareAccountId: id("cloudflareAccountId"),
    adminCidrs,
    sshKeys,
    backupPassword: hosted
      ? requiredSecret(config, "backupPassword", () =>
          needed("backupPassword", "the restic password of its older repositories"),
        )
      : pulumi.secret(""),
    storageBoxHostKeys: hosted ? hostKeys(list("storageBoxHostKeys")) : [],
    ...alertWebhook(config.getSecret("alertWebhookUrl")),
    backupBuckets: (backupBuckets as string[]).map((entry) => parseBucket(entry, fail)),
    backupBucketKeys: config.requireSecret("backupBucketKeys").apply((text) => parseBucketKeys(text, fail)),
    dbPasswordRotations: parseRotations(rotations as string[], fail),
    ...(hosted
      ? {}
      : {
          kubeconfig: requiredSecret(config, "kubeconfig", () =>
            needed("kubeconfig", "the kubeconfig of its cluster, set with --secret"),
          ),
        }),
  };
}

// The SDK tells whether a setting is secret only through this internal of its runtime (@internal in
// its typings), the same check Config.get makes before it warns of a secret read in plaintext.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as {
  isConfigSecret: (key: string) => boolean;
};

/**
 * A secret setting Pulumi.yaml must default (a defaulted key cannot be declared secret): refused when
 * empty, and when it was set in plaintext (it would sit readable in the stack file).
 */
function requiredSecret(config: pulumi.Config, key: string, missing: () => never): pulumi.Output<string> {
  const value = config.get(key) ?? "";
  if (value === "") missing();
  if (!isConfigSecret(`tenancy:${key}`))
    throw new pulumi.RunError(
      `tenancy:${key} is set in plaintext: set it with \`pulumi config set --secret tenancy:${key}\``,
    );
  return config.requireSecret(key);
}

/** `baeckerei-klein=2`: the tenant's password is at its second rotation. Each tenant once, n ≥ 1. */
function parseRotations(
  entries: string[],
  fail: (key: string, message: string) => never,
): Record<string, number> {
  const rotations: Record<string, number> = {};
  for (const entry of entries) {
    const match = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)=([1-9]\d{0,8})$/.exec(entry);
    if (!match)
      fail(
        "dbPasswordRotations",
        `has "${entry}", which is not "<tenant id>=<generation>" (a tenant id, and a whole number from 1)`,
      );
    if (Object.hasOwn(rotations, match[1]!)) fail("dbPasswordRotations", `names tenant "${match[1]}" twice`);
    rotations[match[1]!] = Number(match[2]);
  }
  return rotations;
}

function alertWebhook(url: pulumi.Output<string> | undefined): Pick<StackConfig, "alertWebhookUrl"> {
  return url === undefined ? {} : { alertWebhookUrl: url };
}

const COUNTRY = /^[A-Z]{2}$/;

/** `US=s3:https://<account>.us.r2.cloudflarestorage.com/fieldcrew-backups`: a country's bucket. */
function parseBucket(entry: string, fail: (key: string, message: string) => never): BackupBucket {
  const match = /^([^=]+)=(s3:https:\/\/[^/\s]+\/[^\s]+)$/.exec(entry);
  if (!match || !COUNTRY.test(match[1]!))
    fail(
      "backupBuckets",
      `has "${entry}", which is not "<COUNTRY>=s3:https://<endpoint>/<bucket>" (a country code such as US, and restic's S3 URL over HTTPS)`,
    );
  return { country: match[1]!, repository: match[2]! };
}

/**
 * `US=<access key id>:<secret access key>`, one per country, separated by spaces. A message names the
 * entry by its position, never by its value: this is a secret.
 */
function parseBucketKeys(
  text: string,
  fail: (key: string, message: string) => never,
): Record<string, S3Credentials> {
  const keys: Record<string, S3Credentials> = {};
  for (const [index, entry] of text.split(/\s+/).filter(Boolean).entries()) {
    const match = /^([A-Z]{2})=([^:]+):(.+)$/.exec(entry);
    if (!match)
      fail("backupBucketKeys", `entry ${index + 1} is not "<COUNTRY>=<access key id>:<secret access key>"`);
    keys[match[1]!] = { accessKeyId: match[2]!, secretAccessKey: match[3]! };
  }
  return keys;
}

/**
 * The manifest's path. Pulumi.yaml declares it relative to the project; the CLI runs the program in
 * its `main` directory (stacks/), and passes the project's directory as --root-directory.
 */
function manifestPath(file: string): string {
  return path.resolve(getRootDirectory() || process.cwd(), file);
}

/** What every host of the stack shares, from its settings and the fleet. */
export function stackHostingContext(tier: Tier, model: FleetModel, config: StackConfig): HostingContext {
  return createHostingContext({
    tier,
    zone: model.zone,
    zoneId: config.cloudflareZoneId,
    adminCidrs: config.adminCidrs,
    sshKeyNames: config.sshKeys,
    oldBackupPassword: config.backupPassword,
    storageBoxHostKeys: config.storageBoxHostKeys,
    ...(config.alertWebhookUrl === undefined ? {} : { alertWebhookUrl: config.alertWebhookUrl }),
    location: model.defaultLocation,
    hosts: (tier === "shared" ? model.shared.hosts : dedicatedServers(model)).map(({ server }) => ({
      name: server.hetznerName,
      location: server.location,
    })),
    backupBuckets: config.backupBuckets,
    backupBucketKeys: config.backupBucketKeys,
    dbPasswordRotations: knownRotations(tier, model, config.dbPasswordRotations),
  });
}

/** A rotation of a tenant this stack does not hold would rotate nothing: a typo, refused. */
export function knownRotations(
  tier: Tier,
  model: FleetModel,
  rotations: Record<string, number>,
): Record<string, number> {
  const ids = new Set(tenantsOf(model, tier).map((tenant) => tenant.id));
  for (const id of Object.keys(rotations))
    if (!ids.has(id))
      throw new pulumi.RunError(
        `tenancy:dbPasswordRotations names tenant "${id}", which the ${tier} stack does not hold (remove the entry, or fix the id)`,
      );
  return rotations;
}
