import { readFileSync } from "node:fs";
import { recordAtRef, withManifestAt } from "../base";
import { lifecycleProblemsSince, refuseLifecycleProblems } from "../guard";
import { fleetState, type FleetState } from "../../lifecycle";
import { didYouMean, loadManifest } from "../../manifest";
import { POLICIES } from "../../../policies/policies";
import { diffFleets, diffSettings, expand, type FleetModel, type TenantModel } from "../../expand";
import { costReport, DEFAULT_PRICES, roundReport, type CostReport } from "../../cost";
import { TIERS, type Tier } from "../../plans";
import { EXIT, UsageError } from "../errors";
import { formatChange, isBlocked, planChanges, type ResourceChange } from "../../preview/changes";
import { recordStack, type RecordedStack } from "../../preview/engine";
import { causesOf } from "../../preview/explain";
import { isMandatory, runPolicies, type PolicyPackConfig, type Violation } from "../../preview/policies";
import { CHANGE_BEHAVIOURS, PROVIDER_RULES } from "../../preview/rules";
import { checkProviderRules, type ProviderRuleViolation } from "../../preview/rules/rule";
import { summarise, type StackSummary } from "../../preview/summary";
import { euro, plural, printJson, table } from "../output";
import { planProgress, type PlanProgress } from "../progress";

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

/** Everything `tenancy plan` finds for one stack. */
export interface StackPlan {
  tier: Tier;
  recorded: RecordedStack;
  refusals: ProviderRuleViolation[];
  violations: Violation[];
  /** With --base: what a deploy would do, going from the base to this. */
  changes?: ResourceChange[];
}

/**
 * `tenancy plan`: the real stack programs, run offline under mocks, on the settings of each stack's
 * Pulumi.<stack>.yaml. Per stack: the fleet model, every resource the program registers, what the
 * providers would refuse, the policy verdict, and with --base what a deploy would change, the base being
 * run with its own code. Exit: 1 invalid input, 4 a provider would refuse a value, 5 a change cannot be
 * deployed, 2 a mandatory policy violation (the first that applies).
 */
export async function planCommand(options: PlanOptions): Promise<number> {
  const stacks = selectStacks(options.stack);
  const loaded = loadManifest(options.file);
  const model = expand(loaded);
  const config = loadPolicyConfig(options.policyConfig);
  if (options.base !== undefined)
    refuseLifecycleProblems(loaded, await lifecycleProblemsSince(options.base, options.file, model));
  const base =
    options.base === undefined || options.policiesOnly
      ? undefined
      : recordAtRef(options.base, options.file, stacks);
  // What the base deployed, as the stacks would read it back: volumes only grow from it.
  const previous = base ? await stateAt(base.commit, options.file) : undefined;
  // Every stack is recorded, then the policies run on those asked for.
  const progress = planProgress(TIERS.length + stacks.length * POLICIES.length, { json: options.json });
  let plans: StackPlan[];
  try {
    plans = await planStacks(stacks, options.file, model, config, previous, progress);
  } finally {
    progress?.stop();
  }
  if (base) {
    const edits = await editsSince(base.commit, options.file, model);
    for (const plan of plans) {
      plan.changes = planChanges(base.stacks[plan.tier] ?? [], plan.recorded.resources, CHANGE_BEHAVIOURS);
      for (const change of plan.changes.filter(isBlocked)) change.causes = causesOf(change, edits);
    }
  }

  const refusals = plans.flatMap((p) => p.refusals).length;
  const blocked = plans.flatMap((p) => p.changes ?? []).filter(isBlocked).length;
  const mandatory = plans.flatMap((p) => p.violations).filter(isMandatory).length;
  if (options.json) {
    const cost = roundReport(costReport(model, DEFAULT_PRICES));
    printJson({
      offline: true,
      file: options.file,
      ...(base ? { base: { ref: base.ref, commit: base.commit } } : {}),
      stacks: Object.fromEntries(
        plans.map((plan) => [
          plan.tier,
          {
            ...(options.policiesOnly
              ? {}
              : {
                  model: model[plan.tier],
                  settings: plan.recorded.settings,
                  resources: plan.recorded.resources,
                  providerRefusals: plan.refusals,
                }),
            violations: plan.violations,
            ...(plan.changes
              ? { changes: plan.changes.map(({ before: _b, after: _a, ...rest }) => rest) }
              : {}),
          },
        ]),
      ),
      providerRefusals: refusals,
      blockedChanges: blocked,
      mandatoryViolations: mandatory,
      ...(options.policiesOnly ? {} : { cost }),
    });
  } else {
    if (!options.policiesOnly) {
      const cost = roundReport(costReport(model, DEFAULT_PRICES));
      process.stdout.write(formatPlan(model, cost, plans, options.file, options.base));
      process.stdout.write(formatRefusals(plans));
    }
    process.stdout.write(formatVerdict(plans, options.policyConfig, { refusals, blocked }));
  }
  if (refusals > 0) return EXIT.providerRefusal;
  if (blocked > 0) return EXIT.blockedChange;
  return mandatory > 0 ? EXIT.policyViolation : EXIT.ok;
}

