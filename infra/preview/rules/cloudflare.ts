/**
 * Cloudflare's own rules for the resources the program registers, checked offline, and how a change of
 * each input is carried out. Sources: the Terraform provider that @pulumi/cloudflare 6.x bridges
 * (cloudflare/terraform-provider-cloudflare v5, read at tag v5.22.0 of 2026-07-10, the newest in the stored
 * snapshot) and the Cloudflare documentation; plan-dependent limits come from infra/edge/cloudflare-plans.ts.
 *
 * Argument names are the Pulumi ones (camelCase), as recorded by infra/preview/engine.ts.
 */
import { isIP, isIPv4, isIPv6 } from "node:net";
import {
  CLOUDFLARE_PLANS,
  CLOUDFLARE_PLAN_FACTS,
  CLOUDFLARE_PLAN_SOURCES,
  allowsCharacteristic,
  rateLimitFactsFor,
  type ProgramZoneSetting,
  type RateLimitFacts,
} from "../../edge/cloudflare-plans";
import { isKnown, type ChangeBehaviour, type ProviderRule, type RuleContext, type RuleFinding } from "./rule";

export const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";
export const ORIGIN_CA_CERTIFICATE = "cloudflare:index/originCaCertificate:OriginCaCertificate";
export const ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting";
export const RULESET = "cloudflare:index/ruleset:Ruleset";
export const CUSTOM_HOSTNAME = "cloudflare:index/customHostname:CustomHostname";

const TF = "https://github.com/cloudflare/terraform-provider-cloudflare/blob/v5.22.0";
const DNS_SCHEMA = `${TF}/internal/services/dns_record/schema.go`;
const ORIGIN_CA_SCHEMA = `${TF}/internal/services/origin_ca_certificate/schema.go`;
const ZONE_SETTING_SCHEMA = `${TF}/internal/services/zone_setting/schema.go`;
const RULESET_SCHEMA = `${TF}/internal/services/ruleset/schema.go`;
const CUSTOM_HOSTNAME_SCHEMA = `${TF}/internal/services/custom_hostname/schema.go`;
const ZONE_SETTING_TABLE = `${TF}/docs/resources/zone_setting.md`;
const DOCS = "https://developers.cloudflare.com";
const RATE_LIMITING = CLOUDFLARE_PLAN_SOURCES.rateLimiting.url;
const RATE_LIMITING_PARAMETERS = CLOUDFLARE_PLAN_SOURCES.rateLimitingParameters.url;

// ---------------------------------------------------------------------------------------------------------
// Small helpers: a known value of a type, and the words of an `allowed` text.

