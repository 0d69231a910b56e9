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
/** Written by `tenancy-apply --bootstrap` when it is done: a bootstrap finished by hand has it too. */
export const BOOTSTRAPPED_FILE = "/etc/tenancy/bootstrapped";

/**
 * The bootstrap's failure report: its message and the last lines of cloud-init's log, which the deploy user
 * cannot read (root:adm 0640) and which holds no secret (user-data has none, and the host none before its
 * first bundle). Removed by the bootstrap's next successful run.
 */
export const BOOTSTRAP_FAILURE_FILE = "/var/log/tenancy-bootstrap-failure.log";
export const CLOUD_INIT_LOG = "/var/log/cloud-init-output.log";
const FAILURE_TAIL_LINES = 40;

/**
 * What Pulumi runs over SSH as the deploy user, with the bundle on stdin. It waits for cloud-init's last
 * stage to end (`cloud-init status --wait` alone returns early when any module failed), stops if the
 * bootstrap failed (unless an operator finished it since: BOOTSTRAPPED_FILE), then applies the bundle.
 * Stopping, it prints the bootstrap's failure report (or, without one, cloud-init's): a first boot fails
 * before the host has the alert webhook, so the failed `pulumi up` is how the failure is heard, and its
 * output carries the host, the cause and the log tail to the deploy's own alert.
 */
export const APPLY_COMMAND = [
  "set -e",
  "i=0; until [ -e /var/lib/cloud/instance/boot-finished ]; do i=$((i+1)); [ $i -le 900 ] || { echo 'tenancy: cloud-init did not finish in 30 minutes' >&2; exit 1; }; sleep 2; done",
  `[ -e ${BOOTSTRAPPED_FILE} ] || cloud-init status >/dev/null || { echo "tenancy: the host bootstrap failed on $(hostname):" >&2; cat ${BOOTSTRAP_FAILURE_FILE} >&2 2>/dev/null || cloud-init status --long >&2; exit 1; }`,
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
  // tenancy-notify posts the alerts with it; Hetzner's image has it today, and nothing promises that.
  "curl",
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
  /** How long the bootstrap waits for the volume before it fails (default VOLUME_WAIT_SECONDS; tests). */
  volumeWaitSeconds?: number;
}

/** Hetzner attaches a new server's volume within seconds as a rule; minutes have been seen. */
export const VOLUME_WAIT_SECONDS = 300;
export const NOTIFY_TOOL = "/usr/local/sbin/tenancy-notify";
export const BOOTSTRAP_SCRIPT = "/usr/local/sbin/tenancy-bootstrap";
/** Hetzner's limit on a server's user-data. */
export const USER_DATA_MAX_BYTES = 32 * 1024;

/**
 * The first boot, as a file of its own so that an operator can run it again (as root, through the deploy
 * user's sudo) once the cause of a failure is fixed. A failure says so on the console (cloud-init's
 * output goes there), in BOOTSTRAP_FAILURE_FILE for the deploy's apply command to print, and, when the
 * host has it, through tenancy-notify.
 */
function renderBootstrapScript(host: HostSpec, inputs: UserDataInputs): string {
  return [
    "#!/bin/sh",
    `# tenancy: the first boot of ${host.name}, from its user-data. Safe to run again, as root, once the`,
    "# cause of a failure is fixed: docs/runbooks.md, A host whose bootstrap failed.",
    "set -eu",
    "bootstrap_failed() {",
    `  if [ "$1" -eq 0 ]; then rm -f ${BOOTSTRAP_FAILURE_FILE}; return 0; fi`,
    `  message="tenancy: the bootstrap of ${host.name} failed (exit $1); see ${CLOUD_INIT_LOG}, and docs/runbooks.md (A host whose bootstrap failed)"`,
    '  echo "$message" >&2',
    // cloud-init's tee writes what this script printed into its log a moment later.
    "  sleep 1",
    `  { echo "$message"; echo "--- the last ${FAILURE_TAIL_LINES} lines of ${CLOUD_INIT_LOG}"; tail -n ${FAILURE_TAIL_LINES} ${CLOUD_INIT_LOG} 2>&1; } >${BOOTSTRAP_FAILURE_FILE} || true`,
    `  chmod 0644 ${BOOTSTRAP_FAILURE_FILE} || true`,
    `  if [ -x ${NOTIFY_TOOL} ]; then ${NOTIFY_TOOL} --event bootstrap-failed --status "$message" --log ${CLOUD_INIT_LOG} || true; fi`,
    "}",
    "trap 'bootstrap_failed $?' EXIT",
    // Refuse to put PostgreSQL on the server disk: without the volume there is no database. The volume is
    // attached after the server is created, so wait for it, a bounded time.
    `/usr/local/sbin/tenancy-apply --wait-for-volume ${inputs.volumeDevice} ${inputs.volumeWaitSeconds ?? VOLUME_WAIT_SECONDS}`,
    `DEBIAN_FRONTEND=noninteractive apt-get install -y ${HOST_PACKAGES.join(" ")}`,
    "systemctl reload ssh",
    "/usr/local/sbin/tenancy-apply --bootstrap",
    "",
  ].join("\n");
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
        // The deploy user may run the host tools as root, and nothing else; the bootstrap script too, which
        // is how an operator finishes a failed first boot (docs/runbooks.md).
        sudo: `ALL=(root) NOPASSWD: /usr/local/sbin/tenancy-apply, /usr/local/sbin/tenancy-restore, ${BOOTSTRAP_SCRIPT}`,
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
      // Compressed: Hetzner takes at most 32 KiB of user-data, and the apply tool alone is about that.
      {
        path: "/usr/local/sbin/tenancy-apply",
        permissions: "0755",
        encoding: "gz+b64",
        content: gzipSync(hostScript("tenancy-apply"), { level: 9 }).toString("base64"),
      },
      { path: BOOTSTRAP_SCRIPT, permissions: "0755", content: renderBootstrapScript(host, inputs) },
    ],
    // One script, stopping at the first failure: cloud-init runs runcmd entries without `set -e`, so a
    // guard in an entry of its own would not stop the next. A failure shows in `cloud-init status`.
    runcmd: [[BOOTSTRAP_SCRIPT]],
  };
  const header = [
    "#cloud-config",
    `# tenancy bootstrap of ${host.name} (${host.tier}). Tenants arrive later through tenancy-apply.`,
  ].join("\n");
  return `${header}\n${stringify(config, { lineWidth: 0 })}`;
}
