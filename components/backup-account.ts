/**
 * The host's own sub-account on the stack's Storage Box: one per host, so one host can never read
 * another's backups. restic reaches it over SFTP (port 23) with the sub-account's password.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import type { ServerModel } from "../infra/expand";
import { storageBoxPassword } from "./backup-store";

export interface BackupAccount {
  /** restic repository URL. */
  repository: pulumi.Output<string>;
  /** The SFTP server of the sub-account (not secret). */
  server: pulumi.Output<string>;
  /** Password of the sub-account (SFTP login), secret. */
  password: pulumi.Output<string>;
}

export function createBackupAccount(
  server: ServerModel,
  storageBox: hcloud.StorageBox,
  parent: pulumi.Resource,
) {
  const names = server.names;
  const password = storageBoxPassword(names.backupAccountPassword, { parent });
  const account = new hcloud.StorageBoxSubaccount(
    names.backupAccount,
    {
      storageBoxId: storageBox.id.apply(Number),
      homeDirectory: `tenancy/${server.hetznerName}`,
      password: password.result,
      description: `tenancy backups of ${server.hetznerName}`,
      accessSettings: {
        sshEnabled: true,
        reachableExternally: true,
        readonly: false,
        sambaEnabled: false,
        webdavEnabled: false,
      },
      labels: server.labels,
    },
    { parent },
  );
  const repository = pulumi.interpolate`sftp:${account.username}@${account.server}:/restic`;
  return { repository, server: account.server, password: password.result } satisfies BackupAccount;
}
