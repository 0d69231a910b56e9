import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  costReport,
  DEFAULT_PRICES,
  loadPrices,
  MAX_MONTHLY_PRICE,
  PriceFileError,
  type PriceTable,
} from "..";
import { expand } from "../../expand";
import { HETZNER_SERVER_TYPES } from "../../plans";
import { EXAMPLE_MANIFEST, manifestOf } from "../../testing/fixtures";
import { parseManifest } from "../../manifest";
import { hostilePaths } from "../../manifest/__tests__/hostile-paths";

/** Round figures so that every expected value below can be worked out by hand. */
const PRICES: PriceTable = {
  ...DEFAULT_PRICES,
  serverTypes: {
    cx23: { monthly: 10, source: "test" },
    cx33: { monthly: 20, source: "test" },
    cx53: { monthly: 40, source: "test" },
    ccx13: { monthly: 30, source: "test" },
  },
  serverBackupsPercent: 20,
  volumePerGb: { monthly: 0.05, source: "test" },
  primaryIpv4: { monthly: 0.5, source: "test" },
  primaryIpv6: { monthly: 0, source: "test" },
  storageBox: { type: "bx11", monthly: 4, source: "test" },
};

describe("costReport on a small fleet", () => {
  const model = expand(
    manifestOf(
      [
        { id: "hob", plan: "hobby", host: "big" }, // 1 unit, 2 GB
        { id: "sta", plan: "starter", host: "big" }, // 2 units, 10 GB
        { id: "pro", plan: "professional", serverType: "cx33" }, // 50 GB, backups on
        { id: "biz", plan: "business", serverType: "ccx13", status: "suspended" }, // 200 GB, backups on
      ],
      [
        { name: "big", location: "fsn1", serverType: "cx53" },
        { name: "empty", location: "fsn1", serverType: "cx23" },
      ],
    ),
  );
  const report = costReport(model, PRICES);
  const near = (value: number) => expect.closeTo(value, 9);

  test("prices each shared host: server, volume with headroom, IPv4 and its half of the Storage Box", () => {
    // big: 40 + 0 backups + (12 GB × 1.25 → 20 GB) × 0.05 + 0.5 + 4 / 2 = 43.5
    expect(report.hosts[0]?.cost).toEqual({
      server: 40,
      serverBackups: 0,
      volume: near(1),
      ipv4: 0.5,
      ipv6: 0,
      storageBoxShare: 2,
      total: near(43.5),
    });
    // empty: 10 + 10 GB minimum volume × 0.05 + 0.5 + 2 = 13
    expect(report.hosts[1]?.cost.total).toBeCloseTo(13, 9);
  });

  test("splits a shared host over its tenants by capacity units used", () => {
    const byId = new Map(report.tenants.map((t) => [t.id, t]));
    expect(byId.get("hob")).toMatchObject({ cost: near(43.5 / 3), revenue: 15, margin: near(15 - 43.5 / 3) });
    expect(byId.get("sta")).toMatchObject({ cost: near(29), revenue: 49, margin: near(20) });
  });

  test("prices dedicated tenants with Hetzner backups, and counts revenue from active tenants only", () => {
    const byId = new Map(report.tenants.map((t) => [t.id, t]));
    // pro: 20 + 20 % backups 4 + 50 GB × 0.05 + 0.5 + 4 / 2 = 29
    expect(byId.get("pro")).toMatchObject({ cost: near(29), revenue: 179, margin: near(150) });
    // biz (suspended): 30 + 6 + 200 GB × 0.05 + 0.5 + 2 = 48.5, and no revenue
    expect(byId.get("biz")).toMatchObject({ cost: near(48.5), revenue: 0, margin: near(-48.5) });
  });

  test("adds up tiers and fleet, counting an empty host as cost of its tier", () => {
    expect(report.tiers.shared).toEqual({ cost: near(56.5), revenue: 64, margin: near(7.5), storageBox: 4 });
    expect(report.tiers.dedicated).toEqual({
      cost: near(77.5),
      revenue: 179,
      margin: near(101.5),
      storageBox: 4,
    });
    expect(report.fleet).toEqual({ cost: near(134), revenue: 243, margin: near(109) });
  });

  test("prices a Storage Box per country of a tier's servers, none for a server backed up to a bucket", () => {
    const fleet = expand(parseManifest(EXAMPLE_MANIFEST, readFileSync(EXAMPLE_MANIFEST, "utf8")));
    const example = costReport(fleet, DEFAULT_PRICES);
    const box = DEFAULT_PRICES.storageBox.monthly;
    // shared: fsn1 (DE) and hel1 (FI); dedicated: fsn1 and nbg1 share Germany's, ash (US) is in a bucket.
    expect(example.tiers.shared.storageBox).toBeCloseTo(2 * box);
    expect(example.tiers.dedicated.storageBox).toBeCloseTo(box);
    // Each shared host is alone on its country's box.
    const share = (name: string) => example.hosts.find((h) => h.name === name)?.cost.storageBoxShare;
    expect(share("shared-hel1-a")).toBeCloseTo(box);
    expect(share("shared-fsn1-a")).toBeCloseTo(box);
  });

  test("refuses a server type with no price", () => {
    const noPrice = { ...PRICES, serverTypes: { cx53: PRICES.serverTypes.cx53! } };
    expect(() => costReport(model, noPrice)).toThrow("no price for server type cx23");
  });
});

