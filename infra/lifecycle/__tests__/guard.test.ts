/**
 * The lifecycle guard, edit by edit: each edit of tenants.yaml that would lose a tenant's service or data
 * is refused with what to do instead, and the lifecycle's own steps pass.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { recordStack } from "../../preview/engine";
import { expand } from "../../expand";
import { parseManifest } from "../../manifest";
import { EXAMPLE_MANIFEST } from "../../testing/fixtures";
import { TIERS } from "../../plans";
import { fleetState, guardTransition, withDeployedVolumes, type FleetState } from "..";

const EXAMPLE = readFileSync(EXAMPLE_MANIFEST, "utf8");
const scratch = mkdtempSync(path.join(tmpdir(), "tenancy-guard-"));
let edits = 0;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// The program logs each refusal through Pulumi before it fails; keep the test output clean.
beforeEach(() => jest.spyOn(pulumi.log, "error").mockImplementation(() => Promise.resolve()));
afterEach(() => jest.restoreAllMocks());
jest.setTimeout(120_000);
const stateOf = (text: string): FleetState => fleetState(expand(parseManifest("tenants.yaml", text)));
const guard = (before: string, after: string) =>
  guardTransition(stateOf(before), stateOf(after)).map((p) => p.message);
const edited = (change: (text: string) => string) => change(EXAMPLE);

const GRUENWERK = "  - { id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a }\n";
const ELEKTRO = "{ id: elektro-vogt, name: Elektro Vogt GmbH, plan: starter, host: shared-fsn1-a }";
const withTenant = (text: string, line: string, replacement: string) => {
  expect(text).toContain(line);
  return text.replace(line, replacement);
};

describe("refused, each with what to do instead", () => {
  test.each<[string, string, (text: string) => string, string[]]>([
    [
      "a shared tenant moved to another host by editing host:",
      "gruenwerk",
      (t) => withTenant(t, GRUENWERK, GRUENWERK.replace("shared-fsn1-a", "shared-hel1-a")),
      [
        "tenant gruenwerk moves from shared host shared-fsn1-a to shared host shared-hel1-a: that is a data migration",
        "declare the move (move: { host: shared-hel1-a }), deploy, then run tenancy migrate gruenwerk",
      ],
    ],
    [
      "a shared tenant re-planned onto a dedicated plan",
      "elektro-vogt",
      (t) => withTenant(t, ELEKTRO, "{ id: elektro-vogt, name: Elektro Vogt GmbH, plan: professional }"),
      ["moves from shared host shared-fsn1-a to its own server", "(move: { plan: professional })"],
    ],
    [
      "an active tenant's line deleted",
      "gruenwerk",
      (t) => withTenant(t, GRUENWERK, ""),
      [
        "tenant gruenwerk is removed, and it is active: its service and data would be cut off",
        "tenancy purge gruenwerk --confirm gruenwerk",
      ],
    ],
    [
      "a suspended tenant's lines deleted",
      "rohrreinigung-flink",
      (t) => t.replace(/ {2}# Unpaid since October.*\n(?: {4}.*\n| {2}- id: rohrreinigung-flink\n)+/, ""),
      ["tenant rohrreinigung-flink is removed, and it is suspended"],
    ],
    [
      "a decommissioned tenant removed before it was purged",
      "parkett-neumann",
      (t) => t.replace(/ {2}- id: parkett-neumann\n(?: {4}.*\n)+/, ""),
      ["tenant parkett-neumann is removed, and it is decommissioned, but its data is still kept"],
    ],
    [
      "a tenant's id changed",
      "gruenwerk",
      (t) => withTenant(t, GRUENWERK, GRUENWERK.replace("id: gruenwerk", "id: gruen-werk")),
      ["tenant gruenwerk is removed", "A tenant's id never changes: a new id is a new, empty tenant"],
    ],
    [
      "fleet.zone changed",
      "",
      (t) => t.replace("zone: fieldcrew.app", "zone: fieldcrew.io"),
      ["fleet.zone changed from fieldcrew.app to fieldcrew.io", "A new zone is a new fleet"],
    ],
    [
      "a shared host renamed (and its tenants with it)",
      "",
      (t) => t.replaceAll("shared-hel1-a", "shared-hel1-b"),
      [
        "shared host shared-hel1-a is removed (or renamed), but it holds the data of",
        "A host never changes its name",
      ],
    ],
    [
      "a shared host's location changed",
      "",
      (t) =>
        t
          .replace(
            "  - name: shared-hel1-a\n    location: hel1",
            "  - name: shared-hel1-a\n    location: fsn1",
          )
          .replaceAll(", location: hel1, residency: FI }", " }"),
      ["shared host shared-hel1-a moves from hel1 to fsn1: Hetzner cannot move a server or a volume"],
    ],
    [
      "a dedicated tenant's location changed",
      "alpen-energie",
      (t) =>
        t.replace("    location: nbg1\n    serverType: ccx13", "    location: fsn1\n    serverType: ccx13"),
      ["tenant alpen-energie moves from nbg1 to fsn1: Hetzner cannot move a server or a volume"],
    ],
    [
      "a containerized tenant's lines deleted",
      "stadtwerke-ost",
      (t) => t.replace(/ {2}- id: stadtwerke-ost\n(?: {4}.*\n?)+/, ""),
      ["tenant stadtwerke-ost is removed, and it is active: its service and data would be cut off"],
    ],
    [
      "a containerized tenant re-planned onto a dedicated plan",
      "klinikum-nord",
      (t) => t.replace("    plan: enterprise-k8s\n", "    plan: enterprise\n"),
      [
        "tenant klinikum-nord moves from its own namespace on the Kubernetes cluster (enterprise-k8s) to its own server",
        "moving a tenant into or out of the containerized tier is not built yet",
      ],
    ],
    [
      "a tenant set to purged by hand, without being decommissioned",
      "gruenwerk",
      (t) => withTenant(t, GRUENWERK, GRUENWERK.replace(" }", ", status: purged }")),
      ["tenant gruenwerk is active; only tenancy purge sets status: purged"],
    ],
  ])("%s", async (_what, _tenant, change, messages) => {
    const found = guard(EXAMPLE, edited(change));
    for (const message of messages) expect(found.join("\n")).toContain(message);
    // And at `pulumi up`, without git: the program, given what the stack last deployed, refuses it before
    // it registers anything.
    const file = path.join(scratch, `edited-${++edits}.yaml`);
    writeFileSync(file, edited(change));
    for (const tier of TIERS) {
      let registered = -1;
      const run = recordStack({ tier, manifest: file, previous: stateOf(EXAMPLE) }).then((stack) => {
        registered = stack.resources.length;
      });
      await expect(run).rejects.toThrow(
        /that would lose a tenant's service or data \(above\); nothing was changed/,
      );
      expect(registered).toBe(-1);
    }
  });

  test("a purged tenant brought back", () => {
    const purged = withTenant(EXAMPLE, "    status: decommissioned\n", "    status: purged\n");
    expect(guard(purged, EXAMPLE)).toEqual([
      expect.stringContaining(
        "tenant parkett-neumann was purged: its data is gone, and it cannot become decommissioned again",
      ),
    ]);
  });

  test("a moved tenant's kept copy dropped from the manifest before it was purged", () => {
    const moved = withTenant(
      EXAMPLE,
      GRUENWERK,
      "  - { id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-hel1-a, movedFrom: { host: shared-fsn1-a, plan: hobby, at: 2026-12-01T10:00:00Z } }\n",
    );
    const dropped = withTenant(EXAMPLE, GRUENWERK, GRUENWERK.replace("shared-fsn1-a", "shared-hel1-a"));
    expect(guard(moved, dropped)).toEqual([
      expect.stringContaining(
        "tenant gruenwerk's copy on shared host shared-fsn1-a is still kept (movedFrom)",
      ),
    ]);
  });
});

describe("the lifecycle's own steps pass", () => {
  const declared = withTenant(
    EXAMPLE,
    GRUENWERK,
    GRUENWERK.replace(" }", ", move: { host: shared-hel1-a } }"),
  );
  const cutOver = withTenant(
    EXAMPLE,
    GRUENWERK,
    "  - { id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-hel1-a, movedFrom: { host: shared-fsn1-a, plan: hobby, at: 2026-12-01T10:00:00Z } }\n",
  );
  const copyPurged = cutOver.replace(
    "at: 2026-12-01T10:00:00Z }",
    "at: 2026-12-01T10:00:00Z, purged: 2026-12-08T10:00:00Z }",
  );
  const settled = withTenant(EXAMPLE, GRUENWERK, GRUENWERK.replace("shared-fsn1-a", "shared-hel1-a"));

  test.each([
    ["declaring a move", EXAMPLE, declared],
    ["the cut-over tenancy migrate writes", declared, cutOver],
    ["marking the kept copy purged", cutOver, copyPurged],
    ["dropping a purged copy", copyPurged, settled],
    [
      "decommissioning",
      EXAMPLE,
      withTenant(EXAMPLE, GRUENWERK, GRUENWERK.replace(" }", ", status: decommissioned }")),
    ],
    [
      "purging a decommissioned tenant",
      EXAMPLE,
      EXAMPLE.replace("    status: decommissioned\n", "    status: purged\n"),
    ],
    [
      "removing a purged tenant",
      EXAMPLE.replace("    status: decommissioned\n", "    status: purged\n"),
      EXAMPLE.replace(/ {2}# Cancelled.*\n {2}- id: parkett-neumann\n(?: {4}.*\n)+/, ""),
    ],
    [
      "adding a tenant",
      EXAMPLE,
      `${EXAMPLE}  - { id: neukunde, name: Neukunde KG, plan: hobby, host: shared-hel1-a }\n`,
    ],
    [
      "suspending and re-activating",
      EXAMPLE,
      withTenant(EXAMPLE, GRUENWERK, GRUENWERK.replace(" }", ", status: suspended }")),
    ],
  ])("%s", (_what, before, after) => {
    expect(guard(before, after)).toEqual([]);
  });

  test("removing a shared host that holds nobody's data", () => {
    const extra = EXAMPLE.replace(
      "sharedHosts:\n",
      "sharedHosts:\n  - name: shared-fsn1-b\n    location: fsn1\n    serverType: cx43\n",
    );
    expect(guard(extra, EXAMPLE)).toEqual([]);
  });
});

describe("volumes only grow", () => {
  test("a smaller volume asked for keeps the deployed size; a larger one grows", () => {
    const model = expand(parseManifest("tenants.yaml", EXAMPLE));
    const deployed = fleetState(model);
    deployed.volumes["shared-hel1-a"] = 200;
    deployed.volumes["alpen-energie"] = 10;
    const grown = withDeployedVolumes(model, deployed);
    expect(grown.shared.hosts.find((h) => h.name === "shared-hel1-a")!.server.volumeGb).toBe(200);
    const alpen = (m: typeof model) =>
      m.dedicated.tenants.find((t) => t.id === "alpen-energie")!.server.volumeGb;
    expect(alpen(grown)).toBe(alpen(model));
    expect(alpen(model)).toBeGreaterThan(10);
  });
});
