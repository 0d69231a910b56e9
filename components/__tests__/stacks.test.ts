/**
 * The components, through the real stack programs run offline (infra/preview): what each tier
 * registers for the example fleet, with the options and inputs the Pulumi engine would receive.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { recordStack, SECRET, type RecordedStack } from "../../infra/preview/engine";
import { offlineMocks } from "../../infra/preview/mocks";
import { CLOUDFLARE_RANGES } from "../../infra/edge/cloudflare";
import { expand, tenantsOf, type FleetModel } from "../../infra/expand";
import { loadManifest } from "../../infra/manifest";
import { EXAMPLE_MANIFEST, manifestText, type TenantEntry } from "../../infra/testing/fixtures";
import { SERVER_REPLACING_FIELDS } from "../host-server";
import { deriveTenantPassword, tenantPasswordKeyName } from "../tenant-passwords";

jest.setTimeout(60_000);

const model: FleetModel = expand(loadManifest(EXAMPLE_MANIFEST));
let shared: RecordedStack;
let dedicated: RecordedStack;

beforeAll(async () => {
  shared = await recordStack({ tier: "shared", manifest: EXAMPLE_MANIFEST });
  dedicated = await recordStack({ tier: "dedicated", manifest: EXAMPLE_MANIFEST });
});

const ofType = (stack: RecordedStack, type: string) => stack.resources.filter((r) => r.type === type);
const count = (stack: RecordedStack) => {
  const counts: Record<string, number> = {};
  for (const r of stack.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
};
const both = () => [...shared.resources, ...dedicated.resources];

describe("resource counts of the example fleet", () => {
  test("shared: host-level resources per host, one per tenant, one per custom domain, the zone's edge", () => {
    const hosts = model.shared.hosts.length;
    const tenants = tenantsOf(model, "shared");
    const servedOfBothTiers = tenantsOf(model).filter((t) => t.status !== "decommissioned");
    expect(count(shared)).toEqual({
      "tenancy:hosting:SharedHost": hosts,
      "hcloud:index/server:Server": hosts,
      "hcloud:index/primaryIp:PrimaryIp": 2 * hosts,
      "hcloud:index/firewall:Firewall": hosts,
      "hcloud:index/volume:Volume": hosts,
      "hcloud:index/volumeAttachment:VolumeAttachment": hosts,
      // One Storage Box per country of the hosts: Falkenstein (DE) and Helsinki (FI).
      "hcloud:index/storageBox:StorageBox": 2,
      "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount": hosts,
      "tls:index/privateKey:PrivateKey": hosts + 1, // origin keys, and the stack's deploy key
      "tls:index/certRequest:CertRequest": hosts,
      "cloudflare:index/originCaCertificate:OriginCaCertificate": hosts,
      "command:remote:Command": hosts,
      // every served tenant's record, every tier (the zone's edge), and each host's origin A and AAAA
      "cloudflare:index/dnsRecord:DnsRecord": servedOfBothTiers.length + 2 * hosts,
      // the key of the tenants' passwords, each host's backup account and repository key, the two Storage Boxes
      "random:index/randomPassword:RandomPassword": 1 + 2 * hosts + 2,
      "cloudflare:index/customHostname:CustomHostname": servedOfBothTiers.reduce(
        (n, t) => n + t.customDomains.length,
        0,
      ),
      "cloudflare:index/zoneSetting:ZoneSetting": 3,
      "cloudflare:index/ruleset:Ruleset": 1,
      // The zone's declaration of its plan and served tenants, for the policy pack.
      "tenancy:edge:Zone": 1,
    });
    expect(shared.resources).toHaveLength(83);
    // What a tenant alone costs: its DNS record, and one per custom domain.
    for (const tenant of tenants.filter((t) => t.status !== "decommissioned"))
      expect({
        id: tenant.id,
        own: shared.resources.filter((r) => r.name.startsWith(`${tenant.id}-`)).length,
      }).toEqual({
        id: tenant.id,
        own: 1 + tenant.customDomains.length,
      });
  });

  test("dedicated: one host's worth of resources per tenant", () => {
    const tenants = model.dedicated.tenants;
    const n = tenants.length;
    expect(count(dedicated)).toEqual({
      "tenancy:hosting:DedicatedTenant": n,
      "hcloud:index/server:Server": n,
      "hcloud:index/primaryIp:PrimaryIp": 2 * n,
      "hcloud:index/firewall:Firewall": n,
      "hcloud:index/volume:Volume": n,
      "hcloud:index/volumeAttachment:VolumeAttachment": n,
      // Germany's Storage Box; harbor-health (ash, US) is backed up to the US bucket, with no sub-account.
      "hcloud:index/storageBox:StorageBox": 1,
      "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount": n - 1,
      "tls:index/privateKey:PrivateKey": n + 1,
      "tls:index/certRequest:CertRequest": n,
      "cloudflare:index/originCaCertificate:OriginCaCertificate": n,
      "command:remote:Command": n,
      // Each server's origin A and AAAA only: the tenants' records are the zone's (shared stack).
      "cloudflare:index/dnsRecord:DnsRecord": 2 * n,
      // The key of the tenants' passwords; per tenant its host's repository key; the n - 1 sub-accounts' and the box's.
      "random:index/randomPassword:RandomPassword": 1 + n + (n - 1) + 1,
    });
    expect(dedicated.resources).toHaveLength(66);
  });

  test("dedicated servers follow the plan: type, location, Hetzner backups, the tenant's image", () => {
    const servers = new Map(ofType(dedicated, "hcloud:index/server:Server").map((r) => [r.name, r.inputs]));
    expect(servers.get("harbor-health-server")).toMatchObject({
      serverType: "ccx23",
      location: "ash",
      backups: true,
    });
    expect(servers.get("nordwerk-logistik-server")).toMatchObject({
      serverType: "cx33",
      location: "fsn1",
      backups: true,
    });
    const apply = ofType(dedicated, "command:remote:Command").find((r) => r.name === "harbor-health-apply");
    expect(apply?.inputs.stdin).toBe(SECRET);
  });
});

describe("data safety", () => {
  test("every server ignores the four fields that would replace it, and is delete- and rebuild-protected", () => {
    const servers = both().filter((r) => r.type === "hcloud:index/server:Server");
    expect(servers.length).toBe(model.shared.hosts.length + model.dedicated.tenants.length);
    for (const server of servers) {
      expect({ name: server.name, ignore: [...server.options.ignoreChanges].sort() }).toEqual({
        name: server.name,
        ignore: [...SERVER_REPLACING_FIELDS].sort(),
      });
      expect(server.inputs).toMatchObject({ deleteProtection: true, rebuildProtection: true });
    }
  });

  test("volumes, primary IPs and Storage Boxes are protected, retained on delete and delete-protected", () => {
    const stateful = both().filter((r) =>
      [
        "hcloud:index/volume:Volume",
        "hcloud:index/primaryIp:PrimaryIp",
        "hcloud:index/storageBox:StorageBox",
      ].includes(r.type),
    );
    // Per server: two primary IPs and a volume; Storage Boxes: fsn1 and hel1 (shared), fsn1 (dedicated).
    const servers = model.shared.hosts.length + model.dedicated.tenants.length;
    expect(stateful.length).toBe(3 * servers + 3);
    for (const r of stateful) {
      expect({
        name: r.name,
        protect: r.options.protect,
        retain: r.options.retainOnDelete,
        del: r.inputs.deleteProtection,
      }).toEqual({
        name: r.name,
        protect: true,
        retain: true,
        del: true,
      });
    }
    for (const ip of both().filter((r) => r.type === "hcloud:index/primaryIp:PrimaryIp"))
      expect(ip.inputs.autoDelete).toBe(false);
  });

  test("each host's repository key is protected: losing it loses the host's backups", () => {
    const keys = both().filter((r) => r.name.endsWith("-backup-key"));
    expect(keys).toHaveLength(model.shared.hosts.length + model.dedicated.tenants.length);
    for (const r of keys) {
      expect(r.type).toBe("random:index/randomPassword:RandomPassword");
      // No keepers: nothing but an edit of its own inputs would replace it, and protect refuses that.
      expect({ name: r.name, protect: r.options.protect, keepers: r.inputs.keepers }).toEqual({
        name: r.name,
        protect: true,
        keepers: undefined,
      });
    }
  });

  test("every hcloud resource carries its labels: tier, and host or tenant and plan", () => {
    for (const r of both().filter((x) => x.type.startsWith("hcloud:"))) {
      if (r.type === "hcloud:index/volumeAttachment:VolumeAttachment") continue; // takes no labels
      const labels = r.inputs.labels as Record<string, string>;
      expect({ name: r.name, managed: labels["managed-by"], tier: labels.tier }).toEqual({
        name: r.name,
        managed: "tenancy",
        tier: r.urn.startsWith("urn:pulumi:shared::") ? "shared" : "dedicated",
      });
      if (r.type === "hcloud:index/storageBox:StorageBox") continue;
      expect(labels.host ?? `${labels.tenant}/${labels.plan}`).toMatch(/\w/);
    }
    const sharedServer = ofType(shared, "hcloud:index/server:Server").find(
      (r) => r.name === "shared-fsn1-a-server",
    )!;
    expect(sharedServer.inputs.labels).toMatchObject({
      "capacity-units": "60",
      "capacity-used": "32",
      "capacity-free": "28",
    });
  });
});

describe("secrets", () => {
  /** The value the mocks hand out for a random password. */
  const mockResult = async (r: RecordedStack["resources"][number]) =>
    String((await offlineMocks.newResource({ type: r.type, name: r.name, inputs: r.inputs })).state.result);
  /** The stack's key of the tenants' passwords, as the mocks hand it out. */
  const keyOf = async (stack: RecordedStack) =>
    mockResult(stack.resources.find((r) => r.name === tenantPasswordKeyName(stack.tier))!);
  /** Every random password of a stack, and every tenant's password derived from its key. */
  const passwordsOf = async (stack: RecordedStack) => {
    const key = await keyOf(stack);
    return [
      ...(await Promise.all(ofType(stack, "random:index/randomPassword:RandomPassword").map(mockResult))),
      ...tenantsOf(model, stack.tier).map((t) => deriveTenantPassword(key, t.id, 0)),
    ];
  };

  test("no password appears in any recorded input, label or user-data, nor in a non-secret output", async () => {
    for (const stack of [shared, dedicated]) {
      const passwords = await passwordsOf(stack);
      expect(passwords.length).toBeGreaterThan(0);
      const inputs = JSON.stringify(stack.resources.map((r) => r.inputs));
      const visibleOutputs = JSON.stringify(
        Object.values(stack.outputs.tenants as Record<string, Record<string, unknown>>).map(
          ({ databaseUrl: _secret, ...rest }) => rest,
        ),
      );
      for (const password of passwords) {
        expect(inputs.includes(password)).toBe(false);
        expect(visibleOutputs.includes(password)).toBe(false);
      }
    }
  });

  test("the bundle, the SSH key and every password-bearing input reach the provider as secrets", () => {
    for (const r of both().filter((x) => x.type === "command:remote:Command")) {
      expect(r.inputs.stdin).toBe(SECRET);
      expect(r.inputs.connection).toBe(SECRET);
    }
    for (const r of both().filter((x) => x.type.startsWith("hcloud:index/storageBox")))
      expect(r.inputs.password).toBe(SECRET);
  });

  test("the key of the tenants' passwords: one per stack, protected, its result secret, long enough", () => {
    for (const stack of [shared, dedicated]) {
      const keys = stack.resources.filter((r) => r.name.startsWith("tenant-db-password-key-"));
      expect(
        keys.map((r) => ({
          name: r.name,
          type: r.type,
          protect: r.options.protect,
          secret: r.options.additionalSecretOutputs.includes("result"),
          length: r.inputs.length,
          special: r.inputs.special,
        })),
      ).toEqual([
        {
          name: tenantPasswordKeyName(stack.tier),
          type: "random:index/randomPassword:RandomPassword",
          protect: true,
          secret: true,
          length: 64,
          special: false,
        },
      ]);
    }
  });

  test("every tenant's database URL carries its password derived from the stack's key and its id", async () => {
    for (const stack of [shared, dedicated]) {
      const key = await keyOf(stack);
      const urls = stack.outputs.tenants as Record<string, { databaseUrl: string }>;
      expect(Object.keys(urls).length).toBeGreaterThan(0);
      for (const [id, { databaseUrl }] of Object.entries(urls)) {
        const password = new URL(databaseUrl).password;
        expect({ id, password }).toEqual({ id, password: deriveTenantPassword(key, id, 0) });
      }
    }
  });

  test("every tenant's database URL output is secret", async () => {
    for (const stack of [shared, dedicated]) {
      const tenants = stack.programOutputs.tenants as Record<string, { databaseUrl: pulumi.Output<string> }>;
      expect(Object.keys(tenants).length).toBeGreaterThan(0);
      for (const [id, endpoint] of Object.entries(tenants)) {
        expect({ id, secret: await pulumi.isSecret(endpoint.databaseUrl) }).toEqual({ id, secret: true });
      }
    }
  });
});

