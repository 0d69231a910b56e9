import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { dedicatedPlan, PLANS_SCHEMA } from "./config";

export const hcloudServerLocationWithinPlan: ResourceValidationPolicy = {
  name: "hcloud-server-location-within-plan",
  description:
    "A dedicated tenant's server must be in a location its plan allows (data residency is part of what the plan sells). " +
    "It reads the server's location and its plan label. " +
    "Every server not labelled tier=shared is judged so, a missing tier label included; it must carry a plan the policy config has.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Set the tenant's location in tenants.yaml to one its plan allows, or have the policy owners add the location to the plan in the policy config.",
  configSchema: PLANS_SCHEMA,
  validateResource: validateResourceOfType(hcloud.Server, (server, args, report) => {
    const labels = server.labels ?? {};
    const plan = dedicatedPlan(labels, args, report, "Server");
    if (!plan) return;
    if (!server.location || !plan.locations?.includes(server.location)) {
      report(
        `Server of tenant "${labels.tenant}" is in ${server.location ?? "no location"}; plan "${labels.plan}" allows ${plan.locations?.join(", ") ?? "none"}. ` +
          `Set the tenant's location in tenants.yaml to one of these, or have the policy owners add the location to the plan.`,
      );
    }
  }),
};
