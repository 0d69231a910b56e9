/**
 * Every policy of the pack, table-driven: silent on the example fleet as the real program registers it,
 * and firing on a copy in which one field of one resource is changed. The resources come from the offline
 * engine, so the policies see exactly what `pulumi preview` would send them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { recordStack, UNKNOWN, type RecordedResource, type RecordedStack } from "../../infra/preview/engine";
import { runPolicies, type PolicyPackConfig } from "../../infra/preview/policies";
import { EXAMPLE_MANIFEST, REPO_ROOT } from "../../infra/testing/fixtures";
import { bundledCatalogue, policyConfig } from "../../infra/cli/commands/policy-config";
import { BUILT_IN_PLANS } from "../../infra/plans";
import { POLICIES } from "../policies";

jest.setTimeout(60_000);

let shared: RecordedStack;
let dedicated: RecordedStack;
beforeAll(async () => {
  shared = await recordStack({ tier: "shared", manifest: EXAMPLE_MANIFEST });
  dedicated = await recordStack({ tier: "dedicated", manifest: EXAMPLE_MANIFEST });
});

const policy = (name: string) => {
  const found = POLICIES.find((p) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
};

/** A copy of a stack with one resource changed. */
function mutated(
  stack: RecordedStack,
  name: string,
  change: (resource: RecordedResource) => void,
): RecordedStack {
  const copy = structuredClone({ ...stack, programOutputs: {} });
  const resource = copy.resources.find((r) => r.name === name);
  if (!resource) throw new Error(`no resource ${name} in the ${stack.tier} stack`);
  change(resource);
  return copy;
}

const labels = (r: RecordedResource) => r.inputs.labels as Record<string, string>;
const rules = (r: RecordedResource) =>
  r.inputs.rules as { port: string; sourceIps: string[]; direction: string }[];

interface Case {
  policy: string;
  stack: () => RecordedStack;
  resource: string;
  change: (r: RecordedResource) => void;
  message: string;
}

const CASES: Case[] = [
  { policy: "hcloud-server-type-within-plan", stack: () => dedicated, resource: "nordwerk-logistik-server", change: (r) => (r.inputs.serverType = "ccx63"), message: 'is a ccx63; plan "professional" allows cx33, cpx32, ccx13' },
  { policy: "hcloud-server-location-within-plan", stack: () => dedicated, resource: "nordwerk-logistik-server", change: (r) => (r.inputs.location = "ash"), message: 'is in ash; plan "professional" allows fsn1, nbg1, hel1' },
  { policy: "hcloud-volume-within-plan", stack: () => dedicated, resource: "nordwerk-logistik-data", change: (r) => (r.inputs.size = 60), message: 'is 60 GB; plan "professional" allows 50 GB' },
  { policy: "hcloud-server-backups-per-plan", stack: () => dedicated, resource: "harbor-health-server", change: (r) => (r.inputs.backups = false), message: 'has no Hetzner backups; plan "enterprise" includes them' },
  { policy: "hcloud-shared-host-within-capacity", stack: () => shared, resource: "shared-hel1-a-server", change: (r) => (labels(r)["plan-hobby"] = "30"), message: 'carries 36 capacity units; a cx43 offers 28' },
  { policy: "tenant-custom-domains-within-plan", stack: () => shared, resource: "shared-fsn1-a", change: (r) => { (r.inputs.tenants as { id: string; plan: string }[]).find((t) => t.id === "sanitaer-koch")!.plan = "hobby"; }, message: 'Tenant "sanitaer-koch" has 1 custom domains; plan "hobby" allows 0' },
  { policy: "cloudflare-rate-limit-matches-plan", stack: () => shared, resource: "zone-rate-limits", change: (r) => { (r.inputs.rules as { ratelimit: { requestsPerPeriod: number } }[])[0]!.ratelimit.requestsPerPeriod += 1; }, message: "API calls per hour make 17" },
  { policy: "hcloud-stateful-resources-protected", stack: () => shared, resource: "shared-fsn1-a-data", change: (r) => (r.options.protect = false), message: "shared-fsn1-a-data is not protected" },
  { policy: "hcloud-server-ignores-replacing-fields", stack: () => dedicated, resource: "alpen-energie-server", change: (r) => (r.options.ignoreChanges = r.options.ignoreChanges.filter((f) => f !== "userData")), message: "does not ignore userData" },
  { policy: "tenancy-host-has-backup-target", stack: () => shared, resource: "shared-hel1-a-backup", change: (r) => (r.options.parent = ""), message: 'Host "shared-hel1-a" has no backup sub-account' },
  { policy: "hcloud-firewall-no-world-admin-ports", stack: () => shared, resource: "shared-fsn1-a-firewall", change: (r) => (rules(r).find((rule) => rule.port === "22")!.sourceIps = ["0.0.0.0/0"]), message: "opens port 22 to 0.0.0.0/0" },
  { policy: "hcloud-firewall-web-from-cloudflare-only", stack: () => dedicated, resource: "harbor-health-firewall", change: (r) => rules(r).find((rule) => rule.port === "443")!.sourceIps.push("203.0.113.0/24"), message: "admits port 443 from 203.0.113.0/24, which is not Cloudflare" },
  { policy: "cloudflare-dns-proxied", stack: () => shared, resource: "baeckerei-klein-dns", change: (r) => (r.inputs.proxied = false), message: "baeckerei-klein.fieldcrew.app (CNAME) is not proxied" },
  { policy: "cloudflare-zone-tls-strict", stack: () => shared, resource: "zone-ssl", change: (r) => (r.inputs.value = "full"), message: 'Zone SSL mode is "full", not "strict"' },
  { policy: "secrets-stay-secret", stack: () => shared, resource: "baeckerei-klein-db-password", change: (r) => (r.inputs.length = 16), message: "has 16 characters; at least 24 are required" },
  { policy: "secrets-stay-secret", stack: () => dedicated, resource: "harbor-health-apply", change: (r) => (r.options.additionalSecretOutputs = ["connection"]), message: "harbor-health-apply does not keep stdin secret" },
  { policy: "hcloud-required-labels", stack: () => shared, resource: "shared-fsn1-a-ipv4", change: (r) => delete labels(r)["managed-by"], message: "lacks the label(s) managed-by" },
]; // prettier-ignore