/** The manifest edits since `ref`, read with this code; none when the base manifest no longer validates. */
export async function editsSince(ref: string, file: string, model: FleetModel) {
  return withManifestAt(ref, file, (baseFile) => {
    try {
      const base = expand(loadManifest(baseFile));
      return { tenants: diffFleets(base, model), settings: diffSettings(base, model) };
    } catch {
      return { tenants: [], settings: [] };
    }
  });
}

/** The fleet state the manifest at `ref` deploys (read with this code); none when it no longer validates. */
async function stateAt(ref: string, file: string): Promise<FleetState | undefined> {
  return withManifestAt(ref, file, (baseFile) => {
    try {
      return fleetState(expand(loadManifest(baseFile)));
    } catch {
      return undefined;
    }
  });
}

/**
 * Records each stack and checks it against the providers' rules and the policy pack. Every stack of the
 * fleet is recorded, even when only some are asked for: Cloudflare counts some limits across the zone.
 */
export async function planStacks(
  stacks: Tier[],
  manifest: string,
  model: FleetModel,
  config: PolicyPackConfig = {},
  previous?: FleetState,
  progress?: PlanProgress,
): Promise<StackPlan[]> {
  const recorded: RecordedStack[] = [];
  for (const tier of TIERS) {
    const onRegister = progress && ((registered: number) => progress.registering(tier, registered));
    const stack = await recordStack({ tier, manifest, previous, ...(onRegister ? { onRegister } : {}) });
    progress?.recorded(tier, stack.resources.length);
    recorded.push(stack);
  }
  const zone = recorded.flatMap((stack) => stack.resources);
  const edge = {
    cloudflarePlan: model.cloudflarePlan,
    advancedRateLimiting: model.advancedRateLimiting,
    zone,
  };
  const plans: StackPlan[] = [];
  for (const stack of recorded.filter((s) => stacks.includes(s.tier))) {
    plans.push({
      tier: stack.tier,
      recorded: stack,
      refusals: checkProviderRules(stack, PROVIDER_RULES, edge),
      violations: await runPolicies(
        stack,
        POLICIES,
        config,
        progress &&
          ((name) =>
            progress.policy(
              stack.tier,
              name,
              POLICIES.findIndex((p) => p.name === name),
              POLICIES.length,
            )),
      ),
    });
  }
  return plans;
}

function formatRefusals(plans: StackPlan[]): string {
  const out = ["Provider rules (what Hetzner, Cloudflare and Kubernetes accept, checked offline):"];
  for (const plan of plans) {
    out.push(`  stack ${plan.tier}: ${plural(plan.refusals.length, "value")} the provider would refuse`);
    for (const r of plan.refusals) {
      out.push(`    ${r.type} ${r.resource}: ${r.path} is ${JSON.stringify(r.value)}; allowed: ${r.allowed}`);
      out.push(`      (${r.source})`);
    }
  }
  return `${out.join("\n")}\n\n`;
}

