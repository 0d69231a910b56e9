/**
 * systemd units: the app container (one per host, resource-limited), the backup timers, and the alert that
 * a failed timer job sends (OnFailure= starts tenancy-notify@<the unit>.service).
 */
import { maintenanceSchedule, parseMaintenanceWindow } from "../plans";
import { APP_DIR, APP_USER, REGISTRY_FILE } from "./registry";
import { TENANT_HEADER } from "./caddyfile";
import type { HostSpec } from "./spec";

export const UNIT_DIR = "/etc/systemd/system";
export const APP_UNIT = "tenancy-app.service";
export const APP_CONTAINER = "tenancy-app";
/** Started by systemd when a timer job fails: sends the failed unit's journal tail to the operators. */
export const NOTIFY_UNIT = "tenancy-notify@.service";
/** Where the data volume is mounted (cloud-init.ts's DATA_MOUNT; not imported: cloud-init.ts imports the bundle). */
const DATA_MOUNT = "/mnt/data";
/** Share of the server's memory and CPU the app may use; PostgreSQL and Caddy need the rest. */
const APP_MEMORY_SHARE = 0.5;
const APP_CPU_SHARE = 0.8;

export function renderUnits(host: HostSpec): Record<string, string> {
  const memoryMb = Math.floor(host.memoryGb * 1024 * APP_MEMORY_SHARE);
  const cpuPercent = Math.round(host.vcpus * 100 * APP_CPU_SHARE);
  const app = [
    "# tenancy: rendered; do not edit on the host.",
    "[Unit]",
    `Description=tenancy app for every tenant on ${host.name}`,
    "Wants=network-online.target postgresql.service",
    "After=network-online.target postgresql.service",
    "",
    "[Service]",
    // podman is looked up on systemd's search path, which puts /usr/local/bin first.
    `ExecStartPre=-podman rm --force --ignore ${APP_CONTAINER}`,
    // Root's podman runs the container, whose process is the app user's uid and gid (no user namespace,
    // so the host's file modes apply as they read) without capabilities. It sees APP_DIR and nothing else
    // of /etc/tenancy. The shell looks the ids up ($$ is systemd's escape for a literal $).
    `ExecStart=/bin/sh -c '${[
      "exec podman run --rm --name",
      APP_CONTAINER,
      "--network host",
      `--memory ${memoryMb}m`,
      `--cpus ${(cpuPercent / 100).toFixed(2)}`,
      `--user "$$(id -u ${APP_USER}):$$(id -g ${APP_USER})"`,
      "--cap-drop all",
      "--security-opt no-new-privileges",
      `--volume ${APP_DIR}:${APP_DIR}:ro`,
      `--env TENANCY_REGISTRY=${REGISTRY_FILE}`,
      `--env TENANCY_TENANT_HEADER=${TENANT_HEADER}`,
      `--env PORT=${host.app.port}`,
      host.app.image,
    ].join(" ")}'`,
    `ExecStop=podman stop --time 20 ${APP_CONTAINER}`,
    "Restart=on-failure",
    "RestartSec=5",
    `MemoryMax=${memoryMb + 256}M`,
    `CPUQuota=${cpuPercent}%`,
    "TasksMax=4096",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ];
  const oneshot = (description: string, exec: string) =>
    [
      "# tenancy: rendered; do not edit on the host.",
      "[Unit]",
      `Description=${description}`,
      "Wants=postgresql.service",
      "After=postgresql.service network-online.target",
      `OnFailure=${NOTIFY_UNIT.replace("@", "@%n")}`,
      "",
      "[Service]",
      "Type=oneshot",
      `ExecStart=${exec}`,
      "Nice=10",
      "IOSchedulingClass=idle",
      "",
    ].join("\n");
  const timer = (description: string, calendar: string, delay: string) =>
    [
      "# tenancy: rendered; do not edit on the host.",
      "[Unit]",
      `Description=${description}`,
      "",
      "[Timer]",
      `OnCalendar=${calendar}`,
      `RandomizedDelaySec=${delay}`,
      "Persistent=true",
      "",
      "[Install]",
      "WantedBy=timers.target",
      "",
    ].join("\n");
  return {
    [`${UNIT_DIR}/${APP_UNIT}`]: app.join("\n"),
    ...renderMaintenanceUnits(host),
    [`${UNIT_DIR}/tenancy-backup.service`]: oneshot(
      "tenancy nightly backup of every tenant database",
      "/usr/local/sbin/tenancy-backup",
    ),
    [`${UNIT_DIR}/tenancy-backup.timer`]: timer("tenancy nightly backup", "*-*-* 02:00:00", "45min"),
    [`${UNIT_DIR}/tenancy-backup-check.service`]: oneshot(
      "tenancy weekly check of the backup repository",
      "/usr/local/sbin/tenancy-backup --check",
    ),
    [`${UNIT_DIR}/tenancy-backup-check.timer`]: timer(
      "tenancy weekly backup check",
      "Sun *-*-* 04:30:00",
      "1h",
    ),
    // After the nightly window: a tenant whose last good backup is older than 26 hours is notified.
    [`${UNIT_DIR}/tenancy-backup-age.service`]: oneshot(
      "tenancy daily check for missed backups",
      "/usr/local/sbin/tenancy-backup-status check",
    ),
    [`${UNIT_DIR}/tenancy-backup-age.timer`]: timer(
      "tenancy daily check for missed backups",
      "*-*-* 08:00:00",
      "30min",
    ),
    [`${UNIT_DIR}/${NOTIFY_UNIT}`]: [
      "# tenancy: rendered; do not edit on the host.",
      "[Unit]",
      "Description=tenancy alert: %i failed",
      "After=network-online.target",
      "",
      "[Service]",
      "Type=oneshot",
      "ExecStart=/usr/local/sbin/tenancy-notify --unit %i",
      "",
    ].join("\n"),
  };
}

