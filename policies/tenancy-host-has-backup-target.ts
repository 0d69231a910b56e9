import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isHostComponent, type BackupTargetProps } from "./config";

const SUBACCOUNT = "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount";
const STORAGE_BOX = "hcloud:index/storageBox:StorageBox";

export const tenancyHostHasBackupTarget: StackValidationPolicy = {
  name: "tenancy-host-has-backup-target",
  description:
    "Every host (a shared host or a dedicated tenant's server) must have a backup sub-account of its own on " +
    "a Storage Box of the stack, or a repository of its own in an S3 bucket where Hetzner sells no Storage " +
    "Box (its backupTarget output), so that every tenant's nightly backup has somewhere to go.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Build hosts with the SharedHost and DedicatedTenant components, which create the sub-account.",
  validateStack: (args, report) => {
    const inBucket = (host: PolicyResource) => {
      const target = host.props.backupTarget as Partial<BackupTargetProps> | undefined;
      return target?.kind === "s3" && typeof target.repository === "string" && target.repository !== "";
    };
    const all = args.resources.filter((r) => isHostComponent(r.type));
    if (all.length === 0) args.notApplicable("no hosts in this stack");
    // A host in an S3 bucket has no sub-account; where that bucket is, tenancy-backup-target-within-residency judges.
    const hosts = all.filter((host) => !inBucket(host));
    if (hosts.length > 0 && !args.resources.some((r) => r.type === STORAGE_BOX))
      report(
        "The stack has no Storage Box for its backups. Create the stack's backup store (components/backup-store.ts), as the stack programs do.",
      );
    for (const host of hosts) {
      const has = args.resources.some((r) => r.type === SUBACCOUNT && r.parent?.urn === host.urn);
      if (!has)
        report(
          `Host "${host.name}" has no backup sub-account: its tenants' backups have nowhere to go. Build the host with the SharedHost or DedicatedTenant component, which creates it.`,
          host.urn,
        );
    }
  },
};
