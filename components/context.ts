/**
 * What every host of a stack shares: the zone, who may reach SSH, the keys, and the stack's backup targets.
 * Built once per stack (stacks/*.ts) and handed to each SharedHost or DedicatedTenant.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { TenantModel } from "../infra/expand";
import type { HetznerLocation, Tier } from "../infra/plans";
import type { S3Credentials } from "../infra/host";
import { createBackupTargets, type BackupBucket, type BackupTargets } from "./backup-target";
import { tenantPasswords } from "./tenant-passwords";

export interface HostingContext {
  /** The Cloudflare zone (fleet.zone) and its id. */
  zone: string;
  zoneId: pulumi.Input<string>;
  /** CIDRs allowed to reach SSH on every host. */
  adminCidrs: string[];
  /** Hetzner SSH keys of the admins: their ids go to the server, their public keys to the deploy user. */
  adminSshKeys: pulumi.Input<{ id: number; publicKey: string }[]>;
  /** The stack's own deploy key: Pulumi uses it to ship host bundles over SSH. */
  deployKey: { publicKeyOpenssh: pulumi.Input<string>; privateKeyOpenssh: pulumi.Input<string> };
  /**
   * tenancy:backupPassword (secret), set only on stacks whose repositories were created before each host
   * had a key of its own: the hosts replace it by their own key (docs/runbooks.md).
   */
  oldBackupPassword?: pulumi.Input<string>;
  /** Where hosts send alerts (tenancy:alertWebhookUrl, secret); absent: they only log them. */
  alertWebhookUrl?: pulumi.Input<string>;
  /** The stack's backup targets: each host is backed up to its own country's (backup-target.ts). */
  backups: BackupTargets;
  /** The Storage Boxes' SSH host keys (tenancy:storageBoxHostKeys), pinned on every host. */
  storageBoxHostKeys: string[];
  /**
   * A tenant's database password (secret), derived from the stack's one key and the tenant's id
   * (tenant-passwords.ts): the same on whichever hosts hold a copy of its data (where it is served, where
   * it is moving to, where a copy is kept), so that it survives a move.
   */
  tenantPassword(tenant: TenantModel): pulumi.Output<string>;
}

export interface HostingContextArgs {
  tier: Tier;
  zone: string;
  zoneId: string;
  adminCidrs: string[];
  /** Names of Hetzner SSH keys already uploaded by the admins. */
  sshKeyNames: string[];
  oldBackupPassword?: pulumi.Input<string>;
  storageBoxHostKeys: string[];
  alertWebhookUrl?: pulumi.Input<string>;
  /** fleet.location: its country's Storage Box is the one the stack always had. */
  location: HetznerLocation;
  /** The stack's hosts (Hetzner names and locations): each of their countries gets a backup target. */
  hosts: readonly { name: string; location: HetznerLocation }[];
  /** S3 buckets for the countries without Storage Boxes, and their access keys (secret). */
  backupBuckets: readonly BackupBucket[];
  backupBucketKeys: pulumi.Output<Readonly<Record<string, S3Credentials>>>;
  /** tenancy:dbPasswordRotations: each rotated tenant's generation (absent: 0). */
  dbPasswordRotations: Readonly<Record<string, number>>;
}

/** The stack-wide pieces: a deploy key of the stack's own, the admins' keys, the backup store. */
export function createHostingContext(args: HostingContextArgs): HostingContext {
  // First: it refuses a host with no backup target in its country before anything is registered.
  const backups = createBackupTargets({
    tier: args.tier,
    defaultLocation: args.location,
    hosts: args.hosts,
    buckets: args.backupBuckets,
    bucketKeys: args.backupBucketKeys,
  });
  const deployKey = new tls.PrivateKey(`deploy-key-${args.tier}`, { algorithm: "ED25519" });
  const adminSshKeys = pulumi.all(
    args.sshKeyNames.map((name) =>
      hcloud.getSshKeyOutput({ name }).apply((key) => {
        if (key.id === undefined)
          throw new Error(`Hetzner SSH key "${name}" (tenancy:sshKeys) was not found`);
        return { id: key.id, publicKey: key.publicKey };
      }),
    ),
  );
  // One resource for every tenant's password in the stack: the key they are derived from.
  const passwordOf = tenantPasswords(args.tier, args.dbPasswordRotations);
  return {
    zone: args.zone,
    zoneId: args.zoneId,
    adminCidrs: args.adminCidrs,
    adminSshKeys,
    deployKey: {
      publicKeyOpenssh: deployKey.publicKeyOpenssh,
      privateKeyOpenssh: deployKey.privateKeyOpenssh,
    },
    oldBackupPassword: args.oldBackupPassword,
    ...(args.alertWebhookUrl === undefined ? {} : { alertWebhookUrl: args.alertWebhookUrl }),
    backups,
    storageBoxHostKeys: args.storageBoxHostKeys,
    tenantPassword: (tenant) => passwordOf(tenant.id),
  };
}