/**
 * Updates and reboots in the host's maintenance window (infra/plans/maintenance.ts), and services that
 * come back by themselves after a reboot:
 * - Debian's apt-daily-upgrade.timer runs unattended-upgrades (security updates only: bundle.ts's apt
 *   configuration); a drop-in moves it from Debian's 06:00 to the window's start, every day.
 * - tenancy-reboot.timer, on the window's days, reboots when an update asked for it
 *   (/run/reboot-required), after any running backup or host tool (files/tenancy-reboot).
 * - PostgreSQL waits for the data volume's mount, so that after a reboot it never starts on the server
 *   disk's empty mount point; the app is ordered after PostgreSQL, and Caddy is enabled by its package.
 */
function renderMaintenanceUnits(host: HostSpec): Record<string, string> {
  const window = parseMaintenanceWindow(host.server.maintenanceWindow);
  if (typeof window === "string") throw new Error(`host ${host.name}: ${window}`);
  const schedule = maintenanceSchedule(window);
  const rendered = `# tenancy: rendered; do not edit on the host. The maintenance window: ${host.server.maintenanceWindow} (UTC).`;
  return {
    [`${UNIT_DIR}/apt-daily-upgrade.timer.d/tenancy.conf`]: [
      rendered,
      "[Timer]",
      // An empty assignment first: a drop-in adds to a list setting, and Debian's 06:00 must go.
      "OnCalendar=",
      `OnCalendar=${schedule.updatesCalendar}`,
      `RandomizedDelaySec=${schedule.updatesSpreadMinutes}min`,
      "",
    ].join("\n"),
    [`${UNIT_DIR}/tenancy-reboot.service`]: [
      rendered,
      "[Unit]",
      "Description=tenancy reboot, when an update asked for one, in the maintenance window",
      "After=apt-daily-upgrade.service",
      `OnFailure=${NOTIFY_UNIT.replace("@", "@%n")}`,
      "",
      "[Service]",
      "Type=oneshot",
      `ExecStart=/usr/local/sbin/tenancy-reboot --until ${schedule.rebootUntil}`,
      "",
    ].join("\n"),
    [`${UNIT_DIR}/tenancy-reboot.timer`]: [
      rendered,
      "[Unit]",
      "Description=tenancy reboot check in the maintenance window",
      "",
      "[Timer]",
      `OnCalendar=${schedule.rebootCalendar}`,
      `RandomizedDelaySec=${schedule.rebootSpreadMinutes}min`,
      // Not Persistent: a window missed while the host was off is not made up outside the window.
      "Persistent=false",
      "",
      "[Install]",
      "WantedBy=timers.target",
      "",
    ].join("\n"),
    [`${UNIT_DIR}/postgresql@.service.d/tenancy.conf`]: [
      "# tenancy: rendered; do not edit on the host. The clusters' data is on the volume: wait for its mount.",
      "[Unit]",
      `RequiresMountsFor=${DATA_MOUNT}`,
      "",
    ].join("\n"),
  };
}