/** The value when it is known and present; undefined for "[unknown]", "[secret]" or absent. */
function known(value: unknown): unknown {
  return value === undefined || value === null || !isKnown(value) ? undefined : value;
}
const knownString = (value: unknown) => (typeof known(value) === "string" ? (value as string) : undefined);
const knownArray = (value: unknown) => (Array.isArray(known(value)) ? (value as unknown[]) : undefined);
function knownObject(value: unknown): Record<string, unknown> | undefined {
  const v = known(value);
  return typeof v === "object" && v !== undefined && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

const list = (values: readonly (string | number)[]) => values.join(", ");
const oneOf = (values: readonly (string | number)[], unit = "") =>
  values.length === 1 ? `${values[0]}${unit}` : `one of ${list(values)}${unit}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const includesIgnoringCase = (values: readonly string[], value: string) =>
  values.some((v) => v.toLowerCase() === value.toLowerCase());

/** "the free plan", or "Enterprise with Advanced Rate Limiting" when the add-on applies. */
function rateLimitPlan(context: RuleContext): { facts: RateLimitFacts; on: string } {
  const arl = context.advancedRateLimiting;
  const facts = rateLimitFactsFor(context.cloudflarePlan, arl);
  const advanced = arl && context.cloudflarePlan === "enterprise";
  return {
    facts,
    on: advanced ? "on Enterprise with Advanced Rate Limiting" : `on the ${context.cloudflarePlan} plan`,
  };
}

/** The cheapest plan whose rate limiting rules may count by a characteristic, in words. */
function cheapestPlanCounting(characteristic: string): string {
  const plan = CLOUDFLARE_PLANS.find((p) => allowsCharacteristic(rateLimitFactsFor(p), characteristic));
  return plan ? `the ${plan} plan` : "Enterprise with Advanced Rate Limiting";
}

/** The zone's resources of a type (every stack's), with their inputs, in registration order. */
const inputsOf = (context: RuleContext, type: string) =>
  context.zone.filter((r) => r.type === type).map((r) => r.inputs);

/** A hostname: labels of letters, digits, `-` and `_` (Unicode letters too: Cloudflare converts to punycode). */
const LABEL = /^(?!-)[\p{L}\p{N}_-]{1,63}(?<!-)$/u;
function isHostname(value: string, minLabels = 1): boolean {
  const name = value.endsWith(".") ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253 || isIP(name) !== 0) return false;
  const labels = name.split(".");
  return labels.length >= minLabels && labels.every((label) => LABEL.test(label));
}

// ---------------------------------------------------------------------------------------------------------
// Origin CA certificates

const ORIGIN_CA_VALIDITY_DAYS = [7, 30, 90, 365, 730, 1095, 5475];
const ORIGIN_CA_REQUEST_TYPES = ["origin-rsa", "origin-ecc", "keyless-certificate"];
/** "Certificates may be generated with up to 200 individual Subject Alternative Names (SANs)." */
const ORIGIN_CA_MAX_HOSTNAMES = 200;

const originCaRules: ProviderRule[] = [
  {
    type: ORIGIN_CA_CERTIFICATE,
    field: "requestedValidity",
    source: `${ORIGIN_CA_SCHEMA}#L55-L72`,
    check(inputs) {
      const days = known(inputs.requestedValidity);
      if (days === undefined || ORIGIN_CA_VALIDITY_DAYS.includes(days as number)) return [];
      return [{ path: "requestedValidity", value: days, allowed: oneOf(ORIGIN_CA_VALIDITY_DAYS, " (days)") }];
    },
  },
  {
    type: ORIGIN_CA_CERTIFICATE,
    field: "requestType",
    source: `${ORIGIN_CA_SCHEMA}#L37-L48`,
    check(inputs) {
      const value = known(inputs.requestType);
      if (value === undefined) return [];
      if (typeof value === "string" && includesIgnoringCase(ORIGIN_CA_REQUEST_TYPES, value)) return [];
      return [{ path: "requestType", value, allowed: oneOf(ORIGIN_CA_REQUEST_TYPES) }];
    },
  },
  {
    type: ORIGIN_CA_CERTIFICATE,
    field: "hostnames",
    source: `${DOCS}/ssl/origin-configuration/origin-ca/#hostname-and-wildcard-coverage`,
    check(inputs) {
      const hostnames = knownArray(inputs.hostnames);
      if (hostnames === undefined) return [];
      if (hostnames.length >= 1 && hostnames.length <= ORIGIN_CA_MAX_HOSTNAMES) return [];
      return [
        {
          path: "hostnames",
          value: hostnames.length,
          allowed: `1 to ${ORIGIN_CA_MAX_HOSTNAMES} hostnames on one certificate`,
        },
      ];
    },
  },
  {
    type: ORIGIN_CA_CERTIFICATE,
    field: "hostnames",
    source: `${ORIGIN_CA_SCHEMA}#L49-L54`,
    check(inputs) {
      const findings: RuleFinding[] = [];
      (knownArray(inputs.hostnames) ?? []).forEach((entry, i) => {
        const hostname = knownString(entry);
        if (hostname === undefined) return;
        // A wildcard covers one level and only as a `*.` prefix, over a name of two labels or more.
        const base = hostname.startsWith("*.") ? hostname.slice(2) : hostname;
        if (!base.includes("*") && isHostname(base, 2)) return;
        findings.push({
          path: `hostnames[${i}]`,
          value: hostname,
          allowed:
            "a fully qualified name (example.com) or a one-level wildcard over one (*.example.com); " +
            "no *.*.example.com, foo.*.example.com, *.com or IP address",
        });
      });
      return findings;
    },
  },
];

// ---------------------------------------------------------------------------------------------------------
// DNS records

// prettier-ignore
const DNS_RECORD_TYPES = [
  "A", "AAAA", "CNAME", "MX", "NS", "OPENPGPKEY", "PTR", "TXT", "CAA", "CERT", "DNSKEY", "DS", "HTTPS", "LOC",
  "NAPTR", "SMIMEA", "SRV", "SSHFP", "SVCB", "TLSA", "URI",
];
/** "The records you can proxy through Cloudflare are … A, AAAA, or CNAME records." */
const PROXIABLE_TYPES = ["A", "AAAA", "CNAME"];
const DNS_NAME_MAX_LENGTH = 255;
const DNS_MAX_TTL = 86400;

const recordType = (inputs: Record<string, unknown>) => knownString(inputs.type)?.toUpperCase();

