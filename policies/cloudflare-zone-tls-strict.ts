import type { StackValidationPolicy } from "@pulumi/policy";
import { ZONE_SETTING, ZONE_SETTINGS, zoneOwnership } from "./zone";

const TLS_VERSIONS = ["1.0", "1.1", "1.2", "1.3"];

/** What is wrong with a zone setting's value, if anything. */
function problem(settingId: string, value: string): string | undefined {
  if (settingId === "ssl" && value !== "strict") return `Zone SSL mode is "${value}", not "strict"`;
  if (settingId === "min_tls_version" && TLS_VERSIONS.indexOf(value) < TLS_VERSIONS.indexOf("1.2"))
    return `Zone minimum TLS version is ${value}; it must be 1.2 or later`;
  if (settingId === "always_use_https" && value !== "on")
    return `Zone always_use_https is "${value}", not "on"`;
  return undefined;
}

export const cloudflareZoneTlsStrict: StackValidationPolicy = {
  name: "cloudflare-zone-tls-strict",
  description:
    "The zone must verify the origin's certificate (SSL strict) and refuse TLS older than 1.2, and must not " +
    "turn HTTPS redirects off. Wherever a stack sets one of these settings it must have that value, and the " +
    "stack that owns the zone (it serves shared-tier tenants, or sets any of the zone-wide configuration) " +
    "must set all three: a setting left out keeps whatever the zone has.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Set ssl to "strict", min_tls_version to "1.2" or "1.3", and always_use_https to "on", in the stack that owns the zone (createZoneSettings in components/zone.ts).',
  validateStack: (args, report) => {
    const settings = args.resources.filter((r) => r.type === ZONE_SETTING);
    for (const setting of settings) {
      const found = problem(String(setting.props.settingId), String(setting.props.value));
      if (found) {
        report(
          `${found} (ZoneSetting ${setting.name}). Set it to "${ZONE_SETTINGS[String(setting.props.settingId)]}"` +
            `${setting.props.settingId === "min_tls_version" ? ' or "1.3"' : ""}, as createZoneSettings (components/zone.ts) does.`,
          setting.urn,
        );
      }
    }
    const owner = zoneOwnership(args.resources);
    if (owner === undefined) return args.notApplicable("the stack does not own the zone");
    for (const [settingId, value] of Object.entries(ZONE_SETTINGS)) {
      if (settings.some((setting) => setting.props.settingId === settingId)) continue;
      report(
        `${owner}, so it owns the zone-wide settings, but no ZoneSetting sets ${settingId}: the zone keeps ` +
          `whatever Cloudflare has, which nothing checks. Add ${settingId} = "${value}" to the stack ` +
          `(createZoneSettings in components/zone.ts).`,
      );
    }
  },
};