describe("the price table", () => {
  test("prices every server type Hetzner sells, each figure with a source", () => {
    for (const type of Object.keys(HETZNER_SERVER_TYPES)) {
      expect(DEFAULT_PRICES.serverTypes[type]?.source).toMatch(/\S/);
    }
  });

  test("can be overridden from a file, server type by server type", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenancy-prices-"));
    const file = path.join(dir, "prices.yaml");
    writeFileSync(file, "asOf: 2026-12-01\nserverTypes:\n  cx53: { monthly: 25, source: invoice 2026-11 }\n");
    const prices = loadPrices(file);
    expect(prices.asOf).toBe("2026-12-01");
    expect(prices.serverTypes.cx53?.monthly).toBe(25);
    expect(prices.serverTypes.cx23).toEqual(DEFAULT_PRICES.serverTypes.cx23);
  });

  test.each(Object.entries(hostilePaths(mkdtempSync(path.join(tmpdir(), "tenancy-prices-")))))(
    "refuses %s as a price file before reading it",
    (_name, file) => {
      expect(() => loadPrices(file)).toThrow(
        new RegExp(
          `^${file}: cannot read price table: it is (a device|a named pipe|a directory|512 MiB, over the limit of 1 MiB)`,
        ),
      );
    },
  );

  test("reports a bad override file with its name and field", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenancy-prices-"));
    const file = path.join(dir, "prices.yaml");
    writeFileSync(file, "volumePerGb: { monthly: -1, source: x }\n");
    expect(() => loadPrices(file)).toThrow(PriceFileError);
    expect(() => loadPrices(file)).toThrow(`${file}:1:25: volumePerGb.monthly: must be at least 0, got -1`);
  });

  test("refuses absurd and non-finite prices, each at its line with the value it got", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenancy-prices-"));
    const file = path.join(dir, "prices.yaml");
    writeFileSync(
      file,
      [
        "volumePerGb: { monthly: 1e308, source: x }",
        "serverTypes:",
        "  cx53: { monthly: .inf, source: y }",
        "  cx23: { monthly: .nan, source: z }",
        "serverBackupsPercent: 1000",
        "",
      ].join("\n"),
    );
    expect(() => loadPrices(file)).toThrow(
      [
        `${file}:1:25: volumePerGb.monthly: must be at most ${MAX_MONTHLY_PRICE} (EUR a month; the cost report's totals must stay exact), got 1e+308`,
        `${file}:3:20: serverTypes.cx53.monthly: must be a finite number, got .inf`,
        `${file}:4:20: serverTypes.cx23.monthly: must be a finite number, got .nan`,
        `${file}:5:23: serverBackupsPercent: must be at most 100 (a percentage), got 1000`,
      ].join("\n"),
    );
    writeFileSync(file, `volumePerGb: { monthly: ${MAX_MONTHLY_PRICE}, source: x }\n`);
    expect(loadPrices(file).volumePerGb.monthly).toBe(MAX_MONTHLY_PRICE);
  });

  test("refuses a YAML alias bomb and a duplicate key at their lines", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenancy-prices-"));
    const file = path.join(dir, "prices.yaml");
    const levels = ["a: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 8; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    writeFileSync(file, `${levels.join("\n")}\n`);
    expect(() => loadPrices(file)).toThrow(
      new RegExp(`^${file}:5:\\d+: a4\\[\\d\\]: YAML aliases would expand to more than 100000 values here`),
    );
    writeFileSync(file, "asOf: 2026-12-01\nasOf: 2026-12-02\n");
    expect(() => loadPrices(file)).toThrow(`${file}:2:1: asOf: duplicate key "asOf"`);
  });
});

