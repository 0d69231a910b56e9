import type { StackValidationPolicy } from "@pulumi/policy";
import {
  approvedPlan,
  declaredTenants,
  isHostComponent,
  plansOf,
  PLANS_SCHEMA,
  undeclaredTenants,
} from "./config";

const CUSTOM_HOSTNAME = "cloudflare:index/customHostname:CustomHostname";
const ZONE_EDGE = "tenancy:edge:Zone";

export const tenantCustomDomainsWithinPlan: StackValidationPolicy = {
  name: "tenant-custom-domains-within-plan",
  description:
    "A tenant may have no more custom domains (Cloudflare custom hostnames) than its plan allows. It reads the " +
    "tenants each host component and the zone's ZoneEdge declare and counts the custom hostnames registered for each (named " +
    "<tenant>-domain-<hostname>); a custom hostname that belongs to no declared tenant, and a host whose tenants " +
    "cannot be read, are refused, since no plan would limit them.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Remove custom domains from the tenant in tenants.yaml, move it to a plan that allows more, or have the policy owners raise the plan's customDomains in the policy config.",
  configSchema: PLANS_SCHEMA,
  validateStack: (args, report) => {
    const plans = plansOf(args);
    const customHostnames = args.resources.filter((r) => r.type === CUSTOM_HOSTNAME);
    const counted = new Set<string>();
    const unreadHosts = new Set<string>();
    // Each tenant once, from whichever component declares it: its host, or the zone (which registers
    // every served tenant's custom hostnames, dedicated ones included).
    const declared = new Map<string, { id: string; plan: string; urn: string }>();
    for (const host of args.resources.filter((r) => isHostComponent(r.type) || r.type === ZONE_EDGE)) {
      const tenants = declaredTenants(host);
      if (tenants === undefined) {
        unreadHosts.add(host.urn);
        report(undeclaredTenants(host, "its tenants' custom domains"), host.urn);
        continue;
      }
      for (const tenant of tenants)
        if (!declared.has(tenant.id)) declared.set(tenant.id, { ...tenant, urn: host.urn });
    }
    for (const tenant of declared.values()) {
      // By the whole name: a prefix would count "acme-domain-shop"'s domains for "acme" too.
      const registered = customHostnames.filter(
        (r) => r.name === `${tenant.id}-domain-${String(r.props.hostname)}`,
      );
      for (const r of registered) counted.add(r.urn);
      const plan = approvedPlan(plans, tenant.plan);
      if (typeof plan === "string") {
        if (registered.length > 0)
          report(
            `Tenant "${tenant.id}" ${plan}. Move the tenant to a plan of the policy config, or have the policy owners add the plan.`,
            tenant.urn,
          );
        continue;
      }
      if (registered.length > plan.customDomains) {
        report(
          `Tenant "${tenant.id}" has ${registered.length} custom domains; plan "${tenant.plan}" allows ${plan.customDomains}. ` +
            `Remove domains from the tenant in tenants.yaml, move it to a plan that allows more, or have the policy owners raise customDomains.`,
          tenant.urn,
        );
      }
    }
    for (const r of customHostnames) {
      if (counted.has(r.urn) || (r.parent !== undefined && unreadHosts.has(r.parent.urn))) continue;
      report(
        `Custom hostname ${String(r.props.hostname)} (${r.name}) belongs to no tenant a host component declares, ` +
          `so no plan limits it. Give custom domains to a tenant in tenants.yaml (its domains), which names ` +
          `them <tenant>-domain-<hostname> under the tenant's host.`,
        r.urn,
      );
    }
  },
};
