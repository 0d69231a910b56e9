import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULTS, plansOf, PLANS_SCHEMA, type CloudflareRateLimits, type PlanLimits } from "./config";
import { isRateLimitRuleset, zoneOwnership } from "./zone";

interface RateLimitRule {
  description?: string;
  expression?: string;
  ratelimit?: { period?: number; requestsPerPeriod?: number; characteristics?: string[] };
}

/** What the ZoneEdge component (components/zone.ts) declares: the zone's plan and every served tenant. */
interface ZoneEdge {
  cloudflarePlan?: string;
  advancedRateLimiting?: boolean;
  tenants?: { id: string; plan: string; hostnames: string[] }[];
}

export const ZONE_EDGE = "tenancy:edge:Zone";
const API_PATH = '"/api/"';

const perPeriod = (callsPerHour: number, period: number) =>
  Math.max(1, Math.ceil((callsPerHour * period) / 3600));

export const cloudflareRateLimitMatchesPlan: StackValidationPolicy = {
  name: "cloudflare-rate-limit-matches-plan",
  description:
    "The zone's API rate limits must fit its Cloudflare plan (rule count, counting characteristics, period) and " +
    "match the plans: where the zone can count per hostname (Enterprise with Advanced Rate Limiting), every " +
    "served tenant hostname is limited by its own plan's rule at exactly the plan's API calls per hour; " +
    "elsewhere one per-client rule caps API calls at the largest served plan's budget, and the app enforces " +
    "each tenant's own. It reads the http_ratelimit ruleset and what the zone's ZoneEdge component declares " +
    "(the zone's plan, and every served tenant of both tiers). The stack that owns the zone must have both.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Deploy the shared stack, which owns the zone's rate limits, after changing plans or fleet.cloudflarePlan; or have the policy owners change the plan's apiCallsPerHour in the policy config.",
  configSchema: PLANS_SCHEMA,
  validateStack: (args, report) => {
    const owner = zoneOwnership(args.resources);
    if (owner === undefined) return args.notApplicable("the stack does not own the zone's rate limits");
    const rulesets = args.resources.filter(isRateLimitRuleset);
    if (rulesets.length === 0) {
      // Whatever the rules will be, there must be a ruleset; without one, no hostname is limited at all.
      return report(
        `${owner}, so it owns the zone's rate limits, but it has no http_ratelimit ruleset of kind zone: no ` +
          `tenant's API calls are limited, dedicated tenants' included. Create it with createRateLimits ` +
          `(components/zone.ts).`,
      );
    }
    const edgeResource = args.resources.find((r) => r.type === ZONE_EDGE);
    const edge = edgeResource?.props as ZoneEdge | undefined;
    if (!edge?.cloudflarePlan || !Array.isArray(edge.tenants)) {
      return report(
        `${owner}, so it owns the zone's rate limits, but it declares no ZoneEdge with the zone's Cloudflare plan and ` +
          `its served tenants (${ZONE_EDGE}, in its registered outputs), so the rules cannot be checked. Create it ` +
          `with new ZoneEdge (components/zone.ts), as the shared stack does.`,
      );
    }
    const key =
      edge.cloudflarePlan === "enterprise" && edge.advancedRateLimiting
        ? "enterprise-advanced"
        : edge.cloudflarePlan;
    const facts = Object.hasOwn(DEFAULTS.cloudflareRateLimits, key)
      ? DEFAULTS.cloudflareRateLimits[key]
      : undefined;
    if (!facts) {
      return report(
        `The zone declares Cloudflare plan "${edge.cloudflarePlan}", which the pack does not know (known: ` +
          `${Object.keys(DEFAULTS.cloudflareRateLimits).join(", ")}). Set fleet.cloudflarePlan to one of them.`,
        edgeResource!.urn,
      );
    }
    const rules = rulesets.flatMap((r) =>
      ((r.props.rules ?? []) as RateLimitRule[]).map((rule) => ({ rule, urn: r.urn })),
    );
    const on = key === "enterprise-advanced" ? "Enterprise with Advanced Rate Limiting" : `the ${key} plan`;
    checkFitsPlan(rules, facts, on, report);
    const plans = plansOf(args);
    const tenants = edge.tenants;
    if (allowsHost(facts)) checkPerHostname(rules, tenants, plans, edgeResource!, report);
    else checkCeiling(rules, tenants, plans, on, report);
  },
};

type Report = (message: string, urn?: string) => void;
type Rules = { rule: RateLimitRule; urn: string }[];

const allowsHost = (facts: CloudflareRateLimits) =>
  facts.characteristics === "any" || facts.characteristics.includes("http.host");

