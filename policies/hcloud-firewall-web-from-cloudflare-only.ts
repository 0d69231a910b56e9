import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { covers, parseCidr, type AddressRange } from "./addresses";
import { DEFAULTS } from "./config";
import { opensPort, portText } from "./firewall";
import { listed } from "./text";

const WEB_PORTS = [80, 443];

export const hcloudFirewallWebFromCloudflareOnly: ResourceValidationPolicy = {
  name: "hcloud-firewall-web-from-cloudflare-only",
  description:
    "Hosts are only reached through Cloudflare's proxy: an inbound tcp or udp rule that admits HTTP or HTTPS " +
    "(80, 443) must admit nothing but Cloudflare's published address ranges (or parts of them), and the rules " +
    "for each of these ports together must admit every one of Cloudflare's ranges.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Use the components' firewall. If Cloudflare publishes new ranges, update them in the policy config (cloudflareRanges) and in infra/edge/cloudflare.ts.",
  configSchema: {
    properties: {
      cloudflareRanges: {
        type: "array",
        items: { type: "string" },
        description: "Cloudflare's edge ranges (https://www.cloudflare.com/ips).",
        default: DEFAULTS.cloudflareRanges,
      },
    },
  },
  validateResource: validateResourceOfType(hcloud.Firewall, (firewall, args, report) => {
    const cloudflare = args.getConfig<{ cloudflareRanges: string[] }>().cloudflareRanges;
    const allowed = cloudflare.map(parseCidr).filter((range): range is AddressRange => range !== undefined);
    const rules = firewall.rules ?? [];
    for (const rule of rules) {
      if (!WEB_PORTS.some((port) => opensPort(rule, port))) continue;
      const others = (rule.sourceIps ?? []).filter((source) => {
        const range = parseCidr(source);
        return range === undefined || !covers(allowed, range);
      });
      if (others.length > 0) {
        report(
          `Firewall ${args.name} admits port ${portText(rule)} from ${listed(others)}, which ` +
            `${others.length === 1 ? "is" : "are"} not Cloudflare. Admit only Cloudflare's ranges ` +
            `(cloudflareRanges in the policy config) on ports 80 and 443: hosts are reached through Cloudflare's proxy only.`,
        );
      }
    }
    for (const port of WEB_PORTS) {
      const opening = rules.filter((rule) => opensPort(rule, port));
      if (opening.length === 0) continue;
      const admitted = opening
        .flatMap((rule) => rule.sourceIps ?? [])
        .map(parseCidr)
        .filter((range): range is AddressRange => range !== undefined);
      const missing = cloudflare.filter((source) => {
        const range = parseCidr(source);
        return range !== undefined && !covers(admitted, range);
      });
      if (missing.length > 0) {
        report(
          `Firewall ${args.name} admits port ${port} from only part of Cloudflare's ranges: ${listed(missing)} ` +
            `${missing.length === 1 ? "is" : "are"} missing, so requests that Cloudflare forwards from there would ` +
            `not reach the host. Admit every range of cloudflareRanges in the policy config (the components' firewall does).`,
        );
      }
    }
  }),
};
