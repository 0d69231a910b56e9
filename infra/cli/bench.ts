/**
 * `npm run bench`: how fast `tenancy` starts, and how the offline preview scales.
 *
 * Start-up (first; `npm run bench -- --startup` for it alone): each command, run as a user runs it (the
 * build in dist/, which the bench makes first), several times alternating with its floor, the median
 * against the issue's target.
 *
 * Scale: For each fleet size it runs, each in a fresh process
 * with the Pulumi.yaml nodeargs, (1) the real stack program and (2) a floor: the bare Pulumi SDK
 * registering as many plain resources under the same mocks. It reports resources per tenant, wall time
 * and peak memory of both, and their ratio. Timings on a shared machine are noisy: read the ratios.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as cloudflare from "@pulumi/cloudflare";
import * as command from "@pulumi/command";
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { parse, stringify } from "yaml";
import type { Tier } from "../plans";
import { recordStack } from "../preview/engine";
import { REPO_ROOT } from "../root";

const ROOT = REPO_ROOT;

interface Fleet {
  tier: Tier;
  tenants: number;
}

interface Measure {
  resources: number;
  /** Resources that exist for one tenant alone (its DNS record, custom hostnames; its password is derived). */
  tenantResources: number;
  tenants: number;
  customDomains: number;
  seconds: number;
  peakMb: number;
}

const FLEETS: Fleet[] = [
  { tier: "shared", tenants: 100 },
  { tier: "shared", tenants: 1000 },
  { tier: "shared", tenants: 5000 },
  { tier: "dedicated", tenants: 50 },
  { tier: "dedicated", tenants: 200 },
];

/** A realistic fleet: mostly hobby, one in five starter; one starter in four has a custom domain. */
export function benchManifest({ tier, tenants }: Fleet): string {
  const perHost = 150; // about what one large shared server carries (users' figures)
  const hosts = tier === "shared" ? Math.ceil(tenants / perHost) : 1;
  const entries = Array.from({ length: tenants }, (_, i) => {
    const id = `t${String(i).padStart(5, "0")}`;
    if (tier === "dedicated") {
      const plan = ["professional", "business", "enterprise"][i % 3]!;
      return { id, name: `Customer ${i}`, plan, ...(i % 4 === 0 ? { domains: [`app.${id}.example`] } : {}) };
    }
    const starter = i % 5 === 0;
    return {
      id,
      name: `Customer ${i}`,
      plan: starter ? "starter" : "hobby",
      host: `shared-${Math.floor(i / perHost)}`,
      ...(starter && i % 20 === 0 ? { domains: [`app.${id}.example`] } : {}),
    };
  });
  return stringify({
    version: 1,
    // A fleet this size needs an Enterprise zone whose DNS record quota Cloudflare has raised.
    fleet: {
      zone: "bench.example",
      cloudflarePlan: "enterprise",
      cloudflareDnsRecordQuota: 20000,
      location: "fsn1",
      app: { image: "ghcr.io/acme/app:1.0.0" },
    },
    sharedHosts: Array.from({ length: hosts }, (_, i) => ({
      name: `shared-${i}`,
      location: "fsn1",
      serverType: "ccx63",
    })),
    tenants: entries,
  });
}

/** The plainest resource there is: what the floor registers. */
class Thing extends pulumi.CustomResource {
  constructor(name: string, index: number) {
    super("bench:index:Thing", name, { index });
  }
}

function preloadProviders(): void {
  const used: unknown[] = [
    hcloud.Server, hcloud.PrimaryIp, hcloud.Firewall, hcloud.Volume, hcloud.VolumeAttachment, hcloud.StorageBox,
    hcloud.StorageBoxSubaccount, hcloud.getSshKeyOutput, cloudflare.DnsRecord, cloudflare.CustomHostname,
    cloudflare.OriginCaCertificate, cloudflare.ZoneSetting, cloudflare.Ruleset, random.RandomPassword,
    tls.PrivateKey, tls.CertRequest, command.remote.Command,
  ]; // prettier-ignore
  if (used.some((item) => item === undefined)) throw new Error("a provider class did not load");
}

/** In a child process: one measurement, printed as JSON. */
type Kind = "program" | "floor" | "providers";