function formatVerdict(
  plans: StackPlan[],
  configFile: string,
  found: { refusals: number; blocked: number },
): string {
  const out = [`Policy pack (${POLICIES.length} policies, config ${configFile}), run offline:`];
  for (const plan of plans) {
    const mandatory = plan.violations.filter(isMandatory).length;
    out.push(
      `  stack ${plan.tier}: ${plural(mandatory, "mandatory violation")}, ${plural(plan.violations.length - mandatory, "advisory finding")}`,
    );
    for (const v of plan.violations) {
      const where = [v.owner && `tenant/host ${v.owner}`, v.resource && `resource ${v.resource}`].filter(
        Boolean,
      );
      out.push(`    [${v.level}] ${v.policy}${where.length ? ` (${where.join(", ")})` : ""}: ${v.message}`);
    }
  }
  if (found.refusals > 0)
    out.push(
      `${plural(found.refusals, "value")} Hetzner or Cloudflare would refuse: the deploy would fail (see above)`,
    );
  if (found.blocked > 0)
    out.push(`${plural(found.blocked, "blocked change")}: this change cannot be deployed (see above)`);
  const total = plans.flatMap((p) => p.violations).filter(isMandatory).length;
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

export function selectStacks(stack: string | undefined): Tier[] {
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
  plans: StackPlan[],
  file: string,
  base?: string,
): string {
  const tenantCost = new Map(cost.tenants.map((t) => [t.id, t]));
  const settings = plans.map((p) => p.recorded.settings);
  const standIns = [...new Set(settings.flatMap((s) => s.standIns))];
  const out: string[] = [
    `tenancy plan: OFFLINE preview of ${file}. The real stack programs ran under mocks; no cloud was called,`,
    "ids and addresses are stand-ins.",
    `Settings: ${settings.map((s) => `Pulumi.${s.stack}.yaml`).join(", ")}` +
      (standIns.length ? `; stand-ins for what a clean checkout lacks: ${standIns.join(", ")}` : ""),
    "",
  ];
  for (const plan of plans) {
    const summary: StackSummary = summarise(plan.recorded, model);
    const res = (n: number | undefined) => plural(n ?? 0, "resource");
    if (plan.tier === "shared") {
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
            [...host.tenants, ...host.incoming, ...host.retained].map((t) => [
              t.id,
              t.plan,
              t.status,
              `${t.capacityUnits}u`,
              moveNote(t) ?? t.hostnames.join(", "),
              euro(tenantCost.get(t.id)?.cost ?? 0),
              res(summary.byTenant[t.id]),
            ]),
            "    ",
          ),
        );
      }
    } else if (plan.tier === "kubernetes") {
      const tenants = model.kubernetes.tenants;
      const cluster = model.kubernetes.cluster;
      out.push(
        `stack kubernetes: ${plural(tenants.length, "tenant")}` +
          (cluster ? ` on cluster ${cluster.name} (${cluster.nodeType} nodes in ${cluster.location})` : "") +
          (tenants.length ? ` (${statusCounts(tenants.map((t) => t.status))})` : "") +
          `, ${res(summary.resources)}`,
      );
      out.push(
        table(
          tenants.map(({ id, plan, status, namespace, resources: { app, database }, hostnames }) => [
            id,
            plan,
            status,
            namespace,
            `app ${app.minReplicas}-${app.maxReplicas} x ${app.cpuMillicores}m/${app.memoryMb}Mi`,
            `db ${database.instances} x ${database.storageGb} GB`,
            hostnames.join(", "),
            euro(tenantCost.get(id)?.cost ?? 0),
            res(summary.byHost[id]),
          ]),
          "  ",
        ),
      );
    } else {
      const tenants = [...model.dedicated.tenants, ...model.dedicated.incoming, ...model.dedicated.retained];
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
            moveNote(t) ?? t.hostnames.join(", "),
            euro(tenantCost.get(t.id)?.cost ?? 0),
            res(summary.byHost[t.id]),
          ]),
          "  ",
        ),
      );
    }
    out.push(
      `  monthly: cost ${euro(cost.tiers[plan.tier].cost)}, revenue ${euro(cost.tiers[plan.tier].revenue)}`,
    );
    out.push("  resources by type:");
    out.push(
      table(
        Object.entries(summary.byType)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([type, n]) => [type, String(n)]),
        "    ",
      ),
    );
    if (plan.changes) out.push(...formatChanges(plan.changes, base!));
    out.push("");
  }
  if (plans.length === TIERS.length) {
    out.push(
      `fleet: cost ${euro(cost.fleet.cost)}/month, revenue ${euro(cost.fleet.revenue)}/month, ` +
        `margin ${euro(cost.fleet.margin)}/month`,
      "",
    );
  }
  return `${out.join("\n")}\n`;
}

/** What a copy that is not served is doing on its host. */
function moveNote(tenant: TenantModel): string | undefined {
  const where = (p: { tier: string; host?: string }) =>
    p.tier === "shared" ? `shared host ${p.host}` : "its own server";
  if (tenant.status === "incoming")
    return `moving here: provisioned empty, served where it is until tenancy migrate ${tenant.id} and the cut-over`;
  if (tenant.status === "moved-away" && tenant.move === undefined)
    return `moved away: copy kept, locked, until tenancy purge ${tenant.id} --moved-copy`;
  if (tenant.move) return `served here; moving to ${where(tenant.move)}`;
  return undefined;
}

export function formatChanges(changes: ResourceChange[], base: string): string[] {
  const count = (op: ResourceChange["op"]) => changes.filter((c) => c.op === op).length;
  if (changes.length === 0) return [`  against ${base} (its own code): no changes`];
  const blocked = changes.filter(isBlocked).length;
  const lines = [
    `  against ${base} (its own code): ${count("create")} to create, ${count("update")} to update, ` +
      `${count("replace")} to replace, ${count("delete")} to delete` +
      (blocked
        ? `; ${plural(blocked, "change")} BLOCKED: protected or refused, this change cannot be deployed`
        : ""),
  ];
  for (const change of changes) lines.push(`    ${formatChange(change)}`);
  return lines;
}
