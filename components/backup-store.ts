/**
 * A Storage Box of the stack: one per country of its hosts where Hetzner sells them (backup-target.ts);
 * every host gets its own sub-account on its country's box.
 * Stateful: protected from deletion by Pulumi and by Hetzner, and forgotten rather than deleted.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { HetznerLocation, Tier } from "../infra/plans";
import { STATEFUL } from "./host-server";

export const STORAGE_BOX_TYPE = "bx11";

/** A password as Hetzner's Storage Box policy wants it: upper and lower case, digits and a special character. */
export function storageBoxPassword(name: string, opts?: pulumi.CustomResourceOptions): random.RandomPassword {
  return new random.RandomPassword(
    name,
    {
      length: 32,
      special: true,
      overrideSpecial: "-_.",
      minUpper: 2,
      minLower: 2,
      minNumeric: 2,
      minSpecial: 1,
    },
    opts,
  );
}

/** `suffix` tells apart the stack's boxes in other countries ("-hel1"); the fleet location's has none. */
export function createBackupStore(tier: Tier, location: HetznerLocation, suffix = ""): hcloud.StorageBox {
  const password = storageBoxPassword(`backups-${tier}${suffix}-password`);
  return new hcloud.StorageBox(
    `backups-${tier}${suffix}`,
    {
      name: `tenancy-${tier}-backups${suffix}`,
      storageBoxType: STORAGE_BOX_TYPE,
      location,
      password: pulumi.secret(password.result),
      // Reached over SFTP by the hosts' sub-accounts only; no Samba, no WebDAV.
      accessSettings: {
        sshEnabled: true,
        reachableExternally: true,
        sambaEnabled: false,
        webdavEnabled: false,
        zfsEnabled: false,
      },
      deleteProtection: true,
      labels: { "managed-by": "tenancy", tier, role: "backup-store" },
    },
    STATEFUL,
  );
}