describe("edge", () => {
  test("firewalls admit 80 and 443 from Cloudflare only, 22 from the admin CIDRs only, and nothing else", () => {
    // The stack's own settings (Pulumi.<stack>.yaml), as a deploy would use them.
    const admin = JSON.parse(shared.settings.config["tenancy:adminCidrs"]!) as string[];
    for (const fw of both().filter((r) => r.type === "hcloud:index/firewall:Firewall")) {
      const rules = (
        fw.inputs.rules as { direction: string; protocol: string; port: string; sourceIps: string[] }[]
      ).map(({ direction, protocol, port, sourceIps }) => ({ direction, protocol, port, sourceIps }));
      expect(rules).toEqual([
        { direction: "in", protocol: "tcp", port: "80", sourceIps: CLOUDFLARE_RANGES },
        { direction: "in", protocol: "tcp", port: "443", sourceIps: CLOUDFLARE_RANGES },
        { direction: "in", protocol: "tcp", port: "22", sourceIps: admin },
      ]);
    }
  });

  test("every DNS record is proxied, and every served tenant has one pointing at its host", () => {
    const records = both().filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord");
    for (const r of records)
      expect({ name: r.name, proxied: r.inputs.proxied }).toEqual({ name: r.name, proxied: true });
    for (const tenant of tenantsOf(model).filter((t) => t.status !== "decommissioned")) {
      const record = records.find((r) => r.name === tenant.names.dnsRecord);
      const host =
        tenant.tier === "shared"
          ? tenant.host
          : tenant.tier === "dedicated"
            ? tenant.server.hetznerName
            : tenant.cluster;
      expect(record?.inputs).toMatchObject({
        name: tenant.hostname,
        type: "CNAME",
        content: `origin-${host}.${model.zone}`,
      });
    }
  });

  test("each origin certificate covers the hostnames of every tenant on its host", () => {
    const covers = (pattern: string, hostname: string) =>
      pattern.startsWith("*.")
        ? hostname.split(".").slice(1).join(".") === pattern.slice(2)
        : pattern === hostname;
    for (const cert of both().filter(
      (r) => r.type === "cloudflare:index/originCaCertificate:OriginCaCertificate",
    )) {
      const patterns = cert.inputs.hostnames as string[];
      for (const tenant of tenantsOf(model))
        expect(patterns.some((p) => covers(p, tenant.hostname))).toBe(true);
    }
  });

  test("the zone runs SSL strict, HTTPS always and TLS 1.2 at least", () => {
    const settings = Object.fromEntries(
      ofType(shared, "cloudflare:index/zoneSetting:ZoneSetting").map((r) => [
        r.inputs.settingId,
        r.inputs.value,
      ]),
    );
    expect(settings).toEqual({ ssl: "strict", always_use_https: "on", min_tls_version: "1.2" });
  });

  interface Rule {
    description: string;
    expression: string;
    ratelimit: {
      characteristics: string[];
      requestsPerPeriod: number;
      period: number;
      mitigationTimeout: number;
    };
  }
  const rulesOf = (stack: RecordedStack) =>
    ofType(stack, "cloudflare:index/ruleset:Ruleset")[0]!.inputs.rules as Rule[];

  test("on a zone that cannot count per hostname (business): one per-client ceiling at the largest plan's budget", () => {
    expect(model.cloudflarePlan).toBe("business");
    const largest = Math.max(...tenantsOf(model).map((t) => t.limits.apiCallsPerHour));
    expect(rulesOf(shared)).toEqual([
      {
        action: "block",
        description: expect.stringContaining("each tenant's plan limit is enforced by the app"),
        expression: 'starts_with(http.request.uri.path, "/api/")',
        ratelimit: {
          characteristics: ["cf.colo.id", "ip.src"],
          period: 60,
          requestsPerPeriod: Math.ceil(largest / 60),
          mitigationTimeout: 60,
        },
      },
    ]);
  });

  test.each([
    ["free", 10],
    ["pro", 60],
  ])(
    "on a %s zone: the ceiling counts over the longest period the plan allows (%i s)",
    async (plan, period) => {
      const manifest = path.join(mkdtempSync(path.join(tmpdir(), "tenancy-plan-")), "tenants.yaml");
      writeFileSync(
        manifest,
        readFileSync(EXAMPLE_MANIFEST, "utf8").replace("cloudflarePlan: business", `cloudflarePlan: ${plan}`),
      );
      const rules = rulesOf(await recordStack({ tier: "shared", manifest }));
      expect(rules.map((r) => [r.ratelimit.period, r.ratelimit.mitigationTimeout])).toEqual([
        [period, period],
      ]);
    },
  );

  test("on Enterprise with Advanced Rate Limiting: one rule per plan in use, counted per hostname", async () => {
    const manifest = path.join(mkdtempSync(path.join(tmpdir(), "tenancy-plan-")), "tenants.yaml");
    writeFileSync(
      manifest,
      readFileSync(EXAMPLE_MANIFEST, "utf8").replace(
        "cloudflarePlan: business",
        "cloudflarePlan: enterprise\n  cloudflareAdvancedRateLimiting: true",
      ),
    );
    const rules = rulesOf(await recordStack({ tier: "shared", manifest }));
    const plansInUse = new Set(
      tenantsOf(model)
        .filter((t) => t.status !== "decommissioned")
        .map((t) => t.plan),
    );
    expect(new Set(rules.map((r) => /^tenancy plan ([\w-]+):/.exec(r.description)?.[1]))).toEqual(plansInUse);
    const hobby = rules.find((r) => r.description.startsWith("tenancy plan hobby:"))!;
    expect(hobby.ratelimit).toMatchObject({
      characteristics: ["cf.colo.id", "http.host"],
      period: 60,
      requestsPerPeriod: Math.ceil(model.plans.hobby!.apiCallsPerHour / 60),
    });
    expect(hobby.expression).toContain('"baeckerei-klein.fieldcrew.app"');
    expect(hobby.expression).not.toContain("parkett-neumann"); // decommissioned
  });
});

