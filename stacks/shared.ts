/**
 * The "shared" stack: every shared host with its tenants, the stack's backup store, and the zone-wide
 * settings and plan rate limits (which cover the dedicated tenants' hostnames too).
 */
import type { FleetModel } from "../infra/expand";
import { sharedHostSpec } from "../infra/host";
import { createRateLimits, createZoneSettings, SharedHost, ZoneEdge } from "../components";
import { stackHostingContext, type StackConfig } from "./config";

export function sharedStack(model: FleetModel, config: StackConfig) {
  const context = stackHostingContext("shared", model, config);
  new ZoneEdge("zone", model, config.cloudflareZoneId);
  createZoneSettings(config.cloudflareZoneId);
  createRateLimits(config.cloudflareZoneId, model);
  const hosts = model.shared.hosts.map(
    (host) => new SharedHost(host.name, { host, spec: sharedHostSpec(model, host), context }),
  );
  return {
    hosts: Object.fromEntries(
      model.shared.hosts.map((host, i) => [
        host.name,
        {
          ipv4: hosts[i]!.ipv4,
          ipv6: hosts[i]!.ipv6,
          capacity: `${host.capacityUsed}/${host.capacityUnits}`,
        },
      ]),
    ),
    tenants: Object.fromEntries(hosts.flatMap((host) => Object.entries(host.tenants))),
  };
}
