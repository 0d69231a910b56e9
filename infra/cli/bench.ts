/**
 * `npm run bench`: how the offline preview scales. For each fleet size it runs, each in a fresh process
 * with the Pulumi.yaml nodeargs, (1) the real stack program and (2) a floor: the bare Pulumi SDK
 * registering as many plain resources under the same mocks. It reports resources per tenant, wall time
 * and peak memory of both, and their ratio. Timings on a shared machine are noisy: read the ratios.
 */
import { execFileSync } from "node:child_process";
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

const ROOT = path.resolve(__dirname, "..", "..");

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
  // The same count of the resource kinds a shared tenant costs (a password and a DNS record), bare.
  const providers = () => {
    for (let i = 0; i < resources; i++) {
      if (i % 2 === 0) new random.RandomPassword(`password-${i}`, { length: 32, special: false });
      else
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

function measure(kind: Kind, fleet: Fleet, resources = 0): Measure {
  const out = execFileSync(
    process.execPath,
    [
      ...nodeArgs(),
      "-r",
      "ts-node/register/transpile-only",
      __filename,
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

function main(): void {
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
