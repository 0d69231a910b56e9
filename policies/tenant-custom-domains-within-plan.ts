import type { StackValidationPolicy } from "@pulumi/policy";
import { approvedPlan, isHostComponent, plansOf, PLANS_SCHEMA, type HostingProps } from "./config";

const CUSTOM_HOSTNAME = "cloudflare:index/customHostname:CustomHostname";

export const tenantCustomDomainsWithinPlan: StackValidationPolicy = {
  name: "tenant-custom-domains-within-plan",
  description:
    "A tenant may have no more custom domains (Cloudflare custom hostnames) than its plan allows. It reads the " +
    "tenants each host component declares and counts the custom hostnames registered for each.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Remove custom domains from the tenant in tenants.yaml, move it to a plan that allows more, or have the policy owners raise the plan's customDomains in the policy config.",
  configSchema: PLANS_SCHEMA,
  validateStack: (args, report) => {
    const plans = plansOf(args);
    const hostnames = args.resources.filter((r) => r.type === CUSTOM_HOSTNAME);
    for (const host of args.resources.filter((r) => isHostComponent(r.type))) {
      for (const tenant of (host.props as HostingProps).tenants ?? []) {
        const registered = hostnames.filter((r) => r.name.startsWith(`${tenant.id}-domain-`)).length;
        const plan = approvedPlan(plans, tenant.plan);
        if (typeof plan === "string") {
          if (registered > 0) report(`Tenant "${tenant.id}" ${plan}.`, host.urn);
          continue;
        }
        if (registered > plan.customDomains) {
          report(
            `Tenant "${tenant.id}" has ${registered} custom domains; plan "${tenant.plan}" allows ${plan.customDomains}.`,
            host.urn,
          );
        }
      }
    }
  },
};