const dnsRules: ProviderRule[] = [
  {
    type: DNS_RECORD,
    field: "type",
    source: `${DNS_SCHEMA}#L70-L99`,
    check(inputs) {
      const value = known(inputs.type);
      if (value === undefined) return [];
      if (typeof value === "string" && includesIgnoringCase(DNS_RECORD_TYPES, value)) return [];
      return [{ path: "type", value, allowed: oneOf(DNS_RECORD_TYPES) }];
    },
  },
  {
    type: DNS_RECORD,
    field: "name",
    source: `${DOCS}/api/resources/dns/subresources/records/methods/create/`,
    check(inputs) {
      const name = knownString(inputs.name);
      if (name === undefined || (name.length >= 1 && name.length <= DNS_NAME_MAX_LENGTH)) return [];
      return [
        {
          path: "name",
          value: name,
          allowed: `1 to ${DNS_NAME_MAX_LENGTH} characters, zone name included (this one has ${name.length})`,
        },
      ];
    },
  },
  {
    type: DNS_RECORD,
    field: "ttl",
    source: CLOUDFLARE_PLAN_SOURCES.dnsTtl.url,
    check(inputs, context) {
      const ttl = known(inputs.ttl);
      if (ttl === undefined) return [];
      const min = CLOUDFLARE_PLAN_FACTS[context.cloudflarePlan].dnsRecords.minTtl;
      if (ttl === 1 || (Number.isInteger(ttl) && (ttl as number) >= min && (ttl as number) <= DNS_MAX_TTL))
        return [];
      return [
        {
          path: "ttl",
          value: ttl,
          allowed: `1 (automatic) or ${min} to ${DNS_MAX_TTL} seconds on the ${context.cloudflarePlan} plan`,
        },
      ];
    },
  },
  {
    // The provider checks this only when it creates the record; an update is sent and refused by the API at
    // deploy time (pulumi/pulumi-cloudflare#669).
    type: DNS_RECORD,
    field: "ttl",
    source: `${TF}/internal/services/dns_record/resource.go#L67-L73`,
    check(inputs) {
      const ttl = known(inputs.ttl);
      if (known(inputs.proxied) !== true || ttl === undefined || ttl === 1) return [];
      return [
        { path: "ttl", value: ttl, allowed: "1 (automatic): the record is proxied, Cloudflare sets its TTL" },
      ];
    },
  },
  {
    type: DNS_RECORD,
    field: "proxied",
    source: `${DOCS}/dns/proxy-status/`,
    check(inputs) {
      const type = recordType(inputs);
      if (known(inputs.proxied) !== true || type === undefined || PROXIABLE_TYPES.includes(type)) return [];
      return [
        {
          path: "proxied",
          value: true,
          allowed: `false for a ${type} record: only ${list(PROXIABLE_TYPES)} records can be proxied`,
        },
      ];
    },
  },
  {
    type: DNS_RECORD,
    field: "content",
    source: `${DOCS}/dns/manage-dns-records/reference/dns-record-types/`,
    check(inputs) {
      const type = recordType(inputs);
      const content = knownString(inputs.content);
      if (type === undefined || content === undefined) return [];
      const expected: Record<string, [(v: string) => boolean, string]> = {
        A: [isIPv4, "an IPv4 address (198.51.100.4) for an A record"],
        AAAA: [isIPv6, "an IPv6 address (2001:db8::1) for an AAAA record"],
        CNAME: [(v) => isHostname(v), "a hostname (origin.example.com), not an address, for a CNAME record"],
      };
      const rule = expected[type];
      if (rule === undefined || rule[0](content)) return [];
      return [{ path: "content", value: content, allowed: rule[1] }];
    },
  },
  {
    type: DNS_RECORD,
    field: "comment",
    source: CLOUDFLARE_PLAN_SOURCES.dnsRecordAttributes.url,
    check(inputs, context) {
      const comment = knownString(inputs.comment);
      if (comment === undefined) return [];
      const findings: RuleFinding[] = [];
      const max = CLOUDFLARE_PLAN_FACTS[context.cloudflarePlan].dnsRecords.commentMaxLength;
      if ([...comment].length > max)
        findings.push({
          path: "comment",
          value: comment,
          allowed: `at most ${max} characters on the ${context.cloudflarePlan} plan (this one has ${[...comment].length})`,
        });
      if (/[\r\n]/.test(comment))
        findings.push({
          path: "comment",
          value: comment,
          allowed: "one line: no newline (\\n) or carriage return (\\r)",
        });
      return findings;
    },
  },
  {
    type: DNS_RECORD,
    field: "tags",
    source: CLOUDFLARE_PLAN_SOURCES.dnsRecordAttributes.url,
    check(inputs, context) {
      const tags = knownArray(inputs.tags);
      if (tags === undefined || tags.length === 0) return [];
      const facts = CLOUDFLARE_PLAN_FACTS[context.cloudflarePlan].dnsRecords.tags;
      const on = `on the ${context.cloudflarePlan} plan`;
      if (!facts.available)
        return [{ path: "tags", value: tags, allowed: `no tags ${on}: tags need a paid plan` }];
      const findings: RuleFinding[] = [];
      if (tags.length > facts.perRecord)
        findings.push({
          path: "tags",
          value: tags.length,
          allowed: `at most ${facts.perRecord} tags per record ${on}`,
        });
      tags.forEach((entry, i) => {
        const tag = knownString(entry);
        if (tag === undefined) return;
        const [name = "", ...rest] = tag.split(":");
        const value = rest.join(":");
        if (name.length <= facts.nameMaxLength && value.length <= facts.valueMaxLength) return;
        findings.push({
          path: `tags[${i}]`,
          value: tag,
          allowed: `name:value with a name of at most ${facts.nameMaxLength} and a value of at most ${facts.valueMaxLength} characters`,
        });
      });
      return findings;
    },
  },
  {
    // Reported once, on the first record over the quota; the other stack's records count too but are not
    // visible here.
    type: DNS_RECORD,
    field: "zoneId",
    source: CLOUDFLARE_PLAN_SOURCES.dnsRecordsPerZone.url,
    check(inputs, context) {
      const zoneId = knownString(inputs.zoneId);
      if (zoneId === undefined) return [];
      const records = inputsOf(context, DNS_RECORD).filter((r) => r.zoneId === zoneId);
      const max = CLOUDFLARE_PLAN_FACTS[context.cloudflarePlan].dnsRecords.recordsPerZone;
      if (records.length <= max || records.indexOf(inputs) !== max) return [];
      return [
        {
          path: "zoneId",
          value: zoneId,
          allowed: `at most ${max} DNS records per zone on the ${context.cloudflarePlan} plan (this stack has ${records.length})`,
        },
      ];
    },
  },
];

