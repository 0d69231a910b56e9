import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadManifest } from "../../manifest";
import { expand, type FleetModel } from "../../expand";
import { costReport, DEFAULT_PRICES, roundReport, type CostReport } from "../../cost";
import { TIERS, type Tier } from "../../plans";
import { UsageError } from "../errors";
import { recordStack, type RecordedStack } from "../offline/engine";
import { diffStacks, summarise, type StackDiff, type StackSummary } from "../offline/summary";
import { euro, plural, printJson, table } from "../output";

export interface PlanOptions {
  file: string;
  json: boolean;
  stack?: string;
  base?: string;
}

/**
 * `tenancy plan`: the real stack programs, run offline under mocks. Per stack: the fleet model, every
 * resource the program registers, and with --base what differs from the manifest at that git ref.
 */
export async function planCommand(options: PlanOptions): Promise<number> {
  const stacks = selectStacks(options.stack);
  const model = expand(loadManifest(options.file));
  const cost = roundReport(costReport(model, DEFAULT_PRICES));
  const recorded = await recordAll(stacks, options.file);
  const diffs =
    options.base === undefined ? undefined : await diffAgainst(options.base, options.file, stacks, recorded);
  if (options.json) {
    printJson({
      offline: true,
      file: options.file,
      stacks: Object.fromEntries(
        stacks.map((tier, i) => [
          tier,
          { model: model[tier], resources: recorded[i]!.resources, ...(diffs ? { diff: diffs[i] } : {}) },
        ]),
      ),
      cost,
    });
  } else {
    const summaries = recorded.map((stack) => summarise(stack, model));
    process.stdout.write(formatPlan(model, cost, stacks, summaries, options.file, diffs, options.base));
  }
  return 0;
}

async function recordAll(stacks: Tier[], manifest: string): Promise<RecordedStack[]> {
  const recorded: RecordedStack[] = [];
  for (const tier of stacks) recorded.push(await recordStack({ tier, manifest }));
  return recorded;
}

/** Records the stacks for the manifest as it was at a git ref, and compares. */
async function diffAgainst(
  ref: string,
  file: string,
  stacks: Tier[],
  current: RecordedStack[],
): Promise<StackDiff[]> {
  let text: string;
  try {
    const relative = path.relative(repositoryRoot(file), path.resolve(file));
    text = execFileSync("git", ["show", `${ref}:${relative}`], {
      cwd: path.dirname(path.resolve(file)),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() ?? String(error);
    throw new UsageError(`cannot read ${file} at ${ref}: ${detail}`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-base-"));
  try {
    const baseFile = path.join(dir, path.basename(file));
    writeFileSync(baseFile, text);
    loadManifest(baseFile); // a base that does not validate is reported as such, before any program runs
    const base = await recordAll(stacks, baseFile);
    return stacks.map((_, i) => diffStacks(base[i]!, current[i]!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function repositoryRoot(file: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--show-toplevel"], {
      cwd: path.dirname(path.resolve(file)),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch {
    throw new UsageError(`--base needs ${file} to be in a git repository`);
  }
}

function selectStacks(stack: string | undefined): Tier[] {
  if (stack === undefined) return [...TIERS];
  if (!(TIERS as readonly string[]).includes(stack)) {
    throw new UsageError(`unknown stack "${stack}"; stacks: ${TIERS.join(", ")}`);
  }
  return [stack as Tier];
}

function statusCounts(statuses: string[]): string {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(", ");
}

export function formatPlan(
  model: FleetModel,
  cost: CostReport,
  stacks: Tier[],
  summaries: StackSummary[],
  file: string,
  diffs?: StackDiff[],
  base?: string,
): string {
  const tenantCost = new Map(cost.tenants.map((t) => [t.id, t]));
  const out: string[] = [
    `tenancy plan: OFFLINE preview of ${file}. The real stack programs ran under mocks; no cloud was called,`,
    "ids and addresses are stand-ins.",
    "",
  ];
  stacks.forEach((tier, i) => {
    const summary = summaries[i]!;
    const res = (n: number | undefined) => plural(n ?? 0, "resource");
    if (tier === "shared") {
      const tenants = model.shared.hosts.flatMap((h) => h.tenants);
      out.push(
        `stack shared: ${plural(model.shared.hosts.length, "host")}, ${plural(tenants.length, "tenant")}` +
          (tenants.length ? ` (${statusCounts(tenants.map((t) => t.status))})` : "") +
          `, ${res(summary.resources)}`,
      );
      for (const host of model.shared.hosts) {
        const hostCost = cost.hosts.find((h) => h.name === host.name)?.cost.total ?? 0;
        out.push(
          `  ${host.name}  ${host.server.serverType} in ${host.location}  ` +
            `capacity ${host.capacityUsed}/${host.capacityUnits} units  volume ${host.server.volumeGb} GB  ` +
            `${plural(host.tenants.length, "tenant")}  ${euro(hostCost)}/month  ${res(summary.byHost[host.name])}`,
        );
        out.push(
          table(
            host.tenants.map((t) => [
              t.id,
              t.plan,
              t.status,
              `${t.capacityUnits}u`,
              t.hostnames.join(", "),
              euro(tenantCost.get(t.id)?.cost ?? 0),
              res(summary.byTenant[t.id]),
            ]),
            "    ",
          ),
        );
      }
    } else {
      const tenants = model.dedicated.tenants;
      out.push(
        `stack dedicated: ${plural(tenants.length, "tenant")}` +
          (tenants.length ? ` (${statusCounts(tenants.map((t) => t.status))})` : "") +
          `, ${res(summary.resources)}`,
      );
      out.push(
        table(
          tenants.map((t) => [
            t.id,
            t.plan,
            t.status,
            `${t.server.serverType} in ${t.server.location}`,
            `volume ${t.server.volumeGb} GB`,
            t.server.serverBackups ? "backups on" : "backups off",
            t.hostnames.join(", "),
            euro(tenantCost.get(t.id)?.cost ?? 0),
            res(summary.byHost[t.id]),
          ]),
          "  ",
        ),
      );
    }
    out.push(`  monthly: cost ${euro(cost.tiers[tier].cost)}, revenue ${euro(cost.tiers[tier].revenue)}`);
    out.push("  resources by type:");
    out.push(
      table(
        Object.entries(summary.byType)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([type, n]) => [type, String(n)]),
        "    ",
      ),
    );
    const diff = diffs?.[i];
    if (diff) out.push(...formatDiff(diff, base!));
    out.push("");
  });
  if (stacks.length === TIERS.length) {
    out.push(
      `fleet: cost ${euro(cost.fleet.cost)}/month, revenue ${euro(cost.fleet.revenue)}/month, ` +
        `margin ${euro(cost.fleet.margin)}/month`,
    );
  }
  return `${out.join("\n")}\n`;
}

function formatDiff(diff: StackDiff, base: string): string[] {
  const total = diff.added.length + diff.removed.length + diff.changed.length;
  if (total === 0) return [`  against ${base}: no changes`];
  const lines = [
    `  against ${base}: ${diff.added.length} to create, ${diff.changed.length} to update, ${diff.removed.length} to delete`,
  ];
  for (const r of diff.added) lines.push(`    + ${r.type} ${r.name}`);
  for (const { resource, fields } of diff.changed)
    lines.push(`    ~ ${resource.type} ${resource.name} (${fields.join(", ")})`);
  for (const r of diff.removed) {
    const kept =
      r.options.protect || r.options.retainOnDelete ? " (protected: Pulumi will refuse or keep it)" : "";
    lines.push(`    - ${r.type} ${r.name}${kept}`);
  }
  return lines;
}
