/**
 * Zone-wide settings, owned by the shared stack: SSL strict (Cloudflare verifies the Origin CA
 * certificate), HTTPS always, TLS 1.2 at least, and the API rate limits the zone's Cloudflare plan allows.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { allowsCharacteristic, rateLimitFactsFor } from "../infra/edge/cloudflare-plans";
import { isServed, tenantsOf, type FleetModel } from "../infra/expand";
import { createTenantEdges } from "./tenant-edge";

/** Requests under this path count as API calls. */
export const API_PATH_PREFIX = "/api/";
/** Counting over one minute at most: the hourly limits are spread evenly over the period. */
const LONGEST_PERIOD_SECONDS = 60;
/** Cloudflare refuses rule expressions longer than 4,096 characters; a plan with many hostnames gets several rules. */
const MAX_EXPRESSION_LENGTH = 3500;

export const ZONE_SETTINGS = { ssl: "strict", always_use_https: "on", min_tls_version: "1.2" } as const;

export function createZoneSettings(zoneId: pulumi.Input<string>): void {
  for (const [settingId, value] of Object.entries(ZONE_SETTINGS)) {
    new cloudflare.ZoneSetting(`zone-${settingId.replace(/_/g, "-")}`, { zoneId, settingId, value });
  }
}

export interface RateLimitRule {
  /** The plan whose hostnames the rule limits; absent for the per-client ceiling. */
  plan?: string;
  description: string;
  expression: string;
  characteristics: string[];
  period: number;
  requestsPerPeriod: number;
  mitigationTimeout: number;
}

const perPeriod = (callsPerHour: number, period: number) =>
  Math.max(1, Math.ceil((callsPerHour * period) / 3600));

/**
 * The zone's rate-limit rules, as the zone's Cloudflare plan allows them (infra/edge/cloudflare-plans.ts).
 * Where rules may count per hostname (Enterprise with Advanced Rate Limiting), one rule per plan (more
 * when a plan has too many hostnames for one expression) gives each tenant hostname its plan's budget.
 * Elsewhere Cloudflare can count per client only: one rule caps each client address at the largest
 * plan's budget on API paths, so that no tenant's own allowance is cut at the edge, and each tenant's
 * plan limit is enforced by the app, which reads it from the tenant registry (docs/plans.md).
 */
export function rateLimitRules(model: FleetModel): RateLimitRule[] {
  const facts = rateLimitFactsFor(model.cloudflarePlan, model.advancedRateLimiting);
  const period = Math.max(...facts.periods.filter((p) => p <= LONGEST_PERIOD_SECONDS));
  const timeout = facts.mitigationTimeouts.includes(period) ? period : facts.mitigationTimeouts[0]!;
  const served = tenantsOf(model).filter((tenant) => isServed(tenant.status));
  if (served.length === 0) return [];
  if (!allowsCharacteristic(facts, "http.host")) {
    const largest = Math.max(...served.map((tenant) => tenant.limits.apiCallsPerHour));
    return [
      {
        description: `tenancy: at most ${largest} API calls per hour from one client (the largest plan's budget); each tenant's plan limit is enforced by the app`,
        expression: `starts_with(http.request.uri.path, "${API_PATH_PREFIX}")`,
        characteristics: ["cf.colo.id", "ip.src"],
        period,
        requestsPerPeriod: perPeriod(largest, period),
        mitigationTimeout: timeout,
      },
    ];
  }
  const rules: RateLimitRule[] = [];
  for (const plan of Object.values(model.plans)) {
    const hostnames = served
      .filter((tenant) => tenant.plan === plan.name)
      .flatMap((tenant) => tenant.hostnames);
    const chunks: string[][] = [];
    for (const hostname of hostnames) {
      const last = chunks.at(-1);
      if (last && [...last, hostname].join('" "').length < MAX_EXPRESSION_LENGTH) last.push(hostname);
      else chunks.push([hostname]);
    }
    chunks.forEach((chunk, i) =>
      rules.push({
        plan: plan.name,
        description: `tenancy plan ${plan.name}: ${plan.apiCallsPerHour} API calls per hour per tenant hostname${chunks.length > 1 ? ` (part ${i + 1})` : ""}`,
        expression: `(http.host in {${chunk.map((h) => `"${h}"`).join(" ")}} and starts_with(http.request.uri.path, "${API_PATH_PREFIX}"))`,
        // Counted per hostname, so each tenant has its own budget.
        characteristics: ["cf.colo.id", "http.host"],
        period,
        requestsPerPeriod: perPeriod(plan.apiCallsPerHour, period),
        mitigationTimeout: timeout,
      }),
    );
  }
  if (rules.length > facts.maxRules) {
    throw new Error(
      `the zone's plans need ${rules.length} rate-limit rules and Cloudflare allows ${facts.maxRules} on this zone; ` +
        "merge plans with the same apiCallsPerHour, or ask Cloudflare for more rules",
    );
  }
  return rules;
}

/** What the zone serves, as the policy pack reads it: the zone's plan and every served tenant, both tiers. */
export interface ZoneEdgeProps {
  zone: string;
  cloudflarePlan: string;
  advancedRateLimiting: boolean;
  tenants: { id: string; tier: string; plan: string; hostnames: string[] }[];
}

export function zoneEdgeProps(model: FleetModel): ZoneEdgeProps {
  return {
    zone: model.zone,
    cloudflarePlan: model.cloudflarePlan,
    advancedRateLimiting: model.advancedRateLimiting,
    tenants: tenantsOf(model)
      .filter((tenant) => isServed(tenant.status))
      .map((tenant) => ({
        id: tenant.id,
        tier: tenant.tier,
        plan: tenant.plan,
        hostnames: tenant.hostnames,
      })),
  };
}

/**
 * ZoneEdge (`tenancy:edge:Zone`): what the zone serves. It owns every served tenant's DNS record and
 * custom hostnames, both tiers, and declares to the policy pack, in the stack that owns the zone, which
 * hostnames there are, on which plan, and the zone's Cloudflare plan.
 */
export class ZoneEdge extends pulumi.ComponentResource {
  constructor(
    name: string,
    model: FleetModel,
    zoneId: pulumi.Input<string>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const props = zoneEdgeProps(model);
    super("tenancy:edge:Zone", name, props, opts);
    // Every served tenant's DNS record and custom hostnames, both tiers (tenant-edge.ts).
    createTenantEdges(tenantsOf(model), { name: model.zone, id: zoneId }, this);
    // As outputs too: stack policies read a component's registered outputs.
    this.registerOutputs(props);
  }
}

export function createRateLimits(zoneId: pulumi.Input<string>, model: FleetModel): cloudflare.Ruleset {
  return new cloudflare.Ruleset("zone-rate-limits", {
    zoneId,
    kind: "zone",
    phase: "http_ratelimit",
    name: "tenancy plan rate limits",
    description: `API rate limits as the zone's Cloudflare plan (${model.cloudflarePlan}) allows them; see docs/plans.md.`,
    rules: rateLimitRules(model).map((rule) => ({
      description: rule.description,
      expression: rule.expression,
      action: "block",
      ratelimit: {
        characteristics: rule.characteristics,
        period: rule.period,
        requestsPerPeriod: rule.requestsPerPeriod,
        mitigationTimeout: rule.mitigationTimeout,
      },
    })),
  });
}