// ---------------------------------------------------------------------------------------------------------
// Zone settings

/**
 * Every setting id the provider documents, with the values of those that take one of a few words. The
 * others (numbers, objects, lists, free strings) are not checked. @pulumi/cloudflare 6.22.1 also lists
 * preRender, webmcpEnabled and webmcpPacks; their API ids are not confirmed, so they are not here.
 */
const ON_OFF = ["on", "off"];
// prettier-ignore
const ZONE_SETTINGS: Readonly<Record<string, readonly string[] | undefined>> = {
  "0rtt": ON_OFF, advanced_ddos: ON_OFF, aegis: undefined, always_online: ON_OFF, always_use_https: ON_OFF,
  automatic_https_rewrites: ON_OFF, automatic_platform_optimization: undefined, brotli: ON_OFF,
  browser_cache_ttl: undefined, browser_check: ON_OFF, cache_level: ["aggressive", "basic", "simplified"],
  challenge_ttl: undefined, ciphers: undefined, cname_flattening: ["flatten_at_root", "flatten_all"],
  content_converter: ON_OFF, development_mode: ON_OFF, early_hints: ON_OFF, edge_cache_ttl: undefined,
  email_obfuscation: ON_OFF, h2_prioritization: ["on", "off", "custom"], hotlink_protection: ON_OFF,
  http2: ON_OFF, http3: ON_OFF, image_resizing: ["on", "off", "open"], ip_geolocation: ON_OFF, ipv6: ON_OFF,
  max_upload: undefined, min_tls_version: ["1.0", "1.1", "1.2", "1.3"], mirage: ON_OFF, nel: undefined,
  opportunistic_encryption: ON_OFF, opportunistic_onion: ON_OFF, orange_to_orange: ON_OFF,
  origin_error_page_pass_thru: ON_OFF, origin_h2_max_streams: undefined, origin_max_http_version: ["2", "1"],
  polish: ["off", "lossless", "lossy"], prefetch_preload: ON_OFF, privacy_pass: ON_OFF,
  proxy_read_timeout: undefined, pseudo_ipv4: ["off", "add_header", "overwrite_header"],
  redirects_for_ai_training: ON_OFF, replace_insecure_js: ON_OFF, response_buffering: ON_OFF,
  rocket_loader: ON_OFF, search_for_agents: ON_OFF, security_header: undefined,
  security_level: ["off", "essentially_off", "low", "medium", "high", "under_attack"],
  server_side_exclude: ON_OFF, sha1_support: ON_OFF, sort_query_string_for_cache: ON_OFF,
  ssl: ["off", "flexible", "full", "strict"], ssl_recommender: undefined, tls_1_2_only: ON_OFF,
  tls_1_3: ["on", "off", "zrt"], tls_client_auth: ON_OFF, transformations: ["on", "off", "open"],
  transformations_allowed_origins: undefined, true_client_ip_header: ON_OFF, waf: ON_OFF, webp: ON_OFF,
  websockets: ON_OFF,
};

const zoneSettingRules: ProviderRule[] = [
  {
    type: ZONE_SETTING,
    field: "settingId",
    source: ZONE_SETTING_TABLE,
    check(inputs) {
      const id = known(inputs.settingId);
      if (id === undefined || (typeof id === "string" && id in ZONE_SETTINGS)) return [];
      return [
        {
          path: "settingId",
          value: id,
          allowed: `a setting id of the provider's table, in snake_case (ssl, always_use_https, min_tls_version, …): see ${ZONE_SETTING_TABLE}`,
        },
      ];
    },
  },
  {
    // The program's three settings exist on every plan, with the same values; the plan facts say so.
    type: ZONE_SETTING,
    field: "value",
    source: CLOUDFLARE_PLAN_SOURCES.zoneSettings.url,
    check(inputs, context) {
      const id = knownString(inputs.settingId);
      const value = known(inputs.value);
      if (id === undefined || value === undefined) return [];
      const planValues = CLOUDFLARE_PLAN_FACTS[context.cloudflarePlan].zoneSettings;
      const allowed = id in planValues ? planValues[id as ProgramZoneSetting] : ZONE_SETTINGS[id];
      if (allowed === undefined || (typeof value === "string" && allowed.includes(value))) return [];
      return [{ path: "value", value, allowed: `${oneOf(allowed)} (as a string) for ${id}` }];
    },
  },
];

// ---------------------------------------------------------------------------------------------------------
// Rulesets, and the rate limiting rules of the http_ratelimit phase

