import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULTS, plansOf, PLANS_SCHEMA, type Plans } from "./config";

export const hcloudSharedHostWithinCapacity: ResourceValidationPolicy = {
  name: "hcloud-shared-host-within-capacity",
  description:
    "A shared host must not carry more capacity units than its server type offers. The units used are recounted " +
    "from the host's plan-<name> labels with each plan's capacityUnits from the policy config, so a manifest " +
    "cannot make room by lowering a plan's units.",
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
    if (labels.role !== "shared-host") args.notApplicable("not a shared host");
    const plans: Plans = plansOf(args);
    const capacity = args.getConfig<{ sharedHostCapacity: Record<string, number> }>().sharedHostCapacity[
      server.serverType
    ];
    if (capacity === undefined) {
      return report(
        `Shared host "${labels.host}" is a ${server.serverType}, which the policy config gives no capacity.`,
      );
    }
    let used = 0;
    for (const [key, value] of Object.entries(labels)) {
      if (!key.startsWith("plan-")) continue;
      const plan = plans[key.slice("plan-".length)];
      if (plan?.capacityUnits === undefined) {
        return report(
          `Shared host "${labels.host}" carries tenants of plan "${key.slice(5)}", which is no shared plan in the policy config.`,
        );
      }
      used += plan.capacityUnits * Number(value);
    }
    if (used > capacity) {
      report(
        `Shared host "${labels.host}" carries ${used} capacity units; a ${server.serverType} offers ${capacity}.`,
      );
    }
  }),
};