/** The rules fit what Cloudflare allows on the zone's plan: how many, counted by what, over which period. */
function checkFitsPlan(rules: Rules, facts: CloudflareRateLimits, on: string, report: Report): void {
  if (rules.length > facts.maxRules) {
    report(
      `The zone's rate-limit ruleset has ${rules.length} rules; Cloudflare allows ${facts.maxRules} on ${on}, so the deploy would be refused. Deploy the shared stack, which writes rules that fit the zone's plan.`,
      rules[0]!.urn,
    );
  }
  for (const { rule, urn } of rules) {
    const name = rule.description ?? "(no description)";
    for (const characteristic of rule.ratelimit?.characteristics ?? []) {
      if (characteristic === "cf.colo.id" || facts.characteristics === "any") continue;
      if (!facts.characteristics.includes(characteristic)) {
        report(
          `Rate-limit rule "${name}" counts by ${characteristic}, which Cloudflare does not allow on ${on} (allowed: cf.colo.id, ${facts.characteristics.join(", ")}). Deploy the shared stack, which writes rules that fit the zone's plan.`,
          urn,
        );
      }
    }
    const period = rule.ratelimit?.period;
    if (typeof period !== "number" || !(period > 0)) {
      report(
        `Rate-limit rule "${name}" has no period (${String(period)}), so its requests per period limit nothing the plans can be compared with. Set ratelimit.period in seconds, as createRateLimits does.`,
        urn,
      );
    } else if (!facts.periods.includes(period)) {
      report(
        `Rate-limit rule "${name}" counts over ${period} s, which Cloudflare does not allow on ${on} (allowed: ${facts.periods.join(", ")} s).`,
        urn,
      );
    }
  }
}

/** Where the zone counts per hostname: one rule per plan, at the plan's budget, covering its tenants. */
function checkPerHostname(
  rules: Rules,
  tenants: NonNullable<ZoneEdge["tenants"]>,
  plans: Record<string, PlanLimits>,
  edge: PolicyResource,
  report: Report,
): void {
  const planOfRule = (rule: RateLimitRule) => /^tenancy plan ([a-z0-9-]+):/.exec(rule.description ?? "")?.[1];
  for (const { rule, urn } of rules) {
    const name = planOfRule(rule);
    const plan = name !== undefined && Object.hasOwn(plans, name) ? plans[name] : undefined;
    if (!plan) {
      report(
        `Rate-limit rule "${rule.description}" is for no plan of the policy config. Deploy the shared stack after changing plans, or have the policy owners add the plan.`,
        urn,
      );
      continue;
    }
    const period = rule.ratelimit?.period;
    if (typeof period !== "number" || !(period > 0)) continue; // reported by checkFitsPlan
    const expected = perPeriod(plan.apiCallsPerHour, period);
    if (rule.ratelimit?.requestsPerPeriod !== expected) {
      report(
        `Rate-limit rule of plan "${name}" allows ${rule.ratelimit?.requestsPerPeriod} requests per ${period} s; ` +
          `the plan's ${plan.apiCallsPerHour} API calls per hour make ${expected}. Deploy the shared stack, which writes the rules from the plans, or have the policy owners change apiCallsPerHour.`,
        urn,
      );
    }
    if (!rule.ratelimit?.characteristics?.includes("http.host")) {
      report(
        `Rate-limit rule of plan "${name}" does not count per hostname (http.host), so its tenants share one budget. Add http.host to its characteristics, as createRateLimits does.`,
        urn,
      );
    }
  }
  for (const tenant of tenants) {
    const own = rules
      .filter(({ rule }) => planOfRule(rule) === tenant.plan)
      .map(({ rule }) => rule.expression ?? "");
    for (const hostname of tenant.hostnames) {
      if (!own.some((expression) => expression.includes(`"${hostname}"`))) {
        report(
          `Hostname ${hostname} of tenant "${tenant.id}" is not limited by the rule of its plan "${tenant.plan}". Deploy the shared stack, which owns the zone's rate limits, after changing tenants or plans.`,
          edge.urn,
        );
      }
    }
  }
}

/**
 * Where the zone counts per client only: one rule on API paths, capping a client at the largest served
 * plan's budget (no tenant's own allowance is cut at the edge; the app enforces each tenant's).
 */
function checkCeiling(
  rules: Rules,
  tenants: NonNullable<ZoneEdge["tenants"]>,
  plans: Record<string, PlanLimits>,
  on: string,
  report: Report,
): void {
  const budgets: number[] = [];
  for (const tenant of tenants) {
    const plan = Object.hasOwn(plans, tenant.plan) ? plans[tenant.plan] : undefined;
    if (plan) budgets.push(plan.apiCallsPerHour);
    else
      report(
        `Tenant "${tenant.id}" is on plan "${tenant.plan}", which the policy config does not have. Have the policy owners add the plan.`,
      );
  }
  if (budgets.length === 0) return;
  const largest = Math.max(...budgets);
  const ceilings = rules.filter(({ rule }) => (rule.expression ?? "").includes(API_PATH));
  if (ceilings.length === 0) {
    report(
      `No rate-limit rule covers the API paths (${API_PATH}): on ${on} the zone must cap each client at the largest plan's budget (${largest} API calls per hour). Deploy the shared stack, which writes that rule.`,
      rules[0]?.urn,
    );
    return;
  }
  for (const { rule, urn } of ceilings) {
    const period = rule.ratelimit?.period;
    if (typeof period !== "number" || !(period > 0)) continue; // reported by checkFitsPlan
    const expected = perPeriod(largest, period);
    if (rule.ratelimit?.requestsPerPeriod !== expected) {
      report(
        `Rate-limit rule "${rule.description}" allows ${rule.ratelimit?.requestsPerPeriod} requests per ${period} s from one client; the largest served plan's ${largest} API calls per hour make ${expected}` +
          (Number(rule.ratelimit?.requestsPerPeriod) < expected
            ? ", so tenants on that plan would be cut off at the edge."
            : ".") +
          " Deploy the shared stack, which writes the rule from the plans.",
        urn,
      );
    }
  }
}
