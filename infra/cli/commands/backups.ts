/**
 * `tenancy backups`: every host's record of its tenants' last backups (tenancy-backup-status show, over the
 * deploy's SSH channel), as a table of backup ages. A tenant whose last good backup is older than 26 hours
 * (the host's own alert threshold), whose last backup failed, or that was never backed up is flagged, as
 * is a host that cannot be read: then the exit code is EXIT.backupsOverdue.
 */
import { z } from "zod";
import { expand } from "../../expand";
import { hostSpecs } from "../../host/spec";
import { loadManifest } from "../../manifest";
import { EXIT } from "../errors";
import { parseAddresses, resolveHost, runOnHost } from "../hosts";
import { printJson, table } from "../output";

/** As tenancy-backup-status's OVERDUE_HOURS: a day, and the nightly timer's window. */
export const OVERDUE_HOURS = 26;

const HostStatus = z.object({
  now: z.string(),
  tenants: z.array(
    z.object({
      tenant: z.string(),
      lastSuccess: z.object({ at: z.string(), snapshot: z.string(), bytes: z.number() }).nullable(),
      lastFailure: z.object({ at: z.string(), message: z.string() }).nullable(),
    }),
  ),
});
type TenantStatus = z.infer<typeof HostStatus>["tenants"][number];

type State = "ok" | "overdue" | "failing" | "never";

interface Row extends TenantStatus {
  host: string;
  /** Hours since the last good backup, by the host's clock; null when there was none. */
  ageHours: number | null;
  state: State;
}

function stateOf(status: TenantStatus, now: number): Pick<Row, "ageHours" | "state"> {
  const success = status.lastSuccess;
  const ageHours = success ? (now - Date.parse(success.at)) / 3_600_000 : null;
  const failing =
    status.lastFailure !== null &&
    (success === null || Date.parse(status.lastFailure.at) > Date.parse(success.at));
  if (failing) return { ageHours, state: "failing" };
  if (ageHours === null) return { ageHours, state: "never" };
  return { ageHours, state: ageHours > OVERDUE_HOURS ? "overdue" : "ok" };
}

function age(hours: number | null): string {
  if (hours === null) return "never";
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} d`;
}

function size(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export async function backupsCommand(options: {
  file: string;
  json: boolean;
  address?: string[];
}): Promise<number> {
  const model = expand(loadManifest(options.file));
  const given = parseAddresses(options.address);
  const hosts = hostSpecs(model).filter((host) => host.holdsData);
  const results = await Promise.all(
    hosts.map(async (spec) => {
      const host = resolveHost(spec.name, spec.tier, given);
      const run = await runOnHost(host, "tenancy-backup-status", ["show"]);
      if (run.code !== 0)
        return { host: spec.name, error: `tenancy-backup-status show failed (exit ${run.code})` };
      let parsed;
      try {
        parsed = HostStatus.parse(JSON.parse(run.stdout));
      } catch {
        return { host: spec.name, error: "tenancy-backup-status show printed no backup status" };
      }
      const now = Date.parse(parsed.now);
      return {
        host: spec.name,
        rows: parsed.tenants.map((status): Row => ({ host: spec.name, ...status, ...stateOf(status, now) })),
      };
    }),
  );
  const rows = results.flatMap((result) => result.rows ?? []);
  const unreadable = results.flatMap((result) =>
    result.error ? [{ host: result.host, error: result.error }] : [],
  );
  const flagged = rows.filter((row) => row.state !== "ok");
  const ok = flagged.length === 0 && unreadable.length === 0;

  if (options.json) {
    printJson({ ok, overdueHours: OVERDUE_HOURS, tenants: rows, unreadableHosts: unreadable });
  } else {
    const lines = [
      ["HOST", "TENANT", "LAST BACKUP", "AGE", "SIZE", "SNAPSHOT", "STATE"],
      ...rows.map((row) => [
        row.host,
        row.tenant,
        row.lastSuccess?.at ?? "-",
        age(row.ageHours),
        row.lastSuccess ? size(row.lastSuccess.bytes) : "-",
        row.lastSuccess?.snapshot.slice(0, 8) ?? "-",
        row.state === "ok" ? "ok" : row.state.toUpperCase(),
      ]),
    ];
    process.stdout.write(`${table(lines)}\n`);
    for (const row of flagged) {
      const why =
        row.state === "failing"
          ? `its last backup failed at ${row.lastFailure!.at}: ${row.lastFailure!.message.split("\n").pop()}`
          : row.state === "never"
            ? "it was never backed up on this host"
            : `its last good backup is older than ${OVERDUE_HOURS} hours`;
      process.stdout.write(`${row.tenant} on ${row.host}: ${why}\n`);
    }
    for (const host of unreadable)
      process.stdout.write(`${host.host}: cannot read its backup status: ${host.error} (above)\n`);
    if (!ok) process.stdout.write('See docs/runbooks.md, "A backup failed or is overdue".\n');
  }
  return ok ? EXIT.ok : EXIT.backupsOverdue;
}
