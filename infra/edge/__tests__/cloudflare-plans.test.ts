import { readFileSync } from "node:fs";
import path from "node:path";
import {
  CLOUDFLARE_PLANS,
  CLOUDFLARE_PLANS_AS_OF,
  CLOUDFLARE_PLAN_FACTS,
  CLOUDFLARE_PLAN_SOURCES,
  ENTERPRISE_ADVANCED_RATE_LIMITING,
  RATE_LIMIT_SUPPORTED_SECONDS,
  ZONE_SETTING_VALUES,
  allowsCharacteristic,
  rateLimitFactsFor,
} from "../cloudflare-plans";

const facts = CLOUDFLARE_PLAN_FACTS;
const limits = (plan: (typeof CLOUDFLARE_PLANS)[number]) => facts[plan].rateLimiting;

describe("the plans", () => {
  test("are the four Cloudflare plans, each with facts", () => {
    expect([...CLOUDFLARE_PLANS]).toEqual(["free", "pro", "business", "enterprise"]);
    expect(Object.keys(facts).sort()).toEqual([...CLOUDFLARE_PLANS].sort());
  });

  test("are dated and every source is a URL", () => {
    expect(CLOUDFLARE_PLANS_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const source of Object.values(CLOUDFLARE_PLAN_SOURCES)) {
      expect(source.url).toMatch(/^https:\/\/(developers\.cloudflare\.com|github\.com\/cloudflare\/)/);
      expect(source.date).toMatch(/\d{4}-\d{2}-\d{2}|undated/);
    }
  });

  test("are pure data: the domain layer imports nothing from Pulumi", () => {
    const text = readFileSync(path.join(__dirname, "..", "cloudflare-plans.ts"), "utf8");
    expect(text).not.toMatch(/from\s+["']@pulumi\//);
    expect(text).not.toMatch(/require\(["']@pulumi\//);
  });
});

describe("rate limiting rules", () => {
  test("free allows fewer rules than business, and each plan at least as many as the one below", () => {
    expect(limits("free").maxRules).toBe(1);
    expect(limits("pro").maxRules).toBe(2);
    expect(limits("business").maxRules).toBe(5);
    expect(limits("free").maxRules).toBeLessThan(limits("business").maxRules);
    const counts = [
      ...CLOUDFLARE_PLANS.map((p) => limits(p).maxRules),
      ENTERPRISE_ADVANCED_RATE_LIMITING.maxRules,
    ];
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(ENTERPRISE_ADVANCED_RATE_LIMITING.maxRules).toBe(100);
  });

  test("only Enterprise with Advanced Rate Limiting counts by http.host; cf.colo.id is always allowed", () => {
    for (const plan of CLOUDFLARE_PLANS) {
      expect(allowsCharacteristic(limits(plan), "http.host")).toBe(false);
      expect(allowsCharacteristic(limits(plan), "cf.colo.id")).toBe(true);
      expect(allowsCharacteristic(limits(plan), "ip.src")).toBe(true);
    }
    expect(allowsCharacteristic(rateLimitFactsFor("enterprise", true), "http.host")).toBe(true);
    expect(
      allowsCharacteristic(rateLimitFactsFor("enterprise", true), 'http.request.headers["x-api-key"]'),
    ).toBe(true);
  });

  test("IP with NAT support from Business up", () => {
    expect(allowsCharacteristic(limits("pro"), "cf.unique_visitor_id")).toBe(false);
    expect(allowsCharacteristic(limits("business"), "cf.unique_visitor_id")).toBe(true);
    expect(allowsCharacteristic(limits("enterprise"), "cf.unique_visitor_id")).toBe(true);
  });

  test("Advanced Rate Limiting is an Enterprise add-on: on another plan the plan's own facts apply", () => {
    expect(rateLimitFactsFor("enterprise", true)).toBe(ENTERPRISE_ADVANCED_RATE_LIMITING);
    expect(rateLimitFactsFor("enterprise")).toBe(limits("enterprise"));
    expect(rateLimitFactsFor("business", true)).toBe(limits("business"));
    expect(rateLimitFactsFor("free", true)).toBe(limits("free"));
  });

  test("periods: 10 s on free, up to 1 min on pro, 10 min on business, 65,535 s on enterprise", () => {
    expect(limits("free").periods).toEqual([10]);
    expect(Math.max(...limits("pro").periods)).toBe(60);
    expect(Math.max(...limits("business").periods)).toBe(600);
    expect(Math.max(...limits("enterprise").periods)).toBe(65535);
    expect(limits("pro").periods).toContain(15);
    expect(limits("pro").periods).not.toContain(120);
  });

  test("mitigation timeouts: 10 s on free, up to 1 h on pro, 1 day on business and enterprise", () => {
    expect(limits("free").mitigationTimeouts).toEqual([10]);
    expect(Math.max(...limits("pro").mitigationTimeouts)).toBe(3600);
    expect(Math.max(...limits("business").mitigationTimeouts)).toBe(86400);
    expect(limits("enterprise").customMitigationTimeout).toBe(true);
    expect(limits("business").customMitigationTimeout).toBe(false);
  });

  test("every period and timeout is one Cloudflare supports", () => {
    const supported: readonly number[] = RATE_LIMIT_SUPPORTED_SECONDS;
    for (const plan of [...CLOUDFLARE_PLANS.map(limits), ENTERPRISE_ADVANCED_RATE_LIMITING])
      for (const seconds of [...plan.periods, ...plan.mitigationTimeouts])
        expect(supported).toContain(seconds);
  });

  test("expression fields: the path on free, the host from pro, source IP from business, all on enterprise", () => {
    const fields = (plan: (typeof CLOUDFLARE_PLANS)[number]) => limits(plan).expressionFields;
    expect(fields("free")).toContain("http.request.uri.path");
    expect(fields("free")).not.toContain("http.host");
    expect(fields("pro")).toContain("http.host");
    expect(fields("pro")).not.toContain("ip.src");
    expect(fields("business")).toContain("ip.src");
    expect(fields("enterprise")).toBe("any");
  });

  test("actions: log only on Enterprise; throttling with block and timed challenges only on Enterprise", () => {
    for (const plan of ["free", "pro", "business"] as const) {
      expect(limits(plan).actions).not.toContain("log");
      expect(limits(plan).actions).toEqual(expect.arrayContaining(["block", "managed_challenge"]));
      expect(limits(plan).throttleWithBlock).toBe(false);
      expect(limits(plan).challengeDuration).toBe(false);
    }
    expect(limits("enterprise").actions).toContain("log");
    expect(limits("enterprise").throttleWithBlock).toBe(true);
  });

  test("custom counting expressions and cache exclusion from Business up; complexity scores with the add-on", () => {
    expect(limits("pro").customCountingExpression).toBe(false);
    expect(limits("business").customCountingExpression).toBe(true);
    expect(limits("pro").cacheExclusion).toBe(false);
    expect(limits("business").cacheExclusion).toBe(true);
    expect(limits("enterprise").complexityScore).toBe(false);
    expect(ENTERPRISE_ADVANCED_RATE_LIMITING.complexityScore).toBe(true);
  });
});

describe("custom hostnames, DNS records, health checks and zone settings", () => {
  test("Cloudflare for SaaS: 100 hostnames included up to 50,000 on self-serve plans; Enterprise by contract", () => {
    for (const plan of ["free", "pro", "business"] as const) {
      expect(facts[plan].customHostnames).toMatchObject({ available: true, included: 100, max: 50_000 });
      expect(facts[plan].customHostnames.wildcard).toBe(false);
    }
    expect(facts.enterprise.customHostnames).toMatchObject({
      available: "contract",
      included: "contract",
      max: null,
    });
    expect(facts.enterprise.customHostnames.wildcard).toBe(true);
  });

  test("DNS record comments: 100 characters on free, 500 on paid plans", () => {
    expect(facts.free.dnsRecords.commentMaxLength).toBe(100);
    for (const plan of ["pro", "business", "enterprise"] as const)
      expect(facts[plan].dnsRecords.commentMaxLength).toBe(500);
  });

  test("DNS record tags only on paid plans; TTL down to 30 s only on Enterprise", () => {
    expect(facts.free.dnsRecords.tags.available).toBe(false);
    expect(facts.pro.dnsRecords.tags).toEqual({
      available: true,
      perRecord: 20,
      nameMaxLength: 32,
      valueMaxLength: 100,
    });
    expect(facts.business.dnsRecords.minTtl).toBe(60);
    expect(facts.enterprise.dnsRecords.minTtl).toBe(30);
  });

  test("records per zone: 200 on free (zones since 2024-09), 3,500 on paid plans", () => {
    expect(facts.free.dnsRecords.recordsPerZone).toBe(200);
    expect(facts.pro.dnsRecords.recordsPerZone).toBe(3500);
  });

  test("standalone Health Checks: none on free, 10 / 50 / 1,000 on pro / business / enterprise", () => {
    expect(facts.free.healthChecks).toEqual({ available: false, max: 0 });
    expect(facts.pro.healthChecks.max).toBe(10);
    expect(facts.business.healthChecks.max).toBe(50);
    expect(facts.enterprise.healthChecks.max).toBe(1000);
  });

  test("the program's zone settings exist on every plan with the values it sets", () => {
    for (const plan of CLOUDFLARE_PLANS) {
      expect(facts[plan].zoneSettings).toBe(ZONE_SETTING_VALUES);
      expect(facts[plan].zoneSettings.ssl).toContain("strict");
      expect(facts[plan].zoneSettings.always_use_https).toContain("on");
      expect(facts[plan].zoneSettings.min_tls_version).toContain("1.2");
    }
    expect(ZONE_SETTING_VALUES.min_tls_version).toEqual(["1.0", "1.1", "1.2", "1.3"]);
  });
});
