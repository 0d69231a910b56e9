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

const TIERS = ["shared", "dedicated"];

export const hcloudRequiredLabels: ResourceValidationPolicy = {
  name: "hcloud-required-labels",
  description:
    "Every hcloud resource carries managed-by=tenancy and its tier (shared or dedicated), and either its host or its tenant and plan, " +
    "so that the Hetzner console, the cost report and these policies can tell whose it is.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Create hcloud resources through the components, which label them from the fleet model.",
  validateResource: (args, report) => {
    if (!LABELLED.includes(args.type)) args.notApplicable("takes no labels");
    const labels = (args.props.labels ?? {}) as Record<string, string>;
    const fix = "Create hcloud resources through the components, which label them from the fleet model.";
    const missing = ["managed-by", "tier"].filter((key) => !labels[key]);
    if (missing.length > 0) report(`${args.name} lacks the label(s) ${missing.join(", ")}. ${fix}`);
    if (labels["managed-by"] && labels["managed-by"] !== "tenancy")
      report(`${args.name} is labelled managed-by=${labels["managed-by"]}, not managed-by=tenancy. ${fix}`);
    if (labels.tier && !TIERS.includes(labels.tier))
      report(`${args.name} is labelled tier=${labels.tier}, which is no tier (${TIERS.join(", ")}). ${fix}`);
    const owned = Boolean(labels.host) || (Boolean(labels.tenant) && Boolean(labels.plan));
    if (!owned && labels.role !== "backup-store")
      report(`${args.name} names neither its host nor its tenant and plan. ${fix}`);
  },
};
