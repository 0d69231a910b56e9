/**
 * `tenancy plan` holds the preview to what the clouds accept: the providers' own rules, checked offline,
 * on the stack's real settings; and a fleet the zone's Cloudflare plan cannot hold is refused up front.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { EXAMPLE_MANIFEST } from "../../testing/fixtures";
import { copyProject, type ProjectCopy } from "../../testing/project-copy";
import { EXIT } from "../errors";

jest.setTimeout(120_000);

let project: ProjectCopy;
beforeAll(() => {
  project = copyProject();
});
afterAll(() => project.remove());
afterEach(() => project.git("checkout", "-q", "--", "."));

function tenancy(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(project.root, "infra/cli/bin.js"), ...args], {
    cwd: project.root,
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const edit = (file: string, change: (text: string) => string) => {
  const target = path.join(project.root, file);
  writeFileSync(target, change(readFileSync(target, "utf8")));
};

test("the example fleet: nothing a provider would refuse, no policy violation, exit 0", () => {
  const { code, stdout } = tenancy("plan");
  expect(code).toBe(EXIT.ok);
  expect(stdout).toContain(
    "Settings: Pulumi.shared.yaml, Pulumi.dedicated.yaml, Pulumi.kubernetes.yaml; stand-ins for what a clean checkout lacks:",
  );
  expect(stdout).toContain("stack shared: 0 values the provider would refuse");
  expect(stdout).toContain("stack dedicated: 0 values the provider would refuse");
  expect(stdout).toContain("stack kubernetes: 0 values the provider would refuse");
  expect(stdout).toContain("stack kubernetes: 2 tenants on cluster k8s-fsn1 (cx43 nodes in fsn1) (2 active)");
  expect(stdout.trim().split("\n").at(-1)).toBe("0 mandatory violations");
});

test("a stack setting Hetzner refuses fails the plan with the resource, the field, the value and what is allowed", () => {
  // An office address written with its prefix: Hetzner accepts only network addresses in a firewall.
  edit("Pulumi.shared.yaml", (text) => text.replace("- 203.0.113.0/24", "- 203.0.113.7/24"));
  const { code, stdout } = tenancy("plan", "--stack", "shared");
  expect(code).toBe(EXIT.providerRefusal);
  expect(stdout).toMatch(
    /hcloud:index\/firewall:Firewall shared-fsn1-a-firewall: rules\[2\]\.sourceIps\[0\] is "203\.0\.113\.7\/24"; allowed: .+/,
  );
  expect(stdout).toMatch(
    /\(https:\/\/github\.com\/hetznercloud\/terraform-provider-hcloud\/blob\/v[\d.]+\/\S+\)/,
  );
  expect(stdout).toContain("Hetzner or Cloudflare would refuse: the deploy would fail");
});

test("a fleet the zone's Cloudflare plan cannot hold is refused by validate, with the plan that would", () => {
  const manifest = readFileSync(EXAMPLE_MANIFEST, "utf8").replace(
    "cloudflarePlan: business",
    "cloudflarePlan: free",
  );
  const many = Array.from({ length: 190 }, (_, i) => ({
    id: `kunde-${i}`,
    name: `Kunde ${i}`,
    plan: "hobby",
    host: "shared-fsn1-a",
  }));
  writeFileSync(
    project.manifest,
    `${manifest.replace(/\n$/, "")}\n${stringify(many).replace(/^/gm, "  ").trimEnd()}\n`,
  );
  edit("tenants.yaml", (text) =>
    text.replace("serverType: cx53", "serverType: cx53\n    capacityUnits: 380"),
  );
  const { code, stderr } = tenancy("validate");
  expect(code).toBe(EXIT.invalidInput);
  expect(stderr).toMatch(
    /tenants\.yaml:\d+:\d+: fleet\.cloudflarePlan: the zone's free plan holds at most 200 DNS records, and this fleet needs 237 .*move the zone to the pro plan \(3,500\)/,
  );
});

test("Advanced Rate Limiting on a zone that is not Enterprise is refused", () => {
  edit("tenants.yaml", (text) =>
    text.replace(
      "cloudflarePlan: business",
      "cloudflarePlan: business\n  cloudflareAdvancedRateLimiting: true",
    ),
  );
  const { code, stderr } = tenancy("validate");
  expect(code).toBe(EXIT.invalidInput);
  expect(stderr).toContain(
    "fleet.cloudflareAdvancedRateLimiting: Advanced Rate Limiting is an add-on of Enterprise zones; the zone is on the business plan",
  );
});
