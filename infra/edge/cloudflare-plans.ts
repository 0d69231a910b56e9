/**
 * What each Cloudflare plan allows at the edge, as data with its sources and the date it was read.
 * The zone's plan is part of the fleet (`fleet.cloudflarePlan`): what the program builds at the edge, the
 * offline provider rules and the policies all read these facts.
 *
 * Only what the program touches is here: rate limiting rules (the `http_ratelimit` ruleset), Cloudflare for
 * SaaS custom hostnames, DNS records (comments, tags, TTL, count), the three zone settings it sets, and
 * standalone Health Checks (not used yet, asked for by the plan catalogue). Pure data: no `@pulumi/*`.
 *
 * Enterprise and Advanced Rate Limiting: `enterprise` below is "Enterprise with app security", the plan
 * without the Advanced Rate Limiting add-on. The add-on is bought separately and changes what a rate
 * limiting rule may count by (only it allows `http.host`, headers, cookies, paths, …), so it is modelled
 * apart, as `ENTERPRISE_ADVANCED_RATE_LIMITING`, and chosen with `rateLimitFactsFor(plan, true)`. Treating
 * every Enterprise zone as having it would let the preview pass rules Cloudflare refuses on most of them.
 */
export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof CLOUDFLARE_PLANS)[number];

/** When the sources below were read. Re-read them when you upgrade tenancy or the Cloudflare provider. */
export const CLOUDFLARE_PLANS_AS_OF = "2026-12-01";

/**
 * Where each group of facts comes from, with the date the source itself carries. The feature tables are
 * generated from cloudflare-docs `src/content/plans/index.json` (read at its stored version, undated).
 */
export const CLOUDFLARE_PLAN_SOURCES = {
  rateLimiting: {
    url: "https://developers.cloudflare.com/waf/rate-limiting-rules/#availability",
    // The availability partial as rendered on 2026-04-23 (learning-paths/application-security/rate-limiting/
    // features, the same table); the WAF page itself says "Last updated Aug 25, 2026".
    date: "2026-04-23",
  },
  rateLimitingParameters: {
    url: "https://developers.cloudflare.com/waf/rate-limiting-rules/parameters/",
    date: "undated (cloudflare-docs, stored copy read 2026-12-01)",
  },
  actions: {
    url: "https://developers.cloudflare.com/ruleset-engine/rules-language/actions/",
    date: "undated (cloudflare-docs, stored copy read 2026-12-01)",
  },
  rateLimitingRuleCount: {
    // Plans table: "Rate limiting rules (new version)", ent 5, ent_plus/advanced 100.
    url: "https://github.com/cloudflare/cloudflare-docs/blob/production/src/content/plans/index.json",
    date: "undated (stored copy read 2026-12-01)",
  },
  customHostnames: {
    url: "https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/plans/",
    date: "undated (feature table ssl.z_custom_hostnames, read 2026-12-01)",
  },
  dnsRecordAttributes: {
    url: "https://developers.cloudflare.com/dns/manage-dns-records/reference/record-attributes/",
    date: "undated (feature tables dns.record_comments and dns.record_tags, read 2026-12-01)",
  },
  dnsRecordsPerZone: {
    url: "https://developers.cloudflare.com/dns/manage-dns-records/",
    date: "undated (feature table dns.record_management, read 2026-12-01)",
  },
  dnsTtl: {
    url: "https://github.com/cloudflare/terraform-provider-cloudflare/blob/v5.22.0/internal/services/dns_record/schema.go#L345-L348",
    date: "2026-07-10 (provider v5.22.0)",
  },
  healthChecks: {
    url: "https://developers.cloudflare.com/health-checks/",
    date: "undated (feature table traffic.health_checks, read 2026-12-01)",
  },
  zoneSettings: {
    // Availability: ssl.encryption_modes, ssl.always_use_https, ssl.minimum_tls feature tables ("all plans");
    // values: the provider's setting table, generated from Cloudflare's OpenAPI schema.
    url: "https://github.com/cloudflare/terraform-provider-cloudflare/blob/v5.22.0/docs/resources/zone_setting.md",
    date: "2026-07-09 (provider v5.22.0 docs); availability tables undated, read 2026-12-01",
  },
} as const;

/** The period and mitigation-timeout values Cloudflare supports, in seconds; each plan allows some of them. */
export const RATE_LIMIT_SUPPORTED_SECONDS = [
  10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, 65535, 86400,
] as const;

const upTo = (max: number): readonly number[] => RATE_LIMIT_SUPPORTED_SECONDS.filter((s) => s <= max);

