import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { approvedPlan, plansOf, PLANS_SCHEMA } from "./config";

export const hcloudServerLocationWithinPlan: ResourceValidationPolicy = {
  name: "hcloud-server-location-within-plan",
  description:
    "A dedicated tenant's server must be in a location its plan allows (data residency is part of what the plan sells). " +
    "It reads the server's location and its plan label.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Set the tenant's location in tenants.yaml to one its plan allows, or have the policy owners add the location to the plan in the policy config.",
  configSchema: PLANS_SCHEMA,
  validateResource: validateResourceOfType(hcloud.Server, (server, args, report) => {
    const labels = server.labels ?? {};
    if (labels.tier !== "dedicated") args.notApplicable("shared hosts have no plan of their own");
    const plan = approvedPlan(plansOf(args), labels.plan);
    if (typeof plan === "string") return report(`Server of tenant "${labels.tenant}" ${plan}.`);
    if (!server.location || !plan.locations?.includes(server.location)) {
      report(
        `Server of tenant "${labels.tenant}" is in ${server.location ?? "no location"}; plan "${labels.plan}" allows ${plan.locations?.join(", ") ?? "none"}.`,
      );
    }
  }),
};
