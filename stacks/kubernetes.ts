/**
 * The "kubernetes" stack: one ContainerTenant per containerized tenant, on the fleet's existing cluster
 * (fleet.kubernetes), reached through tenancy:kubeconfig and nothing else; and the cluster's origin
 * records, which the tenants' CNAMEs (the shared stack's) point at.
 *
 * At preview it reads what the tier needs of the cluster, so that a missing prerequisite fails the
 * preview rather than the deploy: CloudNativePG's CustomResourceDefinitions, and the ingress
 * controller's LoadBalancer Service, whose addresses become origin-<cluster>.<zone> (docs/kubernetes.md).
 */
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerTenant, tenantPasswords, type ContainerBackupStore } from "../components";
import { createOriginRecords } from "../components/tenant-edge";
import { serverResourceNames, type ClusterModel, type FleetModel } from "../infra/expand";
import { locationCountry } from "../infra/plans";
import { knownRotations, type StackConfig } from "./config";

/** The custom resources the tier creates: CloudNativePG's, which its operator must have installed. */
export const CNPG_CRDS = [
  "clusters.postgresql.cnpg.io",
  "scheduledbackups.postgresql.cnpg.io",
  "backups.postgresql.cnpg.io",
] as const;

export function kubernetesStack(model: FleetModel, config: StackConfig) {
  const { cluster, tenants } = model.kubernetes;
  if (cluster === undefined) {
    if (tenants.length > 0)
      throw new pulumi.RunError(
        `${tenants.length} tenant(s) have a containerized plan (${tenants.map((t) => t.id).join(", ")}), ` +
          "and the manifest has no fleet.kubernetes: name the cluster they run on (docs/kubernetes.md)",
      );
    return { tenants: {} };
  }
  if (config.kubeconfig === undefined)
    throw new Error("the kubernetes stack's settings have no kubeconfig (readStackConfig)");
  const provider = new kubernetes.Provider("cluster", {
    kubeconfig: config.kubeconfig,
    // Server-side apply (the default since 4.0, stated): the autoscaler keeps the replicas it owns.
    enableServerSideApply: true,
    // An unreachable cluster fails the update; it never drops the tenants from the state.
    deleteUnreachable: false,
    // A Secret's new data (a rotated password, a new bucket key) updates it in place, as CloudNativePG
    // expects of the Secrets it watches (cnpg.io/reload), instead of replacing it under its name.
    enableSecretMutable: true,
  });
  checkPrerequisites(provider);
  const ingress = ingressAddresses(cluster, provider);
  const names = serverResourceNames(cluster.name);
  const origin = createOriginRecords(
    cluster.name,
    { name: model.zone, id: config.cloudflareZoneId },
    ingress,
    names,
  );

  const backup = backupStore(cluster, config);
  const passwordOf = tenantPasswords(
    "kubernetes",
    knownRotations("kubernetes", model, config.dbPasswordRotations),
  );
  // A purged tenant's namespace was deleted by hand (docs/kubernetes.md, "Purging a tenant"): the stack
  // forgets its objects, which are retainOnDelete, so nothing is deleted in the cluster.
  const components = tenants
    .filter((tenant) => tenant.status !== "purged")
    .map(
      (tenant) =>
        new ContainerTenant(
          tenant.id,
          {
            tenant,
            cluster,
            app: { port: model.app.port, healthPath: model.app.healthPath },
            zone: model.zone,
            dbPassword: passwordOf(tenant.id),
            dbPasswordGeneration: config.dbPasswordRotations[tenant.id] ?? 0,
            backup,
          },
          { providers: [provider] },
        ),
    );
  return {
    cluster: { name: cluster.name, origin, ipv4: ingress.ipv4, ipv6: ingress.ipv6 },
    tenants: Object.fromEntries(
      components
        .filter((c) => c.url !== undefined)
        .map((c) => [c.tenantId, { url: c.url!, namespace: c.namespace, cluster: cluster.name }]),
    ),
  };
}

/** A read of an object that does not exist fails the preview, naming it: what the API allows to check. */
function checkPrerequisites(provider: kubernetes.Provider): void {
  for (const crd of CNPG_CRDS)
    kubernetes.apiextensions.v1.CustomResourceDefinition.get(`prerequisite-${crd}`, crd, { provider });
}

/** The ingress controller's load balancer addresses: one IPv4 and one IPv6, or a clear failure. */
function ingressAddresses(cluster: ClusterModel, provider: kubernetes.Provider) {
  const id = `${cluster.ingressNamespace}/${cluster.ingressService}`;
  const service = kubernetes.core.v1.Service.get(`prerequisite-ingress-${cluster.name}`, id, { provider });
  const addresses = service.status.apply((status) => {
    const ips = (status?.loadBalancer?.ingress ?? []).flatMap((entry) => (entry.ip ? [entry.ip] : []));
    const pick = (family: "IPv4" | "IPv6", test: (ip: string) => boolean) => {
      const ip = ips.find(test);
      if (ip === undefined)
        throw new pulumi.RunError(
          `the ingress Service ${id} of cluster ${cluster.name} has no ${family} load balancer address ` +
            `(it reports ${ips.length > 0 ? ips.join(", ") : "none"}); origin-${cluster.name} needs an A and an ` +
            "AAAA record: give the load balancer both (docs/kubernetes.md, Prerequisites)",
        );
      return ip;
    };
    return { ipv4: pick("IPv4", (ip) => ip.includes(".")), ipv6: pick("IPv6", (ip) => ip.includes(":")) };
  });
  return { ipv4: addresses.ipv4, ipv6: addresses.ipv6 };
}

/**
 * The S3 store of the cluster's country (tenancy:backupBuckets, restic's form
 * `s3:https://<endpoint>/<bucket>[/<prefix>]`), as barman wants it: the endpoint URL and the bucket
 * path; its access key from tenancy:backupBucketKeys.
 */
function backupStore(cluster: ClusterModel, config: StackConfig): ContainerBackupStore {
  const country = locationCountry(cluster.location);
  const entry = config.backupBuckets.find((bucket) => bucket.country === country);
  if (!entry)
    throw new pulumi.RunError(
      `cluster ${cluster.name} is in ${cluster.location} (${country}), and tenancy:backupBuckets has no ` +
        `bucket for ${country}: the tenants' databases are backed up to S3 in their country; add ` +
        `"${country}=s3:https://<endpoint>/<bucket>" and its key to tenancy:backupBucketKeys (Pulumi.kubernetes.yaml)`,
    );
  const match = /^s3:(https:\/\/[^/]+)\/(.+?)\/*$/.exec(entry.repository)!;
  const credentials = config.backupBucketKeys.apply((keys) => {
    const key = keys[country];
    if (!key)
      throw new pulumi.RunError(
        `tenancy:backupBucketKeys has no access key for ${country}, the country of cluster ${cluster.name}'s bucket`,
      );
    return key;
  });
  return { country, endpointUrl: match[1]!, bucket: match[2]!, credentials: pulumi.secret(credentials) };
}
