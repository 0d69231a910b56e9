import * as cloudflare from "@pulumi/cloudflare";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

const TLS_VERSIONS = ["1.0", "1.1", "1.2", "1.3"];

export const cloudflareZoneTlsStrict: ResourceValidationPolicy = {
  name: "cloudflare-zone-tls-strict",
  description:
    "The zone must verify the origin's certificate (SSL strict) and refuse TLS older than 1.2, and must not " +
    "turn HTTPS redirects off.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: 'Set ssl to "strict", min_tls_version to "1.2" or "1.3", and always_use_https to "on".',
  validateResource: validateResourceOfType(cloudflare.ZoneSetting, (setting, _args, report) => {
    const value = String(setting.value);
    if (setting.settingId === "ssl" && value !== "strict")
      report(`Zone SSL mode is "${value}", not "strict".`);
    if (
      setting.settingId === "min_tls_version" &&
      TLS_VERSIONS.indexOf(value) < TLS_VERSIONS.indexOf("1.2")
    ) {
      report(`Zone minimum TLS version is ${value}; it must be 1.2 or later.`);
    }
    if (setting.settingId === "always_use_https" && value !== "on")
      report(`Zone always_use_https is "${value}", not "on".`);
  }),
};
