/**
 * Zone-wide settings, owned by the shared stack: SSL strict (Cloudflare verifies the Origin CA
 * certificate), HTTPS always, TLS 1.2 at least, and one rate-limit rule per plan from its API limit.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";
import { tenantsOf, type FleetModel } from "../infra/expand";

/** Requests under this path count as API calls. */
export const API_PATH_PREFIX = "/api/";
/** Cloudflare counts over one minute on most plans; the hourly limit is spread evenly. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;
/** Cloudflare refuses rule expressions longer than 4 KB; a plan with many hostnames gets several rules. */
const MAX_EXPRESSION_LENGTH = 3500;

export const ZONE_SETTINGS = { ssl: "strict", always_use_https: "on", min_tls_version: "1.2" } as const;

export function createZoneSettings(zoneId: pulumi.Input<string>): void {
  for (const [settingId, value] of Object.entries(ZONE_SETTINGS)) {
    new cloudflare.ZoneSetting(`zone-${settingId.replace(/_/g, "-")}`, { zoneId, settingId, value });
  }
}

export interface RateLimitRule {
  plan: string;
  description: string;
  expression: string;
  requestsPerPeriod: number;
}

/** The rules, one per plan (more when a plan has too many hostnames for one expression). */
export function rateLimitRules(model: FleetModel): RateLimitRule[] {
  const rules: RateLimitRule[] = [];
  for (const plan of Object.values(model.plans)) {
    const hostnames = tenantsOf(model)
      .filter((tenant) => tenant.plan === plan.name && tenant.status !== "decommissioned")
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
        requestsPerPeriod: Math.max(1, Math.ceil((plan.apiCallsPerHour * RATE_LIMIT_PERIOD_SECONDS) / 3600)),
      }),
    );
  }
  return rules;
}

export function createRateLimits(zoneId: pulumi.Input<string>, model: FleetModel): cloudflare.Ruleset {
  return new cloudflare.Ruleset("zone-rate-limits", {
    zoneId,
    kind: "zone",
    phase: "http_ratelimit",
    name: "tenancy plan rate limits",
    description: "One rule per plan, from the plan's apiCallsPerHour (tenants.yaml and the plan catalogue).",
    rules: rateLimitRules(model).map((rule) => ({
      description: rule.description,
      expression: rule.expression,
      action: "block",
      ratelimit: {
        // Counted per hostname, so each tenant has its own budget.
        characteristics: ["cf.colo.id", "http.host"],
        period: RATE_LIMIT_PERIOD_SECONDS,
        requestsPerPeriod: rule.requestsPerPeriod,
        mitigationTimeout: RATE_LIMIT_PERIOD_SECONDS,
      },
    })),
  });
}
