/**
 * `tenancy backups` end to end: one sshd on loopback answers as the fleet's one shared host, its forced
 * command running the host's own tenancy-backup-status as the deploy user's sudo rules would; the host's
 * status files say one tenant was backed up an hour ago and the other 30 hours ago.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expand } from "../../expand";
import { renderBackupList } from "../../host/registry";
import { hostSpec } from "../../host/spec";
import { startSshd, type Sshd } from "../../host/testing/sshd";
import { loadManifest } from "../../manifest";
import { manifestText, REPO_ROOT } from "../../testing/fixtures";
import { EXIT } from "../errors";

jest.setTimeout(60_000);

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const BIN = path.join(REPO_ROOT, "infra", "cli", "bin.js");
const HOST = "shared-fsn1-a";

let work: string;
let manifest: string;
let sshd: Sshd;

function tenancy(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [BIN, ...args, "-f", manifest, "--address", `${HOST}=127.0.0.1`],
    {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, TENANCY_SSH_OPTIONS: sshd.options.join(" "), TENANCY_SSH_USER: sshd.user },
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function backedUp(tenant: string, hoursAgo: number, failedHoursAgo?: number) {
  const at = (hours: number) =>
    new Date(Date.now() - hours * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
  writeFileSync(
    path.join(work, "backups", `${tenant}.json`),
    JSON.stringify({
      tenant,
      lastSuccess: { at: at(hoursAgo), snapshot: "9f3c2a1be0d4", bytes: 2_400_000 },
      lastFailure:
        failedHoursAgo === undefined
          ? null
          : { at: at(failedHoursAgo), message: 'pg_dump: error: database "t_x" does not exist' },
    }),
  );
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "tenancy-backups-cli-"));
  manifest = path.join(work, "tenants.yaml");
  writeFileSync(
    manifest,
    manifestText(
      [
        { id: "fresh", plan: "hobby", host: HOST },
        { id: "stale", plan: "hobby", host: HOST },
      ],
      [{ name: HOST, location: "fsn1", serverType: "cx53" }],
    ),
  );
  mkdirSync(path.join(work, "etc"));
  mkdirSync(path.join(work, "backups"));
  writeFileSync(
    path.join(work, "etc", "tenants.tsv"),
    renderBackupList(hostSpec(expand(loadManifest(manifest)), HOST)!),
  );
  const wrapper = path.join(work, "as-host");
  writeFileSync(
    wrapper,
    [
      "#!/bin/bash",
      "# As the host's sudo rules allow: only `sudo -n /usr/local/sbin/tenancy-backup-status show`.",
      "set -euo pipefail",
      '[[ $SSH_ORIGINAL_COMMAND == "sudo -n /usr/local/sbin/tenancy-backup-status show" ]] || { echo "refused: $SSH_ORIGINAL_COMMAND" >&2; exit 126; }',
      `export TENANCY_ETC='${work}/etc' TENANCY_BACKUP_STATUS_DIR='${work}/backups'`,
      `exec '${FILES}/tenancy-backup-status' show`,
      "",
    ].join("\n"),
  );
  chmodSync(wrapper, 0o755);
  sshd = await startSshd(work, { addresses: ["127.0.0.1"], forceCommand: wrapper });
});

afterAll(() => {
  sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("flags the tenant whose last backup is older than 26 hours, and exits 6", () => {
  backedUp("fresh", 1);
  backedUp("stale", 30);
  const { code, stdout } = tenancy("backups");
  expect(code).toBe(EXIT.backupsOverdue);
  expect(stdout).toMatch(/^shared-fsn1-a +fresh +\S+Z +1\.0 h +2\.4 MB +9f3c2a1b +ok$/m);
  expect(stdout).toMatch(/^shared-fsn1-a +stale +\S+Z +30\.0 h +2\.4 MB +9f3c2a1b +OVERDUE$/m);
  expect(stdout).toContain("stale on shared-fsn1-a: its last good backup is older than 26 hours");
  expect(stdout).not.toContain("fresh on shared-fsn1-a:");
});

test("--json gives each tenant's state and age", () => {
  backedUp("fresh", 1);
  backedUp("stale", 30);
  const { code, stdout } = tenancy("backups", "--json");
  expect(code).toBe(EXIT.backupsOverdue);
  const report = JSON.parse(stdout) as {
    ok: boolean;
    tenants: { host: string; tenant: string; state: string; ageHours: number }[];
  };
  expect(report.ok).toBe(false);
  expect(report.tenants.map((t) => [t.host, t.tenant, t.state, Math.round(t.ageHours)])).toEqual([
    [HOST, "fresh", "ok", 1],
    [HOST, "stale", "overdue", 30],
  ]);
});

test("a failing tenant is flagged even while its last good backup is recent", () => {
  backedUp("fresh", 1);
  backedUp("stale", 2, 0.5);
  const { code, stdout } = tenancy("backups");
  expect(code).toBe(EXIT.backupsOverdue);
  expect(stdout).toMatch(/^shared-fsn1-a +stale .* FAILING$/m);
  expect(stdout).toMatch(
    /stale on shared-fsn1-a: its last backup failed at \S+: pg_dump: error: database "t_x" does not exist/,
  );
});

test("exits 0 when every tenant was backed up within 26 hours", () => {
  backedUp("fresh", 1);
  backedUp("stale", 25);
  const { code, stdout, stderr } = tenancy("backups");
  expect({ code, stderr }).toEqual({ code: EXIT.ok, stderr: "" });
  expect(stdout).not.toMatch(/OVERDUE|FAILING|NEVER/);
});

test("a host whose status cannot be read is flagged", () => {
  rmSync(path.join(work, "etc", "tenants.tsv"));
  const { code, stdout } = tenancy("backups");
  expect(code).toBe(EXIT.backupsOverdue);
  expect(stdout).toContain(
    "shared-fsn1-a: cannot read its backup status: tenancy-backup-status show failed (exit 1)",
  );
});
