/**
 * What a Hetzner firewall rule opens: which ports (tcp and udp rules only), and from which sources.
 */
import type * as hcloud from "@pulumi/hcloud";
import type { Unwrap } from "@pulumi/pulumi";

export type FirewallRule = Unwrap<hcloud.types.input.FirewallRule>;

export interface PortRange {
  low: number;
  high: number;
}

const EVERY_PORT: PortRange = { low: 1, high: 65535 };

/** The protocols whose rules name ports; icmp, esp and gre rules admit no port at all. */
const PORT_PROTOCOLS = ["tcp", "udp"];

/**
 * The ports of a Hetzner port spec: "22", "20-30" or "any". A spec that is absent or not one of these
 * (which Hetzner would refuse) is read as every port, so that a typo never hides an open port.
 */
export function portRange(spec: string | undefined): PortRange {
  const text = (spec ?? "any").trim().toLowerCase();
  if (text === "any") return EVERY_PORT;
  const match = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(text);
  if (!match) return EVERY_PORT;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : Number(match[2]);
  if (low < 1 || high > 65535 || low > high) return EVERY_PORT;
  return { low, high };
}

/** The ports an inbound rule opens, or undefined when it opens none (outbound, or icmp, esp, gre). */
export function portsOpened(rule: FirewallRule): PortRange | undefined {
  if (rule.direction !== "in") return undefined;
  if (!PORT_PROTOCOLS.includes(String(rule.protocol).toLowerCase())) return undefined;
  return portRange(rule.port);
}

/** Whether an inbound rule opens a port. */
export function opensPort(rule: FirewallRule, port: number): boolean {
  const ports = portsOpened(rule);
  return ports !== undefined && ports.low <= port && port <= ports.high;
}

/** The port as a rule states it, for messages. */
export function portText(rule: FirewallRule): string {
  return rule.port ?? "any";
}
