import { loadManifest } from "../../manifest";
import { expand, type FleetModel } from "../../expand";
import { costReport, DEFAULT_PRICES, roundReport, type CostReport } from "../../cost";
import { TIERS, type Tier } from "../../plans";
import { UsageError } from "../errors";
import { euro, plural, printJson, table } from "../output";

export function planCommand(options: { file: string; json: boolean; stack?: string }): number {
  const stacks = selectStacks(options.stack);
  const model = expand(loadManifest(options.file));
  const cost = roundReport(costReport(model, DEFAULT_PRICES));
  if (options.json) {
    printJson({
      offline: true,
      file: options.file,
      stacks: Object.fromEntries(stacks.map((tier) => [tier, model[tier]])),
      cost,
    });
  } else {
    process.stdout.write(formatPlan(model, cost, stacks, options.file));
  }
  return 0;
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

export function formatPlan(model: FleetModel, cost: CostReport, stacks: Tier[], file: string): string {
  const tenantCost = new Map(cost.tenants.map((t) => [t.id, t]));
  const out: string[] = [`tenancy plan (offline: computed from ${file}, no cloud was called)`, ""];
  if (stacks.includes("shared")) {
    const tenants = model.shared.hosts.flatMap((h) => h.tenants);
    out.push(
      `stack shared: ${plural(model.shared.hosts.length, "host")}, ${plural(tenants.length, "tenant")}` +
        (tenants.length ? ` (${statusCounts(tenants.map((t) => t.status))})` : ""),
    );
    for (const host of model.shared.hosts) {
      const hostCost = cost.hosts.find((h) => h.name === host.name)?.cost.total ?? 0;
      out.push(
        `  ${host.name}  ${host.server.serverType} in ${host.location}  ` +
          `capacity ${host.capacityUsed}/${host.capacityUnits} units  volume ${host.server.volumeGb} GB  ` +
          `${plural(host.tenants.length, "tenant")}  ${euro(hostCost)}/month`,
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
          ]),
          "    ",
        ),
      );
    }
    out.push(
      `  monthly: cost ${euro(cost.tiers.shared.cost)}, revenue ${euro(cost.tiers.shared.revenue)}`,
      "",
    );
  }
  if (stacks.includes("dedicated")) {
    const tenants = model.dedicated.tenants;
    out.push(
      `stack dedicated: ${plural(tenants.length, "tenant")}` +
        (tenants.length ? ` (${statusCounts(tenants.map((t) => t.status))})` : ""),
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
        ]),
        "  ",
      ),
    );
    out.push(
      `  monthly: cost ${euro(cost.tiers.dedicated.cost)}, revenue ${euro(cost.tiers.dedicated.revenue)}`,
      "",
    );
  }
  if (stacks.length === TIERS.length) {
    out.push(
      `fleet: cost ${euro(cost.fleet.cost)}/month, revenue ${euro(cost.fleet.revenue)}/month, ` +
        `margin ${euro(cost.fleet.margin)}/month`,
    );
  }
  return `${out.join("\n")}\n`;
}
