import { parseManifest } from "../../manifest";
import { planPlacement, writePlacement } from "..";
import { manifestOf } from "../../testing/fixtures";

const HEADER = `# Fleet of ACME — comments and layout must survive tenancy place --write
version: 1
fleet:
  zone: example.com   # our zone
  app: { image: "ghcr.io/acme/app:1.0.0" }
`;

describe("planPlacement", () => {
  test("fills the first host with room in the tenant's location, in manifest order", () => {
    const loaded = manifestOf(
      [
        { id: "placed", plan: "starter", host: "small-fsn1" },
        { id: "one", plan: "starter" },
        { id: "two", plan: "hobby" },
        { id: "finn", plan: "hobby", location: "hel1" },
      ],
      [
        { name: "small-fsn1", location: "fsn1", serverType: "cx23" }, // 4 units, 2 used
        { name: "big-fsn1", location: "fsn1", serverType: "cx53" },
        { name: "big-hel1", location: "hel1", serverType: "cx53" },
      ],
    );
    expect(planPlacement(loaded)).toEqual({
      placements: [
        { index: 1, tenant: "one", host: "small-fsn1", units: 2 },
        { index: 2, tenant: "two", host: "big-fsn1", units: 1 },
        { index: 3, tenant: "finn", host: "big-hel1", units: 1 },
      ],
      newHosts: [],
    });
  });

  test("never moves a placed tenant, and ignores dedicated tenants", () => {
    const loaded = manifestOf([
      { id: "placed", plan: "hobby", host: "shared-fsn1-a" },
      { id: "big", plan: "business" },
    ]);
    expect(planPlacement(loaded).placements).toEqual([]);
  });

  test("proposes a new host when no host in the location has room", () => {
    const loaded = manifestOf(
      [
        { id: "a", plan: "starter", host: "tiny" },
        { id: "b", plan: "starter", host: "tiny" },
        { id: "c", plan: "starter" },
        { id: "d", plan: "hobby", location: "ash" },
      ],
      [{ name: "tiny", location: "fsn1", serverType: "cx23" }],
    );
    const plan = planPlacement(loaded);
    expect(plan.newHosts).toEqual([
      { name: "shared-fsn1-a", location: "fsn1", serverType: "cx23", capacityUnits: 4 },
      // cx types are not sold in ash, so the proposal falls back to a type that is.
      { name: "shared-ash-a", location: "ash", serverType: "cpx62", capacityUnits: 60 },
    ]);
    expect(plan.placements.map((p) => [p.tenant, p.host])).toEqual([
      ["c", "shared-fsn1-a"],
      ["d", "shared-ash-a"],
    ]);
  });
});

describe("writePlacement", () => {
  test("inserts host lines into block and flow tenants and keeps every other byte", () => {
    const text = `${HEADER}sharedHosts:
  - name: shared-fsn1-a   # the first one
    location: fsn1
    serverType: cx53

tenants:
  # block style
  - id: alpha
    name: Alpha GmbH
    plan: hobby       # trial ends in May
    status: active
  - { id: bravo, name: Bravo, plan: starter }   # flow style
  - id: charlie
    name: Charlie
    plan: hobby
    host: shared-fsn1-a
`;
    const loaded = parseManifest("t.yaml", text, { allowUnplaced: true });
    const updated = writePlacement(loaded, planPlacement(loaded));
    expect(updated).toBe(
      text
        .replace(
          "    plan: hobby       # trial ends in May\n",
          "    plan: hobby       # trial ends in May\n    host: shared-fsn1-a\n",
        )
        .replace("plan: starter }", "plan: starter, host: shared-fsn1-a }"),
    );
    expect(parseManifest("t.yaml", updated).manifest.tenants.map((t) => t.host)).toEqual([
      "shared-fsn1-a",
      "shared-fsn1-a",
      "shared-fsn1-a",
    ]);
  });

  test("appends a proposed host to sharedHosts in the list's own indentation", () => {
    const text = `${HEADER}sharedHosts:
    - name: tiny
      location: fsn1
      serverType: cx23
# tenants follow
tenants:
  - { id: a, name: A, plan: starter, host: tiny }
  - { id: b, name: B, plan: starter, host: tiny }
  - { id: c, name: C, plan: starter }
`;
    const loaded = parseManifest("t.yaml", text, { allowUnplaced: true });
    const updated = writePlacement(loaded, planPlacement(loaded));
    expect(updated).toContain(
      "      serverType: cx23\n    - { name: shared-fsn1-a, location: fsn1, serverType: cx23 }\n# tenants follow\n",
    );
    expect(parseManifest("t.yaml", updated).manifest.sharedHosts.map((h) => h.name)).toEqual([
      "tiny",
      "shared-fsn1-a",
    ]);
  });

  test("adds a sharedHosts list when the manifest has none", () => {
    const text = `${HEADER}tenants:\n  - { id: a, name: A, plan: hobby }\n`;
    const loaded = parseManifest("t.yaml", text, { allowUnplaced: true });
    const updated = writePlacement(loaded, planPlacement(loaded));
    expect(updated.startsWith(text.replace("plan: hobby }", "plan: hobby, host: shared-fsn1-a }"))).toBe(
      true,
    );
    expect(parseManifest("t.yaml", updated).manifest.tenants[0]?.host).toBe("shared-fsn1-a");
  });
});