const RULESET_KINDS = ["managed", "custom", "root", "zone"];
// prettier-ignore
const RULESET_PHASES = [
  "ddos_l4", "ddos_l7", "http_config_settings", "http_custom_errors", "http_log_custom_fields", "http_ratelimit",
  "http_request_cache_settings", "http_request_dynamic_redirect", "http_request_firewall_custom",
  "http_request_firewall_managed", "http_request_late_transform", "http_request_origin", "http_request_redirect",
  "http_request_sanitize", "http_request_sbfm", "http_request_transform", "http_response_cache_settings",
  "http_response_compression", "http_response_firewall_managed", "http_response_headers_transform",
  "magic_transit", "magic_transit_ids_managed", "magic_transit_managed", "magic_transit_ratelimit",
];
// prettier-ignore
const RULE_ACTIONS = [
  "block", "challenge", "compress_response", "ddos_dynamic", "execute", "force_connection_close", "js_challenge",
  "log", "log_custom_field", "managed_challenge", "redirect", "rewrite", "route", "score", "serve_error",
  "set_cache_control", "set_cache_settings", "set_cache_tags", "set_config", "skip",
];
/** Phases whose actions the actions reference names ("Only available … in the … phase"). */
const PHASE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  http_request_transform: ["rewrite"],
  http_request_late_transform: ["rewrite"],
  http_response_headers_transform: ["rewrite"],
  http_request_origin: ["route"],
  http_config_settings: ["set_config"],
  http_response_compression: ["compress_response"],
  http_request_cache_settings: ["set_cache_settings"],
  http_custom_errors: ["serve_error"],
  http_log_custom_fields: ["log_custom_field"],
};
const RATE_LIMIT_PHASE = "http_ratelimit";
const MAX_EXPRESSION_LENGTH = 4096;

interface RuleAt {
  index: number;
  rule: Record<string, unknown>;
}
const rulesOf = (inputs: Record<string, unknown>): RuleAt[] =>
  (knownArray(inputs.rules) ?? []).flatMap((rule, index) => {
    const object = knownObject(rule);
    return object ? [{ index, rule: object }] : [];
  });
const isRateLimitRuleset = (inputs: Record<string, unknown>) =>
  knownString(inputs.phase) === RATE_LIMIT_PHASE;
/** The rate limiting rules of an http_ratelimit ruleset, with their `ratelimit` object. */
const rateLimitRules = (inputs: Record<string, unknown>) =>
  isRateLimitRuleset(inputs)
    ? rulesOf(inputs).flatMap(({ index, rule }) => {
        const ratelimit = knownObject(rule.ratelimit);
        return ratelimit ? [{ index, rule, ratelimit }] : [];
      })
    : [];

