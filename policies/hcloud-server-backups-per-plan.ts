import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { dedicatedPlan, PLANS_SCHEMA } from "./config";

export const hcloudServerBackupsPerPlan: ResourceValidationPolicy = {
  name: "hcloud-server-backups-per-plan",
  description:
    "A dedicated tenant's server must have Hetzner server backups on when its plan includes them. " +
    "It reads the server's backups flag and its plan label. " +
    "Every server not labelled tier=shared is judged so, a missing tier label included; it must carry a plan the policy config has.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Turn server backups on for the plan (serverBackups: true), as the policy config says.",
  configSchema: PLANS_SCHEMA,
  validateResource: validateResourceOfType(hcloud.Server, (server, args, report) => {
    const labels = server.labels ?? {};
    const plan = dedicatedPlan(labels, args, report, "Server");
    if (!plan) return;
    if (plan.serverBackups && server.backups !== true) {
      report(
        `Server of tenant "${labels.tenant}" has no Hetzner backups; plan "${labels.plan}" includes them. Turn backups on for the server, as the DedicatedTenant component does for such plans.`,
      );
    }
  }),
};
