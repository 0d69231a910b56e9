/**
 * `tenancy migrate TENANT`: the copy phase of a declared move (docs/runbooks.md, "Moving a tenant").
 * The target was provisioned, empty, by the deploy of the `move:`; this freezes the tenant on its source
 * (no connection, no write), relays a dump from the source to the target through this machine over the
 * deploy's SSH channel, restores it into a staging database there, sets the sequences, verifies every
 * table, sequence and large object against the source's record of the same snapshot, swaps the copy in,
 * and writes the cut-over into tenants.yaml for review. Until the cut-over deploys, the tenant stays
 * frozen on its source. On any failure before the swap, the source is unfrozen and serves again, the
 * target's staging copy is discarded, and the message says what to run next. Every step can be re-run.
 */
import { expand, tenantsOf, type TenantModel } from "../../expand";
import { editTenant, loadManifest, type FieldValue } from "../../manifest";
import { MigrationError, UsageError } from "../errors";
import { parseAddresses, relay, resolveHost, runOnHost, type HostAddress } from "../hosts";
import { printJson, replaceFile } from "../output";

export interface MigrateOptions {
  file: string;
  json: boolean;
  address?: string[];
  abort: boolean;
}

const SCRIPT = "tenancy-migrate";

export async function migrateCommand(id: string, options: MigrateOptions): Promise<number> {
  const loaded = loadManifest(options.file);
  const model = expand(loaded);
  const tenant = tenantsOf(model).find((t) => t.id === id);
  if (!tenant) throw new UsageError(`no tenant "${id}" in ${options.file}`);
  if (!tenant.move) {
    throw new UsageError(
      `tenant ${id} declares no move. Declare one in ${options.file} (move: { host: <shared host> } or ` +
        `move: { plan: <dedicated plan> }), deploy it so that the target is provisioned, then run tenancy migrate ${id}`,
    );
  }
  const given = parseAddresses(options.address);
  const source = resolveHost(tenant.tier === "shared" ? tenant.host : id, tenant.tier, given);
  const target = resolveHost(tenant.move.tier === "shared" ? tenant.move.host! : id, tenant.move.tier, given);
  const step = (what: string) => process.stderr.write(`tenancy migrate ${id}: ${what}\n`);

  // A copy that failed may leave its other half running on the host a little longer (an export writing
  // into a closed pipe), holding the tenant's lock there: try again for a while before giving up.
  const persist = async (host: HostAddress, command: string) => {
    for (let attempt = 1; ; attempt++) {
      if ((await runOnHost(host, SCRIPT, [command, id])).code === 0) return true;
      if (attempt >= 10) return false;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  const unfreeze = () => persist(source, "unfreeze");
  const discard = () => persist(target, "discard");
  /** Back to serving from the source, and the reason with what to run next. */
  const giveUp = async (reason: string): Promise<never> => {
    const unfrozen = await unfreeze();
    const discarded = await discard();
    throw new MigrationError(
      `${reason}. ` +
        (unfrozen
          ? `${id} serves again from ${source.name}; `
          : `${id} is still FROZEN on ${source.name}: run tenancy migrate ${id} --abort to unfreeze it; `) +
        (discarded
          ? `the copy on ${target.name} was discarded. `
          : `discard the copy on ${target.name} with tenancy migrate ${id} --abort. `) +
        `Nothing was cut over. Fix the cause, then run tenancy migrate ${id} again.`,
    );
  };

  if (options.abort) {
    const status = await hostStatus(target, id);
    if (status.adopted) {
      throw new UsageError(
        `${id}'s copy is already in place on ${target.name}: to call the move off, remove the cut-over from ` +
          `${options.file} (restore its move:), then unfreeze the source with tenancy migrate ${id} --abort --force`,
      );
    }
    if (!(await unfreeze()))
      throw new MigrationError(`could not unfreeze ${id} on ${source.name} (see above)`);
    await discard();
    step(`aborted: ${id} serves from ${source.name}, the copy on ${target.name} was discarded`);
    return 0;
  }

  const started = Date.now();
  const status = await hostStatus(target, id);
  let frozenAt = Date.now();
  let bytes = 0;
  if (!status.adopted) {
    step(`freezing ${id} on ${source.name}: its connections end and no new one is let in`);
    const freeze = await runOnHost(source, SCRIPT, ["freeze", id]);
    if (freeze.code !== 0) await giveUp(`freezing ${id} on ${source.name} failed (exit ${freeze.code})`);
    frozenAt = Date.now();

    step(`copying ${id} from ${source.name} to ${target.name}, relayed through this machine`);
    let reported = 0;
    const copy = await relay(
      { host: source, script: SCRIPT, args: ["export", id] },
      { host: target, script: SCRIPT, args: ["import", id] },
      (n) => {
        bytes = n;
        if (n - reported >= 64 * 1024 * 1024) {
          reported = n;
          step(`  ${(n / 1024 / 1024).toFixed(0)} MiB relayed`);
        }
      },
    );
    if (copy.source.code !== 0 || copy.target.code !== 0) {
      await giveUp(`the copy failed (export exit ${copy.source.code}, import exit ${copy.target.code})`);
    }
    step(
      `verifying every table, sequence and large object of ${id} on ${target.name} against ${source.name}`,
    );
    const record = await runOnHost(source, SCRIPT, ["verification", id, "--side", "source"]);
    if (record.code !== 0)
      await giveUp(`reading the source's verification record failed (exit ${record.code})`);
    const verify = await runOnHost(target, SCRIPT, ["verify", id, "--against", "-"], record.stdout);
    if (verify.code === 3) await giveUp(`the copy on ${target.name} differs from the source (above)`);
    if (verify.code !== 0) await giveUp(`verifying the copy failed (exit ${verify.code})`);

    step(`swapping the verified copy in on ${target.name}`);
    const adopt = await runOnHost(target, SCRIPT, ["adopt", id]);
    if (adopt.code !== 0) {
      // adopt finishes when re-run; the source stays frozen, so that no write is lost meanwhile.
      throw new MigrationError(
        `swapping the copy in on ${target.name} failed (exit ${adopt.code}); ${id} stays frozen on ` +
          `${source.name}. Run tenancy migrate ${id} again to finish, or tenancy migrate ${id} --abort to serve from ${source.name} again.`,
      );
    }
  } else
    step(`the verified copy is already in place on ${target.name} (an earlier run); writing the cut-over`);
  const adoptedAt = Date.now();

  const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const fields = cutOver(tenant, at);
  try {
    replaceFile(options.file, editTenant(loaded, id, fields));
  } catch (error) {
    throw new MigrationError(
      `the copy is verified and in place, but writing the cut-over into ${options.file} failed: ` +
        `${(error as Error).message}. Write it by hand: ${JSON.stringify(fields)} (a field set to null is removed)`,
    );
  }
  const summary = {
    tenant: id,
    from: source.name,
    to: target.name,
    bytes,
    frozenSeconds: Math.round((adoptedAt - frozenAt) / 100) / 10,
    totalSeconds: Math.round((adoptedAt - started) / 100) / 10,
    cutOver: fields,
  };
  if (options.json) printJson(summary);
  else {
    process.stdout.write(
      `${id}: copied from ${source.name} to ${target.name} and verified (${(bytes / 1024 / 1024).toFixed(1)} MiB, ` +
        `frozen for ${summary.frozenSeconds} s so far).\n` +
        `The cut-over is written into ${options.file}. Open a pull request with it now: merging it deploys it, ` +
        `and ${id} is served from ${target.name} again. Until then ${id} stays frozen on ${source.name}.\n` +
        `To call it off instead: revert the cut-over, then tenancy migrate ${id} --abort.\n`,
    );
  }
  return 0;
}

async function hostStatus(host: HostAddress, id: string): Promise<{ adopted?: boolean }> {
  const run = await runOnHost(host, SCRIPT, ["status", id]);
  if (run.code === 4)
    throw new MigrationError(
      `${host.name} is not provisioned for ${id} (above): deploy the declared move first, so that the target has ` +
        `the tenant's empty database and role; nothing was frozen or copied`,
    );
  if (run.code !== 0)
    throw new MigrationError(`cannot read ${id}'s migration status on ${host.name} (exit ${run.code})`);
  try {
    const status = JSON.parse(run.stdout) as { adopted?: unknown };
    return { adopted: Boolean(status.adopted) };
  } catch {
    throw new MigrationError(`${host.name} answered no status for ${id}: ${run.stdout.slice(0, 200)}`);
  }
}

/** The tenant's entry after the cut-over: placed where the move went, with its old place kept. */
export function cutOver(tenant: TenantModel, at: string): Record<string, FieldValue> {
  const move = tenant.move!;
  // Validation refuses a move of a containerized tenant (not built yet): it never gets here.
  if (tenant.tier === "kubernetes")
    throw new Error(`tenant "${tenant.id}" is containerized: it cannot move yet`);
  const movedFrom: Record<string, string> =
    tenant.tier === "shared"
      ? { host: tenant.host, plan: tenant.plan, at }
      : { plan: tenant.plan, location: tenant.server.location, serverType: tenant.server.serverType, at };
  const fields: Record<string, FieldValue> = { plan: move.plan, move: undefined, movedFrom };
  if (move.tier === "shared") {
    fields.host = move.host;
    // What only a dedicated tenant has.
    fields.serverType = undefined;
    fields.appImage = undefined;
  } else {
    fields.host = undefined;
    if (move.location) fields.location = move.location;
    if (move.serverType) fields.serverType = move.serverType;
  }
  return fields;
}
