import type { ResourceValidationPolicy } from "@pulumi/policy";

/** hcloud resources that take labels (a volume attachment does not). */
const LABELLED = [
  "hcloud:index/server:Server",
  "hcloud:index/volume:Volume",
  "hcloud:index/primaryIp:PrimaryIp",
  "hcloud:index/firewall:Firewall",
  "hcloud:index/storageBox:StorageBox",
  "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount",
];

export const hcloudRequiredLabels: ResourceValidationPolicy = {
  name: "hcloud-required-labels",
  description:
    "Every hcloud resource carries managed-by=tenancy and its tier, and either its host or its tenant and plan, " +
    "so that the Hetzner console, the cost report and these policies can tell whose it is.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Create hcloud resources through the components, which label them from the fleet model.",
  validateResource: (args, report) => {
    if (!LABELLED.includes(args.type)) args.notApplicable("takes no labels");
    const labels = (args.props.labels ?? {}) as Record<string, string>;
    const missing = ["managed-by", "tier"].filter((key) => !labels[key]);
    if (missing.length > 0) report(`${args.name} lacks the label(s) ${missing.join(", ")}.`);
    const owned = labels.host !== undefined || (labels.tenant !== undefined && labels.plan !== undefined);
    if (!owned && labels.role !== "backup-store")
      report(`${args.name} names neither its host nor its tenant and plan.`);
  },
};
