/**
 * The Cloudflare provider rules, each both ways: the example fleet's recorded inputs (with the values it
 * gets wrong today fixed) pass, and one changed field fires with the path, value and allowed text expected.
 * Plan-dependent rules are shown on two plans or more. A last block shows that what the program builds
 * for the example fleet fits every plan.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CloudflarePlan } from "../../../edge/cloudflare-plans";
import { EXAMPLE_MANIFEST } from "../../../testing/fixtures";
import { SECRET, UNKNOWN, recordStack, type RecordedResource, type RecordedStack } from "../../engine";
import {
  CLOUDFLARE_CHANGES,
  CLOUDFLARE_RULES,
  CUSTOM_HOSTNAME,
  DNS_RECORD,
  ORIGIN_CA_CERTIFICATE,
  RULESET,
  ZONE_SETTING,
  expressionFields,
} from "../cloudflare";
import { checkProviderRules, type ProviderRule, type RuleContext, type RuleFinding } from "../rule";

jest.setTimeout(60_000);

type Inputs = Record<string, unknown>;

let shared: RecordedStack;
let dedicated: RecordedStack;
/** The example fleet's shared stack on an Enterprise zone with Advanced Rate Limiting: rules per hostname. */
let byHost: RecordedStack;
let base: Bases;
const scratch = mkdtempSync(path.join(tmpdir(), "tenancy-cf-rules-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The example fleet with another Cloudflare plan in fleet.cloudflarePlan. */
function onPlan(plan: CloudflarePlan, arl = false): string {
  const file = path.join(scratch, `${plan}${arl ? "-arl" : ""}.yaml`);
  const text = readFileSync(EXAMPLE_MANIFEST, "utf8").replace(
    /^ {2}cloudflarePlan: \w+$/m,
    `  cloudflarePlan: ${plan}${arl ? "\n  cloudflareAdvancedRateLimiting: true" : ""}`,
  );
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  shared = await recordStack({ tier: "shared", manifest: EXAMPLE_MANIFEST });
  dedicated = await recordStack({ tier: "dedicated", manifest: EXAMPLE_MANIFEST });
  byHost = await recordStack({ tier: "shared", manifest: onPlan("enterprise", true) });
  base = bases();
});

const recorded = (stack: RecordedStack, type: string, where: (inputs: Inputs) => boolean = () => true) => {
  const found = stack.resources.find((r) => r.type === type && where(r.inputs));
  if (!found) throw new Error(`the example fleet registers no ${type}`);
  return structuredClone(found.inputs);
};

interface Bases {
  cert: Inputs;
  cname: Inputs;
  a: Inputs;
  aaaa: Inputs;
  ssl: Inputs;
  realRuleset: Inputs;
  realRule: Inputs;
  hostname: Inputs;
}

/** Compliant inputs of each type: the recorded ones, with what the example fleet gets wrong today fixed. */
function bases(): Bases {
  const realRuleset = recorded(byHost, RULESET);
  return {
    // The fleet asks for 1825 days, which Cloudflare does not offer.
    cert: { ...recorded(shared, ORIGIN_CA_CERTIFICATE), requestedValidity: 1095 },
    cname: recorded(shared, DNS_RECORD, (i) => i.type === "CNAME"),
    a: recorded(shared, DNS_RECORD, (i) => i.type === "A"),
    // The offline mock's server addresses (2001:db8:<8 hex digits>::1) are not IPv6 addresses.
    aaaa: { ...recorded(shared, DNS_RECORD, (i) => i.type === "AAAA"), content: "2001:db8::1" },
    ssl: recorded(shared, ZONE_SETTING, (i) => i.settingId === "ssl"),
    realRuleset,
    realRule: (realRuleset.rules as Inputs[])[0]!,
    hostname: recorded(shared, CUSTOM_HOSTNAME),
  };
}

/**
 * A rate limiting ruleset of `count` rules that passes on every plan: the recorded rule, counted by IP
 * over 10 s and matching on the path only (what the free plan allows), with the patches applied.
 */
function rateLimits(count: number, rule: Inputs = {}, ratelimit: Inputs = {}): Inputs {
  const real = base.realRule;
  const one = {
    ...real,
    expression: 'starts_with(http.request.uri.path, "/api/")',
    ...rule,
    ratelimit: {
      ...(real.ratelimit as Inputs),
      characteristics: ["cf.colo.id", "ip.src"],
      period: 10,
      mitigationTimeout: 10,
      ...ratelimit,
    },
  };
  return { ...base.realRuleset, rules: Array.from({ length: count }, () => structuredClone(one)) };
}

const resource = (type: string, inputs: Inputs, n: number): RecordedResource => ({
  type,
  name: `${type.split(":")[2]}-${n}`,
  urn: `urn:pulumi:test::tenancy::${type}::${n}`,
  custom: true,
  inputs,
  outputs: inputs,
  options: {
    protect: false,
    ignoreChanges: [],
    retainOnDelete: false,
    parent: "",
    additionalSecretOutputs: [],
  },
});

/** Every rule that has fired in a test below, to prove each one can. */
const fired = new Set<ProviderRule>();

/** The findings of the type's rules for `inputs`, in a stack of `stack` (inputs of the same type). */
function check(
  type: string,
  inputs: Inputs,
  plan: CloudflarePlan,
  options: { arl?: boolean; stack?: Inputs[] } = {},
) {
  const stack: RecordedStack = {
    ...shared,
    resources: (options.stack ?? [inputs]).map((i, n) => resource(type, i, n)),
  };
  const context: RuleContext = {
    cloudflarePlan: plan,
    stack,
    zone: stack.resources,
    advancedRateLimiting: options.arl ?? false,
  };
  const findings: RuleFinding[] = [];
  for (const rule of CLOUDFLARE_RULES.filter((r) => r.type === type)) {
    const out = rule.check(inputs, context);
    if (out.length > 0) fired.add(rule);
    findings.push(...out);
  }
  return findings;
}

interface Case {
  name: string;
  type: string;
  plan: CloudflarePlan;
  arl?: boolean;
  /** The inputs to check and, for the rules that count, the stack they are in. */
  build: () => { inputs: Inputs; stack?: Inputs[] };
  expected: RuleFinding[];
}

const only = (inputs: Inputs) => ({ inputs });
const many = (n: number, make: (i: number) => Inputs, at: number) => {
  const stack = Array.from({ length: n }, (_, i) => make(i));
  return { inputs: stack[at]!, stack };
};

// ---------------------------------------------------------------------------------------------------------

// prettier-ignore
const passing: Omit<Case, "expected">[] = [
  { name: "the Origin CA certificate", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only(base.cert) },
  { name: "a tenant's proxied CNAME", type: DNS_RECORD, plan: "free", build: () => only(base.cname) },
  { name: "a host's proxied A record", type: DNS_RECORD, plan: "free", build: () => only(base.a) },
  { name: "a host's proxied AAAA record", type: DNS_RECORD, plan: "enterprise", build: () => only(base.aaaa) },
  { name: "SSL strict", type: ZONE_SETTING, plan: "free", build: () => only(base.ssl) },
  { name: "SSL strict", type: ZONE_SETTING, plan: "enterprise", build: () => only(base.ssl) },
  {
    name: "always_use_https on and min_tls_version 1.2",
    type: ZONE_SETTING,
    plan: "pro",
    build: () => only(recorded(shared, ZONE_SETTING, (i) => i.settingId === "always_use_https")),
  },
  {
    name: "min_tls_version 1.2",
    type: ZONE_SETTING,
    plan: "business",
    build: () => only(recorded(shared, ZONE_SETTING, (i) => i.settingId === "min_tls_version")),
  },
  { name: "a setting outside the program's, tls_1_3 zrt", type: ZONE_SETTING, plan: "free", build: () => only({ ...base.ssl, settingId: "tls_1_3", value: "zrt" }) },
  { name: "a number-valued setting (not checked)", type: ZONE_SETTING, plan: "free", build: () => only({ ...base.ssl, settingId: "browser_cache_ttl", value: 14400 }) },
  { name: "the recorded rate limits, seven rules by host (one per plan)", type: RULESET, plan: "enterprise", arl: true, build: () => only(base.realRuleset) },
  { name: "one rule by IP over 10 s", type: RULESET, plan: "free", build: () => only(rateLimits(1)) },
  { name: "two rules", type: RULESET, plan: "pro", build: () => only(rateLimits(2)) },
  { name: "five rules by IP with NAT support over 10 min", type: RULESET, plan: "business", build: () => only(rateLimits(5, {}, { characteristics: ["cf.colo.id", "cf.unique_visitor_id"], period: 600 })) },
  { name: "a host and path expression", type: RULESET, plan: "pro", build: () => only(rateLimits(1, { expression: base.realRule.expression })) },
  { name: "a source IP expression", type: RULESET, plan: "business", build: () => only(rateLimits(1, { expression: 'ip.src in {198.51.100.0/24} and http.request.method eq "POST"' })) },
  { name: "a header expression", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, { expression: 'any(http.request.headers["x-api-key"][*] == "k")' })) },
  { name: "a period of 1 min and a timeout of 1 h", type: RULESET, plan: "pro", build: () => only(rateLimits(1, {}, { period: 60, mitigationTimeout: 3600 })) },
  { name: "a managed challenge that throttles (timeout 0)", type: RULESET, plan: "business", build: () => only(rateLimits(1, { action: "managed_challenge" }, { mitigationTimeout: 0 })) },
  { name: "a managed challenge for 10 min", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, { action: "managed_challenge" }, { mitigationTimeout: 600 })) },
  { name: "block throttling (timeout 0)", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, {}, { mitigationTimeout: 0 })) },
  { name: "a custom timeout of 7 s", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, {}, { mitigationTimeout: 7 })) },
  { name: "the log action", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, { action: "log" })) },
  { name: "a custom counting expression", type: RULESET, plan: "business", build: () => only(rateLimits(1, {}, { countingExpression: "http.response.code eq 429" })) },
  { name: "not counting cached assets", type: RULESET, plan: "business", build: () => only(rateLimits(1, {}, { requestsToOrigin: true })) },
  { name: "complexity-based counting", type: RULESET, plan: "enterprise", arl: true, build: () => only(rateLimits(1, {}, { scorePerPeriod: 400, scoreResponseHeaderName: "x-score" })) },
  { name: "a route rule in the origin phase", type: RULESET, plan: "free", build: () => only({ ...base.realRuleset, phase: "http_request_origin", rules: [{ ...base.realRule, action: "route", ratelimit: undefined }] }) },
  { name: "the recorded custom hostname", type: CUSTOM_HOSTNAME, plan: "free", build: () => only(base.hostname) },
  { name: "a wildcard custom hostname", type: CUSTOM_HOSTNAME, plan: "enterprise", build: () => only({ ...base.hostname, hostname: "*.customer.example", ssl: { method: "txt", type: "dv", wildcard: true, certificateAuthority: "google" } }) },
  { name: "a comment of 101 characters", type: DNS_RECORD, plan: "pro", build: () => only({ ...base.cname, comment: "c".repeat(101) }) },
  { name: "two tags", type: DNS_RECORD, plan: "pro", build: () => only({ ...base.cname, tags: ["owner:tenancy", "tier:shared"] }) },
  { name: "a TTL of 30 s, unproxied", type: DNS_RECORD, plan: "enterprise", build: () => only({ ...base.cname, proxied: false, ttl: 30 }) },
  { name: "201 records", type: DNS_RECORD, plan: "pro", build: () => many(201, (i) => ({ ...base.cname, name: `t${i}.fieldcrew.app` }), 200) },
  { name: "50,001 custom hostnames", type: CUSTOM_HOSTNAME, plan: "enterprise", build: () => many(50_001, (i) => ({ ...base.hostname, hostname: `h${i}.customer.example` }), 50_000) },
];