describe("URNs are stable", () => {
  const TENANTS: TenantEntry[] = [
    { id: "alpha", plan: "hobby", host: "shared-fsn1-a" },
    { id: "bravo", plan: "starter", host: "shared-fsn1-a", domains: ["app.bravo.example"] },
    { id: "charlie", plan: "hobby", host: "shared-fsn1-a" },
    { id: "delta", plan: "professional" },
    { id: "echo", plan: "business", location: "hel1" },
  ];
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-urns-"));
  let file = 0;
  const record = async (tenants: TenantEntry[], tier: "shared" | "dedicated") => {
    const manifest = path.join(dir, `tenants-${++file}.yaml`);
    writeFileSync(
      manifest,
      manifestText(tenants, [{ name: "shared-fsn1-a", location: "fsn1", serverType: "cx53" }]),
    );
    return new Set((await recordStack({ tier, manifest })).resources.map((r) => r.urn));
  };
  /** Every URN of `before` not owned by one of `tenants` is still in `after`. */
  const expectKept = (before: Set<string>, after: Set<string>, tenants: string[]) => {
    const missing = [...before].filter(
      (urn) =>
        !after.has(urn) &&
        !tenants.some((tenant) => urn.includes(`::${tenant}-`) || urn.endsWith(`::${tenant}`)),
    );
    expect(missing).toEqual([]);
  };

  test.each(["shared", "dedicated"] as const)(
    "%s: adding, removing or re-planning one tenant leaves every other URN as it was",
    async (tier) => {
      const before = await record(TENANTS, tier);
      expectKept(
        before,
        await record(
          [
            { id: "aaa-new", plan: "hobby", host: "shared-fsn1-a" },
            { id: "aab-new", plan: "business" },
            ...TENANTS,
          ],
          tier,
        ),
        ["aaa-new"],
      );
      expectKept(
        before,
        await record(
          TENANTS.filter((t) => t.id !== "alpha" && t.id !== "delta"),
          tier,
        ),
        // The shared stack holds every tenant's edge, so both removals show there.
        tier === "shared" ? ["alpha", "delta"] : ["delta"],
      );
      const replanned = TENANTS.map((t) =>
        t.id === "alpha" ? { ...t, plan: "starter" } : t.id === "delta" ? { ...t, plan: "business" } : t,
      );
      const after = await record(replanned, tier);
      expect([...before].filter((urn) => !after.has(urn))).toEqual([]);
    },
  );
});

