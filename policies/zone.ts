/**
 * Which stack owns the zone. The zone-wide settings (components/zone.ts: ssl, always_use_https,
 * min_tls_version) and the http_ratelimit ruleset exist once per zone, in the stack that owns it, and
 * cover every tenant's hostname, dedicated ones included. A stack owns the zone when it serves tenants
 * of the shared tier (it has SharedHost components), or when it sets any part of the zone-wide
 * configuration (one of those settings, or the ruleset): then it must set all of it. The dedicated stack
 * does neither, and owes none of it.
 */
import type { PolicyResource } from "@pulumi/policy";
import { listed } from "./text";

export const ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting";
export const RULESET = "cloudflare:index/ruleset:Ruleset";
export const SHARED_HOST = "tenancy:hosting:SharedHost";

/** The zone-wide settings the owner sets, with the value components/zone.ts gives each. */
export const ZONE_SETTINGS: Record<string, string> = {
  ssl: "strict",
  always_use_https: "on",
  min_tls_version: "1.2",
};

/** The zone's rate limits: its entry-point ruleset of the http_ratelimit phase. */
export function isRateLimitRuleset(resource: PolicyResource): boolean {
  return (
    resource.type === RULESET && resource.props.phase === "http_ratelimit" && resource.props.kind === "zone"
  );
}

function isZoneSetting(resource: PolicyResource): boolean {
  return resource.type === ZONE_SETTING && Object.hasOwn(ZONE_SETTINGS, String(resource.props.settingId));
}

/** The stack's name, from its resources' URNs (urn:pulumi:<stack>::<project>::…). */
function stackName(resources: readonly PolicyResource[]): string {
  const name = resources[0] ? /^urn:pulumi:([^:]+)::/.exec(resources[0].urn)?.[1] : undefined;
  return name === undefined ? "The stack" : `Stack "${name}"`;
}

/**
 * Why the stack owns the zone ("Stack "shared" serves shared-tier tenants (…)"), or undefined when it
 * does not.
 */
export function zoneOwnership(resources: readonly PolicyResource[]): string | undefined {
  const hosts = resources.filter((r) => r.type === SHARED_HOST).map((r) => r.name);
  if (hosts.length > 0)
    return `${stackName(resources)} serves shared-tier tenants (SharedHost ${listed(hosts)})`;
  const parts = resources.filter((r) => isZoneSetting(r) || isRateLimitRuleset(r)).map((r) => r.name);
  if (parts.length > 0)
    return `${stackName(resources)} sets part of the zone-wide configuration (${listed(parts)})`;
  return undefined;
}
