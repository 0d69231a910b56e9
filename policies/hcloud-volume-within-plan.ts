import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { dedicatedPlan, PLANS_SCHEMA } from "./config";

/** Hetzner's smallest volume. */
const MIN_VOLUME_GB = 10;

export const hcloudVolumeWithinPlan: ResourceValidationPolicy = {
  name: "hcloud-volume-within-plan",
  description:
    "A dedicated tenant's data volume must not be larger than its plan's storage (Hetzner's 10 GB minimum aside). " +
    "It reads the volume's size and its plan label. " +
    "Every volume not labelled tier=shared is judged so, a missing tier label included; it must carry a plan the policy config has.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Keep the tenant on a plan whose storageGb covers the volume, or have the policy owners raise the plan's storage in the policy config. Volumes never shrink: do not lower a deployed volume.",
  configSchema: PLANS_SCHEMA,
  validateResource: validateResourceOfType(hcloud.Volume, (volume, args, report) => {
    const labels = volume.labels ?? {};
    const plan = dedicatedPlan(labels, args, report, "Volume");
    if (!plan) return;
    const allowed = Math.max(MIN_VOLUME_GB, plan.storageGb);
    if (volume.size > allowed) {
      report(
        `Volume of tenant "${labels.tenant}" is ${volume.size} GB; plan "${labels.plan}" allows ${allowed} GB. ` +
          `Keep the tenant on a plan whose storage covers it, or have the policy owners raise the plan's storageGb; never shrink a deployed volume.`,
      );
    }
  }),
};
