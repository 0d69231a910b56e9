/**
 * The HostBundle: every file a host needs after first boot, the tenant SQL, and what each file affects.
 * `tenancy-apply` on the host installs it (see files/tenancy-apply); the components ship it over SSH and
 * re-run the apply when `bundleHash` changes.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { renderCaddyfile, TLS_CERT_FILE, TLS_KEY_FILE } from "./caddyfile";
import {
  APP_USER,
  BACKUP_LIST_FILE,
  REGISTRY_FILE,
  renderBackupList,
  renderRegistry,
  renderTenantEnv,
  TENANT_ENV_DIR,
} from "./registry";
import type { HostSecrets } from "./secrets";
import { renderSftpEnv, renderSftpKnownHosts, SFTP_KNOWN_HOSTS_FILE } from "./sftp";
import type { HostSpec } from "./spec";
import { renderTenantSql } from "./sql";
import { APP_UNIT, renderUnits, UNIT_DIR } from "./units";

/** What a changed file sets in motion on the host. */
export type Effect = "caddy" | "app" | "systemd" | "postgres";

export interface BundleFile {
  path: string;
  /** Octal, as a string: "0644". */
  mode: string;
  owner: string;
  group: string;
  content: string;
  affects: Effect[];
}

export interface HostBundle {
  format: 1;
  host: string;
  files: BundleFile[];
  /** Directories whose files the bundle owns: a file there that the bundle lacks is removed. */
  managedDirs: string[];
  sql: string;
  /**
   * The data volume's size in GB, as Pulumi asks Hetzner for it. tenancy-apply grows the filesystem to its
   * device whenever the device is larger, and fails the apply (exit 3) while the device is still smaller
   * than this. Being in the bundle, a resized volume changes the bundle's hash: that re-runs the apply.
   */
  volumeGb: number;
}

export const RESTIC_ENV_FILE = "/etc/tenancy/restic.env";
/**
 * The alert webhook (tenancy:alertWebhookUrl), read by tenancy-notify. Root's alone, and outside
 * /etc/tenancy, which the app container mounts.
 */
export const ALERT_CONFIG_FILE = "/etc/tenancy-alert.conf";
export const POSTGRES_CONF_FILE = "/etc/postgresql/15/main/conf.d/tenancy.conf";
/** Read by unattended-upgrades after Debian's 50unattended-upgrades, whose settings it replaces. */
export const UNATTENDED_UPGRADES_FILE = "/etc/apt/apt.conf.d/52tenancy-unattended-upgrades";
export const HOST_SCRIPTS = [
  "tenancy-apply",
  "tenancy-backup",
  "tenancy-restore",
  "tenancy-migrate",
  "tenancy-purge",
  "tenancy-notify",
  "tenancy-backup-status",
  "tenancy-reboot",
] as const;
/**
 * What the deploy user may run as root. cloud-init's own sudo line (tenancy-apply and tenancy-restore)
 * stays as the bootstrap wrote it: existing hosts never re-run cloud-init, so this drop-in, shipped with
 * every bundle, is how a host learns of a new tool. tenancy-apply checks it with `visudo -cf` first.
 */
export const SUDOERS_FILE = "/etc/sudoers.d/tenancy";
/** cloud-init.ts's DEPLOY_USER (not imported: cloud-init.ts imports this module). */
const SUDO_USER = "deploy";
export const SUDO_COMMANDS = [
  ...["tenancy-apply", "tenancy-restore", "tenancy-migrate", "tenancy-purge"].map(
    (name) => `/usr/local/sbin/${name}`,
  ),
  // Reading the backup status only (`tenancy backups`): with its argument, sudo allows nothing else.
  "/usr/local/sbin/tenancy-backup-status show",
];

export function renderSudoers(): string {
  return [
    "# tenancy: the deploy user may run the host tools as root, and nothing else. Rendered; do not edit on the host.",
    `${SUDO_USER} ALL=(root) NOPASSWD: ${SUDO_COMMANDS.join(", ")}`,
    "",
  ].join("\n");
}

/** Sourced by the backup and restore scripts. */
export const HOST_LIBRARY = "/usr/local/lib/tenancy/tenancy-common.sh";

/** The scripts installed on every host, read from infra/host/files. */
export function hostScript(name: (typeof HOST_SCRIPTS)[number] | "tenancy-common.sh"): string {
  return readFileSync(path.join(__dirname, "files", name), "utf8");
}

