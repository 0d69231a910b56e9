import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULTS } from "./config";
import { coversPort } from "./hcloud-firewall-no-world-admin-ports";

export const hcloudFirewallWebFromCloudflareOnly: ResourceValidationPolicy = {
  name: "hcloud-firewall-web-from-cloudflare-only",
  description:
    "Hosts are only reached through Cloudflare's proxy: a firewall rule that admits HTTP or HTTPS (80, 443) must " +
    "admit Cloudflare's published address ranges and nothing else.",
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
    const allowed = new Set(args.getConfig<{ cloudflareRanges: string[] }>().cloudflareRanges);
    for (const rule of firewall.rules ?? []) {
      if (rule.direction !== "in" || !(coversPort(rule.port, 80) || coversPort(rule.port, 443))) continue;
      const others = (rule.sourceIps ?? []).filter((ip) => !allowed.has(ip));
      if (others.length > 0) {
        report(
          `Firewall ${args.name} admits port ${rule.port ?? "any"} from ${others.join(", ")}, which is not Cloudflare.`,
        );
      }
    }
  }),
};
