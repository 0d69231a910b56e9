import { costReport, DEFAULT_PRICES, roundReport } from "../../cost";
import { diffFleets, diffSettings, expand, type SettingChange, type TenantChange } from "../../expand";
import { loadManifest } from "../../manifest";
import { TIERS, type Tier } from "../../plans";
import { formatChange, isBlocked, planChanges, type ResourceChange } from "../../preview/changes";
import { recordStack } from "../../preview/engine";
import { causesOf } from "../../preview/explain";
import { CHANGE_BEHAVIOURS } from "../../preview/rules";
import { recordAtRef, withManifestAt } from "../base";
import { lifecycleProblemsSince, refuseLifecycleProblems } from "../guard";
import { EXIT } from "../errors";
import { euro, plural, printJson } from "../output";

/**
 * `tenancy diff --base REF`: for a pull request, as Markdown: the fleet settings and hosts a change
 * touches, the tenants it adds, removes, re-plans, moves (flagged as data migrations) or suspends, what a
 * deploy would do to the resources (the base run with its own code: replacements and blocked changes
 * first), and the monthly cost and revenue it changes. Exit 5 when a change cannot be deployed.
 */
export async function diffCommand(options: { file: string; json: boolean; base: string }): Promise<number> {
  const loaded = loadManifest(options.file);
  const current = expand(loaded);
  refuseLifecycleProblems(loaded, await lifecycleProblemsSince(options.base, options.file, current));
  const base = await withManifestAt(options.base, options.file, (file) => expand(loadManifest(file)));
  const tenants = diffFleets(base, current);
  const settings = diffSettings(base, current);
  const recorded = recordAtRef(options.base, options.file, [...TIERS]);
  const resources: Partial<Record<Tier, ResourceChange[]>> = {};
  for (const tier of TIERS) {
    const now = await recordStack({ tier, manifest: options.file });
    const changes = planChanges(recorded.stacks[tier] ?? [], now.resources, CHANGE_BEHAVIOURS);
    for (const change of changes.filter(isBlocked)) change.causes = causesOf(change, { tenants, settings });
    resources[tier] = changes;
  }
  const before = roundReport(costReport(base, DEFAULT_PRICES)).fleet;
  const after = roundReport(costReport(current, DEFAULT_PRICES)).fleet;
  const delta = {
    cost: round(after.cost - before.cost),
    revenue: round(after.revenue - before.revenue),
    margin: round(after.margin - before.margin),
  };
  const blocked = Object.values(resources).flat().filter(isBlocked).length;
  if (options.json) {
    const stripped = Object.fromEntries(
      Object.entries(resources).map(([tier, changes]) => [
        tier,
        changes.map(({ before: _b, after: _a, ...rest }) => rest),
      ]),
    );
    printJson({
      base: options.base,
      settings,
      changes: tenants,
      resources: stripped,
      blocked,
      monthly: { before, after, delta },
    });
  } else process.stdout.write(formatDiff(options.base, { settings, tenants, resources }, delta));
  return blocked > 0 ? EXIT.blockedChange : EXIT.ok;
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
  hostname: "Served at a new hostname",
  move: "Moves declared (provisioned, empty, until migrated)",
  "cut-over": "Cut over to their verified copy",
};

/** At most this many tenants per kind of change in a pull-request comment (GitHub caps a comment at 64 KB). */
const MAX_TENANT_LINES = 50;
/** At most this many resource lines per stack in a pull-request comment; the counts are always whole. */
const MAX_RESOURCE_LINES = 40;

export function formatDiff(
  base: string,
  found: {
    settings: SettingChange[];
    tenants: TenantChange[];
    resources: Partial<Record<Tier, ResourceChange[]>>;
  },
  delta: { cost: number; revenue: number; margin: number },
): string {
  const { settings, tenants, resources } = found;
  const out = [`### tenancy diff against \`${base}\``, ""];
  const blocked = Object.values(resources).flat().filter(isBlocked);
  const warnings = tenants.filter((c) => c.warning);
  const settingWarnings = settings.filter((c) => c.warning);
  if (blocked.length + warnings.length + settingWarnings.length > 0) {
    out.push("**Needs attention:**", "");
    for (const c of blocked)
      out.push(
        `- ⛔ blocked: \`${c.type} ${c.name}\`: ${c.blocked}${c.causes ? ` (caused by ${c.causes.join("; ")})` : ""}`,
      );
    for (const c of settingWarnings) out.push(`- ⚠ \`${c.setting}\` ${c.before} → ${c.after}: ${c.warning}`);
    for (const c of warnings)
      out.push(`- ⚠ \`${c.tenant}\` ${c.warning}${c.dataMigration ? " (DATA MIGRATION)" : ""}`);
    out.push("");
  }
  if (settings.length > 0) {
    out.push(`**Fleet and host settings** (${settings.length})`, "");
    for (const c of settings) out.push(`- \`${c.setting}\`: ${c.before} → ${c.after}`);
    out.push("");
  }
  if (tenants.length === 0) out.push("No tenant changes.", "");
  for (const kind of Object.keys(TITLES) as TenantChange["kind"][]) {
    const group = tenants.filter((c) => c.kind === kind);
    if (group.length === 0) continue;
    out.push(`**${TITLES[kind]}** (${group.length})`, "");
    for (const c of group.slice(0, MAX_TENANT_LINES))
      out.push(`- \`${c.tenant}\`: ${c.detail}${c.dataMigration ? " — DATA MIGRATION" : ""}`);
    if (group.length > MAX_TENANT_LINES) out.push(`- … and ${group.length - MAX_TENANT_LINES} more`);
    out.push("");
  }
  out.push("**What a deploy would do** (offline, the base run with its own code)", "");
  for (const tier of TIERS) {
    const changes = resources[tier];
    if (!changes) continue;
    if (changes.length === 0) {
      out.push(`- stack \`${tier}\`: no changes`);
      continue;
    }
    const count = (op: ResourceChange["op"]) => changes.filter((c) => c.op === op).length;
    out.push(
      `- stack \`${tier}\`: ${count("create")} to create, ${count("update")} to update, ${count("replace")} to replace, ` +
        `${count("delete")} to delete${changes.some(isBlocked) ? `, ${plural(changes.filter(isBlocked).length, "blocked change")}` : ""}`,
    );
    // Blocked, then replacements and deletions, then the rest: what a reviewer must see comes first.
    const rank = (c: ResourceChange) => (isBlocked(c) ? 0 : c.op === "replace" || c.op === "delete" ? 1 : 2);
    const ordered = [...changes].sort((a, b) => rank(a) - rank(b));
    out.push("", "```diff");
    for (const change of ordered.slice(0, MAX_RESOURCE_LINES)) out.push(formatChange(change));
    if (ordered.length > MAX_RESOURCE_LINES)
      out.push(`… and ${ordered.length - MAX_RESOURCE_LINES} more (tenancy plan --base ${base})`);
    out.push("```", "");
  }
  out.push(
    "",
    `Monthly: cost ${signed(delta.cost)}, revenue ${signed(delta.revenue)}, margin ${signed(delta.margin)} ` +
      "(EUR excl. VAT; see `tenancy cost`).",
  );
  return `${out.join("\n")}\n`;
}
