import type { ResourceValidationPolicy } from "@pulumi/policy";
import { CNPG_CLUSTER, describeObject, isTenantNamespace, NAMESPACE, type KubeObject } from "./kubernetes";

export const kubernetesDatabasesRetained: ResourceValidationPolicy = {
  name: "kubernetes-databases-retained",
  description:
    "A containerized tenant's database (a CloudNativePG Cluster) and its namespace (deleting a namespace deletes " +
    "everything in it, the database's volumes included) must survive any change to tenants.yaml: each must carry " +
    "Pulumi's protect option. A tenant namespace is one labelled managed-by tenancy or with a tenant, or named " +
    "tenant-<id>. Pulumi's retainOnDelete is not sent to policy packs, so this pack cannot check it; the " +
    "component's tests must.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create them through the ContainerTenant component (which sets protect and retainOnDelete). To retire a tenant, decommission it, take a final backup, and remove its data by an explicit, reviewed step.",
  validateResource: (args, report) => {
    if (args.type !== CNPG_CLUSTER && args.type !== NAMESPACE) args.notApplicable("holds no tenant data");
    const object = args.props as KubeObject;
    if (args.type === NAMESPACE && !isTenantNamespace(object.metadata))
      args.notApplicable("not a tenant's namespace");
    if (!args.opts.protect)
      report(
        `${describeObject(args.type, args.name, object.metadata)} is not protected (Pulumi protect): a manifest edit could delete the tenant's data. ` +
          `Create it with protect: true and retainOnDelete: true, as the ContainerTenant component does.`,
      );
  },
};
