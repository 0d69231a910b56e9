import { costReport, DEFAULT_PRICES, roundReport } from "../../cost";
import { diffFleets, expand, type TenantChange } from "../../expand";
import { loadManifest } from "../../manifest";
import { withManifestAt } from "../base";
import { euro, printJson } from "../output";

/**
 * `tenancy diff --base REF`: the tenants a manifest change adds, removes, re-plans, moves (flagged as data
 * migrations) or suspends, and the monthly cost and revenue it changes. Written as Markdown, for a pull
 * request comment.
 */
export async function diffCommand(options: { file: string; json: boolean; base: string }): Promise<number> {
  const current = expand(loadManifest(options.file));
  const base = await withManifestAt(options.base, options.file, (file) => expand(loadManifest(file)));
  const changes = diffFleets(base, current);
  const before = roundReport(costReport(base, DEFAULT_PRICES)).fleet;
  const after = roundReport(costReport(current, DEFAULT_PRICES)).fleet;
  const delta = {
    cost: round(after.cost - before.cost),
    revenue: round(after.revenue - before.revenue),
    margin: round(after.margin - before.margin),
  };
  if (options.json) printJson({ base: options.base, changes, monthly: { before, after, delta } });
  else process.stdout.write(formatDiff(options.base, changes, delta));
  return 0;
}

const round = (value: number) => Math.round(value * 100) / 100;
const signed = (value: number) => `${value >= 0 ? "+" : "−"}${euro(Math.abs(value))}`;

const TITLES: Record<TenantChange["kind"], string> = {
  added: "Added",
  removed: "Removed",
  "moved-tier": "Moved between tiers",
  "moved-host": "Moved between shared hosts",
  "moved-location": "Moved to another location",
  replanned: "Re-planned",
  status: "Status changed",
};

export function formatDiff(
  base: string,
  changes: TenantChange[],
  delta: { cost: number; revenue: number; margin: number },
): string {
  const out = [`### tenancy diff against \`${base}\``, ""];
  if (changes.length === 0) out.push("No tenant changes.", "");
  const warnings = changes.filter((c) => c.warning);
  if (warnings.length > 0) {
    out.push("**Needs attention:**", "");
    for (const c of warnings)
      out.push(`- ⚠ \`${c.tenant}\` ${c.warning}${c.dataMigration ? " (DATA MIGRATION)" : ""}`);
    out.push("");
  }
  for (const kind of Object.keys(TITLES) as TenantChange["kind"][]) {
    const group = changes.filter((c) => c.kind === kind);
    if (group.length === 0) continue;
    out.push(`**${TITLES[kind]}** (${group.length})`, "");
    for (const c of group)
      out.push(`- \`${c.tenant}\`: ${c.detail}${c.dataMigration ? " — DATA MIGRATION" : ""}`);
    out.push("");
  }
  out.push(
    `Monthly: cost ${signed(delta.cost)}, revenue ${signed(delta.revenue)}, margin ${signed(delta.margin)} ` +
      "(EUR excl. VAT; see `tenancy cost`).",
  );
  return `${out.join("\n")}\n`;
}
