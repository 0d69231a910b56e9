/**
 * The policies whose config is the plan catalogue (their configSchema is PLANS_SCHEMA), in the pack's
 * order. `tenancy policy-config` writes a config entry for each; it reads this list rather than the
 * policies themselves so that it never loads the Pulumi SDK (a test holds the two equal).
 */
export const PLAN_LIMITED_POLICIES = [
  "hcloud-server-type-within-plan",
  "hcloud-server-location-within-plan",
  "hcloud-volume-within-plan",
  "hcloud-server-backups-per-plan",
  "hcloud-shared-host-within-capacity",
  "tenant-custom-domains-within-plan",
  "cloudflare-rate-limit-matches-plan",
  "tenancy-maintenance-window-within-plan",
  "kubernetes-quota-within-plan",
] as const;
