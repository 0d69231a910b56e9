import type { StackValidationPolicy } from "@pulumi/policy";
import { declaredTenants, isHostComponent, plansOf, PLANS_SCHEMA, undeclaredTenants } from "./config";
import { isRateLimitRuleset, zoneOwnership } from "./zone";

interface RateLimitRule {
  description?: string;
  expression?: string;
  ratelimit?: { period?: number; requestsPerPeriod?: number; characteristics?: string[] };
}

export const cloudflareRateLimitMatchesPlan: StackValidationPolicy = {
  name: "cloudflare-rate-limit-matches-plan",
  description:
    "Every served tenant hostname must be rate-limited by its own plan's rule, and each rule must allow exactly " +
    "the plan's API calls per hour (spread over the rule's period), counted per hostname. It reads the " +
    "http_ratelimit ruleset and the tenants each host component declares. The stack that owns the zone (it " +
    "serves shared-tier tenants, or sets any of the zone-wide configuration) must have that ruleset: its rules " +
    "cover the dedicated tenants' hostnames too.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Deploy the shared stack, which owns the zone's rate limits, after changing plans; or have the policy owners change the plan's apiCallsPerHour in the policy config.",
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
    const plans = plansOf(args);
    const rules = rulesets.flatMap((r) =>
      ((r.props.rules ?? []) as RateLimitRule[]).map((rule) => ({ rule, urn: r.urn })),
    );
    const planOfRule = (rule: RateLimitRule) =>
      /^tenancy plan ([a-z0-9-]+):/.exec(rule.description ?? "")?.[1];
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
      if (typeof period !== "number" || !(period > 0)) {
        report(
          `Rate-limit rule of plan "${name}" has no period (${String(period)}), so its requests per period limit ` +
            `nothing the plan can be compared with. Set ratelimit.period in seconds, as createRateLimits does.`,
          urn,
        );
        continue;
      }
      const expected = Math.max(1, Math.ceil((plan.apiCallsPerHour * period) / 3600));
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
    for (const host of args.resources.filter((r) => isHostComponent(r.type))) {
      const tenants = declaredTenants(host);
      if (tenants === undefined) {
        report(undeclaredTenants(host, "whether its tenants' hostnames are rate-limited"), host.urn);
        continue;
      }
      for (const tenant of tenants) {
        if (tenant.status === "decommissioned") continue;
        const own = rules
          .filter(({ rule }) => planOfRule(rule) === tenant.plan)
          .map(({ rule }) => rule.expression ?? "");
        for (const hostname of tenant.hostnames) {
          if (!own.some((expression) => expression.includes(`"${hostname}"`))) {
            report(
              `Hostname ${hostname} of tenant "${tenant.id}" is not limited by the rule of its plan "${tenant.plan}". Deploy the shared stack, which owns the zone's rate limits, after changing tenants or plans.`,
              host.urn,
            );
          }
        }
      }
    }
  },
};
