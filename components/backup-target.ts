/**
 * Where each host's backups go: the backup target of its own country, so that a tenant's backups stay
 * where its data must (docs/design.md, "Backups stay in the tenant's jurisdiction"). A Storage Box where
 * Hetzner sells them (Germany, Finland); elsewhere the S3 bucket the stack configures for that country
 * (tenancy:backupBuckets), whose region must be a guarantee of the provider's, not a hint.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import type { ServerModel } from "../infra/expand";
import type { S3Credentials } from "../infra/host";
import { backupTargetFor, type BackupTargetModel, type HetznerLocation, type Tier } from "../infra/plans";
import { createBackupAccount } from "./backup-account";
import { createBackupStore } from "./backup-store";

/** An S3 bucket of the stack's config: restic's `s3:` URL of the bucket (and prefix), and its country. */
export interface BackupBucket {
  country: string;
  repository: string;
}

/** What a host's bundle needs of its target: the repository, and the credential its transport uses. */
export interface HostBackup {
  /** Where: a Storage Box's location, or a bucket's country and the host's repository in it (not secret). */
  target: BackupTargetModel & { repository?: string };
  repository: pulumi.Output<string>;
  /** A Storage Box sub-account's SFTP server (not secret) and password (secret). */
  sftp?: pulumi.Output<{ server: string; password: string }>;
  s3?: pulumi.Output<S3Credentials>;
}

export interface BackupTargets {
  /** The host's target, created for it (a sub-account of the box, or a prefix of the bucket). */
  forHost(server: ServerModel, parent: pulumi.Resource): HostBackup;
}

export interface BackupTargetArgs {
  tier: Tier;
  /** fleet.location: its country's Storage Box keeps the name the stack always had (`backups-<tier>`). */
  defaultLocation: HetznerLocation;
  /** The stack's hosts (Hetzner names): a target for each of their countries. */
  hosts: readonly { name: string; location: HetznerLocation }[];
  buckets: readonly BackupBucket[];
  /** The buckets' access keys by country (tenancy:backupBucketKeys), secret. */
  bucketKeys: pulumi.Output<Readonly<Record<string, S3Credentials>>>;
}

export function createBackupTargets(args: BackupTargetArgs): BackupTargets {
  const primary = backupTargetFor(args.defaultLocation);
  const storageBoxes = new Map<string, hcloud.StorageBox>();
  /**
   * The box of a target's country, and where it is. The fleet location's country keeps the box the stack
   * always had, at fleet.location itself: moving it would replace a Storage Box full of backups.
   */
  const boxFor = (target: BackupTargetModel & { kind: "storage-box" }) => {
    const first = target.country === primary.country;
    const location = first ? args.defaultLocation : target.location;
    let box = storageBoxes.get(target.country);
    if (!box) {
      box = createBackupStore(args.tier, location, first ? "" : `-${location}`);
      storageBoxes.set(target.country, box);
    }
    return { box, location };
  };
  const bucketOf = (country: string) => args.buckets.find((bucket) => bucket.country === country);
  // Refused before anything is registered: a host with nowhere to keep its backups in its country.
  for (const host of args.hosts) {
    const target = backupTargetFor(host.location);
    if (target.kind === "s3" && !bucketOf(target.country))
      throw new pulumi.RunError(
        `host ${host.name} is in ${host.location} (${target.country}), where Hetzner sells no ` +
          `Storage Box, and tenancy:backupBuckets has no bucket for ${target.country}: add one ` +
          `("${target.country}=s3:https://<endpoint>/<bucket>") and its key to tenancy:backupBucketKeys (docs/host.md, "Backups")`,
      );
  }
  // The fleet location's box first, hosts or not: it is where the stack's backups have always been.
  for (const location of [args.defaultLocation, ...args.hosts.map((host) => host.location)]) {
    const target = backupTargetFor(location);
    if (target.kind === "storage-box") boxFor(target);
  }
  return {
    forHost(server, parent) {
      const target = backupTargetFor(server.location);
      if (target.kind === "storage-box") {
        const { box, location } = boxFor(target);
        const account = createBackupAccount(server, box, parent);
        return {
          target: { ...target, location },
          repository: account.repository,
          sftp: pulumi.all([account.server, account.password]).apply(([server, password]) => ({
            server,
            password,
          })),
        };
      }
      const bucket = bucketOf(target.country);
      if (!bucket)
        throw new Error(`host ${server.hetznerName} was not among the hosts of the backup targets`);
      const s3 = args.bucketKeys.apply((keys) => {
        const key = keys[target.country];
        if (!key)
          throw new pulumi.RunError(
            `tenancy:backupBucketKeys has no access key for ${target.country}, the country of the bucket of host ${server.hetznerName}`,
          );
        return key;
      });
      // One prefix per host in the country's bucket: a repository of its own, as a sub-account is.
      const repository = `${bucket.repository.replace(/\/+$/, "")}/${server.hetznerName}`;
      return {
        target: { ...target, repository },
        repository: pulumi.output(repository),
        s3: pulumi.secret(s3),
      };
    },
  };
}