describe("component argument checks", () => {
  beforeAll(() => pulumi.runtime.setMocks(offlineMocks, "tenancy", "dedicated", true));

  test("a dedicated tenant without a server type is refused with its name", async () => {
    const { DedicatedTenant } = await import("../dedicated-tenant");
    const { hostSpec } = await import("../../infra/host");
    const tenant = structuredClone(model.dedicated.tenants[0]!);
    tenant.server.serverType = "";
    const context = {} as never; // never reached: the check comes first
    expect(
      () => new DedicatedTenant(tenant.id, { tenant, spec: hostSpec(model, tenant.id)!, context }),
    ).toThrow(`DedicatedTenant ${tenant.id} (tenant "${tenant.id}"): has no server type`);
  });

  test("a shared host over capacity is refused with its name", async () => {
    const { SharedHost } = await import("../shared-host");
    const { hostSpec } = await import("../../infra/host");
    const host = structuredClone(model.shared.hosts[0]!);
    host.capacityUsed = host.capacityUnits + 1;
    expect(
      () => new SharedHost(host.name, { host, spec: hostSpec(model, host.name)!, context: {} as never }),
    ).toThrow(`SharedHost ${host.name}: over capacity`);
  });
});

describe("the lifecycle in the components", () => {
  const record = async (tier: "shared" | "dedicated", change: (text: string) => string) => {
    const manifest = path.join(mkdtempSync(path.join(tmpdir(), "tenancy-lifecycle-")), "tenants.yaml");
    writeFileSync(manifest, change(readFileSync(EXAMPLE_MANIFEST, "utf8")));
    return recordStack({ tier, manifest });
  };

  test("a purged dedicated tenant's server holds nobody's data: its volume and addresses lose protect, not retainOnDelete", async () => {
    const stack = await record("dedicated", (text) =>
      text.replace("    plan: business\n    status: suspended", "    plan: business\n    status: purged"),
    );
    for (const name of ["brightline-retail-data", "brightline-retail-ipv4", "brightline-retail-ipv6"]) {
      const r = stack.resources.find((x) => x.name === name)!;
      expect({ name, protect: r.options.protect, retain: r.options.retainOnDelete }).toEqual({
        name,
        protect: false,
        retain: true,
      });
      expect((r.inputs.labels as Record<string, string>)["holds-data"]).toBe("false");
    }
    // Its repository key too: purging removed the last of its snapshots.
    expect(stack.resources.find((x) => x.name === "brightline-retail-backup-key")!.options.protect).toBe(
      false,
    );
    // Everyone else's stays protected.
    expect(stack.resources.find((x) => x.name === "alpen-energie-data")!.options.protect).toBe(true);
  });

  test("a declared move: the target holds an incoming copy, the tenant's one DNS record stays on its source", async () => {
    const stack = await record("shared", (text) =>
      text.replace(
        "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a }",
        "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a, move: { host: shared-hel1-a } }",
      ),
    );
    const records = stack.resources.filter((r) => r.name === "gruenwerk-dns");
    expect(records.map((r) => r.inputs.content)).toEqual(["origin-shared-fsn1-a.fieldcrew.app"]);
    // Its password is no resource of either host: both derive it from the stack's one key and its id.
    expect(
      stack.resources.filter((r) => r.name.startsWith("gruenwerk-") && r.name !== "gruenwerk-dns"),
    ).toEqual([]);
    expect(ofType(stack, "random:index/randomPassword:RandomPassword").map((r) => r.name)).toContain(
      tenantPasswordKeyName("shared"),
    );
    const target = stack.resources.find((r) => r.name === "shared-hel1-a")!;
    expect(
      (target.inputs.tenants as { id: string; status: string }[]).find((t) => t.id === "gruenwerk")?.status,
    ).toBe("incoming");
  });
});

