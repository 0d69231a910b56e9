/**
 * Each served tenant's edge: its proxied DNS record, pointing at its host's origin record, and one
 * Cloudflare custom hostname per custom domain. They belong to the zone, whichever tier the tenant is on:
 * the shared stack (the zone's owner) registers every tenant's, under its ZoneEdge, so that a tenant moving
 * between tiers keeps one record whose content changes in place, never a delete in one stack and a
 * create in the other (a gap, or a duplicate Cloudflare refuses).
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { dedicatedServerName, isServed, originRecordName, type TenantModel } from "../infra/expand";

/** Where each record lived before the edge was the zone's: under its host component, in either stack. */
const FORMER_PARENTS = ["tenancy:hosting:SharedHost", "tenancy:hosting:DedicatedTenant"];

/** The former URNs of a tenant's edge resource, so that moving it under ZoneEdge replaces nothing. */
function formerUrns(type: string, name: string): string[] {
  const stack = pulumi.getStack();
  const project = pulumi.getProject();
  return [
    ...FORMER_PARENTS.map((parent) => `urn:pulumi:${stack}::${project}::${parent}$${type}::${name}`),
    // Where `pulumi state move` from the dedicated stack puts a resource whose parent stays behind.
    `urn:pulumi:${stack}::${project}::${type}::${name}`,
  ];
}

/** Where a served tenant's hostnames point: its shared host, its own server, or its cluster's ingress. */
export function tenantOrigin(tenant: TenantModel, zone: string): string {
  const origin =
    tenant.tier === "shared"
      ? tenant.host
      : tenant.tier === "dedicated"
        ? dedicatedServerName(tenant.id)
        : tenant.cluster;
  return originRecordName(origin, zone);
}

export function createTenantEdges(
  tenants: TenantModel[],
  zone: { name: string; id: pulumi.Input<string> },
  parent: pulumi.Resource,
): void {
  for (const tenant of tenants.filter((t) => isServed(t.status))) {
    const origin = tenantOrigin(tenant, zone.name);
    new cloudflare.DnsRecord(
      tenant.names.dnsRecord,
      {
        zoneId: zone.id,
        name: tenant.hostname,
        type: "CNAME",
        content: origin,
        proxied: true,
        ttl: 1,
        comment: `tenancy tenant ${tenant.id} (${tenant.plan})`,
      },
      { parent, aliases: formerUrns("cloudflare:index/dnsRecord:DnsRecord", tenant.names.dnsRecord) },
    );
    for (const domain of tenant.customDomains) {
      const name = tenant.names.customHostnames[domain]!;
      new cloudflare.CustomHostname(
        name,
        {
          zoneId: zone.id,
          hostname: domain,
          customOriginServer: origin,
          ssl: { method: "http", type: "dv" },
        },
        { parent, aliases: formerUrns("cloudflare:index/customHostname:CustomHostname", name) },
      );
    }
  }
}

/**
 * The proxied records of a host (or of a cluster's ingress): tenants' CNAMEs point here, so its address
 * lives in one place. Without a parent, they are the stack's own.
 */
export function createOriginRecords(
  hetznerName: string,
  zone: { name: string; id: pulumi.Input<string> },
  addresses: { ipv4: pulumi.Input<string>; ipv6: pulumi.Input<string> },
  names: { originDnsIpv4: string; originDnsIpv6: string },
  parent?: pulumi.Resource,
): string {
  const name = originRecordName(hetznerName, zone.name);
  const record = (resourceName: string, type: "A" | "AAAA", content: pulumi.Input<string>) =>
    new cloudflare.DnsRecord(
      resourceName,
      {
        zoneId: zone.id,
        name,
        type,
        content,
        proxied: true,
        ttl: 1,
        comment: `tenancy origin of ${hetznerName}`,
      },
      parent ? { parent } : {},
    );
  record(names.originDnsIpv4, "A", addresses.ipv4);
  record(names.originDnsIpv6, "AAAA", addresses.ipv6);
  return name;
}