describe("copies moving in and out cost too", () => {
  test("a move to a dedicated plan adds the target server's cost to the dedicated tier, not to the tenant", () => {
    const text = readFileSync(EXAMPLE_MANIFEST, "utf8");
    const moving = text.replace(
      "{ id: elektro-vogt, name: Elektro Vogt GmbH, plan: starter, host: shared-fsn1-a }",
      "{ id: elektro-vogt, name: Elektro Vogt GmbH, plan: starter, host: shared-fsn1-a, move: { plan: professional } }",
    );
    const report = (t: string) => costReport(expand(parseManifest("tenants.yaml", t)), DEFAULT_PRICES);
    const before = report(text);
    const after = report(moving);
    expect(after.tiers.dedicated.cost).toBeGreaterThan(before.tiers.dedicated.cost);
    expect(after.tiers.dedicated.revenue).toBe(before.tiers.dedicated.revenue);
    expect(after.tenants.find((t) => t.id === "elektro-vogt")?.tier).toBe("shared");
  });
});

describe("a containerized tenant's cost", () => {
  const model = expand(
    manifestOf([{ id: "k8s", plan: "enterprise-k8s" }], [], {
      fleet: {
        zone: "example.com",
        app: { image: "ghcr.io/acme/app:1.0.0" },
        kubernetes: { name: "k8s-fsn1", location: "fsn1", nodeType: "cx33" },
      },
    }),
  );
  const report = costReport(model, PRICES);

  test("is its requests' share of a node, in whichever of CPU and memory fills it first, and its volumes", () => {
    // cx33: 4 vCPUs, 8 GB at 20/month. enterprise-k8s requests 2 x 500m + 2 x 1000m = 3000m (0.75 of the
    // node's CPU) and 2 x 1024 + 2 x 2048 = 6144 MiB (0.75 of its memory): 15; two 100 GB volumes: 10.
    expect(HETZNER_SERVER_TYPES.cx33).toMatchObject({ vcpus: 4, memoryGb: 8 });
    expect(report.tenants).toEqual([
      {
        id: "k8s",
        tier: "kubernetes",
        plan: "enterprise-k8s",
        status: "active",
        cost: 25,
        revenue: 999,
        margin: 974,
      },
    ]);
    expect(report.tiers.kubernetes).toEqual({ cost: 25, revenue: 999, margin: 974, storageBox: 0 });
    expect(report.fleet.cost).toBe(25);
  });

  test("needs the node type's price", () => {
    expect(() => costReport(model, { ...PRICES, serverTypes: {} })).toThrow(
      "no price for the cluster's node type cx33",
    );
  });
});
