import { readFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CONFIG_KEYS, TIER_SETTINGS } from "../config";
import program from "../index";
import { recordStack } from "../../infra/preview/engine";
import { EXAMPLE_MANIFEST, REPO_ROOT } from "../../infra/testing/fixtures";

const readYaml = (file: string) =>
  parse(readFileSync(path.join(REPO_ROOT, file), "utf8")) as Record<string, unknown>;

describe("Pulumi.yaml", () => {
  const project = readYaml("Pulumi.yaml") as {
    name: string;
    main: string;
    runtime: { name: string; options: { typescript: boolean; nodeargs: string } };
    config: Record<
      string,
      { type: string; description: string; secret?: boolean; default?: unknown; items?: { type: string } }
    >;
  };

  test("runs the TypeScript program in stacks/ with a raised heap", () => {
    expect(project.runtime.name).toBe("nodejs");
    expect(project.runtime.options.typescript).toBe(true);
    expect(project.runtime.options.nodeargs).toMatch(/--max-old-space-size=\d{4,}/);
    expect(project.main).toBe("stacks/");
  });

  test("declares, typed and described, exactly the settings the program reads", () => {
    expect(Object.keys(project.config).sort()).toEqual([...CONFIG_KEYS].sort());
    for (const [key, declaration] of Object.entries(project.config)) {
      expect({ key, type: declaration.type }).toEqual({
        key,
        type: expect.stringMatching(/^(string|integer|boolean|array)$/),
      });
      expect({ key, description: declaration.description }).toEqual({
        key,
        description: expect.stringMatching(/\w{3}/),
      });
      if (declaration.type === "array") expect(declaration.items?.type).toBe("string");
    }
    expect(project.config.backupBucketKeys?.secret).toBe(true);
    // A setting only some tiers use has a default (the CLI requires every key without one), and so it is
    // not declared secret (the CLI refuses a defaulted secret): the program refuses it in plaintext.
    for (const key of Object.keys(TIER_SETTINGS)) {
      expect({ key, hasDefault: project.config[key]?.default !== undefined }).toEqual({
        key,
        hasDefault: true,
      });
      expect({ key, secret: project.config[key]?.secret }).toEqual({ key, secret: undefined });
    }
  });

  test.each(["shared", "dedicated", "kubernetes"])(
    "Pulumi.%s.yaml sets its tier, and holds no plaintext secret and no provider credential",
    (stack) => {
      const text = readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
      const config = (parse(text) as { config: Record<string, unknown> }).config;
      expect(config["tenancy:tier"]).toBe(stack);
      // Provider credentials come from HCLOUD_TOKEN and CLOUDFLARE_API_TOKEN (docs/deploy.md).
      for (const key of ["hcloud:token", "cloudflare:apiToken", "cloudflare:apiKey"])
        expect(config).not.toHaveProperty(key);
      // A secret may be committed only as ciphertext (`pulumi config set --secret`).
      for (const [key, declaration] of Object.entries(project.config)) {
        const value = config[`tenancy:${key}`];
        if ((declaration.secret || ["backupPassword", "kubeconfig"].includes(key)) && value !== undefined)
          expect(value).toEqual({ secure: expect.any(String) });
      }
    },
  );
});

