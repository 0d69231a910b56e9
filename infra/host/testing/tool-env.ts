/**
 * The environment that points the backup scripts at the repository's copies of the host's own status and
 * alert tools (notify.test.ts tests those), with the status kept under the test's work directory and no
 * webhook, so that nothing is sent.
 */
import path from "node:path";

export function statusAndAlertEnv(files: string, work: string): Record<string, string> {
  return {
    TENANCY_BACKUP_STATUS: path.join(files, "tenancy-backup-status"),
    TENANCY_BACKUP_STATUS_DIR: path.join(work, "backups"),
    TENANCY_NOTIFY: path.join(files, "tenancy-notify"),
    TENANCY_ALERT_CONFIG: path.join(work, "no-alert-webhook.conf"),
  };
}

/**
 * The environment of a backup or restore script run by a test: the test's PostgreSQL cluster (`pgEnv`,
 * whose tools run as this process: no runuser), its TENANCY_ETC and staging under `work`, the host
 * library next to the scripts in the repository, and the status and alert tools above.
 */
export function backupScriptEnv(
  files: string,
  work: string,
  etc: string,
  pgEnv: Record<string, string>,
  host: string,
): Record<string, string> {
  return {
    ...pgEnv,
    TENANCY_ETC: etc,
    TENANCY_LIB: files,
    TENANCY_BACKUP_STAGING: path.join(work, "staging"),
    TENANCY_HOSTNAME: host,
    TENANCY_PG_AS: "",
    ...statusAndAlertEnv(files, work),
  };
}
