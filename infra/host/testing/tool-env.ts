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
