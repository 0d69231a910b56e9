import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULTS, plansOf, PLANS_SCHEMA, type Plans } from "./config";

export const hcloudSharedHostWithinCapacity: ResourceValidationPolicy = {
  name: "hcloud-shared-host-within-capacity",
  description:
    "A shared host must not carry more capacity units than its server type offers. The units used are recounted " +
    "from the host's plan-<name> labels with each plan's capacityUnits from the policy config, so a manifest " +
    "cannot make room by lowering a plan's units. A server is a shared host when it is labelled role=shared-host " +
    "or tier=shared, and each plan-<name> label must be a count of tenants.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Place new tenants on another host (tenancy place --write), or choose a larger serverType for the host. Moving placed tenants is a data migration.",
  configSchema: {
    properties: {
      ...PLANS_SCHEMA.properties,
      sharedHostCapacity: {
        type: "object",
        description: "Capacity units a shared host of each server type offers.",
        default: DEFAULTS.sharedHostCapacity,
        additionalProperties: { type: "number" },
      },
    },
  },
  validateResource: validateResourceOfType(hcloud.Server, (server, args, report) => {
    const labels = server.labels ?? {};
    // Either label makes it a shared host: a shared-tier server without its role must not escape.
    if (labels.role !== "shared-host" && labels.tier !== "shared") args.notApplicable("not a shared host");
    const plans: Plans = plansOf(args);
    const capacities = args.getConfig<{ sharedHostCapacity: Record<string, number> }>().sharedHostCapacity;
    const capacity = Object.hasOwn(capacities, server.serverType) ? capacities[server.serverType] : undefined;
    if (capacity === undefined) {
      return report(
        `Shared host "${labels.host}" is a ${server.serverType}, which the policy config gives no capacity. ` +
          `Choose a server type of sharedHostCapacity in the policy config for the host.`,
      );
    }
    let used = 0;
    for (const [key, value] of Object.entries(labels)) {
      if (!key.startsWith("plan-")) continue;
      const name = key.slice("plan-".length);
      const plan = Object.hasOwn(plans, name) ? plans[name] : undefined;
      if (plan?.capacityUnits === undefined) {
        return report(
          `Shared host "${labels.host}" carries tenants of plan "${name}", which is no shared plan in the policy config. ` +
            `Place only shared-plan tenants on shared hosts, or have the policy owners give the plan capacityUnits.`,
        );
      }
      if (!/^\d+$/.test(value)) {
        return report(
          `Shared host "${labels.host}" has label ${key} "${value}", which is not a count of tenants, so its ` +
            `capacity cannot be recounted. Build shared hosts with the SharedHost component, which writes the counts.`,
        );
      }
      used += plan.capacityUnits * Number(value);
    }
    if (used > capacity) {
      report(
        `Shared host "${labels.host}" carries ${used} capacity units; a ${server.serverType} offers ${capacity}. ` +
          `Place new tenants on another host (tenancy place --write), or choose a larger serverType for the host.`,
      );
    }
  }),
};