describe("derived passwords in the stack", () => {
  const hashes = (stack: RecordedStack) =>
    Object.fromEntries(
      ofType(stack, "command:remote:Command").map((r) => [r.name, (r.inputs.triggers as unknown[])[0]]),
    );
  const urls = (stack: RecordedStack) =>
    Object.fromEntries(
      Object.entries(stack.outputs.tenants as Record<string, { databaseUrl: string }>).map(([id, t]) => [
        id,
        t.databaseUrl,
      ]),
    );

  test("another preview renders every host's bundle byte for byte the same: no host is re-applied", async () => {
    const again = await recordStack({ tier: "shared", manifest: EXAMPLE_MANIFEST });
    expect(
      Object.values(hashes(shared)).every((h) => typeof h === "string" && /^[0-9a-f]{64}$/.test(h)),
    ).toBe(true);
    expect(hashes(again)).toEqual(hashes(shared));
    expect(urls(again)).toEqual(urls(shared));
  });

  test("rotating one tenant (tenancy:dbPasswordRotations) changes its password and its host's bundle, nothing else", async () => {
    const tenant = model.shared.hosts.flatMap((h) => h.tenants).find((t) => t.id === "baeckerei-klein")!;
    const rotated = await recordStack({
      tier: "shared",
      manifest: EXAMPLE_MANIFEST,
      config: { "tenancy:dbPasswordRotations": JSON.stringify(["baeckerei-klein=1"]) },
    });
    const [before, after] = [urls(shared), urls(rotated)];
    expect(Object.keys(after).filter((id) => after[id] !== before[id])).toEqual(["baeckerei-klein"]);
    const [was, now] = [hashes(shared), hashes(rotated)];
    expect(Object.keys(now).filter((name) => now[name] !== was[name])).toEqual([`${tenant.host}-apply`]);
    // The resources are the same ones: a rotation creates and deletes nothing.
    expect(rotated.resources.map((r) => r.urn)).toEqual(shared.resources.map((r) => r.urn));
  });
});