describe.each(passing)("passes: $name ($plan)", ({ type, plan, arl, build }) => {
  test("no finding", () => {
    const { inputs, stack } = build();
    expect(check(type, inputs, plan, { arl, stack })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------

const DAYS = "one of 7, 30, 90, 365, 730, 1095, 5475 (days)";
const WILDCARD =
  "a fully qualified name (example.com) or a one-level wildcard over one (*.example.com); " +
  "no *.*.example.com, foo.*.example.com, *.com or IP address";

// prettier-ignore
const failing: Case[] = [
  // Origin CA certificates
  { name: "a validity of 1825 days", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only({ ...base.cert, requestedValidity: 1825 }), expected: [{ path: "requestedValidity", value: 1825, allowed: DAYS }] },
  { name: "a DSA request type", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only({ ...base.cert, requestType: "origin-dsa" }), expected: [{ path: "requestType", value: "origin-dsa", allowed: "one of origin-rsa, origin-ecc, keyless-certificate" }] },
  { name: "no hostname", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only({ ...base.cert, hostnames: [] }), expected: [{ path: "hostnames", value: 0, allowed: "1 to 200 hostnames on one certificate" }] },
  { name: "201 hostnames", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only({ ...base.cert, hostnames: Array.from({ length: 201 }, (_, i) => `h${i}.fieldcrew.app`) }), expected: [{ path: "hostnames", value: 201, allowed: "1 to 200 hostnames on one certificate" }] },
  { name: "a double wildcard", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only({ ...base.cert, hostnames: ["fieldcrew.app", "*.*.fieldcrew.app"] }), expected: [{ path: "hostnames[1]", value: "*.*.fieldcrew.app", allowed: WILDCARD }] },
  { name: "an interior wildcard", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only({ ...base.cert, hostnames: ["foo.*.fieldcrew.app"] }), expected: [{ path: "hostnames[0]", value: "foo.*.fieldcrew.app", allowed: WILDCARD }] },
  { name: "a wildcard over a TLD", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only({ ...base.cert, hostnames: ["*.app"] }), expected: [{ path: "hostnames[0]", value: "*.app", allowed: WILDCARD }] },
  { name: "an IP address", type: ORIGIN_CA_CERTIFICATE, plan: "free", build: () => only({ ...base.cert, hostnames: ["198.51.100.4"] }), expected: [{ path: "hostnames[0]", value: "198.51.100.4", allowed: WILDCARD }] },

  // DNS records
  { name: "an SPF record type", type: DNS_RECORD, plan: "free", build: () => only({ ...base.cname, type: "SPF", proxied: false }), expected: [{ path: "type", value: "SPF", allowed: "one of A, AAAA, CNAME, MX, NS, OPENPGPKEY, PTR, TXT, CAA, CERT, DNSKEY, DS, HTTPS, LOC, NAPTR, SMIMEA, SRV, SSHFP, SVCB, TLSA, URI" }] },
  { name: "a name of 256 characters", type: DNS_RECORD, plan: "free", build: () => only({ ...base.cname, name: `${"a".repeat(242)}.fieldcrew.app` }), expected: [{ path: "name", value: `${"a".repeat(242)}.fieldcrew.app`, allowed: "1 to 255 characters, zone name included (this one has 256)" }] },
  { name: "a TTL of 0", type: DNS_RECORD, plan: "free", build: () => only({ ...base.cname, proxied: false, ttl: 0 }), expected: [{ path: "ttl", value: 0, allowed: "1 (automatic) or 60 to 86400 seconds on the free plan" }] },
  { name: "a TTL over a day", type: DNS_RECORD, plan: "enterprise", build: () => only({ ...base.cname, proxied: false, ttl: 86401 }), expected: [{ path: "ttl", value: 86401, allowed: "1 (automatic) or 30 to 86400 seconds on the enterprise plan" }] },
  { name: "a TTL of 30 s", type: DNS_RECORD, plan: "business", build: () => only({ ...base.cname, proxied: false, ttl: 30 }), expected: [{ path: "ttl", value: 30, allowed: "1 (automatic) or 60 to 86400 seconds on the business plan" }] },
  { name: "a proxied record with a TTL of 300", type: DNS_RECORD, plan: "free", build: () => only({ ...base.a, ttl: 300 }), expected: [{ path: "ttl", value: 300, allowed: "1 (automatic): the record is proxied, Cloudflare sets its TTL" }] },
  { name: "a proxied TXT record", type: DNS_RECORD, plan: "free", build: () => only({ ...base.cname, type: "TXT", content: "v=spf1 -all" }), expected: [{ path: "proxied", value: true, allowed: "false for a TXT record: only A, AAAA, CNAME records can be proxied" }] },
  { name: "an A record that is not an IPv4 address", type: DNS_RECORD, plan: "free", build: () => only({ ...base.a, content: "2001:db8::1" }), expected: [{ path: "content", value: "2001:db8::1", allowed: "an IPv4 address (198.51.100.4) for an A record" }] },
  { name: "an AAAA record with the mock's address", type: DNS_RECORD, plan: "free", build: () => only({ ...base.aaaa, content: "2001:db8:a23f073::1" }), expected: [{ path: "content", value: "2001:db8:a23f073::1", allowed: "an IPv6 address (2001:db8::1) for an AAAA record" }] },
  { name: "a CNAME to an address", type: DNS_RECORD, plan: "free", build: () => only({ ...base.cname, content: "198.51.100.4" }), expected: [{ path: "content", value: "198.51.100.4", allowed: "a hostname (origin.example.com), not an address, for a CNAME record" }] },
  { name: "a comment of 101 characters", type: DNS_RECORD, plan: "free", build: () => only({ ...base.cname, comment: "c".repeat(101) }), expected: [{ path: "comment", value: "c".repeat(101), allowed: "at most 100 characters on the free plan (this one has 101)" }] },
  { name: "a comment of 501 characters", type: DNS_RECORD, plan: "business", build: () => only({ ...base.cname, comment: "c".repeat(501) }), expected: [{ path: "comment", value: "c".repeat(501), allowed: "at most 500 characters on the business plan (this one has 501)" }] },
  { name: "a comment of two lines", type: DNS_RECORD, plan: "pro", build: () => only({ ...base.cname, comment: "tenancy\ntenant" }), expected: [{ path: "comment", value: "tenancy\ntenant", allowed: "one line: no newline (\\n) or carriage return (\\r)" }] },
  { name: "tags", type: DNS_RECORD, plan: "free", build: () => only({ ...base.cname, tags: ["owner:tenancy"] }), expected: [{ path: "tags", value: ["owner:tenancy"], allowed: "no tags on the free plan: tags need a paid plan" }] },
  { name: "21 tags", type: DNS_RECORD, plan: "pro", build: () => only({ ...base.cname, tags: Array.from({ length: 21 }, (_, i) => `t${i}:v`) }), expected: [{ path: "tags", value: 21, allowed: "at most 20 tags per record on the pro plan" }] },
  { name: "a tag name of 33 characters", type: DNS_RECORD, plan: "enterprise", build: () => only({ ...base.cname, tags: [`${"n".repeat(33)}:v`] }), expected: [{ path: "tags[0]", value: `${"n".repeat(33)}:v`, allowed: "name:value with a name of at most 32 and a value of at most 100 characters" }] },
  { name: "201 records", type: DNS_RECORD, plan: "free", build: () => many(201, (i) => ({ ...base.cname, name: `t${i}.fieldcrew.app` }), 200), expected: [{ path: "zoneId", value: "0ff11e00000000000000000000000000", allowed: "at most 200 DNS records per zone on the free plan (this stack has 201)" }] },

  // Zone settings
  { name: "an unknown setting id", type: ZONE_SETTING, plan: "free", build: () => only({ ...base.ssl, settingId: "always-use-https", value: "on" }), expected: [{ path: "settingId", value: "always-use-https", allowed: "a setting id of the provider's table, in snake_case (ssl, always_use_https, min_tls_version, …): see https://github.com/cloudflare/terraform-provider-cloudflare/blob/v5.22.0/docs/resources/zone_setting.md" }] },
  { name: "SSL strictest", type: ZONE_SETTING, plan: "free", build: () => only({ ...base.ssl, value: "strictest" }), expected: [{ path: "value", value: "strictest", allowed: "one of off, flexible, full, strict (as a string) for ssl" }] },
  { name: "SSL strictest", type: ZONE_SETTING, plan: "enterprise", build: () => only({ ...base.ssl, value: "strictest" }), expected: [{ path: "value", value: "strictest", allowed: "one of off, flexible, full, strict (as a string) for ssl" }] },
  { name: "min_tls_version as a number", type: ZONE_SETTING, plan: "pro", build: () => only({ ...base.ssl, settingId: "min_tls_version", value: 1.2 }), expected: [{ path: "value", value: 1.2, allowed: "one of 1.0, 1.1, 1.2, 1.3 (as a string) for min_tls_version" }] },
  { name: "tls_1_3 maybe", type: ZONE_SETTING, plan: "free", build: () => only({ ...base.ssl, settingId: "tls_1_3", value: "maybe" }), expected: [{ path: "value", value: "maybe", allowed: "one of on, off, zrt (as a string) for tls_1_3" }] },

  // Rulesets
  { name: "a kind of zones", type: RULESET, plan: "free", build: () => only({ ...rateLimits(1), kind: "zones" }), expected: [{ path: "kind", value: "zones", allowed: "one of managed, custom, root, zone" }] },
  { name: "a root ruleset in a zone", type: RULESET, plan: "free", build: () => only({ ...rateLimits(1), kind: "root" }), expected: [{ path: "kind", value: "root", allowed: "zone, custom or managed for a zone ruleset: root is an account's entry point" }] },
  { name: "a zone ruleset in an account", type: RULESET, plan: "free", build: () => only({ ...rateLimits(1), zoneId: undefined, accountId: "0123456789abcdef0123456789abcdef" }), expected: [{ path: "kind", value: "zone", allowed: "root, custom or managed for an account ruleset: zone is a zone's entry point" }] },
  { name: "an unknown phase", type: RULESET, plan: "free", build: () => only({ ...rateLimits(1), phase: "http_rate_limit" }), expected: [{ path: "phase", value: "http_rate_limit", allowed: expect.stringMatching(/^one of ddos_l4, ddos_l7, .*http_ratelimit, .*magic_transit_ratelimit$/) }] },
  { name: "a second http_ratelimit entry point", type: RULESET, plan: "business", build: () => { const a = rateLimits(1); const b = rateLimits(1); return { inputs: b, stack: [a, b] }; }, expected: [{ path: "phase", value: "http_ratelimit", allowed: "one zone ruleset per phase: the stack already has a http_ratelimit entry point for this zone; put the rules in it" }] },
  { name: "an allow action", type: RULESET, plan: "free", build: () => only(rateLimits(1, { action: "allow" })), expected: [{ path: "rules[0].action", value: "allow", allowed: "one of block, challenge, compress_response, ddos_dynamic, execute, force_connection_close, js_challenge, log, log_custom_field, managed_challenge, redirect, rewrite, route, score, serve_error, set_cache_control, set_cache_settings, set_cache_tags, set_config, skip" }] },
  { name: "a skip rate limiting rule", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, { action: "skip" })), expected: [{ path: "rules[0].action", value: "skip", allowed: "one of block, challenge, js_challenge, managed_challenge, log for a rate limiting rule on the enterprise plan" }] },
  { name: "the log action", type: RULESET, plan: "business", build: () => only(rateLimits(1, { action: "log" })), expected: [{ path: "rules[0].action", value: "log", allowed: "one of block, challenge, js_challenge, managed_challenge for a rate limiting rule on the business plan" }] },
  { name: "a block rule in the origin phase", type: RULESET, plan: "free", build: () => only({ ...base.realRuleset, phase: "http_request_origin", rules: [{ ...base.realRule, ratelimit: undefined }] }), expected: [{ path: "rules[0].action", value: "block", allowed: "route in the http_request_origin phase" }] },
  { name: "an expression of 4097 characters", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, { expression: `http.request.uri.path eq "${"p".repeat(4070)}"` })), expected: [{ path: "rules[0].expression", value: `http.request.uri.path eq "${"p".repeat(4070)}"`, allowed: "1 to 4096 characters (this one has 4097)" }] },
  { name: "an empty expression", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, { expression: "" })), expected: [{ path: "rules[0].expression", value: "", allowed: "1 to 4096 characters (this one has 0)" }] },
  { name: "a host expression", type: RULESET, plan: "free", build: () => only(rateLimits(1, { expression: base.realRule.expression })), expected: [{ path: "rules[0].expression", value: "http.host", allowed: "fields http.request.uri.path, cf.bot_management.verified_bot in a rate limiting rule on the free plan" }] },
  { name: "a source IP expression", type: RULESET, plan: "pro", build: () => only(rateLimits(1, { expression: "ip.src in {198.51.100.0/24}" })), expected: [{ path: "rules[0].expression", value: "ip.src", allowed: "fields http.request.uri.path, cf.bot_management.verified_bot, http.host, http.request.uri, http.request.full_uri, http.request.uri.query in a rate limiting rule on the pro plan" }] },
  { name: "counting without cf.colo.id", type: RULESET, plan: "free", build: () => only(rateLimits(1, {}, { characteristics: ["ip.src"] })), expected: [{ path: "rules[0].ratelimit.characteristics", value: ["ip.src"], allowed: "cf.colo.id, always (counters are per data center), plus ip.src on the free plan" }] },
  { name: "counting by host", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, {}, { characteristics: ["cf.colo.id", "http.host"] })), expected: [{ path: "rules[0].ratelimit.characteristics[1]", value: "http.host", allowed: "cf.colo.id plus ip.src or cf.unique_visitor_id on the enterprise plan; http.host needs Enterprise with Advanced Rate Limiting" }] },
  { name: "counting by host", type: RULESET, plan: "pro", build: () => only(rateLimits(1, {}, { characteristics: ["cf.colo.id", "http.host"] })), expected: [{ path: "rules[0].ratelimit.characteristics[1]", value: "http.host", allowed: "cf.colo.id plus ip.src on the pro plan; http.host needs Enterprise with Advanced Rate Limiting" }] },
  { name: "counting by IP with NAT support", type: RULESET, plan: "pro", build: () => only(rateLimits(1, {}, { characteristics: ["cf.colo.id", "cf.unique_visitor_id"] })), expected: [{ path: "rules[0].ratelimit.characteristics[1]", value: "cf.unique_visitor_id", allowed: "cf.colo.id plus ip.src on the pro plan; cf.unique_visitor_id needs the business plan" }] },
  { name: "counting by IP and by IP with NAT support", type: RULESET, plan: "business", build: () => only(rateLimits(1, {}, { characteristics: ["cf.colo.id", "ip.src", "cf.unique_visitor_id"] })), expected: [{ path: "rules[0].ratelimit.characteristics", value: ["cf.colo.id", "ip.src", "cf.unique_visitor_id"], allowed: "ip.src or cf.unique_visitor_id (IP with NAT support), not both" }] },
  { name: "a period of 1 min", type: RULESET, plan: "free", build: () => only(rateLimits(1, {}, { period: 60 })), expected: [{ path: "rules[0].ratelimit.period", value: 60, allowed: "10 (seconds) on the free plan" }] },
  { name: "a period of 2 min", type: RULESET, plan: "pro", build: () => only(rateLimits(1, {}, { period: 120 })), expected: [{ path: "rules[0].ratelimit.period", value: 120, allowed: "one of 10, 15, 20, 30, 40, 45, 60 (seconds) on the pro plan" }] },
  { name: "a period of 50 s", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, {}, { period: 50 })), expected: [{ path: "rules[0].ratelimit.period", value: 50, allowed: "one of 10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, 65535 (seconds) on the enterprise plan" }] },
  { name: "a timeout of 1 min", type: RULESET, plan: "free", build: () => only(rateLimits(1, {}, { mitigationTimeout: 60 })), expected: [{ path: "rules[0].ratelimit.mitigationTimeout", value: 60, allowed: "10 (seconds) on the free plan" }] },
  { name: "a timeout of 7 s", type: RULESET, plan: "business", build: () => only(rateLimits(1, {}, { mitigationTimeout: 7 })), expected: [{ path: "rules[0].ratelimit.mitigationTimeout", value: 7, allowed: "one of 10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, 65535, 86400 (seconds) on the business plan" }] },
  { name: "a timeout over a day", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, {}, { mitigationTimeout: 86401 })), expected: [{ path: "rules[0].ratelimit.mitigationTimeout", value: 86401, allowed: "0 to 86400 (seconds) on the enterprise plan" }] },
  { name: "a managed challenge for 10 min", type: RULESET, plan: "business", build: () => only(rateLimits(1, { action: "managed_challenge" }, { mitigationTimeout: 600 })), expected: [{ path: "rules[0].ratelimit.mitigationTimeout", value: 600, allowed: "0 with the managed_challenge action on the business plan" }] },
  { name: "block throttling (timeout 0)", type: RULESET, plan: "pro", build: () => only(rateLimits(1, {}, { mitigationTimeout: 0 })), expected: [{ path: "rules[0].ratelimit.mitigationTimeout", value: 0, allowed: "one of 10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600 (seconds) with the block action on the pro plan: throttling (0) with it is Enterprise only" }] },
  { name: "no request allowed", type: RULESET, plan: "free", build: () => only(rateLimits(1, {}, { requestsPerPeriod: 0 })), expected: [{ path: "rules[0].ratelimit.requestsPerPeriod", value: 0, allowed: "a whole number, 1 or more" }] },
  { name: "a fraction of a request", type: RULESET, plan: "free", build: () => only(rateLimits(1, {}, { requestsPerPeriod: 16.7 })), expected: [{ path: "rules[0].ratelimit.requestsPerPeriod", value: 16.7, allowed: "a whole number, 1 or more" }] },
  { name: "a custom counting expression", type: RULESET, plan: "pro", build: () => only(rateLimits(1, {}, { countingExpression: "http.response.code eq 429" })), expected: [{ path: "rules[0].ratelimit.countingExpression", value: "http.response.code eq 429", allowed: "none on the pro plan: a custom counting expression needs Business or above" }] },
  { name: "not counting cached assets", type: RULESET, plan: "free", build: () => only(rateLimits(1, {}, { requestsToOrigin: true })), expected: [{ path: "rules[0].ratelimit.requestsToOrigin", value: true, allowed: "false on the free plan: not counting cached assets needs Business or above" }] },
  { name: "complexity-based counting", type: RULESET, plan: "enterprise", build: () => only(rateLimits(1, {}, { scorePerPeriod: 400 })), expected: [{ path: "rules[0].ratelimit.scorePerPeriod", value: 400, allowed: "none on the enterprise plan: complexity-based counting needs Enterprise with Advanced Rate Limiting" }] },
  { name: "two rules", type: RULESET, plan: "free", build: () => only(rateLimits(2)), expected: [{ path: "rules[1]", value: 2, allowed: "at most 1 rate limiting rule per zone on the free plan (the stack has 2)" }] },
  { name: "six rules", type: RULESET, plan: "business", build: () => only(rateLimits(6)), expected: [{ path: "rules[5]", value: 6, allowed: "at most 5 rate limiting rules per zone on the business plan (the stack has 6)" }] },
  { name: "the recorded seven rules by host", type: RULESET, plan: "pro", build: () => only(base.realRuleset), expected: [
    ...[0, 1, 2, 3, 4, 5, 6].map((i) => ({ path: `rules[${i}].ratelimit.characteristics[1]`, value: "http.host", allowed: "cf.colo.id plus ip.src on the pro plan; http.host needs Enterprise with Advanced Rate Limiting" })),
    { path: "rules[2]", value: 7, allowed: "at most 2 rate limiting rules per zone on the pro plan (the stack has 7)" },
  ] },

  // Custom hostnames
  { name: "DCV by DNS", type: CUSTOM_HOSTNAME, plan: "free", build: () => only({ ...base.hostname, ssl: { method: "dns", type: "dv" } }), expected: [{ path: "ssl.method", value: "dns", allowed: "one of http, txt, email" }] },
  { name: "an OV certificate", type: CUSTOM_HOSTNAME, plan: "free", build: () => only({ ...base.hostname, ssl: { method: "http", type: "ov" } }), expected: [{ path: "ssl.type", value: "ov", allowed: "dv (domain validation, the only level)" }] },
  { name: "a wildcard hostname", type: CUSTOM_HOSTNAME, plan: "business", build: () => only({ ...base.hostname, hostname: "*.customer.example" }), expected: [{ path: "hostname", value: "*.customer.example", allowed: "no wildcard custom hostnames on the business plan: Enterprise only" }] },
  { name: "a wildcard certificate", type: CUSTOM_HOSTNAME, plan: "pro", build: () => only({ ...base.hostname, ssl: { method: "txt", type: "dv", wildcard: true } }), expected: [{ path: "ssl.wildcard", value: true, allowed: "no wildcard custom hostnames on the pro plan: Enterprise only" }] },
  { name: "a chosen certificate authority", type: CUSTOM_HOSTNAME, plan: "pro", build: () => only({ ...base.hostname, ssl: { method: "http", type: "dv", certificateAuthority: "google" } }), expected: [{ path: "ssl.certificateAuthority", value: "google", allowed: "unset on the pro plan: choosing the certificate authority is Enterprise only" }] },
  { name: "50,001 custom hostnames", type: CUSTOM_HOSTNAME, plan: "free", build: () => many(50_001, (i) => ({ ...base.hostname, hostname: `h${i}.customer.example` }), 50_000), expected: [{ path: "hostname", value: "h50000.customer.example", allowed: "at most 50000 custom hostnames on the free plan (the stack has 50001)" }] },
];