describe("the program under mocks", () => {
  jest.setTimeout(30_000);
  const baseConfig = {
    "tenancy:manifest": EXAMPLE_MANIFEST,
    "tenancy:cloudflareZoneId": "0123456789abcdef0123456789abcdef",
    "tenancy:cloudflareAccountId": "fedcba9876543210fedcba9876543210",
    "tenancy:adminCidrs": JSON.stringify(["198.51.100.0/24"]),
    "tenancy:sshKeys": JSON.stringify(["ops"]),
    "tenancy:backupPassword": "correct-horse-battery-staple",
    "tenancy:storageBoxHostKeys": JSON.stringify([
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ]),
    "tenancy:backupBuckets": JSON.stringify([
      "US=s3:https://s3.us-east-1.amazonaws.com/fieldcrew-backups-us",
    ]),
    "tenancy:backupBucketKeys": "US=test-key-id:test-secret-access-key",
  };

  /** Runs the program as `pulumi preview` would, with mocks instead of a cloud. */
  function run(config: Record<string, string>): Promise<Record<string, unknown>> {
    void pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs as Record<string, unknown> }),
        call: (args) => args.inputs as Record<string, unknown>,
      },
      "tenancy",
      config["tenancy:tier"] ?? "shared",
      true,
    );
    pulumi.runtime.setAllConfig({ ...baseConfig, ...config }, [
      "tenancy:backupPassword",
      "tenancy:backupBucketKeys",
    ]);
    return program();
  }

  test("the shared stack exports each host and, per shared tenant, its URL, host and addresses", async () => {
    const { outputs } = await recordStack({ tier: "shared", manifest: EXAMPLE_MANIFEST });
    const hosts = outputs.hosts as Record<string, { capacity: string; ipv4: string }>;
    expect(Object.entries(hosts).map(([name, h]) => [name, h.capacity])).toEqual([
      ["shared-fsn1-a", "32/60"],
      ["shared-hel1-a", "11/28"],
    ]);
    const tenants = outputs.tenants as Record<
      string,
      { url: string; host: string; ipv4: string; databaseUrl: string }
    >;
    // Every served tenant: the decommissioned one is no longer reachable.
    expect(Object.keys(tenants)).toHaveLength(29);
    expect(tenants["sanitaer-koch"]).toMatchObject({
      url: "https://sanitaer-koch.fieldcrew.app",
      host: "shared-fsn1-a",
      ipv4: hosts["shared-fsn1-a"]?.ipv4,
    });
    expect(tenants["sanitaer-koch"]?.databaseUrl).toMatch(
      /^postgresql:\/\/t_sanitaer_koch:[0-9a-f]{64}@127\.0\.0\.1:5432\/t_sanitaer_koch$/,
    );
  });

  test("the dedicated stack exports each dedicated tenant", async () => {
    const { outputs } = await recordStack({ tier: "dedicated", manifest: EXAMPLE_MANIFEST });
    const tenants = outputs.tenants as Record<string, { url: string; host: string }>;
    expect(Object.keys(tenants).sort()).toEqual([
      "alpen-energie",
      "brightline-retail",
      "harbor-health",
      "nordwerk-logistik",
    ]);
    expect(tenants["harbor-health"]).toMatchObject({
      url: "https://harbor-health.fieldcrew.app",
      host: "harbor-health",
    });
  });

  test.each([
    [
      { "tenancy:tier": "premium" },
      'tenancy:tier must be one of shared, dedicated, kubernetes, not "premium"',
    ],
    [
      { "tenancy:tier": "shared", "tenancy:sshKeys": "[]" },
      "tenancy:sshKeys is required by the shared stack (the Hetzner SSH keys of its deploy user): set it in Pulumi.shared.yaml",
    ],
    [
      { "tenancy:tier": "dedicated", "tenancy:backupPassword": "" },
      "tenancy:backupPassword is required by the dedicated stack",
    ],
    [{ "tenancy:tier": "kubernetes" }, "tenancy:kubeconfig is required by the kubernetes stack"],
    [
      { "tenancy:tier": "kubernetes", "tenancy:kubeconfig": "apiVersion: v1\nkind: Config\n" },
      "tenancy:kubeconfig is set in plaintext: set it with `pulumi config set --secret tenancy:kubeconfig`",
    ],
    [
      { "tenancy:tier": "shared", "tenancy:cloudflareZoneId": "my-zone" },
      "tenancy:cloudflareZoneId must be 32 lowercase hex digits",
    ],
    [
      { "tenancy:tier": "shared", "tenancy:adminCidrs": '["0.0.0.0/0"]' },
      "must not open SSH to the whole internet",
    ],
    [{ "tenancy:tier": "shared", "tenancy:adminCidrs": '["office"]' }, 'has "office", which is not a CIDR'],
    [
      {
        "tenancy:tier": "shared",
        "tenancy:storageBoxHostKeys": '["[u1.your-storagebox.de]:23 ssh-ed25519 AAAA"]',
      },
      "tenancy:storageBoxHostKeys[0] has a ssh-ed25519 key that is not valid base64 of a ssh-ed25519 key",
    ],
    [{ "tenancy:tier": "shared", "tenancy:storageBoxHostKeys": "[]" }, "must list at least one host key"],
    [
      { "tenancy:tier": "shared", "tenancy:backupBuckets": '["US=https://s3.example/bucket"]' },
      'tenancy:backupBuckets has "US=https://s3.example/bucket", which is not "<COUNTRY>=s3:https://<endpoint>/<bucket>"',
    ],
    [
      { "tenancy:tier": "shared", "tenancy:dbPasswordRotations": '["baeckerei-klein:1"]' },
      'tenancy:dbPasswordRotations has "baeckerei-klein:1", which is not "<tenant id>=<generation>"',
    ],
    [
      { "tenancy:tier": "shared", "tenancy:dbPasswordRotations": '["baeckerei-klein=0"]' },
      'tenancy:dbPasswordRotations has "baeckerei-klein=0"',
    ],
    [
      {
        "tenancy:tier": "shared",
        "tenancy:dbPasswordRotations": '["baeckerei-klein=1", "baeckerei-klein=2"]',
      },
      'tenancy:dbPasswordRotations names tenant "baeckerei-klein" twice',
    ],
    [
      { "tenancy:tier": "shared", "tenancy:manifest": "missing.yaml" },
      'missing.yaml is invalid (1 problem above); run "npx tenancy validate"',
    ],
  ])("refuses bad settings with a clear message: %j", async (config, message) => {
    // The program logs each manifest problem through Pulumi before it fails; keep the test output clean.
    jest.spyOn(pulumi.log, "error").mockImplementation(() => Promise.resolve());
    let error: unknown;
    try {
      await run(config);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(pulumi.RunError);
    expect((error as Error).message).toContain(message);
    jest.restoreAllMocks();
  });

  test("refuses a password rotation of a tenant the stack does not hold: it would rotate nothing", async () => {
    // A dedicated tenant, in the shared stack.
    const rotations = (ids: string[]) => ({
      "tenancy:dbPasswordRotations": JSON.stringify(ids.map((id) => `${id}=1`)),
    });
    await expect(
      recordStack({ tier: "shared", manifest: EXAMPLE_MANIFEST, config: rotations(["alpen-energie"]) }),
    ).rejects.toThrow(
      'tenancy:dbPasswordRotations names tenant "alpen-energie", which the shared stack does not hold',
    );
    // In its own stack, it records.
    await expect(
      recordStack({ tier: "dedicated", manifest: EXAMPLE_MANIFEST, config: rotations(["alpen-energie"]) }),
    ).resolves.toBeDefined();
  });

  test("refuses a host where Hetzner sells no Storage Box and the stack configures no bucket", async () => {
    // The dedicated stack's harbor-health (ash, US) with the example's US bucket left out.
    await expect(
      recordStack({
        tier: "dedicated",
        manifest: EXAMPLE_MANIFEST,
        config: { "tenancy:backupBuckets": "[]" },
      }),
    ).rejects.toThrow(
      "host dedicated-harbor-health is in ash (US), where Hetzner sells no Storage Box, and tenancy:backupBuckets has no bucket for US",
    );
    // and with it, the stack records.
    await expect(recordStack({ tier: "dedicated", manifest: EXAMPLE_MANIFEST })).resolves.toBeDefined();
  });
});
