/**
 * What the zone's Cloudflare plan can hold, checked against the fleet the manifest describes: the
 * Advanced Rate Limiting add-on exists on Enterprise only, the DNS records tenancy creates must fit the
 * zone's record quota, and the custom hostnames the plan's Cloudflare for SaaS maximum.
 */
import { CLOUDFLARE_PLAN_FACTS, CLOUDFLARE_PLANS, type CloudflarePlan } from "../edge/cloudflare-plans";
import type { Report, RuleInput } from "./rules";

/** The DNS records tenancy creates: one per served tenant, and an A and an AAAA per server. */
export function dnsRecordsNeeded({ plans, hosts, tenants }: Pick<RuleInput, "plans" | "hosts" | "tenants">) {
  let records = 2 * hosts.length;
  for (const { tenant } of tenants) {
    const plan = Object.hasOwn(plans, tenant.plan) ? plans[tenant.plan] : undefined;
    if (plan?.tier === "dedicated") records += 2;
    if (tenant.status !== "decommissioned") records += 1;
  }
  return records;
}

const bigger = (plan: CloudflarePlan, fits: (p: CloudflarePlan) => boolean) =>
  CLOUDFLARE_PLANS.slice(CLOUDFLARE_PLANS.indexOf(plan) + 1).find(fits);

export function checkEdge(input: RuleInput, report: Report): void {
  const { fleet, tenants } = input;
  const plan = fleet.cloudflarePlan;
  const facts = CLOUDFLARE_PLAN_FACTS[plan];
  if (fleet.cloudflareAdvancedRateLimiting && plan !== "enterprise") {
    report(
      ["fleet", "cloudflareAdvancedRateLimiting"],
      `Advanced Rate Limiting is an add-on of Enterprise zones; the zone is on the ${plan} plan`,
    );
  }
  const records = dnsRecordsNeeded(input);
  const quota = fleet.cloudflareDnsRecordQuota ?? facts.dnsRecords.recordsPerZone;
  if (fleet.cloudflareDnsRecordQuota !== undefined && plan !== "enterprise") {
    report(
      ["fleet", "cloudflareDnsRecordQuota"],
      `only an Enterprise zone's DNS record quota can be raised; the ${plan} plan holds ${facts.dnsRecords.recordsPerZone.toLocaleString("en")}`,
    );
  } else if (records > quota) {
    const upgrade = bigger(plan, (p) => CLOUDFLARE_PLAN_FACTS[p].dnsRecords.recordsPerZone >= records);
    report(
      ["fleet", "cloudflarePlan"],
      `the zone's ${plan} plan holds at most ${quota.toLocaleString("en")} DNS records, and this fleet needs ${records.toLocaleString("en")} ` +
        `(one per served tenant, two per server); ` +
        (upgrade
          ? `move the zone to the ${upgrade} plan (${CLOUDFLARE_PLAN_FACTS[upgrade].dnsRecords.recordsPerZone.toLocaleString("en")}) or split the fleet across zones`
          : "split the fleet across zones, or ask Cloudflare to raise the zone's quota and set fleet.cloudflareDnsRecordQuota"),
    );
  }
  const max = facts.customHostnames.max;
  const hostnames = tenants.reduce(
    (n, { tenant }) => n + (tenant.status === "decommissioned" ? 0 : (tenant.domains?.length ?? 0)),
    0,
  );
  if (max !== null && hostnames > max) {
    report(
      ["fleet", "cloudflarePlan"],
      `Cloudflare for SaaS on the ${plan} plan serves at most ${max.toLocaleString("en")} custom hostnames, and the tenants list ${hostnames.toLocaleString("en")}`,
    );
  }
}
