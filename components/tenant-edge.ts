/**
 * What each tenant costs in resources, kept to the minimum because a shared host may carry hundreds:
 * its proxied DNS record, its database password, and one Cloudflare custom hostname per custom domain.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { originRecordName, type TenantModel } from "../infra/expand";

export interface TenantEdge {
  password: pulumi.Output<string>;
  dnsRecord?: cloudflare.DnsRecord;
}

export function createTenantEdge(
  tenant: TenantModel,
  zone: { name: string; id: pulumi.Input<string> },
  originRecord: string,
  parent: pulumi.Resource,
): TenantEdge {
  const opts = { parent };
  // Letters and digits only: the password goes into a URL and a SCRAM verifier as it is.
  const password = new random.RandomPassword(tenant.names.dbPassword, { length: 32, special: false }, opts);
  if (tenant.status === "decommissioned") {
    // Not served any more; the role and database stay on the host, so the password stays too.
    return { password: password.result };
  }
  const dnsRecord = new cloudflare.DnsRecord(
    tenant.names.dnsRecord,
    {
      zoneId: zone.id,
      name: tenant.hostname,
      type: "CNAME",
      content: originRecord,
      proxied: true,
      ttl: 1,
      comment: `tenancy tenant ${tenant.id} (${tenant.plan})`,
    },
    opts,
  );
  for (const domain of tenant.customDomains) {
    new cloudflare.CustomHostname(
      tenant.names.customHostnames[domain]!,
      {
        zoneId: zone.id,
        hostname: domain,
        customOriginServer: originRecord,
        ssl: { method: "http", type: "dv" },
      },
      opts,
    );
  }
  return { password: password.result, dnsRecord };
}

/** The proxied records of a host: tenants' CNAMEs point here, so a host's address lives in one place. */
export function createOriginRecords(
  hetznerName: string,
  zone: { name: string; id: pulumi.Input<string> },
  addresses: { ipv4: pulumi.Input<string>; ipv6: pulumi.Input<string> },
  names: { originDnsIpv4: string; originDnsIpv6: string },
  parent: pulumi.Resource,
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
      { parent },
    );
  record(names.originDnsIpv4, "A", addresses.ipv4);
  record(names.originDnsIpv6, "AAAA", addresses.ipv6);
  return name;
}
