import * as cloudflare from "@pulumi/cloudflare";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

const WEB_RECORDS = ["A", "AAAA", "CNAME"];

export const cloudflareDnsProxied: ResourceValidationPolicy = {
  name: "cloudflare-dns-proxied",
  description:
    "Tenant and host address records must be proxied by Cloudflare: an unproxied record would publish a host's " +
    "address and bypass TLS at the edge, the rate limits and the firewall's Cloudflare-only rule.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set proxied: true (the components always do).",
  validateResource: validateResourceOfType(cloudflare.DnsRecord, (record, args, report) => {
    if (!WEB_RECORDS.includes(record.type)) args.notApplicable("not an address record");
    if (record.proxied !== true)
      report(
        `DNS record ${record.name} (${record.type}) is not proxied, so it publishes the address behind it. Set proxied: true, as the components do.`,
      );
  }),
};
