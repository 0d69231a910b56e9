import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import {
  ADDRESS_BITS,
  addressCount,
  parseCidr,
  prefixOfCount,
  type AddressRange,
  type Family,
} from "./addresses";
import { opensPort } from "./firewall";
import { listed } from "./text";

const ADMIN_PORTS = [
  {
    port: 22,
    service: "SSH",
    fix: "Restrict the sourceIps of the rules that open it to the admin CIDRs (tenancy:adminCidrs).",
  },
  {
    port: 5432,
    service: "PostgreSQL",
    fix: "Remove the rules that open it: PostgreSQL listens on localhost and is never reached from outside.",
  },
];

/**
 * The prefix of the smallest block that counts as the internet rather than an admin network, per family.
 * The sources of every rule that opens a port are judged together, by the number of addresses they
 * admit: 0.0.0.0/1 and 128.0.0.0/1 are the world as surely as 0.0.0.0/0, and so is nearly all of it.
 * An IPv4 /8 is the largest block ever held by one organisation, and an IPv6 /32 is the block a whole
 * provider is given; an admin network (an office, a VPN's exit) is a /24 or a /48 at most.
 */
export const WORLD_PREFIX: Record<Family, number> = { 4: 8, 6: 32 };

/** Whether a set of sources admits as many addresses of a family as a world-sized block, and how many. */
function worldWide(ranges: AddressRange[], family: Family): bigint | undefined {
  const count = addressCount(ranges, family);
  return count >= 1n << BigInt(ADDRESS_BITS[family] - WORLD_PREFIX[family]) ? count : undefined;
}

export const hcloudFirewallNoWorldAdminPorts: ResourceValidationPolicy = {
  name: "hcloud-firewall-no-world-admin-ports",
  description:
    "No firewall may open SSH (22) or PostgreSQL (5432) to the internet. SSH is for the admin networks only; " +
    "PostgreSQL listens on localhost and is never reached from outside. The sources of all the inbound tcp " +
    "and udp rules that open a port are judged together, by the addresses they admit: as many as an IPv4 /8 " +
    "or an IPv6 /32 is the internet, however the ranges are split. Rules without ports (icmp, esp, gre) open none.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Restrict the rule's sourceIps to the admin CIDRs (tenancy:adminCidrs); never open 5432.",
  validateResource: validateResourceOfType(hcloud.Firewall, (firewall, args, report) => {
    for (const { port, service, fix } of ADMIN_PORTS) {
      const sources = (firewall.rules ?? [])
        .filter((rule) => opensPort(rule, port))
        .flatMap((rule) => rule.sourceIps ?? []);
      const unreadable = sources.filter((source) => parseCidr(source) === undefined);
      if (unreadable.length > 0) {
        report(
          `Firewall ${args.name} opens port ${port} (${service}) to ${listed(unreadable.map((s) => `"${s}"`))}, ` +
            `which the policy cannot read as address ranges, so it cannot tell how many addresses they admit. ` +
            `Write the sources as CIDRs, such as 203.0.113.0/24.`,
        );
      }
      const parts: string[] = [];
      for (const family of [4, 6] as const) {
        const all = sources.filter((source) => parseCidr(source)?.family === family);
        if (
          worldWide(
            all.map((source) => parseCidr(source)!),
            family,
          ) === undefined
        )
          continue;
        // Name the sources that are the internet on their own, if any; otherwise it is their union.
        const alone = all.filter((source) => worldWide([parseCidr(source)!], family) !== undefined);
        const own = alone.length > 0 ? alone : all;
        const count = worldWide(
          own.map((source) => parseCidr(source)!),
          family,
        )!;
        const amount =
          count === 1n << BigInt(ADDRESS_BITS[family])
            ? `every IPv${family} address`
            : `as many IPv${family} addresses as a /${prefixOfCount(count, family)}`;
        parts.push(`${listed(own)} ${own.length === 1 ? "admits" : "together admit"} ${amount}`);
      }
      if (parts.length > 0) {
        report(
          `Firewall ${args.name} opens port ${port} (${service}) to the internet: ${parts.join(", and ")}; ` +
            `no admin network is as large as an IPv4 /${WORLD_PREFIX[4]} or an IPv6 /${WORLD_PREFIX[6]}. ${fix}`,
        );
      }
    }
  }),
};
