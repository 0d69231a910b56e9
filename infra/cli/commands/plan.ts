import { readFileSync } from "node:fs";
import { withManifestAt } from "../base";
import { didYouMean, loadManifest } from "../../manifest";
import { POLICIES } from "../../../policies/policies";
import { expand, type FleetModel } from "../../expand";
import { costReport, DEFAULT_PRICES, roundReport, type CostReport } from "../../cost";
import { TIERS, type Tier } from "../../plans";
import { EXIT, UsageError } from "../errors";
import { isMandatory, runPolicies, type PolicyPackConfig, type Violation } from "../../preview/policies";
import { recordStack, type RecordedStack } from "../../preview/engine";
import { diffStacks, summarise, type StackDiff, type StackSummary } from "../../preview/summary";
import { euro, plural, printJson, table } from "../output";

export interface PlanOptions {
  file: string;
  json: boolean;
  stack?: string;
  base?: string;
  /** Only the policy verdict (CI). */
  policiesOnly: boolean;
  /** The policy pack config; the committed policies/policy-config.json by default. */
  policyConfig: string;
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
  const config = loadPolicyConfig(options.policyConfig);
  const verdicts: Violation[][] = [];
  for (const stack of recorded) verdicts.push(await runPolicies(stack, POLICIES, config));
  const mandatory = verdicts.flat().filter(isMandatory).length;
  const diffs =
    options.base === undefined || options.policiesOnly
      ? undefined
      : await diffAgainst(options.base, options.file, stacks, recorded);
  if (options.json) {
    printJson({
      offline: true,
      file: options.file,
      stacks: Object.fromEntries(
        stacks.map((tier, i) => [
          tier,
          {
            ...(options.policiesOnly ? {} : { model: model[tier], resources: recorded[i]!.resources }),
            violations: verdicts[i],
            ...(diffs ? { diff: diffs[i] } : {}),
          },
        ]),
      ),
      mandatoryViolations: mandatory,
      ...(options.policiesOnly ? {} : { cost }),
    });
  } else {
    if (!options.policiesOnly) {
      const summaries = recorded.map((stack) => summarise(stack, model));
      process.stdout.write(formatPlan(model, cost, stacks, summaries, options.file, diffs, options.base));
    }
    process.stdout.write(formatVerdict(stacks, verdicts, options.policyConfig));
  }
  return mandatory > 0 ? EXIT.policyViolation : EXIT.ok;
}

function formatVerdict(stacks: Tier[], verdicts: Violation[][], configFile: string): string {
  const out = [`Policy pack (${POLICIES.length} policies, config ${configFile}), run offline:`];
  stacks.forEach((tier, i) => {
    const found = verdicts[i]!;
    const mandatory = found.filter(isMandatory).length;
    out.push(
      `  stack ${tier}: ${plural(mandatory, "mandatory violation")}, ${plural(found.length - mandatory, "advisory finding")}`,
    );
    for (const v of found) {
      const where = [v.owner && `tenant/host ${v.owner}`, v.resource && `resource ${v.resource}`].filter(
        Boolean,
      );
      out.push(`    [${v.level}] ${v.policy}${where.length ? ` (${where.join(", ")})` : ""}: ${v.message}`);
    }
  });
  const total = verdicts.flat().filter(isMandatory).length;
  out.push(`${plural(total, "mandatory violation")}${total > 0 ? ": the deploy would be refused" : ""}`);
  return `${out.join("\n")}\n`;
}

/** The policy pack config (`--policy-pack-config`): a JSON object keyed by policy name. */
function loadPolicyConfig(file: string): PolicyPackConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read the policy config ${file}: ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${file}: the policy config must be a JSON object keyed by policy name`);
  }
  const names = POLICIES.map((p) => p.name);
  for (const key of Object.keys(raw)) {
    if (!names.includes(key)) {
      const hint = didYouMean(key, names);
      throw new UsageError(`${file}: "${key}" is no policy of the pack${hint ? `; ${hint}` : ""}`);
    }
  }
  return raw as PolicyPackConfig;
}

export async function recordAll(stacks: Tier[], manifest: string): Promise<RecordedStack[]> {
  const recorded: RecordedStack[] = [];
  for (const tier of stacks) recorded.push(await recordStack({ tier, manifest }));
  return recorded;
}

/** Records the stacks for the manifest as it was at a git ref, and compares. */
/** Records the stacks for the manifest as it was at a git ref, and compares. */
export async function diffAgainst(
  ref: string,
  file: string,
  stacks: Tier[],
  current: RecordedStack[],
): Promise<StackDiff[]> {
  return withManifestAt(ref, file, async (baseFile) => {
    loadManifest(baseFile); // a base that does not validate is reported as such, before any program runs
    const base = await recordAll(stacks, baseFile);
    return stacks.map((_, i) => diffStacks(base[i]!, current[i]!));
  });
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