export function renderBundle(host: HostSpec, secrets: HostSecrets): HostBundle {
  const file = (
    p: string,
    content: string,
    affects: Effect[],
    mode = "0644",
    group = "root",
  ): BundleFile => ({
    path: p,
    mode,
    owner: "root",
    group,
    content,
    affects,
  });
  const files: BundleFile[] = [
    file("/etc/caddy/Caddyfile", renderCaddyfile(host), ["caddy"]),
    file(TLS_CERT_FILE, ensureNewline(secrets.originCertificate), ["caddy"]),
    file(TLS_KEY_FILE, ensureNewline(secrets.originKey), ["caddy"], "0640", "caddy"),
    // The app's files: readable by the app's group, and by no other user but root.
    file(REGISTRY_FILE, `${JSON.stringify(renderRegistry(host), null, 2)}\n`, ["app"], "0640", APP_USER),
    ...Object.entries(renderTenantEnv(host, secrets)).map(([p, content]) =>
      file(p, content, ["app"], "0640", APP_USER),
    ),
    // Root's alone, like the rest of the backup configuration: the app reads only its own files.
    file(BACKUP_LIST_FILE, renderBackupList(host), [], "0600"),
    file(RESTIC_ENV_FILE, renderResticEnv(secrets), [], "0600"),
    file(ALERT_CONFIG_FILE, renderAlertConfig(secrets), [], "0600"),
    ...(secrets.backupSftp === undefined
      ? []
      : [file(SFTP_KNOWN_HOSTS_FILE, renderSftpKnownHosts(secrets.backupSftp), [], "0600")]),
    file(POSTGRES_CONF_FILE, renderPostgresConf(host), ["postgres"]),
    file(UNATTENDED_UPGRADES_FILE, renderUnattendedUpgrades(), []),
    ...Object.entries(renderUnits(host)).map(([p, content]) =>
      file(p, content, p === `${UNIT_DIR}/${APP_UNIT}` ? ["systemd", "app"] : ["systemd"]),
    ),
    ...HOST_SCRIPTS.map((name) => file(`/usr/local/sbin/${name}`, hostScript(name), [], "0755")),
    file(HOST_LIBRARY, hostScript("tenancy-common.sh"), []),
    file(SUDOERS_FILE, renderSudoers(), [], "0440"),
  ];
  return {
    format: 1,
    host: host.name,
    files,
    managedDirs: [TENANT_ENV_DIR],
    sql: renderTenantSql(host, secrets),
    volumeGb: host.server.volumeGb,
  };
}

function renderResticEnv(secrets: HostSecrets): string {
  return [
    `RESTIC_REPOSITORY=${secrets.resticRepository}`,
    `RESTIC_PASSWORD=${secrets.resticPassword}`,
    ...(secrets.resticOldPassword === undefined
      ? []
      : [`TENANCY_RESTIC_OLD_PASSWORD=${secrets.resticOldPassword}`]),
    ...(secrets.backupSftp === undefined ? [] : renderSftpEnv(secrets.backupSftp)),
    ...renderS3Env(secrets),
    "RESTIC_CACHE_DIR=/var/cache/tenancy/restic",
    "",
  ].join("\n");
}

function renderAlertConfig(secrets: HostSecrets): string {
  if (secrets.alertWebhookUrl === undefined)
    return "# tenancy: no alert webhook (tenancy:alertWebhookUrl); tenancy-notify only logs.\n";
  return `TENANCY_ALERT_WEBHOOK_URL=${secrets.alertWebhookUrl}\n`;
}

/** The S3 access key of a repository in a bucket (a region without Storage Boxes); none otherwise. */
function renderS3Env(secrets: HostSecrets): string[] {
  if (secrets.backupS3 === undefined) return [];
  return [
    `AWS_ACCESS_KEY_ID=${secrets.backupS3.accessKeyId}`,
    `AWS_SECRET_ACCESS_KEY=${secrets.backupS3.secretAccessKey}`,
  ];
}

/**
 * Security updates only, and never a reboot of unattended-upgrades' own: tenancy-reboot.timer reboots in
 * the maintenance window (units.ts). apt adds to a list setting: `#clear` drops Debian's origins first,
 * which also take the stable point releases.
 */
function renderUnattendedUpgrades(): string {
  return [
    "// tenancy: rendered; do not edit on the host. Security updates only; tenancy-reboot.timer reboots.",
    "#clear Unattended-Upgrade::Origins-Pattern;",
    "Unattended-Upgrade::Origins-Pattern {",
    '        "origin=Debian,codename=${distro_codename},label=Debian-Security";',
    '        "origin=Debian,codename=${distro_codename}-security,label=Debian-Security";',
    "};",
    'Unattended-Upgrade::Automatic-Reboot "false";',
    'Unattended-Upgrade::Remove-Unused-Kernel-Packages "true";',
    'Unattended-Upgrade::SyslogEnable "true";',
    "",
  ].join("\n");
}

/** Sized by the server, not by the tenant list, so that adding a tenant never restarts PostgreSQL. */
function renderPostgresConf(host: HostSpec): string {
  return [
    `# tenancy: PostgreSQL settings for ${host.name}. Rendered; do not edit on the host.`,
    "listen_addresses = 'localhost'",
    "password_encryption = 'scram-sha-256'",
    `max_connections = ${Math.max(100, host.memoryGb * 25)}`,
    `shared_buffers = ${Math.max(128, Math.floor(host.memoryGb * 1024 * 0.2))}MB`,
    "",
  ].join("\n");
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** Stable over renders of the same inputs: the trigger that re-runs the apply on the host. */
export function bundleHash(bundle: HostBundle): string {
  return createHash("sha256").update(JSON.stringify(bundle)).digest("hex");
}
