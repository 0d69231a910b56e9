/**
 * The launch path: every tier's stack program started exactly as the Pulumi CLI's Node language host starts
 * them (`node <nodeargs> @pulumi/pulumi/cmd/run … --pwd stacks/ .`, ts-node type-checking with the
 * tsconfig it finds there), against an engine on loopback gRPC; and the policy pack started as the CLI
 * starts a local pack (`@pulumi/pulumi/cmd/run-policy-pack` in policies/) and called over its Analyzer
 * service. What the CLI does, and where that is read from, is in ../testing/cli-engine.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Ajv from "ajv";
import { parseDocument } from "yaml";
import { POLICIES } from "../../../policies/policies";
import { EXAMPLE_MANIFEST, REPO_ROOT } from "../../testing/fixtures";
import { expand } from "../../expand";
import { TIERS, type Tier } from "../../plans";
import { fleetState } from "../../lifecycle";
import { loadManifest } from "../../manifest";
import { recordStack, type RecordedResource } from "../engine";
import { readStackSettings } from "../stack-config";
import {
  PolicyPackProcess,
  reconcilePolicyConfig,
  runProgramAsCli,
  type EngineResource,
  type ProgramRun,
} from "../testing/cli-engine";

jest.setTimeout(300_000);

const runs: Partial<Record<Tier, ProgramRun>> = {};
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "tenancy-launch-"));
  for (const tier of TIERS) runs[tier] = await runProgramAsCli(REPO_ROOT, readStackSettings(REPO_ROOT, tier));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const comparable = (r: RecordedResource) => ({
  type: r.type,
  name: r.name,
  urn: r.urn,
  custom: r.custom,
  inputs: r.inputs,
  options: r.options,
});
const byUrn = (a: { urn: string }, b: { urn: string }) => a.urn.localeCompare(b.urn);

describe.each(TIERS)("the %s stack, launched as `pulumi preview -s` launches it", (tier) => {
  const run = () => runs[tier]!;

  test("exits 0 with no error or warning logged", () => {
    const noisy = run().logs.filter((log) => log.severity === "error" || log.severity === "warning");
    expect({ exitCode: run().exitCode, noisy, stderr: run().stderr }).toEqual({
      exitCode: 0,
      noisy: [],
      stderr: "",
    });
  });

  test("runs with the Pulumi.yaml nodeargs, in stacks/, on the settings of Pulumi.<stack>.yaml", () => {
    const argv = run().argv;
    expect(argv.slice(0, 2)).toEqual(["--max-old-space-size=8192", "--stack-trace-limit=0"]);
    expect(argv[2]).toBe(require.resolve("@pulumi/pulumi/cmd/run"));
    expect(argv).toEqual(expect.arrayContaining(["--pwd", path.join(REPO_ROOT, "stacks"), "--dry-run"]));
    expect(argv.at(-1)).toBe(".");
  });

  test("registers exactly what `tenancy plan` records for the same stack", async () => {
    const offline = await recordStack({ tier, manifest: EXAMPLE_MANIFEST });
    expect(run().resources.length).toBeGreaterThan(40);
    expect(run().resources.map(comparable).sort(byUrn)).toEqual(
      offline.resources.map(comparable).sort(byUrn),
    );
  });

  test("makes only the invokes docs/deploy.md lists, with what each needs", () => {
    const documented = readFileSync(path.join(REPO_ROOT, "docs", "deploy.md"), "utf8");
    const tokens = [...new Set(run().invokes.map((i) => i.token))];
    // The kubernetes stack calls no invoke: it reads the cluster's prerequisites (below).
    expect(tokens.length > 0).toBe(tier !== "kubernetes");
    for (const type of new Set(
      run()
        .reads.map((r) => r.type)
        .filter((t) => t.startsWith("kubernetes:")),
    ))
      expect({ type, documented: documented.includes(`\`${type}\``) }).toEqual({ type, documented: true });
    if (tier === "kubernetes") expect(run().reads.length).toBeGreaterThanOrEqual(4);
    for (const token of tokens)
      expect({ token, documented: documented.includes(`\`${token}\``) }).toEqual({
        token,
        documented: true,
      });
  });
});

describe.each(TIERS)(
  "the first preview of an empty %s stack, where every computed value is unknown",
  (tier) => {
    test("exits 0 with nothing logged, and registers the same resources with their computed inputs unknown", async () => {
      const run = await runProgramAsCli(REPO_ROOT, readStackSettings(REPO_ROOT, tier), {
        computed: "unknown",
      });
      expect({
        exitCode: run.exitCode,
        logs: run.logs.filter((l) => l.severity !== "debug"),
        stderr: run.stderr,
      }).toEqual({
        exitCode: 0,
        logs: [],
        stderr: "",
      });
      expect(run.resources.map((r) => r.urn).sort()).toEqual(runs[tier]!.resources.map((r) => r.urn).sort());
      if (tier === "kubernetes") {
        // Reads are answered at preview; the tenant's origin certificate is not issued yet.
        const tls = run.resources.find((r) => r.name === "klinikum-nord-origin-tls")!;
        expect(tls.inputs.stringData).toBe("[unknown]");
      } else {
        const server = run.resources.find((r) => r.type === "hcloud:index/server:Server")!;
        expect(server.inputs.firewallIds).toEqual(["[unknown]"]);
      }
    });
  },
);

describe("a manifest the program refuses", () => {
  test("fails the preview with the problem logged as an error, and registers nothing of the fleet", async () => {
    const broken = path.join(scratch, "broken.yaml");
    writeFileSync(
      broken,
      readFileSync(EXAMPLE_MANIFEST, "utf8").replace("plan: professional", "plan: profesional"),
    );
    const settings = readStackSettings(REPO_ROOT, "dedicated");
    const run = await runProgramAsCli(REPO_ROOT, {
      ...settings,
      config: { ...settings.config, "tenancy:manifest": broken },
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.resources).toEqual([]);
    const errors = run.logs.filter((log) => log.severity === "error").map((log) => log.message);
    expect(errors.join("\n")).toMatch(
      /broken\.yaml:\d+:\d+: tenants\[\d+\]\.plan: unknown plan "profesional"/,
    );
    // A user's mistake, not a crash: no stack trace.
    expect(errors.join("\n")).not.toMatch(/\n\s+at /);
  });
});

describe("at `pulumi up` without git: the program compares with what the stack last deployed", () => {
  const example = readFileSync(EXAMPLE_MANIFEST, "utf8");
  const deployed = fleetState(expand(loadManifest(EXAMPLE_MANIFEST)));

  test("an edit that would lose a tenant's data fails the update before anything is registered", async () => {
    const moved = path.join(scratch, "moved.yaml");
    writeFileSync(
      moved,
      example.replace(
        "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a }",
        "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-hel1-a }",
      ),
    );
    const settings = readStackSettings(REPO_ROOT, "shared");
    const run = await runProgramAsCli(
      REPO_ROOT,
      { ...settings, config: { ...settings.config, "tenancy:manifest": moved } },
      { previous: deployed },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.reads).toEqual([{ type: "pulumi:pulumi:StackReference", id: "organization/tenancy/shared" }]);
    expect(run.resources).toEqual([]);
    const errors = run.logs
      .filter((log) => log.severity === "error")
      .map((log) => log.message)
      .join("\n");
    expect(errors).toContain(
      "tenant gruenwerk moves from shared host shared-fsn1-a to shared host shared-hel1-a",
    );
    expect(errors).toContain("nothing was changed");
  });

  test("a volume the manifest now computes smaller keeps its deployed size, and the deployment is exported", async () => {
    const bigger = { ...deployed, volumes: { ...deployed.volumes, "shared-hel1-a": 300 } };
    const run = await runProgramAsCli(REPO_ROOT, readStackSettings(REPO_ROOT, "shared"), {
      previous: bigger,
    });
    expect(run.exitCode).toBe(0);
    const volume = run.resources.find((r) => r.name === "shared-hel1-a-data")!;
    expect(volume.inputs.size).toBe(300);
    expect(
      (run.stackOutputs.deployment as { volumes: Record<string, number> }).volumes["shared-hel1-a"],
    ).toBe(300);
  });
});

describe("the policy pack, started as the CLI starts a local pack", () => {
  let pack: PolicyPackProcess;
  const packDir = path.join(REPO_ROOT, "policies");
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = (schema: object, value: unknown) => {
    const check = ajv.compile(schema);
    return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
  };
  const fileConfig = JSON.parse(readFileSync(path.join(packDir, "policy-config.json"), "utf8")) as Record<
    string,
    unknown
  >;

  beforeAll(async () => {
    pack = await PolicyPackProcess.start(packDir, "127.0.0.1:1");
    await pack.handshake("127.0.0.1:1", packDir);
  });
  afterAll(() => pack.stop());

  async function configured(stack: (typeof TIERS)[number]) {
    await pack.configureStack(stack, "tenancy", readStackSettings(REPO_ROOT, stack));
    const info = await pack.info();
    const { config, errors } = reconcilePolicyConfig(info.policies, fileConfig, validate);
    expect(errors).toEqual([]);
    await pack.configure(config);
    return info;
  }

  async function verdict(resources: EngineResource[], stackUrn: string) {
    // A resource policy's diagnostic names no URN: the CLI reports it on the resource it analysed.
    const found = [];
    for (const resource of resources)
      for (const d of await pack.analyze(resource)) found.push({ ...d, urn: d.urn || resource.urn });
    found.push(...(await pack.analyzeStack(resources, stackUrn)));
    return found;
  }

  test("lists the pack's policies, each with its enforcement level and config schema", async () => {
    const info = await configured("shared");
    expect(info.name).toBe("tenancy");
    expect(info.supportsConfig).toBe(true);
    expect(info.policies.map((p) => p.name)).toEqual(POLICIES.map((p) => p.name));
    for (const policy of info.policies) expect(policy.description).toMatch(/\w+ \w+ \w+/);
  });

  test("accepts policies/policy-config.json, and the CLI's own checks would refuse a broken one", async () => {
    const info = await configured("shared");
    const broken = { ...fileConfig, "hcloud-volume-within-plan": { plans: "all of them" } };
    expect(reconcilePolicyConfig(info.policies, broken, validate).errors).toEqual([
      expect.stringMatching(/^hcloud-volume-within-plan: \/plans must be object/),
    ]);
  });

  test.each(TIERS)(
    "is silent on the example fleet's %s stack, resource by resource and whole",
    async (tier) => {
      await configured(tier);
      const run = runs[tier]!;
      expect(
        await verdict(run.resources, `urn:pulumi:${tier}::tenancy::pulumi:pulumi:Stack::tenancy-${tier}`),
      ).toEqual([]);
    },
  );

  test("reports a mandatory violation when the manifest asks a plan for more than the owners approved", async () => {
    // The manifest raises the professional plan's storage; the approved policy config does not.
    const manifest = parseDocument(readFileSync(EXAMPLE_MANIFEST, "utf8"));
    manifest.set("plans", { professional: { storageGb: 500 } });
    const file = path.join(scratch, "greedy.yaml");
    writeFileSync(file, manifest.toString());
    const settings = readStackSettings(REPO_ROOT, "dedicated");
    const run = await runProgramAsCli(REPO_ROOT, {
      ...settings,
      config: { ...settings.config, "tenancy:manifest": file },
    });
    expect(run.exitCode).toBe(0);
    await configured("dedicated");
    const found = await verdict(
      run.resources,
      "urn:pulumi:dedicated::tenancy::pulumi:pulumi:Stack::tenancy-dedicated",
    );
    expect(found).toEqual([
      expect.objectContaining({
        policy: "hcloud-volume-within-plan",
        level: "mandatory",
        urn: expect.stringContaining("nordwerk-logistik-data"),
        message: expect.stringContaining("nordwerk-logistik"),
      }),
    ]);
  });
});