/** Rate limiting rules (the zone's `http_ratelimit` phase) on one plan. */
export interface RateLimitFacts {
  /** Rules the zone's `http_ratelimit` phase may hold. */
  maxRules: number;
  /**
   * Counting characteristics besides `cf.colo.id`, which every rule must list. "any": every characteristic,
   * custom expressions included.
   */
  characteristics: readonly string[] | "any";
  /** Counting periods, seconds. */
  periods: readonly number[];
  /** Mitigation timeouts for an action applied for a duration, seconds (0, throttling, is below). */
  mitigationTimeouts: readonly number[];
  /** Any whole number of seconds up to the largest timeout, not only the listed ones ("via API"). */
  customMitigationTimeout: boolean;
  /** `mitigationTimeout: 0` (throttle requests above the rate) with the block action. */
  throttleWithBlock: boolean;
  /** A duration with the challenge actions; without it they must have `mitigationTimeout: 0`. */
  challengeDuration: boolean;
  /** Fields the rule expression may use. "any": all request fields. */
  expressionFields: readonly string[] | "any";
  /** Rule actions. */
  actions: readonly string[];
  /** `countingExpression` (custom counting expression). */
  customCountingExpression: boolean;
  /** `requestsToOrigin: true` (do not count cached assets: "cache exclusion"). */
  cacheExclusion: boolean;
  /** `scorePerPeriod` (complexity-based counting). */
  complexityScore: boolean;
}

// Dashboard names in the availability table, as Rules language fields (tenancy's reading: Path, Verified
// Bot; Host, URI, Full URI, Query; Method, Source IP, User Agent).
const FREE_FIELDS = ["http.request.uri.path", "cf.bot_management.verified_bot"];
const PRO_FIELDS = [
  ...FREE_FIELDS,
  "http.host",
  "http.request.uri",
  "http.request.full_uri",
  "http.request.uri.query",
];
const BUSINESS_FIELDS = [...PRO_FIELDS, "http.request.method", "ip.src", "http.user_agent"];
const CHALLENGES = ["challenge", "js_challenge", "managed_challenge"];
// "Log: Only available on Enterprise plans" (actions reference).
const NON_ENTERPRISE_ACTIONS = ["block", ...CHALLENGES];
const ENTERPRISE_ACTIONS = [...NON_ENTERPRISE_ACTIONS, "log"];

const FREE_RATE_LIMITS: RateLimitFacts = {
  maxRules: 1,
  characteristics: ["ip.src"],
  periods: [10],
  mitigationTimeouts: [10],
  customMitigationTimeout: false,
  throttleWithBlock: false,
  challengeDuration: false,
  expressionFields: FREE_FIELDS,
  actions: NON_ENTERPRISE_ACTIONS,
  customCountingExpression: false,
  cacheExclusion: false,
  complexityScore: false,
};

/**
 * Enterprise with the Advanced Rate Limiting add-on. Counting by JA3/JA4 also needs Bot Management, and by
 * body fields the right WAF plan; tenancy does not model those and allows every characteristic here.
 */
export const ENTERPRISE_ADVANCED_RATE_LIMITING: RateLimitFacts = {
  maxRules: 100,
  characteristics: "any",
  periods: upTo(65535),
  mitigationTimeouts: upTo(86400),
  customMitigationTimeout: true,
  throttleWithBlock: true,
  challengeDuration: true,
  expressionFields: "any",
  actions: ENTERPRISE_ACTIONS,
  customCountingExpression: true,
  cacheExclusion: true,
  complexityScore: true,
};

export interface CustomHostnameFacts {
  /** Whether the plan offers Cloudflare for SaaS custom hostnames; "contract": ask the account team. */
  available: boolean | "contract";
  /** Hostnames included in the price (more cost $0.10 a month each); "contract": per contract. */
  included: number | "contract";
  /** Most custom hostnames a zone may have; null: no published maximum ("contact sales over 50,000"). */
  max: number | null;
  /** Wildcard custom hostnames (`*.example.com`, `ssl.wildcard`). */
  wildcard: boolean;
  /** Choosing the issuing CA (`ssl.certificateAuthority`). */
  selectableCertificateAuthority: boolean;
}

export interface DnsRecordFacts {
  /** Longest record comment, characters. */
  commentMaxLength: number;
  /** Record tags: whether available, and their limits. */
  tags: { available: boolean; perRecord: number; nameMaxLength: number; valueMaxLength: number };
  /**
   * Records a zone may hold. Free: 200 for zones created on or after 2024-09-01 (1,000 before); tenancy
   * assumes the newer, smaller quota. Enterprise: 3,500 "(can be increased)".
   */
  recordsPerZone: number;
  /** Shortest TTL other than 1 (automatic), seconds; the longest is 86,400 on every plan. */
  minTtl: number;
}

/** The zone settings the program sets, with the values Cloudflare accepts; all three exist on every plan. */
export const ZONE_SETTING_VALUES = {
  ssl: ["off", "flexible", "full", "strict"],
  always_use_https: ["on", "off"],
  min_tls_version: ["1.0", "1.1", "1.2", "1.3"],
} as const;
export type ProgramZoneSetting = keyof typeof ZONE_SETTING_VALUES;