/** The fields an expression reads: dotted names outside string literals. */
export function expressionFields(expression: string): string[] {
  const code = expression.replace(/r(#*)"[\s\S]*?"\1|"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(code.match(/\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+/g) ?? [])];
}

const rulesetRules: ProviderRule[] = [
  {
    type: RULESET,
    field: "kind",
    source: `${RULESET_SCHEMA}#L71-L83`,
    check(inputs) {
      const kind = knownString(inputs.kind);
      if (kind === undefined) return [];
      if (!includesIgnoringCase(RULESET_KINDS, kind))
        return [{ path: "kind", value: kind, allowed: oneOf(RULESET_KINDS) }];
      // A phase entry point is `zone` in a zone and `root` in an account (Ruleset Engine, rulesets).
      if (inputs.zoneId !== undefined && kind === "root")
        return [
          {
            path: "kind",
            value: kind,
            allowed: "zone, custom or managed for a zone ruleset: root is an account's entry point",
          },
        ];
      if (inputs.accountId !== undefined && kind === "zone")
        return [
          {
            path: "kind",
            value: kind,
            allowed: "root, custom or managed for an account ruleset: zone is a zone's entry point",
          },
        ];
      return [];
    },
  },
  {
    type: RULESET,
    field: "phase",
    source: `${RULESET_SCHEMA}#L92-L124`,
    check(inputs) {
      const phase = known(inputs.phase);
      if (phase === undefined || (typeof phase === "string" && includesIgnoringCase(RULESET_PHASES, phase)))
        return [];
      return [{ path: "phase", value: phase, allowed: oneOf(RULESET_PHASES) }];
    },
  },
  {
    // "Each phase has at most one entry point ruleset at the account level and at the zone level."
    type: RULESET,
    field: "phase",
    source: `${DOCS}/ruleset-engine/about/rulesets/#entry-point-ruleset`,
    check(inputs, context) {
      const zoneId = knownString(inputs.zoneId);
      const phase = knownString(inputs.phase);
      if (zoneId === undefined || phase === undefined || inputs.kind !== "zone") return [];
      const entryPoints = inputsOf(context, RULESET).filter(
        (r) => r.kind === "zone" && r.zoneId === zoneId && r.phase === phase,
      );
      if (entryPoints.indexOf(inputs) < 1) return [];
      return [
        {
          path: "phase",
          value: phase,
          allowed: `one zone ruleset per phase: the stack already has a ${phase} entry point for this zone; put the rules in it`,
        },
      ];
    },
  },
  {
    type: RULESET,
    field: "rules",
    source: `${RULESET_SCHEMA}#L149-L180`,
    check(inputs, context) {
      const phase = knownString(inputs.phase);
      const findings: RuleFinding[] = [];
      for (const { index, rule } of rulesOf(inputs)) {
        const action = knownString(rule.action);
        if (action === undefined) continue;
        const path = `rules[${index}].action`;
        if (!RULE_ACTIONS.includes(action)) {
          findings.push({ path, value: action, allowed: oneOf(RULE_ACTIONS) });
        } else if (phase === RATE_LIMIT_PHASE) {
          // Rate limiting rules: the parameters page lists the actions, the actions reference keeps log for
          // Enterprise.
          const { facts, on } = rateLimitPlan(context);
          if (!facts.actions.includes(action))
            findings.push({
              path,
              value: action,
              allowed: `${oneOf(facts.actions)} for a rate limiting rule ${on}`,
            });
        } else if (phase !== undefined && PHASE_ACTIONS[phase] && !PHASE_ACTIONS[phase].includes(action)) {
          findings.push({
            path,
            value: action,
            allowed: `${oneOf(PHASE_ACTIONS[phase])} in the ${phase} phase`,
          });
        }
      }
      return findings;
    },
  },
  {
    type: RULESET,
    field: "rules",
    source: `${DOCS}/ruleset-engine/rules-language/expressions/#maximum-rule-expression-length`,
    check(inputs) {
      const findings: RuleFinding[] = [];
      for (const { index, rule } of rulesOf(inputs)) {
        const expression = knownString(rule.expression);
        if (
          expression === undefined ||
          (expression.length >= 1 && expression.length <= MAX_EXPRESSION_LENGTH)
        )
          continue;
        findings.push({
          path: `rules[${index}].expression`,
          value: expression,
          allowed: `1 to ${MAX_EXPRESSION_LENGTH} characters (this one has ${expression.length})`,
        });
      }
      return findings;
    },
  },
  {
    type: RULESET,
    field: "rules",
    source: RATE_LIMITING,
    check(inputs, context) {
      if (!isRateLimitRuleset(inputs)) return [];
      const { facts, on } = rateLimitPlan(context);
      if (facts.expressionFields === "any") return [];
      const fields = facts.expressionFields;
      const findings: RuleFinding[] = [];
      for (const { index, rule } of rulesOf(inputs)) {
        const expression = knownString(rule.expression);
        if (expression === undefined) continue;
        for (const field of expressionFields(expression).filter((f) => !fields.includes(f)))
          findings.push({
            path: `rules[${index}].expression`,
            value: field,
            allowed: `fields ${list(fields)} in a rate limiting rule ${on}`,
          });
      }
      return findings;
    },
  },
  {
    type: RULESET,
    field: "rules",
    source: RATE_LIMITING,
    check(inputs, context) {
      const { facts, on } = rateLimitPlan(context);
      const others =
        facts.characteristics === "any" ? "any characteristic" : facts.characteristics.join(" or ");
      const findings: RuleFinding[] = [];
      for (const { index, ratelimit } of rateLimitRules(inputs)) {
        const path = `rules[${index}].ratelimit.characteristics`;
        const characteristics = knownArray(ratelimit.characteristics);
        if (characteristics === undefined) continue;
        const values = characteristics.map(knownString);
        if (!values.includes("cf.colo.id") && values.every((v) => v !== undefined))
          findings.push({
            path,
            value: characteristics,
            allowed: `cf.colo.id, always (counters are per data center), plus ${others} ${on}`,
          });
        values.forEach((value, i) => {
          if (value === undefined || allowsCharacteristic(facts, value)) return;
          findings.push({
            path: `${path}[${i}]`,
            value,
            allowed: `cf.colo.id plus ${others} ${on}; ${value} needs ${cheapestPlanCounting(value)}`,
          });
        });
        // "You cannot use both IP with NAT support and IP as characteristics of the same rate limiting rule."
        if (values.includes("ip.src") && values.includes("cf.unique_visitor_id"))
          findings.push({
            path,
            value: characteristics,
            allowed: "ip.src or cf.unique_visitor_id (IP with NAT support), not both",
          });
      }
      return findings;
    },
  },
  {
    type: RULESET,
    field: "rules",
    source: RATE_LIMITING,
    check(inputs, context) {
      const { facts, on } = rateLimitPlan(context);
      const findings: RuleFinding[] = [];
      for (const { index, ratelimit } of rateLimitRules(inputs)) {
        const period = known(ratelimit.period);
        if (period === undefined || facts.periods.includes(period as number)) continue;
        findings.push({
          path: `rules[${index}].ratelimit.period`,
          value: period,
          allowed: `${oneOf(facts.periods, " (seconds)")} ${on}`,
        });
      }
      return findings;
    },
  },
  {
    type: RULESET,
    field: "rules",
    source: `${RATE_LIMITING_PARAMETERS}#for-duration`,
    check(inputs, context) {
      const { facts, on } = rateLimitPlan(context);
      const findings: RuleFinding[] = [];
      for (const { index, rule, ratelimit } of rateLimitRules(inputs)) {
        const timeout = known(ratelimit.mitigationTimeout);
        const action = knownString(rule.action);
        if (timeout === undefined) continue;
        const path = `rules[${index}].ratelimit.mitigationTimeout`;
        const challenge =
          action !== undefined && ["challenge", "js_challenge", "managed_challenge"].includes(action);
        const max = Math.max(...facts.mitigationTimeouts);
        const durations = facts.customMitigationTimeout
          ? `0 to ${max} (seconds)`
          : oneOf(facts.mitigationTimeouts, " (seconds)");
        if (challenge && !facts.challengeDuration) {
          // Challenges without a duration throttle: the counter resets when the visitor passes.
          if (timeout !== 0)
            findings.push({ path, value: timeout, allowed: `0 with the ${action} action ${on}` });
        } else if (timeout === 0) {
          if (!facts.throttleWithBlock && action !== undefined)
            findings.push({
              path,
              value: timeout,
              allowed: `${durations} with the ${action} action ${on}: throttling (0) with it is Enterprise only`,
            });
        } else {
          const ok = facts.customMitigationTimeout
            ? Number.isInteger(timeout) && (timeout as number) > 0 && (timeout as number) <= max
            : facts.mitigationTimeouts.includes(timeout as number);
          if (!ok) findings.push({ path, value: timeout, allowed: `${durations} ${on}` });
        }
      }
      return findings;
    },
  },
  {
    type: RULESET,
    field: "rules",
    source: `${RULESET_SCHEMA}#L2315-L2321`,
    check(inputs) {
      const findings: RuleFinding[] = [];
      for (const { index, ratelimit } of rateLimitRules(inputs)) {
        const requests = known(ratelimit.requestsPerPeriod);
        // No maximum is documented; the provider asks for at least 1.
        if (requests === undefined || (Number.isInteger(requests) && (requests as number) >= 1)) continue;
        findings.push({
          path: `rules[${index}].ratelimit.requestsPerPeriod`,
          value: requests,
          allowed: "a whole number, 1 or more",
        });
      }
      return findings;
    },
  },
  {
    type: RULESET,
    field: "rules",
    source: RATE_LIMITING,
    check(inputs, context) {
      const { facts, on } = rateLimitPlan(context);
      const findings: RuleFinding[] = [];
      for (const { index, ratelimit } of rateLimitRules(inputs)) {
        const counting = knownString(ratelimit.countingExpression);
        if (counting !== undefined && counting !== "" && !facts.customCountingExpression)
          findings.push({
            path: `rules[${index}].ratelimit.countingExpression`,
            value: counting,
            allowed: `none ${on}: a custom counting expression needs Business or above`,
          });
        if (known(ratelimit.requestsToOrigin) === true && !facts.cacheExclusion)
          findings.push({
            path: `rules[${index}].ratelimit.requestsToOrigin`,
            value: true,
            allowed: `false ${on}: not counting cached assets needs Business or above`,
          });
        if (known(ratelimit.scorePerPeriod) !== undefined && !facts.complexityScore)
          findings.push({
            path: `rules[${index}].ratelimit.scorePerPeriod`,
            value: ratelimit.scorePerPeriod,
            allowed: `none ${on}: complexity-based counting needs Enterprise with Advanced Rate Limiting`,
          });
      }
      return findings;
    },
  },
  {
    // Counted across the stack's rate limiting rulesets for the zone (one, normally), reported on the first
    // rule over the limit.
    type: RULESET,
    field: "rules",
    source: CLOUDFLARE_PLAN_SOURCES.rateLimitingRuleCount.url,
    check(inputs, context) {
      const zoneId = knownString(inputs.zoneId);
      if (zoneId === undefined || !isRateLimitRuleset(inputs)) return [];
      const { facts, on } = rateLimitPlan(context);
      const rulesets = inputsOf(context, RULESET).filter((r) => r.zoneId === zoneId && isRateLimitRuleset(r));
      const total = rulesets.reduce((n, r) => n + rateLimitRules(r).length, 0);
      const before = rulesets
        .slice(0, Math.max(0, rulesets.indexOf(inputs)))
        .reduce((n, r) => n + rateLimitRules(r).length, 0);
      const mine = rateLimitRules(inputs);
      const first = mine.find((_, i) => before + i + 1 === facts.maxRules + 1);
      if (total <= facts.maxRules || first === undefined) return [];
      return [
        {
          path: `rules[${first.index}]`,
          value: total,
          allowed: `at most ${plural(facts.maxRules, "rate limiting rule")} per zone ${on} (the stack has ${total})`,
        },
      ];
    },
  },
];

// ---------------------------------------------------------------------------------------------------------
// Cloudflare for SaaS custom hostnames

const DCV_METHODS = ["http", "txt", "email"];
const SSL_TYPES = ["dv"];

const customHostnameRules: ProviderRule[] = [
  {
    type: CUSTOM_HOSTNAME,
    field: "ssl",
    source: `${CUSTOM_HOSTNAME_SCHEMA}#L112-L122`,
    check(inputs) {
      const method = known(knownObject(inputs.ssl)?.method);
      if (method === undefined || (typeof method === "string" && includesIgnoringCase(DCV_METHODS, method)))
        return [];
      return [{ path: "ssl.method", value: method, allowed: oneOf(DCV_METHODS) }];
    },
  },
  {
    type: CUSTOM_HOSTNAME,
    field: "ssl",
    source: `${CUSTOM_HOSTNAME_SCHEMA}#L167-L173`,
    check(inputs) {
      const type = known(knownObject(inputs.ssl)?.type);
      if (type === undefined || (typeof type === "string" && includesIgnoringCase(SSL_TYPES, type)))
        return [];
      return [
        { path: "ssl.type", value: type, allowed: `${oneOf(SSL_TYPES)} (domain validation, the only level)` },
      ];
    },
  },
  {
    type: CUSTOM_HOSTNAME,
    field: "hostname",
    source: CLOUDFLARE_PLAN_SOURCES.customHostnames.url,
    check(inputs, context) {
      const plan = context.cloudflarePlan;
      const facts = CLOUDFLARE_PLAN_FACTS[plan].customHostnames;
      const hostname = knownString(inputs.hostname);
      const ssl = knownObject(inputs.ssl);
      const findings: RuleFinding[] = [];
      if (facts.available === false)
        findings.push({
          path: "hostname",
          value: hostname,
          allowed: `no custom hostnames on the ${plan} plan`,
        });
      const all = inputsOf(context, CUSTOM_HOSTNAME);
      if (facts.max !== null && all.length > facts.max && all.indexOf(inputs) === facts.max)
        findings.push({
          path: "hostname",
          value: hostname,
          allowed: `at most ${facts.max} custom hostnames on the ${plan} plan (the stack has ${all.length})`,
        });
      if (!facts.wildcard && (hostname?.startsWith("*.") === true || known(ssl?.wildcard) === true))
        findings.push({
          path: hostname?.startsWith("*.") ? "hostname" : "ssl.wildcard",
          value: hostname?.startsWith("*.") ? hostname : true,
          allowed: `no wildcard custom hostnames on the ${plan} plan: Enterprise only`,
        });
      const ca = known(ssl?.certificateAuthority);
      if (!facts.selectableCertificateAuthority && ca !== undefined)
        findings.push({
          path: "ssl.certificateAuthority",
          value: ca,
          allowed: `unset on the ${plan} plan: choosing the certificate authority is Enterprise only`,
        });
      return findings;
    },
  },
];

export const CLOUDFLARE_RULES: ProviderRule[] = [
  ...originCaRules,
  ...dnsRules,
  ...zoneSettingRules,
  ...rulesetRules,
  ...customHostnameRules,
];

// ---------------------------------------------------------------------------------------------------------
// How changes are carried out (RequiresReplace plan modifiers), by Pulumi argument name.

/**
 * Note on `fleet.zone`: the zone's id is a stack setting (tenancy:cloudflareZoneId), so moving the fleet to
 * another zone changes `zoneId` on every record, custom hostname, zone setting and ruleset, and replaces
 * them all; every Origin CA certificate names the zone in `hostnames` (and its CSR's subject), so every
 * certificate is replaced too, and every host gets a new certificate before it serves the new zone. A
 * change of the zone name alone (same zone id) renames the DNS records in place.
 */
export const CLOUDFLARE_CHANGES: Readonly<Record<string, ChangeBehaviour>> = {
  [DNS_RECORD]: {
    replaceOn: ["zoneId", "type"],
    notes: {
      name: "renamed in place (the provider treats the zone-relative and the full name as one)",
      proxied: "in place; a proxied record must keep ttl 1",
    },
    source: `${DNS_SCHEMA}#L44-L48`,
  },
  [ORIGIN_CA_CERTIFICATE]: {
    // requestedValidity is RequiresReplaceIfConfigured: a change of a configured value replaces.
    replaceOn: ["csr", "requestType", "hostnames", "requestedValidity"],
    notes: {
      hostnames: "a new certificate is issued; the old one stays valid until revoked by the delete",
      csr: "a new key (tls.PrivateKey) means a new CSR and so a new certificate",
    },
    source: `${ORIGIN_CA_SCHEMA}#L32-L71`,
  },
  [ZONE_SETTING]: {
    replaceOn: ["zoneId", "settingId"],
    notes: {
      value: "in place",
      settingId:
        "deleting a ZoneSetting does not reset it: the provider removes it from state and leaves the zone's value",
    },
    source: `${ZONE_SETTING_SCHEMA}#L34-L43`,
  },
  [RULESET]: {
    replaceOn: ["accountId", "zoneId", "kind", "name", "phase"],
    notes: {
      rules: "in place, the whole list at once",
      name:
        "renaming replaces the zone's phase entry point; a zone has one per phase, so creating the new one " +
        "before the old is deleted is likely refused (unconfirmed), and in between the zone has no rate limits",
    },
    source: `${RULESET_SCHEMA}#L48-L124`,
  },
  [CUSTOM_HOSTNAME]: {
    replaceOn: ["zoneId", "hostname"],
    notes: {
      hostname:
        "a new custom hostname must pass domain control validation again and get a certificate before it serves",
      ssl: "in place; sending the same ssl object restarts domain control validation",
    },
    source: `${CUSTOM_HOSTNAME_SCHEMA}#L38-L47`,
  },
};
