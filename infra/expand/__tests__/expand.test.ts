import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expand, tenantsOf, type FleetModel } from "..";
import { loadExample, manifestOf, type TenantEntry } from "../../testing/fixtures";

const GOLDEN = path.join(__dirname, "example-fleet.golden.json");

describe("expansion of the example fleet", () => {
  const model = expand(loadExample());

  test("matches the golden file (UPDATE_GOLDEN=1 rewrites it after a reviewed change)", () => {
    const actual = `${JSON.stringify(model, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, actual);
    expect(actual).toBe(readFileSync(GOLDEN, "utf8"));
  });

  test("is plain data: survives a JSON round trip unchanged", () => {
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  test("puts each tenant in the tier of its plan, each once", () => {
    const ids = tenantsOf(model).map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(loadExample().manifest.tenants.length);
    for (const tenant of tenantsOf(model)) expect(model.plans[tenant.plan]?.tier).toBe(tenant.tier);
  });

  test("sums each shared host's capacity from its tenants' plans", () => {
    for (const host of model.shared.hosts) {
      const units = host.tenants.reduce(
        (sum, t) => sum + (model.plans[t.plan] as { capacityUnits: number }).capacityUnits,
        0,
      );
      expect(host.capacityUsed).toBe(units);
      expect(host.capacityFree).toBe(host.capacityUnits - units);
      expect(host.server.labels["capacity-used"]).toBe(String(units));
    }
  });

  test("gives containerized tenants a namespace, labels and resources from their plan", () => {
    const klinikum = model.kubernetes.tenants.find((t) => t.id === "klinikum-nord")!;
    expect(model.kubernetes.cluster).toEqual({
      name: "k8s-fsn1",
      location: "fsn1",
      nodeType: "cx43",
      ingressClass: "nginx",
      ingressNamespace: "ingress-nginx",
      ingressService: "ingress-nginx-controller",
      storageClass: "hcloud-volumes",
    });
    expect(klinikum).toMatchObject({
      tier: "kubernetes",
      namespace: "tenant-klinikum-nord",
      cluster: "k8s-fsn1",
      appImage: "ghcr.io/fieldcrew/app:2026.11.3",
      hostnames: ["klinikum-nord.fieldcrew.app", "einsatz.klinikum-nord.example"],
      kubernetesLabels: {
        "app.kubernetes.io/managed-by": "tenancy",
        "tenancy.io/tenant": "klinikum-nord",
        "tenancy.io/plan": "enterprise-k8s",
        "tenancy.io/tier": "kubernetes",
      },
      // enterprise-k8s: 6000m, 12288 MiB, 10 pods; 100 GB per instance, 2 instances and one spare volume.
      resources: {
        quota: { cpuMillicores: 6000, memoryMb: 12288, pods: 10, storageGb: 300, volumes: 3 },
        app: { cpuMillicores: 500, memoryMb: 1024, minReplicas: 2, maxReplicas: 4 },
        database: { instances: 2, cpuMillicores: 1000, memoryMb: 2048, storageGb: 100 },
      },
    });
    // Without its own image, the fleet's.
    expect(model.kubernetes.tenants.find((t) => t.id === "stadtwerke-ost")?.appImage).toBe(model.app.image);
  });

  test("gives dedicated tenants the plan's defaults and their own overrides", () => {
    const byId = new Map(model.dedicated.tenants.map((t) => [t.id, t]));
    expect(byId.get("brightline-retail")?.server).toMatchObject({
      serverType: "ccx13",
      location: "fsn1",
      volumeGb: 200,
    });
    expect(byId.get("harbor-health")?.server).toMatchObject({
      serverType: "ccx23",
      location: "ash",
      serverBackups: true,
    });
    expect(byId.get("harbor-health")?.appImage).toBe("ghcr.io/fieldcrew/app:2026.10.4");
    expect(byId.get("nordwerk-logistik")?.appImage).toBe(model.app.image);
  });

  test("labels are valid Hetzner labels (values up to 63 characters of [A-Za-z0-9._-])", () => {
    const servers = [
      ...model.shared.hosts.map((h) => h.server),
      ...model.dedicated.tenants.map((t) => t.server),
    ];
    for (const labels of [...servers.map((s) => s.labels), ...tenantsOf(model).map((t) => t.labels)]) {
      for (const value of Object.values(labels))
        expect(value).toMatch(/^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/);
    }
  });
});

/** Every derived name of every tenant and host, keyed by the tenant id or host name that owns it. */
function namesByOwner(model: FleetModel): Map<string, string> {
  const names = new Map<string, string>();
  for (const host of model.shared.hosts)
    names.set(`host:${host.name}`, JSON.stringify([host.server.names, host.server.hetznerName]));
  for (const t of tenantsOf(model)) {
    const server = t.tier === "dedicated" ? [t.server.names, t.server.hetznerName] : [];
    names.set(
      `tenant:${t.id}`,
      JSON.stringify([t.names, t.database.name, t.database.role, t.hostname, ...server]),
    );
  }
  return names;
}

describe("derived names are stable", () => {
  const tenants: TenantEntry[] = [
    { id: "alpha", plan: "hobby", host: "shared-fsn1-a" },
    { id: "bravo", plan: "starter", host: "shared-fsn1-a", domains: ["app.bravo.example"] },
    { id: "charlie", plan: "professional" },
    { id: "delta", plan: "business", location: "hel1" },
    { id: "echo", plan: "hobby", host: "shared-fsn1-a" },
  ];
  const before = namesByOwner(expand(manifestOf(tenants)));

  /** The names of every owner present in both models are equal. */
  function expectUnchangedExcept(after: Map<string, string>, changed: string[]): void {
    let compared = 0;
    for (const [owner, names] of before) {
      if (changed.includes(owner) || !after.has(owner)) continue;
      expect({ owner, names: after.get(owner) }).toEqual({ owner, names });
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(before.size - changed.length - 1);
  }

  test("adding a tenant renames nothing else", () => {
    const after = namesByOwner(
      expand(manifestOf([{ id: "aaa-first", plan: "hobby", host: "shared-fsn1-a" }, ...tenants])),
    );
    expect(after.size).toBe(before.size + 1);
    expectUnchangedExcept(after, []);
  });

  test("removing a tenant renames nothing else", () => {
    const after = namesByOwner(expand(manifestOf(tenants.filter((t) => t.id !== "alpha"))));
    expect(after.has("tenant:alpha")).toBe(false);
    expectUnchangedExcept(after, ["tenant:alpha"]);
  });

  test("re-planning a tenant within its tier renames nothing else", () => {
    const replanned = tenants.map((t) => (t.id === "alpha" ? { ...t, plan: "starter" } : t));
    const after = namesByOwner(expand(manifestOf(replanned)));
    expectUnchangedExcept(after, []);
    expect(after.get("tenant:alpha")).toBe(before.get("tenant:alpha"));
  });

  test("moving a tenant to the other tier renames nothing else", () => {
    const moved = tenants.map((t) => (t.id === "echo" ? { id: "echo", plan: "professional" } : t));
    expectUnchangedExcept(namesByOwner(expand(manifestOf(moved))), ["tenant:echo"]);
  });
});
