/**
 * cloud-init user-data: bootstrap only. Packages, the data volume mounted by device (nofail) with
 * PostgreSQL's data directory on it, the deploy user with the admin SSH keys, SSH hardened, unattended
 * security upgrades, the apply tool installed and its bootstrap run. Everything about tenants arrives
 * later as a HostBundle over SSH (`tenancy-apply`), never through user-data, which Hetzner cannot
 * change without replacing the server. No secret is ever written here.
 */
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { hostScript } from "./bundle";
import type { HostSpec } from "./spec";

export const DATA_MOUNT = "/mnt/data";
export const DEPLOY_USER = "deploy";

/**
 * What Pulumi runs over SSH as the deploy user, with the bundle on stdin. It waits for cloud-init's last
 * stage to end (`cloud-init status --wait` alone returns early when any module failed), stops with
 * cloud-init's report if the bootstrap failed, then applies the bundle.
 */
export const APPLY_COMMAND = [
  "set -e",
  "i=0; until [ -e /var/lib/cloud/instance/boot-finished ]; do i=$((i+1)); [ $i -le 900 ] || { echo 'tenancy: cloud-init did not finish in 30 minutes' >&2; exit 1; }; sleep 2; done",
  "cloud-init status >/dev/null || { echo 'tenancy: the host bootstrap failed:' >&2; cloud-init status --long >&2; exit 1; }",
  "sudo /usr/local/sbin/tenancy-apply -",
].join("\n");
export const HOST_PACKAGES = [
  "postgresql-15",
  "caddy",
  "restic",
  // restic reaches the Storage Box over SFTP with the sub-account's password.
  "sshpass",
  "podman",
  "unattended-upgrades",
  "python3",
];

/**
 * sshd's drop-in. sshd keeps the first value it reads of a keyword and reads the drop-ins in name order
 * before the rest of Debian's sshd_config: named 01-, it wins over any drop-in another package or the
 * image adds (cloud-init writes 50-cloud-init.conf).
 */
export const SSHD_DROP_IN = "/etc/ssh/sshd_config.d/01-tenancy.conf";

export function renderSshdConfig(): string {
  return [
    "# tenancy: keys only, no root, only the deploy user, no forwarding. Rendered at first boot.",
    "AuthenticationMethods publickey",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitEmptyPasswords no",
    "PermitRootLogin no",
    `AllowUsers ${DEPLOY_USER}`,
    // Pulumi and the operators run commands; nothing needs a tunnel or a forwarded agent into a host.
    "AllowTcpForwarding no",
    "AllowAgentForwarding no",
    "AllowStreamLocalForwarding no",
    "X11Forwarding no",
    "PermitTunnel no",
    "PermitUserEnvironment no",
    "MaxAuthTries 3",
    "LoginGraceTime 30",
    "",
  ].join("\n");
}

export interface UserDataInputs {
  /** Public keys of the admins (from the Hetzner SSH keys named in `tenancy:sshKeys`). */
  sshAuthorizedKeys: string[];
  /** The data volume's device, `/dev/disk/by-id/scsi-0HC_Volume_<id>` (hcloud Volume `linuxDevice`). */
  volumeDevice: string;
}

export function renderUserData(host: HostSpec, inputs: UserDataInputs): string {
  const config = {
    hostname: host.server.hetznerName,
    manage_etc_hosts: true,
    disable_root: true,
    ssh_pwauth: false,
    package_update: true,
    package_upgrade: true,
    users: [
      {
        name: DEPLOY_USER,
        gecos: "tenancy deploy (applies host bundles)",
        shell: "/bin/bash",
        lock_passwd: true,
        // The deploy user may run the host tools as root, and nothing else.
        sudo: "ALL=(root) NOPASSWD: /usr/local/sbin/tenancy-apply, /usr/local/sbin/tenancy-restore",
        ssh_authorized_keys: inputs.sshAuthorizedKeys,
      },
    ],
    // The volume is formatted ext4 by Hetzner; mounted by device so a re-created attachment still mounts.
    mounts: [[inputs.volumeDevice, DATA_MOUNT, "ext4", "discard,nofail,defaults", "0", "2"]],
    write_files: [
      {
        path: "/etc/postgresql-common/createcluster.d/50-tenancy.conf",
        content: `# PostgreSQL keeps its data on the volume, never on the server disk.\ndata_directory = '${DATA_MOUNT}/postgresql/%v/%c'\n`,
      },
      { path: SSHD_DROP_IN, content: renderSshdConfig() },
      {
        path: "/etc/apt/apt.conf.d/20auto-upgrades",
        content: 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n',
      },
      // Compressed: Hetzner takes at most 32 KiB of user-data, and the tool alone is more than that.
      {
        path: "/usr/local/sbin/tenancy-apply",
        permissions: "0755",
        encoding: "gz+b64",
        content: gzipSync(hostScript("tenancy-apply"), { level: 9 }).toString("base64"),
      },
    ],
    // One script, stopping at the first failure: cloud-init runs runcmd entries without `set -e`, so a
    // guard in an entry of its own would not stop the next. A failure shows in `cloud-init status`.
    runcmd: [
      [
        "sh",
        "-c",
        [
          "set -eu",
          // Refuse to put PostgreSQL on the server disk: without the volume there is no database.
          `mountpoint -q ${DATA_MOUNT} || { echo "tenancy: ${DATA_MOUNT} is not mounted; not installing PostgreSQL" >&2; exit 1; }`,
          `DEBIAN_FRONTEND=noninteractive apt-get install -y ${HOST_PACKAGES.join(" ")}`,
          "systemctl reload ssh",
          "/usr/local/sbin/tenancy-apply --bootstrap",
        ].join("\n"),
      ],
    ],
  };
  const header = [
    "#cloud-config",
    `# tenancy bootstrap of ${host.name} (${host.tier}). Tenants arrive later through tenancy-apply.`,
  ].join("\n");
  return `${header}\n${stringify(config, { lineWidth: 0 })}`;
}