export interface CloudflarePlanFacts {
  rateLimiting: RateLimitFacts;
  customHostnames: CustomHostnameFacts;
  dnsRecords: DnsRecordFacts;
  /** Standalone Health Checks: whether available and how many per zone. */
  healthChecks: { available: boolean; max: number };
  /** The zone settings the program sets and the values the plan allows for each. */
  zoneSettings: Readonly<Record<ProgramZoneSetting, readonly string[]>>;
}

const SAAS_SELF_SERVE: CustomHostnameFacts = {
  available: true,
  included: 100,
  max: 50_000,
  wildcard: false,
  selectableCertificateAuthority: false,
};
const PAID_TAGS = { available: true, perRecord: 20, nameMaxLength: 32, valueMaxLength: 100 };

export const CLOUDFLARE_PLAN_FACTS: Readonly<Record<CloudflarePlan, CloudflarePlanFacts>> = {
  free: {
    rateLimiting: FREE_RATE_LIMITS,
    customHostnames: SAAS_SELF_SERVE,
    dnsRecords: {
      commentMaxLength: 100,
      tags: { available: false, perRecord: 0, nameMaxLength: 0, valueMaxLength: 0 },
      recordsPerZone: 200,
      minTtl: 60,
    },
    healthChecks: { available: false, max: 0 },
    zoneSettings: ZONE_SETTING_VALUES,
  },
  pro: {
    rateLimiting: {
      ...FREE_RATE_LIMITS,
      maxRules: 2,
      periods: upTo(60),
      mitigationTimeouts: upTo(3600),
      expressionFields: PRO_FIELDS,
    },
    customHostnames: SAAS_SELF_SERVE,
    dnsRecords: { commentMaxLength: 500, tags: PAID_TAGS, recordsPerZone: 3500, minTtl: 60 },
    healthChecks: { available: true, max: 10 },
    zoneSettings: ZONE_SETTING_VALUES,
  },
  business: {
    rateLimiting: {
      ...FREE_RATE_LIMITS,
      maxRules: 5,
      characteristics: ["ip.src", "cf.unique_visitor_id"],
      periods: upTo(600),
      mitigationTimeouts: upTo(86400),
      expressionFields: BUSINESS_FIELDS,
      customCountingExpression: true,
      cacheExclusion: true,
    },
    customHostnames: SAAS_SELF_SERVE,
    dnsRecords: { commentMaxLength: 500, tags: PAID_TAGS, recordsPerZone: 3500, minTtl: 60 },
    healthChecks: { available: true, max: 50 },
    zoneSettings: ZONE_SETTING_VALUES,
  },
  enterprise: {
    rateLimiting: {
      // Enterprise needs application security on its contract to get rate limiting rules at all, and "the
      // number of rules depends on the exact contract terms": the availability table now says up to 100, the
      // plans table says 5. tenancy assumes 5, the floor every such contract has had ("5 or more").
      maxRules: 5,
      characteristics: ["ip.src", "cf.unique_visitor_id"],
      periods: upTo(65535),
      mitigationTimeouts: upTo(86400),
      customMitigationTimeout: true,
      throttleWithBlock: true,
      challengeDuration: true,
      expressionFields: "any",
      actions: ENTERPRISE_ACTIONS,
      customCountingExpression: true,
      cacheExclusion: true,
      complexityScore: false,
    },
    customHostnames: {
      available: "contract",
      included: "contract",
      max: null,
      wildcard: true,
      selectableCertificateAuthority: true,
    },
    dnsRecords: { commentMaxLength: 500, tags: PAID_TAGS, recordsPerZone: 3500, minTtl: 30 },
    healthChecks: { available: true, max: 1000 },
    zoneSettings: ZONE_SETTING_VALUES,
  },
};

/**
 * The rate limiting facts of a zone. Advanced Rate Limiting is an Enterprise add-on: asked for on another
 * plan it does not exist, and the plan's own facts apply.
 */
export function rateLimitFactsFor(plan: CloudflarePlan, advancedRateLimiting = false): RateLimitFacts {
  if (plan === "enterprise" && advancedRateLimiting) return ENTERPRISE_ADVANCED_RATE_LIMITING;
  return CLOUDFLARE_PLAN_FACTS[plan].rateLimiting;
}

/** Whether a rate limiting rule on the plan may count by the characteristic (`cf.colo.id` always). */
export function allowsCharacteristic(facts: RateLimitFacts, characteristic: string): boolean {
  if (characteristic === "cf.colo.id") return true;
  return facts.characteristics === "any" || facts.characteristics.includes(characteristic);
}
