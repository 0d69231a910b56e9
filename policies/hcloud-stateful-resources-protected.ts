import type { ResourceValidationPolicy } from "@pulumi/policy";

const STATEFUL = [
  "hcloud:index/volume:Volume",
  "hcloud:index/primaryIp:PrimaryIp",
  "hcloud:index/storageBox:StorageBox",
];

export const hcloudStatefulResourcesProtected: ResourceValidationPolicy = {
  name: "hcloud-stateful-resources-protected",
  description:
    "Volumes, primary IPs and Storage Boxes hold data or addresses that must survive any change to tenants.yaml: " +
    "each must carry Pulumi's protect option and Hetzner's delete protection, and a primary IP must not be " +
    "deleted with its server. A volume or address of a server whose tenants were all purged (labelled " +
    "holds-data: false) needs no Pulumi protect, so that removing the server cannot stop half-way; it keeps " +
    "Hetzner's delete protection and is forgotten rather than deleted.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create them through the components (which set protect, retainOnDelete, deleteProtection and autoDelete: false). To retire one, take a backup and remove it by an explicit, reviewed step.",
  validateResource: (args, report) => {
    if (!STATEFUL.includes(args.type)) args.notApplicable("not a stateful resource");
    const labels = (args.props.labels ?? {}) as Record<string, string>;
    const holdsNoData =
      labels["holds-data"] === "false" && args.type !== "hcloud:index/storageBox:StorageBox";
    if (!args.opts.protect && !holdsNoData)
      report(
        `${args.name} is not protected (Pulumi protect). Create it with protect: true, as the components do.`,
      );
    if (args.props.deleteProtection !== true)
      report(
        `${args.name} has no Hetzner delete protection. Set deleteProtection: true, as the components do.`,
      );
    if (args.type === "hcloud:index/primaryIp:PrimaryIp" && args.props.autoDelete !== false) {
      report(
        `${args.name} would be deleted with its server (autoDelete). Set autoDelete: false, as the components do.`,
      );
    }
  },
};
