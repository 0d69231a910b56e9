import { loadManifest } from "../../manifest";
import { expand } from "../../expand";
import { costReport, loadPrices, roundReport, type CostReport } from "../../cost";
import { TIERS } from "../../plans";
import { euro, printJson, table } from "../output";

export function costCommand(options: { file: string; json: boolean; prices?: string }): number {
  const model = expand(loadManifest(options.file));
  const prices = loadPrices(options.prices);
  const report = roundReport(costReport(model, prices));
  if (options.json) printJson(report);
  else process.stdout.write(formatCost(report));
  return 0;
}

export function formatCost(report: CostReport): string {
  const out: string[] = [
    `Monthly cost in EUR excl. VAT (Hetzner prices as of ${report.pricesAsOf}; see docs/cost.md)`,
    "",
  ];
  out.push("Shared hosts");
  out.push(
    table(
      [
        ["host", "type", "tenants", "units", "server", "backups", "volume", "ipv4", "box", "total"],
        ...report.hosts.map((h) => [
          h.name,
          h.serverType,
          String(h.tenants),
          `${h.capacityUsed}/${h.capacityUnits}`,
          euro(h.cost.server),
          euro(h.cost.serverBackups),
          euro(h.cost.volume),
          euro(h.cost.ipv4),
          euro(h.cost.storageBoxShare),
          euro(h.cost.total),
        ]),
      ],
      "  ",
    ),
  );
  out.push("", "Tenants");
  out.push(
    table(
      [
        ["tenant", "tier", "plan", "status", "host", "cost", "price", "margin"],
        ...report.tenants.map((t) => [
          t.id,
          t.tier,
          t.plan,
          t.status,
          t.host ?? "-",
          euro(t.cost),
          euro(t.revenue),
          euro(t.margin),
        ]),
      ],
      "  ",
    ),
  );
  out.push("", "Totals");
  out.push(
    table(
      [
        ["", "cost", "revenue", "margin"],
        ...TIERS.map((tier) => [
          tier,
          euro(report.tiers[tier].cost),
          euro(report.tiers[tier].revenue),
          euro(report.tiers[tier].margin),
        ]),
        ["fleet", euro(report.fleet.cost), euro(report.fleet.revenue), euro(report.fleet.margin)],
      ],
      "  ",
    ),
  );
  return `${out.join("\n")}\n`;
}
