import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

const WORLD = ["0.0.0.0/0", "::/0"];
const ADMIN_PORTS = [22, 5432];

/** Whether a Hetzner port spec ("22", "80-443", "any" or none) covers a port. */
export function coversPort(spec: string | undefined, port: number): boolean {
  if (spec === undefined || spec === "any") return true;
  const [low, high = low] = spec.split("-").map(Number);
  return low! <= port && port <= high!;
}

export const hcloudFirewallNoWorldAdminPorts: ResourceValidationPolicy = {
  name: "hcloud-firewall-no-world-admin-ports",
  description:
    "No firewall rule may open SSH (22) or PostgreSQL (5432) to the whole internet. SSH is for the admin " +
    "networks only; PostgreSQL listens on localhost and is never reached from outside.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Restrict the rule's sourceIps to the admin CIDRs (tenancy:adminCidrs); never open 5432.",
  validateResource: validateResourceOfType(hcloud.Firewall, (firewall, args, report) => {
    for (const rule of firewall.rules ?? []) {
      if (rule.direction !== "in") continue;
      const open = (rule.sourceIps ?? []).filter((ip) => WORLD.includes(ip));
      for (const port of ADMIN_PORTS) {
        if (open.length > 0 && coversPort(rule.port, port)) {
          report(`Firewall ${args.name} opens port ${port} to ${open.join(" and ")}.`);
        }
      }
    }
  }),
};
