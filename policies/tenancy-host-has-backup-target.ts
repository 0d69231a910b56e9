import type { StackValidationPolicy } from "@pulumi/policy";
import { isHostComponent } from "./config";

const SUBACCOUNT = "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount";
const STORAGE_BOX = "hcloud:index/storageBox:StorageBox";

export const tenancyHostHasBackupTarget: StackValidationPolicy = {
  name: "tenancy-host-has-backup-target",
  description:
    "Every host (a shared host or a dedicated tenant's server) must have a backup sub-account of its own on " +
    "the stack's Storage Box, so that every tenant's nightly backup has somewhere to go.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Build hosts with the SharedHost and DedicatedTenant components, which create the sub-account.",
  validateStack: (args, report) => {
    const hosts = args.resources.filter((r) => isHostComponent(r.type));
    if (hosts.length === 0) args.notApplicable("no hosts in this stack");
    if (!args.resources.some((r) => r.type === STORAGE_BOX))
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