describe("each policy", () => {
  test("covers the whole pack", () => {
    expect(new Set(CASES.map((c) => c.policy))).toEqual(new Set(POLICIES.map((p) => p.name)));
  });

  test.each(CASES.map((c) => [c.policy, c.resource, c] as const))(
    "%s: silent on the example fleet, fires when %s changes one field",
    async (_name, _resource, { policy: name, stack, resource, change, message }) => {
      expect(await runPolicies(stack(), [policy(name)])).toEqual([]);
      const found = await runPolicies(mutated(stack(), resource, change), [policy(name)]);
      expect(found.map((v) => v.message)).toEqual([expect.stringContaining(message)]);
      expect(found[0]?.policy).toBe(name);
    },
  );
});

describe("the pack as a whole", () => {
  test("the example fleet, through the real program, passes every policy", async () => {
    expect([...(await runPolicies(shared, POLICIES)), ...(await runPolicies(dedicated, POLICIES))]).toEqual(
      [],
    );
  });

  test("the policy config is the authority: raising a limit there clears the violation, a plan it lacks is refused", async () => {
    const bigger = mutated(dedicated, "nordwerk-logistik-data", (r) => (r.inputs.size = 60));
    const plans = JSON.parse(
      readFileSync(path.join(REPO_ROOT, "policies/policy-config.json"), "utf8"),
    ) as PolicyPackConfig;
    const raised = structuredClone(plans["hcloud-volume-within-plan"]!) as {
      plans: Record<string, { storageGb: number }>;
    };
    raised.plans.professional!.storageGb = 60;
    expect(
      await runPolicies(bigger, [policy("hcloud-volume-within-plan")], {
        "hcloud-volume-within-plan": raised,
      }),
    ).toEqual([]);
    const without = structuredClone(raised);
    delete without.plans.professional;
    const refused = await runPolicies(dedicated, [policy("hcloud-volume-within-plan")], {
      "hcloud-volume-within-plan": without,
    });
    expect(refused[0]?.message).toContain(
      'asks for plan "professional", which the policy config does not have',
    );
  });

  test("a policy can be downgraded or disabled by the config, as with --policy-pack-config", async () => {
    const broken = mutated(shared, "zone-ssl", (r) => (r.inputs.value = "flexible"));
    const [advisory] = await runPolicies(broken, [policy("cloudflare-zone-tls-strict")], {
      "cloudflare-zone-tls-strict": { enforcementLevel: "advisory" },
    });
    expect(advisory?.level).toBe("advisory");
    expect(
      await runPolicies(broken, [policy("cloudflare-zone-tls-strict")], {
        "cloudflare-zone-tls-strict": { enforcementLevel: "disabled" },
      }),
    ).toEqual([]);
  });

  test("a policy reading a value unknown at preview time is downgraded to advisory, as the CLI does", async () => {
    const unknown = mutated(dedicated, "nordwerk-logistik-server", (r) => (r.inputs.serverType = UNKNOWN));
    const [finding] = await runPolicies(unknown, [policy("hcloud-server-type-within-plan")]);
    expect(finding?.level).toBe("advisory");
    expect(finding?.message).toMatch(/can't run during preview/);
  });
});

describe("metadata", () => {
  test.each(POLICIES.map((p) => [p.name, p] as const))(
    "%s: named, described, levelled and fixable",
    (name, p) => {
      expect(name).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)+$/);
      expect(name).not.toBe("all");
      expect(p.description).toMatch(/^[A-Z].{40,}\.$/s);
      expect(p.remediationSteps).toMatch(/^[A-Z].{10,}\.$/s);
      expect(["mandatory", "advisory"]).toContain(p.enforcementLevel);
      // One policy per file, named after it.
      expect(readFileSync(path.join(REPO_ROOT, "policies", `${name}.ts`), "utf8")).toContain(
        `name: "${name}"`,
      );
    },
  );

  test("names are unique, and plan limits, data safety and security are mandatory, hygiene advisory", () => {
    expect(new Set(POLICIES.map((p) => p.name)).size).toBe(POLICIES.length);
    const advisory = POLICIES.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name);
    expect(advisory).toEqual(["hcloud-required-labels"]);
  });

  test("the bundled defaults and the committed policy config are what `tenancy policy-config` writes", () => {
    const json = (file: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, file), "utf8")) as unknown;
    expect(json("policies/catalogue.json")).toEqual(JSON.parse(JSON.stringify(bundledCatalogue())));
    expect(json("policies/policy-config.json")).toEqual(
      JSON.parse(JSON.stringify(policyConfig(BUILT_IN_PLANS))),
    );
  });

  test("docs/policies.md documents every policy with its level", () => {
    const doc = readFileSync(path.join(REPO_ROOT, "docs/policies.md"), "utf8");
    for (const p of POLICIES) expect(doc).toMatch(new RegExp(`\`${p.name}\`[^\\n]*${p.enforcementLevel}`));
  });
});
