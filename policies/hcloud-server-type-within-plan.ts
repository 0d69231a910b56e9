import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { dedicatedPlan, PLANS_SCHEMA } from "./config";

export const hcloudServerTypeWithinPlan: ResourceValidationPolicy = {
  name: "hcloud-server-type-within-plan",
  description:
    "A dedicated tenant's server must be of a server type its plan allows, as the policy config lists them. " +
    "It reads the server's serverType and its plan label. " +
    "Every server not labelled tier=shared is judged so, a missing tier label included; it must carry a plan the policy config has.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Set the tenant's serverType in tenants.yaml to one its plan allows, or have the policy owners add the type to the plan in the policy config.",
  configSchema: PLANS_SCHEMA,
  validateResource: validateResourceOfType(hcloud.Server, (server, args, report) => {
    const labels = server.labels ?? {};
    const plan = dedicatedPlan(labels, args, report, "Server");
    if (!plan) return;
    if (!plan.serverTypes?.includes(server.serverType)) {
      report(
        `Server of tenant "${labels.tenant}" is a ${server.serverType}; plan "${labels.plan}" allows ${plan.serverTypes?.join(", ") ?? "none"}. ` +
          `Set the tenant's serverType in tenants.yaml to one of these, or have the policy owners add the type to the plan.`,
      );
    }
  }),
};
