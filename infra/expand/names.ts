/**
 * Derived names. Each depends only on the tenant's own id or the host's own name, never on an index or
 * on other tenants, so that adding, removing or re-planning one tenant renames nothing else (a rename
 * would make Pulumi replace the resource).
 */
import { DEDICATED_PREFIX, ORIGIN_PREFIX } from "../manifest";
import type { ServerResourceNames, TenantResourceNames } from "./model";

export function tenantHostname(id: string, zone: string): string {
  return `${id}.${zone}`;
}

/** The name every tenant record points at: one proxied A/AAAA pair per host (tenant ids may not take it). */
export function originRecordName(hetznerName: string, zone: string): string {
  return `${ORIGIN_PREFIX}${hetznerName}.${zone}`;
}

/** Hetzner server name of a dedicated tenant; the prefix keeps it apart from shared host names. */
export function dedicatedServerName(id: string): string {
  return `${DEDICATED_PREFIX}${id}`;
}

/** PostgreSQL database and role of a tenant. Ids are DNS labels, so `-` → `_` is one-to-one. */
export function databaseName(id: string): string {
  return `t_${id.replace(/-/g, "_")}`;
}

export function tenantResourceNames(id: string, customDomains: readonly string[]): TenantResourceNames {
  return {
    dnsRecord: `${id}-dns`,
    customHostnames: Object.fromEntries(customDomains.map((domain) => [domain, `${id}-domain-${domain}`])),
  };
}

/** Parts of a server, named `${component}-<part>` as the component conventions ask. */
export function serverResourceNames(component: string): ServerResourceNames {
  return {
    component,
    server: `${component}-server`,
    ipv4: `${component}-ipv4`,
    ipv6: `${component}-ipv6`,
    firewall: `${component}-firewall`,
    volume: `${component}-data`,
    volumeAttachment: `${component}-data-attachment`,
    originKey: `${component}-origin-key`,
    originCsr: `${component}-origin-csr`,
    originCertificate: `${component}-origin-cert`,
    originDnsIpv4: `${component}-origin-a`,
    originDnsIpv6: `${component}-origin-aaaa`,
    backupAccount: `${component}-backup`,
    backupAccountPassword: `${component}-backup-password`,
    backupKey: `${component}-backup-key`,
    hostApply: `${component}-apply`,
  };
}

/** The namespace of a containerized tenant: a DNS label (ids are at most 40 characters). */
export function tenantNamespace(id: string): string {
  return `tenant-${id}`;
}

/** Kubernetes label keys of tenancy's objects (prefixed with a DNS subdomain of tenancy's own). */
export const KUBERNETES_LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  tenant: "tenancy.io/tenant",
  plan: "tenancy.io/plan",
  tier: "tenancy.io/tier",
} as const;

/** The labels every object of a containerized tenant carries: the policies find a tenant's objects by them. */
export function kubernetesLabels(id: string, plan: string): Record<string, string> {
  return {
    [KUBERNETES_LABELS.managedBy]: "tenancy",
    [KUBERNETES_LABELS.tenant]: id,
    [KUBERNETES_LABELS.plan]: plan,
    [KUBERNETES_LABELS.tier]: "kubernetes",
  };
}
