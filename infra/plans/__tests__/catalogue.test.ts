import {
  BUILT_IN_PLANS,
  dedicatedVolumeGb,
  hetznerServerType,
  mergePlans,
  sharedHostCapacity,
  sharedVolumeGb,
  type DedicatedPlan,
} from "..";
import { containerPlanProblems } from "../../manifest/rules";

describe("the built-in plan catalogue", () => {
  const plans = Object.values(BUILT_IN_PLANS);

  test("sells hobby and starter on shared hosts, professional to enterprise dedicated, two containerized", () => {
    expect(plans.map((p) => [p.name, p.tier])).toEqual([
      ["hobby", "shared"],
      ["starter", "shared"],
      ["professional", "dedicated"],
      ["business", "dedicated"],
      ["enterprise", "dedicated"],
      ["business-k8s", "kubernetes"],
      ["enterprise-k8s", "kubernetes"],
    ]);
  });

  test("every name matches its key, and within a line of plans prices rise with the limits", () => {
    for (const [key, plan] of Object.entries(BUILT_IN_PLANS)) expect(plan.name).toBe(key);
    // The hosted plans, then the containerized ones: each line rises on its own.
    for (const line of [
      plans.filter((p) => p.tier !== "kubernetes"),
      plans.filter((p) => p.tier === "kubernetes"),
    ]) {
      expect(line.length).toBeGreaterThan(1);
      for (let i = 1; i < line.length; i++) {
        expect(line[i]!.monthlyPrice).toBeGreaterThan(line[i - 1]!.monthlyPrice);
        expect(line[i]!.storageGb).toBeGreaterThanOrEqual(line[i - 1]!.storageGb);
        expect(line[i]!.apiCallsPerHour).toBeGreaterThan(line[i - 1]!.apiCallsPerHour);
      }
    }
  });

  test("a containerized plan costs more than the dedicated plan of the same limits (its database is replicated)", () => {
    expect(BUILT_IN_PLANS["business-k8s"]!.monthlyPrice).toBeGreaterThan(
      BUILT_IN_PLANS.business!.monthlyPrice,
    );
    expect(BUILT_IN_PLANS["enterprise-k8s"]!.monthlyPrice).toBeGreaterThan(
      BUILT_IN_PLANS.enterprise!.monthlyPrice,
    );
  });

  test("every containerized plan's app and database fit its quota (validation holds new plans to it)", () => {
    for (const plan of plans) if (plan.tier === "kubernetes") expect(containerPlanProblems(plan)).toEqual([]);
  });

  test("every dedicated plan can be served in each of its locations by a type it allows", () => {
    const dedicated = plans.filter((p): p is DedicatedPlan => p.tier === "dedicated");
    for (const plan of dedicated) {
      for (const type of plan.serverTypes)
        expect({ plan: plan.name, type, known: !!hetznerServerType(type) }).toMatchObject({ known: true });
      for (const location of plan.locations) {
        const served = plan.serverTypes.some((type) => hetznerServerType(type)!.locations.includes(location));
        expect({ plan: plan.name, location, served }).toMatchObject({ served: true });
      }
    }
  });
});

describe("mergePlans", () => {
  test("overrides a field of a built-in plan and keeps the rest", () => {
    const { plans, problems } = mergePlans({ starter: { customDomains: 3 } });
    expect(problems).toEqual([]);
    expect(plans.starter).toEqual({ ...BUILT_IN_PLANS.starter, customDomains: 3 });
    expect(plans.hobby).toBe(BUILT_IN_PLANS.hobby);
  });

  test("adds a complete new plan with the fields of its tier only", () => {
    const scale = {
      tier: "dedicated" as const,
      monthlyPrice: 1499,
      storageGb: 1000,
      maxUsers: 10000,
      apiCallsPerHour: 1000000,
      backupRetentionDays: 2555,
      serverBackups: true,
      customDomains: 50,
      dbConnectionLimit: 400,
      maintenanceWindow: "Sat,Sun 01:00-03:00",
      serverTypes: ["ccx43"],
      locations: ["fsn1" as const],
    };
    const { plans, problems } = mergePlans({ scale });
    expect(problems).toEqual([]);
    expect(plans.scale).toEqual({ name: "scale", ...scale });
  });

  test("refuses to change the tier of a built-in plan", () => {
    const { plans, problems } = mergePlans({ starter: { tier: "dedicated" } });
    expect(problems).toEqual([
      { plan: "starter", field: "tier", message: expect.stringContaining("cannot be changed") },
    ]);
    expect(plans.starter).toBe(BUILT_IN_PLANS.starter);
  });

  test("asks a new plan for its tier, then for every field of that tier", () => {
    expect(mergePlans({ gold: { monthlyPrice: 5 } }).problems[0]?.message).toBe(
      'new plan "gold" needs a tier: shared, dedicated or kubernetes',
    );
    expect(mergePlans({ gold: { tier: "shared", monthlyPrice: 5 } }).problems[0]?.message).toMatch(
      /missing: storageGb, maxUsers, apiCallsPerHour, backupRetentionDays, customDomains, dbConnectionLimit, serverBackups, maintenanceWindow, capacityUnits$/,
    );
  });

  test("refuses a field of the other tier", () => {
    expect(mergePlans({ business: { capacityUnits: 4 } }).problems).toEqual([
      {
        plan: "business",
        field: "capacityUnits",
        message: 'capacityUnits applies to shared plans only, and "business" is a dedicated plan',
      },
    ]);
  });
});

describe("sizing", () => {
  test("gives a shared host 2 units per GB of memory above the 2 GB reserve", () => {
    expect(sharedHostCapacity("cx23")).toBe(4);
    expect(sharedHostCapacity("cx53")).toBe(60);
    expect(sharedHostCapacity("ccx63")).toBe(380);
    expect(sharedHostCapacity("cx22")).toBeUndefined();
  });

  test("sizes volumes with headroom in 10 GB steps, never below Hetzner's 10 GB", () => {
    expect(sharedVolumeGb(0)).toBe(10);
    expect(sharedVolumeGb(12)).toBe(20);
    expect(sharedVolumeGb(80)).toBe(100);
    expect(dedicatedVolumeGb(2)).toBe(10);
    expect(dedicatedVolumeGb(200)).toBe(200);
  });
});