describe.each(failing)("fails: $name ($plan)", ({ type, plan, arl, build, expected }) => {
  test("one finding per broken value, with its path, value and what is allowed", () => {
    const { inputs, stack } = build();
    expect(check(type, inputs, plan, { arl, stack })).toEqual(expected);
  });
});

describe("coverage", () => {
  test("every rule fired in a failing case above, and stayed silent on the passing ones", () => {
    const silent = CLOUDFLARE_RULES.filter((rule) => !fired.has(rule)).map(
      (r) => `${r.type} ${r.field} ${r.source}`,
    );
    expect(silent).toEqual([]);
  });

  test("the counting rules report once per stack, not once per resource", () => {
    const stack = Array.from({ length: 201 }, (_, i) => ({ ...base.cname, name: `t${i}.fieldcrew.app` }));
    const reported = stack.filter((inputs) => check(DNS_RECORD, inputs, "free", { stack }).length > 0);
    expect(reported).toEqual([stack[200]]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("values that cannot be known at preview time are skipped", () => {
  // prettier-ignore
  const cases: [string, string, () => Inputs][] = [
    ["a computed validity", ORIGIN_CA_CERTIFICATE, () => ({ ...base.cert, requestedValidity: UNKNOWN })],
    ["computed hostnames", ORIGIN_CA_CERTIFICATE, () => ({ ...base.cert, hostnames: UNKNOWN })],
    ["a computed hostname", ORIGIN_CA_CERTIFICATE, () => ({ ...base.cert, hostnames: [UNKNOWN] })],
    ["a computed AAAA address", DNS_RECORD, () => ({ ...base.aaaa, content: UNKNOWN })],
    ["a computed record type", DNS_RECORD, () => ({ ...base.aaaa, type: UNKNOWN, content: "not an address" })],
    ["a secret TTL", DNS_RECORD, () => ({ ...base.a, ttl: SECRET })],
    ["a secret comment", DNS_RECORD, () => ({ ...base.a, comment: SECRET })],
    ["a computed zone", DNS_RECORD, () => ({ ...base.a, zoneId: UNKNOWN })],
    ["a secret setting value", ZONE_SETTING, () => ({ ...base.ssl, value: SECRET })],
    ["a computed setting id", ZONE_SETTING, () => ({ ...base.ssl, settingId: UNKNOWN, value: "strictest" })],
    ["computed rules", RULESET, () => ({ ...base.realRuleset, rules: UNKNOWN })],
    ["a computed rule", RULESET, () => ({ ...base.realRuleset, rules: [UNKNOWN] })],
    ["a computed rate limit", RULESET, () => ({ ...base.realRuleset, rules: [{ ...base.realRule, ratelimit: UNKNOWN, expression: UNKNOWN }] })],
    ["a computed characteristic", RULESET, () => rateLimits(1, {}, { characteristics: [UNKNOWN, "ip.src"] })],
    ["a computed period and timeout", RULESET, () => rateLimits(1, {}, { period: UNKNOWN, mitigationTimeout: SECRET })],
    ["a computed phase", RULESET, () => ({ ...base.realRuleset, phase: UNKNOWN })],
    ["computed ssl", CUSTOM_HOSTNAME, () => ({ ...base.hostname, ssl: UNKNOWN })],
    ["a computed hostname", CUSTOM_HOSTNAME, () => ({ ...base.hostname, hostname: UNKNOWN, ssl: { method: SECRET, type: UNKNOWN } })],
  ];

  test.each(cases)("%s", (_name, type, inputs) => {
    expect(check(type, inputs(), "free")).toEqual([]);
  });
});

describe("expressionFields", () => {
  test("reads the dotted fields, not strings, functions or addresses", () => {
    expect(
      expressionFields(
        '(http.host in {"a.fieldcrew.app"} and starts_with(http.request.uri.path, "/api/")) or ' +
          'ip.src in {198.51.100.0/24} or any(http.request.headers["x.y"][*] == r#"q.r"#)',
      ),
    ).toEqual(["http.host", "http.request.uri.path", "ip.src", "http.request.headers"]);
  });
});

// ---------------------------------------------------------------------------------------------------------

const argsOf = (type: string): string[] => {
  // The Pulumi argument names, from the installed typings: `cloudflare:index/dnsRecord:DnsRecord` →
  // dnsRecord.d.ts, interface DnsRecordArgs.
  const [, module, name] = /^cloudflare:index\/(\w+):(\w+)$/.exec(type)!;
  const file = path.join(
    __dirname,
    "..",
    "..",
    "..",
    "..",
    "node_modules",
    "@pulumi",
    "cloudflare",
    `${module}.d.ts`,
  );
  const text = readFileSync(file, "utf8");
  const body = text.slice(text.indexOf(`export interface ${name}Args {`)).split("\n}")[0]!;
  return [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]!);
};

describe("every Cloudflare type the example fleet registers", () => {
  const types = () =>
    [...new Set([...shared.resources, ...dedicated.resources].map((r) => r.type))].filter((t) =>
      t.startsWith("cloudflare:"),
    );

  test("is one of the five the rules know", () => {
    expect(types().sort()).toEqual(
      [CUSTOM_HOSTNAME, DNS_RECORD, ORIGIN_CA_CERTIFICATE, RULESET, ZONE_SETTING].sort(),
    );
  });

  test("has rules and change behaviour", () => {
    for (const type of types()) {
      expect({ type, rules: CLOUDFLARE_RULES.some((r) => r.type === type) }).toEqual({ type, rules: true });
      expect({ type, changes: CLOUDFLARE_CHANGES[type] !== undefined }).toEqual({ type, changes: true });
    }
  });

  // prettier-ignore
  test("replaces on arguments it has, and every rule is about one of them", () => {
    for (const type of types()) {
      const args = argsOf(type);
      for (const field of CLOUDFLARE_CHANGES[type]!.replaceOn) expect({ type, field, known: args.includes(field) }).toEqual({ type, field, known: true });
      for (const rule of CLOUDFLARE_RULES.filter((r) => r.type === type))
        expect({ type, field: rule.field, known: args.includes(rule.field) }).toEqual({ type, field: rule.field, known: true });
    }
  });

  // prettier-ignore
  test("replace-forcing fields as the provider's RequiresReplace modifiers say", () => {
    expect(CLOUDFLARE_CHANGES[DNS_RECORD]!.replaceOn).toEqual(["zoneId", "type"]);
    expect(CLOUDFLARE_CHANGES[ORIGIN_CA_CERTIFICATE]!.replaceOn).toEqual(["csr", "requestType", "hostnames", "requestedValidity"]);
    expect(CLOUDFLARE_CHANGES[ZONE_SETTING]!.replaceOn).toEqual(["zoneId", "settingId"]);
    expect(CLOUDFLARE_CHANGES[RULESET]!.replaceOn).toEqual(["accountId", "zoneId", "kind", "name", "phase"]);
    expect(CLOUDFLARE_CHANGES[CUSTOM_HOSTNAME]!.replaceOn).toEqual(["zoneId", "hostname"]);
  });

  test("every rule and change behaviour cites the provider (v5) or the Cloudflare docs", () => {
    const sources = [
      ...CLOUDFLARE_RULES.map((r) => r.source),
      ...Object.values(CLOUDFLARE_CHANGES).map((c) => c.source),
    ];
    for (const source of sources)
      expect(source).toMatch(
        /^https:\/\/(github\.com\/cloudflare\/terraform-provider-cloudflare\/blob\/v5\.|developers\.cloudflare\.com\/|github\.com\/cloudflare\/cloudflare-docs\/)/,
      );
  });
});

describe("what the program builds for the example fleet fits the zone's plan, whichever it is", () => {
  test.each([
    ["free", false],
    ["pro", false],
    ["business", false],
    ["enterprise", false],
    ["enterprise", true],
  ] as const)(
    "on %s (Advanced Rate Limiting: %s), both stacks pass every Cloudflare rule",
    async (plan, arl) => {
      const manifest = onPlan(plan, arl);
      const stacks = [
        await recordStack({ tier: "shared", manifest }),
        await recordStack({ tier: "dedicated", manifest }),
      ];
      const zone = stacks.flatMap((stack) => stack.resources);
      for (const stack of stacks) {
        const found = checkProviderRules(stack, CLOUDFLARE_RULES, {
          cloudflarePlan: plan,
          advancedRateLimiting: arl,
          zone,
        });
        expect({ plan, arl, tier: stack.tier, found }).toEqual({ plan, arl, tier: stack.tier, found: [] });
      }
    },
  );
});
