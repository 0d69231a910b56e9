/**
 * What each Cloudflare plan allows at the edge, as data with its sources and the date it was read.
 * The zone's plan is part of the fleet (`fleet.cloudflarePlan`): what the program builds at the edge, the
 * offline provider rules and the policies all read these facts.
 */
export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof CLOUDFLARE_PLANS)[number];
