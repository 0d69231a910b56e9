/**
 * `tenancy purge` and `tenancy restore`: the explicit steps that delete a tenant's data, or bring back
 * an earlier copy of it, run on its host over the deploy's SSH channel (docs/runbooks.md).
 */
import { expand, tenantsOf, type TenantModel } from "../../expand";
import { editTenant, loadManifest } from "../../manifest";
import { HostRefusal, UsageError } from "../errors";
import { parseAddresses, resolveHost, runOnHost } from "../hosts";
import { printJson, replaceFile } from "../output";

interface HostOptions {
  file: string;
  json: boolean;
  address?: string[];
}

/**
 * `tenancy purge TENANT --confirm TENANT [--moved-copy]`: deletes a decommissioned tenant's data (or the
 * copy a moved tenant left behind) on its host, once the host agrees (final backup verified, retention
 * over), then writes `status: purged` (or `movedFrom.purged`) into tenants.yaml for review.
 */
export async function purgeCommand(
  id: string,
  options: HostOptions & { confirm?: string; movedCopy: boolean },
): Promise<number> {
  if (options.confirm !== id)
    throw new UsageError(`purging deletes ${id}'s data for good: confirm with --confirm ${id}`);
  const loaded = loadManifest(options.file);
  const tenant = tenantsOf(expand(loaded)).find((t) => t.id === id);
  if (!tenant) throw new UsageError(`no tenant "${id}" in ${options.file}`);
  refuseContainerized(tenant, "purge", "Purging a tenant");
  let host;
  if (options.movedCopy) {
    const copy = tenant.movedFrom;
    if (!copy) throw new UsageError(`tenant ${id} keeps no copy from a move (no movedFrom)`);
    if (copy.purged) throw new UsageError(`tenant ${id}'s kept copy was purged on ${copy.purged}`);
    host = resolveHost(copy.tier === "shared" ? copy.host! : id, copy.tier, parseAddresses(options.address));
  } else {
    if (tenant.status !== "decommissioned") {
      throw new UsageError(
        `tenant ${id} is ${tenant.status}: set status: decommissioned and deploy it (final backup, login locked, DNS removed) before purging`,
      );
    }
    host = resolveHost(
      tenant.tier === "shared" ? tenant.host : id,
      tenant.tier,
      parseAddresses(options.address),
    );
  }
  const run = await runOnHost(host, "tenancy-purge", [id, "--confirm", id]);
  if (run.code === 4)
    throw new HostRefusal(`${host.name} refused to purge ${id} (above); nothing was deleted`);
  if (run.code !== 0)
    throw new HostRefusal(`purging ${id} on ${host.name} failed (exit ${run.code}, above); run it again`);
  const record = JSON.parse(run.stdout) as { purged: string };
  const fields = options.movedCopy
    ? {
        movedFrom: {
          ...(loaded.manifest.tenants.find((t) => t.id === id)!.movedFrom as Record<string, string>),
          purged: record.purged,
        },
      }
    : { status: "purged" };
  replaceFile(options.file, editTenant(loaded, id, fields));
  if (options.json) printJson({ tenant: id, host: host.name, ...record });
  else
    process.stdout.write(
      `${id}: purged on ${host.name}; ${options.file} now says so. Deploy it (a pull request), then ` +
        (options.movedCopy ? `remove movedFrom from ${id}.\n` : `${id} may leave the manifest.\n`),
    );
  return 0;
}

/**
 * `tenancy restore TENANT [--snapshot ID]`: restores the tenant's database from its host's backups into
 * a fresh database, verifies every table, and swaps it in; the replaced database is kept under another
 * name until the tenant is purged (tenancy-restore --verify --switch on the host).
 */
export async function restoreCommand(
  id: string,
  options: HostOptions & { snapshot?: string },
): Promise<number> {
  const loaded = loadManifest(options.file);
  const tenant = tenantsOf(expand(loaded)).find((t) => t.id === id);
  if (!tenant) throw new UsageError(`no tenant "${id}" in ${options.file}`);
  refuseContainerized(tenant, "restore", "Restoring a tenant's database");
  if (options.snapshot !== undefined && !/^[0-9a-f]{8,64}$/.test(options.snapshot))
    throw new UsageError(`--snapshot "${options.snapshot}" is not a restic snapshot id (8 to 64 hex digits)`);
  const host = resolveHost(
    tenant.tier === "shared" ? tenant.host : id,
    tenant.tier,
    parseAddresses(options.address),
  );
  const args = [id, ...(options.snapshot ? ["--snapshot", options.snapshot] : []), "--verify", "--switch"];
  const run = await runOnHost(host, "tenancy-restore", args);
  if (run.code !== 0) {
    throw new HostRefusal(
      `restoring ${id} on ${host.name} failed (exit ${run.code}, above); the live database was not replaced`,
    );
  }
  if (options.json) printJson({ tenant: id, host: host.name, output: run.stdout.trim().split("\n") });
  else process.stdout.write(run.stdout);
  return 0;
}

/**
 * A containerized tenant's database is a CloudNativePG cluster in its namespace, not a database on a
 * host: the host tools cannot reach it, and docs/kubernetes.md has the steps.
 */
function refuseContainerized(tenant: TenantModel, what: string, section: string): void {
  if (tenant.tier === "kubernetes")
    throw new UsageError(
      `tenant ${tenant.id} is containerized (namespace ${tenant.namespace}): tenancy ${what} works on hosts only; ` +
        `follow docs/kubernetes.md, "${section}"`,
    );
}