async function child(kind: Kind, fleet: Fleet, resources: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-bench-"));
  const manifest = path.join(dir, "tenants.yaml");
  const text = benchManifest(fleet);
  writeFileSync(manifest, text);
  const customDomains = (text.match(/app\.t\d+\.example/g) ?? []).length;
  const floor = () => {
    for (let i = 0; i < resources; i++) new Thing(`thing-${i}`, i);
    return {};
  };
  // The same count of the resource kind a shared tenant costs (its DNS record), bare.
  const providers = () => {
    for (let i = 0; i < resources; i++) {
      new cloudflare.DnsRecord(`dns-${i}`, {
        zoneId: "z",
        name: `t${i}.bench.example`,
        type: "CNAME",
        content: "origin.bench.example",
        proxied: true,
        ttl: 1,
      });
    }
    return {};
  };
  // Provider modules load lazily on first use; load them before the clock starts, as the SDK is for the
  // floor, so that both measure registering resources rather than reading modules from disk.
  if (kind !== "floor") preloadProviders();
  const started = process.hrtime.bigint();
  const stack = await recordStack({
    tier: fleet.tier,
    manifest,
    ...(kind === "floor" ? { program: floor } : kind === "providers" ? { program: providers } : {}),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(dir, { recursive: true, force: true });
  const measure: Measure = {
    resources: stack.resources.length,
    tenantResources: stack.resources.filter((r) => /^t\d{5}-(?:dns|domain-)/.test(r.name)).length,
    tenants: fleet.tenants,
    customDomains,
    seconds,
    peakMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(measure)}\n`);
}

function nodeArgs(): string[] {
  const project = parse(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
    runtime: { options: { nodeargs: string } };
  };
  return project.runtime.options.nodeargs.split(/\s+/).filter(Boolean);
}

/**
 * One fleet measured in a fresh process, as `tenancy plan` runs: the compiled build (dist/, which the
 * start-up table builds first), the nodeargs of Pulumi.yaml, and the SDK's function-serialization
 * modules deferred (defer-sdk.js, preloaded). The floors run the same way.
 */
function measure(kind: Kind, fleet: Fleet, resources = 0): Measure {
  const out = execFileSync(
    process.execPath,
    [
      ...nodeArgs(),
      "-r",
      path.join(ROOT, "infra", "cli", "defer-sdk.js"),
      path.join(ROOT, "dist", "infra", "cli", "bench.js"),
      "--child",
      kind,
      fleet.tier,
      String(fleet.tenants),
      String(resources),
    ],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(out.trim().split("\n").at(-1)!) as Measure;
}

interface Startup {
  what: string;
  /** What runs the command: bin.js under this node unless given. */
  via?: string[];
  args: string[];
  env?: NodeJS.ProcessEnv;
  floor: string;
  floorArgs: string[];
  /** Seconds; none for a row that only informs. */
  target?: number;
}

const RUNS = 5;
/** `--before DIR`: also time the same commands of another checkout (e.g. the code before a change). */
const BEFORE = process.argv.includes("--before")
  ? path.resolve(process.argv[process.argv.indexOf("--before") + 1]!)
  : undefined;
const BIN = path.join(ROOT, "infra", "cli", "bin.js");

/** What every start-up row is held to (the issue's table), each beside the floor it cannot beat. */
function startupRows(): Startup[] {
  const nodeOnly = { floor: "`node -e 0`", floorArgs: ["-e", "0"] };
  // Reading the manifest is all `validate` must do: node, the YAML parser and the file.
  const readManifest = {
    floor: "node parsing tenants.yaml with `yaml`",
    floorArgs: ["-e", 'require("yaml").parse(require("fs").readFileSync("tenants.yaml", "utf8"))'],
  };
  // What any program on the SDK pays before it registers a resource, loaded as `tenancy plan` loads it.
  const loadSdk = {
    floor: "node with the nodeargs loading the SDK and the providers",
    floorArgs: [
      ...nodeArgs(),
      "-e",
      'require("./infra/cli/defer-sdk").deferSdkSerialization(); for (const m of ["@pulumi/pulumi", "@pulumi/policy", "@pulumi/hcloud", "@pulumi/cloudflare", "@pulumi/random", "@pulumi/tls", "@pulumi/command"]) require(m);',
    ],
  };
  const sources = { TENANCY_RUN_SOURCES: "1" };
  return [
    { what: "`tenancy --help`", args: ["--help"], ...nodeOnly, target: 0.3 },
    { what: "`tenancy validate --help`", args: ["validate", "--help"], ...nodeOnly, target: 0.3 },
    { what: "`tenancy validate` of the example fleet", args: ["validate"], ...readManifest, target: 0.5 },
    {
      what: "`tenancy plan` of the example fleet (both stacks, the pack)",
      args: ["plan"],
      ...loadSdk,
      target: 2.5,
    },
    {
      what: "`npx tenancy --help` (npx's own start-up included)",
      via: ["npx", "tenancy"],
      args: ["--help"],
      ...nodeOnly,
    },
    {
      what: "`tenancy validate` from the sources (a stale build)",
      args: ["validate"],
      env: sources,
      ...readManifest,
    },
    { what: "`tenancy plan` from the sources (a stale build)", args: ["plan"], env: sources, ...loadSdk },
  ];
}

function timeRun(args: string[], env: NodeJS.ProcessEnv = {}, via = [process.execPath]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(via[0]!, [...via.slice(1), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: "ignore",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${[...via, ...args].join(" ")} exited ${run.status ?? run.signal}`);
  return seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function startupTable(): string {
  const rows = startupRows().map((row) => {
    process.stderr.write(`${row.args.join(" ")}… `);
    const command: number[] = [];
    const floor: number[] = [];
    const runCommand = () =>
      row.via ? timeRun(row.args, row.env, row.via) : timeRun([BIN, ...row.args], row.env);
    runCommand(); // warm the file cache for both
    for (let i = 0; i < RUNS; i++) {
      floor.push(timeRun(row.floorArgs));
      command.push(runCommand());
    }
    const earlier: number[] = [];
    if (BEFORE && !row.via && !row.env)
      for (let i = 0; i < RUNS; i++)
        earlier.push(timeRun([path.join(BEFORE, "infra/cli/bin.js"), ...row.args]));
    const before = earlier.length > 0 ? `${median(earlier).toFixed(2)} s | ` : BEFORE ? "— | " : "";
    const [m, f] = [median(command), median(floor)];
    const met =
      row.target === undefined
        ? "—"
        : m <= row.target
          ? "met"
          : `**not met** (${(m - row.target).toFixed(2)} s over)`;
    return (
      `| ${row.what} | ${before}${m.toFixed(2)} s | ${Math.min(...command).toFixed(2)}–${Math.max(...command).toFixed(2)} s | ` +
      `${row.floor} | ${f.toFixed(2)} s | ${m >= f ? "+" : "−"}${Math.abs(m - f).toFixed(2)} s | ${row.target === undefined ? "—" : `≤ ${row.target} s`} | ${met} |`
    );
  });
  process.stderr.write("done\n");
  return [
    `| command | ${BEFORE ? "before (--before) | " : ""}median of ${RUNS} | range | floor | floor median | over the floor | target | |`,
    `| --- | ${BEFORE ? "--- | " : ""}--- | --- | --- | --- | --- | --- | --- |`,
    ...rows,
  ].join("\n");
}

function main(): void {
  process.stderr.write("building dist/… ");
  execFileSync(process.execPath, [path.join(ROOT, "infra", "cli", "build.js")], {
    cwd: ROOT,
    stdio: "ignore",
  });
  process.stdout.write(
    `${startupTable()}\n\nnode ${process.version}, ${RUNS} runs each, alternating with the floor\n\n`,
  );
  if (process.argv.includes("--startup")) return;
  const rows: string[] = [];
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  for (const fleet of FLEETS) {
    process.stderr.write(`${fleet.tier} ${fleet.tenants}: program… `);
    const program = measure("program", fleet);
    process.stderr.write("floor… ");
    const floor = measure("floor", fleet, program.resources);
    process.stderr.write("provider floor… ");
    const providers = measure("providers", fleet, program.resources);
    process.stderr.write("done\n");
    const perTenant =
      fleet.tier === "shared"
        ? `${((program.tenantResources - program.customDomains) / fleet.tenants).toFixed(2)} + 1 per domain`
        : (program.resources / fleet.tenants).toFixed(1);
    rows.push(
      `| ${fleet.tier} | ${fleet.tenants} | ${program.customDomains} | ${program.resources} | ${perTenant} | ` +
        `${program.seconds.toFixed(1)} s | ${floor.seconds.toFixed(1)} s | ${providers.seconds.toFixed(1)} s | ` +
        `${ratio(program.seconds, floor.seconds)} / ${ratio(program.seconds, providers.seconds)} | ` +
        `${program.peakMb.toFixed(0)} MB | ${floor.peakMb.toFixed(0)} MB | ${providers.peakMb.toFixed(0)} MB | ` +
        `${ratio(program.peakMb, floor.peakMb)} / ${ratio(program.peakMb, providers.peakMb)} |`,
    );
  }
  const table = [
    "| stack | tenants | custom domains | resources | per tenant | program | floor | provider floor | time ratio (floor / provider) | program peak | floor peak | provider floor peak | memory ratio (floor / provider) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
  process.stdout.write(`${table}\n\nnode ${process.version}, nodeargs: ${nodeArgs().join(" ")}\n`);
}

if (process.argv[2] === "--child") {
  const [, , , kind, tier, tenants, resources] = process.argv;
  child(
    kind as "program" | "floor",
    { tier: tier as Tier, tenants: Number(tenants) },
    Number(resources),
  ).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(3);
  });
} else {
  main();
}
