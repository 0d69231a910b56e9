/**
 * `--base REF`: the base is the ref's manifest run with the ref's own code, in a temporary worktree.
 * Each test works in a copy of this project committed as a repository of its own.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { copyProject, type ProjectCopy } from "../../testing/project-copy";
import { EXIT } from "../errors";

jest.setTimeout(240_000);

let project: ProjectCopy;
beforeAll(() => {
  project = copyProject();
});
afterAll(() => project.remove());
afterEach(() => {
  project.git("checkout", "-q", "--", ".");
  project.git("clean", "-qfd", "--exclude=node_modules");
});

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

test("a manifest edit: the resources it creates and deletes, and the host it re-applies", () => {
  edit("tenants.yaml", (text) =>
    text
      .replace(
        "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a }",
        "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a, status: decommissioned }",
      )
      .concat("  - { id: neukunde, name: Neukunde KG, plan: hobby, host: shared-hel1-a }\n"),
  );
  const { code, stdout, stderr } = tenancy("plan", "--stack", "shared", "--base", "HEAD");
  expect({ code, stderr: stderr.replace(/^tenancy: running .*\n/m, "") }).toEqual({
    code: EXIT.ok,
    stderr: "",
  });
  expect(stdout).toMatch(
    // A new tenant creates its DNS record alone: its password is derived from the stack's key.
    /against HEAD \(its own code\): 1 to create, \d+ to update, \d+ to replace, 1 to delete/,
  );
  expect(stdout).toContain("+ cloudflare:index/dnsRecord:DnsRecord neukunde-dns");
  // Decommissioned: its DNS record goes (the 1 to delete), its data stays; its password is no resource.
  expect(stdout).toContain("- cloudflare:index/dnsRecord:DnsRecord gruenwerk-dns");
  expect(stdout).toMatch(/ command:remote:Command shared-hel1-a-apply \([^)]*triggers/);
});

test("a change to a host script only: every host's bundle is re-applied, in both stacks", () => {
  edit("infra/host/files/tenancy-backup", (text) =>
    text.replace(/\n/, "\n# a reviewed change to the backup script\n"),
  );
  const { code, stdout } = tenancy("plan", "--base", "HEAD");
  expect(code).toBe(EXIT.ok);
  const hosts = [
    "shared-fsn1-a",
    "shared-hel1-a",
    "nordwerk-logistik",
    "alpen-energie",
    "harbor-health",
    "brightline-retail",
  ];
  for (const host of hosts)
    expect(stdout).toMatch(new RegExp(` command:remote:Command ${host}-apply \\([^)]*triggers`));
  // Nothing else changes: the script reaches the hosts through their bundles alone.
  expect(stdout.match(/^ {4}[+~-]/gm)?.length).toBe(hosts.length);
  const affected = tenancy("affected", "--base", "HEAD");
  expect(affected.stdout).toBe("shared\ndedicated\n");
});

test("a volume the manifest now computes smaller keeps its deployed size: nothing changes", () => {
  edit("tenants.yaml", (text) =>
    text.replace(
      "    location: hel1\n    serverType: cx43",
      "    location: hel1\n    serverType: cx43\n    volumeGb: 80",
    ),
  );
  project.commit("pin the Helsinki volume at 80 GB");
  edit("tenants.yaml", (text) => text.replace("    volumeGb: 80", "    volumeGb: 60"));
  const { code, stdout } = tenancy("plan", "--stack", "shared", "--base", "HEAD");
  expect(code).toBe(EXIT.ok);
  expect(stdout).not.toContain("hcloud:index/volume:Volume shared-hel1-a-data (size)");
  project.git("reset", "-q", "--hard", "HEAD~1");
});

test("a code change that would replace a protected resource is blocked, with a distinct exit code", () => {
  // Swap the address families of the primary IPs: each would be replaced, and they are protected.
  edit("components/host-server.ts", (text) =>
    text.replace('primaryIp(names.ipv4, "ipv4")', 'primaryIp(names.ipv4, "ipv6")'),
  );
  const { code, stdout } = tenancy("plan", "--stack", "shared", "--base", "HEAD");
  expect(code).toBe(EXIT.blockedChange);
  expect(stdout).toMatch(
    /\+- hcloud:index\/primaryIp:PrimaryIp shared-fsn1-a-ipv4 \(replaced: type\) — .*BLOCKED: protected/,
  );
  expect(stdout).toContain("caused by: no edit of the manifest: a change of code or of the stack's settings");
  expect(stdout).toMatch(/\d+ blocked changes?: this change cannot be deployed/);
});

test("a ref that looks like an option is refused and never reaches git", () => {
  const { code, stderr } = tenancy("plan", "--base=--output=pwned.txt");
  expect(code).toBe(EXIT.invalidInput);
  expect(stderr).toContain('--base "--output=pwned.txt" is not a git ref');
  expect(existsSync(path.join(project.root, "pwned.txt"))).toBe(false);
  expect(tenancy("diff", "--base", "no-such-ref").stderr).toContain('--base: no commit "no-such-ref"');
});

test("a change of fleet.zone is refused, never read as no change", () => {
  edit("tenants.yaml", (text) => text.replace("zone: fieldcrew.app", "zone: fieldcrew.io"));
  const { code, stdout, stderr } = tenancy("diff", "--base", "HEAD");
  expect(code).toBe(EXIT.invalidInput);
  expect(stdout).not.toContain("No tenant changes.");
  expect(stderr).toMatch(
    /tenants\.yaml:\d+:\d+: fleet\.zone: fleet\.zone changed from fieldcrew\.app to fieldcrew\.io/,
  );
});

test("diff names added, decommissioned, moving and suspended tenants, flags data migrations, and prices the change", () => {
  edit("tenants.yaml", (text) =>
    text
      .replace(
        "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a }",
        "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a, status: decommissioned }",
      )
      .replace(
        "{ id: elektro-vogt, name: Elektro Vogt GmbH, plan: starter, host: shared-fsn1-a }",
        "{ id: elektro-vogt, name: Elektro Vogt GmbH, plan: starter, host: shared-fsn1-a, move: { plan: professional } }",
      )
      .replace(
        "{ id: solar-sued, name: Solar Süd Montage, plan: starter, host: shared-fsn1-a }",
        "{ id: solar-sued, name: Solar Süd Montage, plan: starter, host: shared-fsn1-a, status: suspended }",
      )
      .concat("  - { id: neukunde, name: Neukunde KG, plan: hobby, host: shared-hel1-a }\n"),
  );
  const { code, stdout } = tenancy("diff", "--base", "HEAD");
  expect(code).toBe(EXIT.ok);
  expect(stdout).toContain("- `neukunde`: hobby (shared) on shared host shared-hel1-a");
  expect(stdout).toContain("- `gruenwerk`: active → decommissioned");
  expect(stdout).toMatch(
    /- `elektro-vogt`: declared: its own server gets an empty copy; .* — DATA MIGRATION/,
  );
  expect(stdout).toContain("- `solar-sued`: active → suspended");
  // −15 (gruenwerk decommissioned) −49 (solar-sued suspended) +15 (neukunde)
  expect(stdout).toMatch(/revenue −€49\.00/);
});

test("affected lists only the stacks whose resources change, shared first", () => {
  edit("tenants.yaml", (text) => text.replace("    serverType: cx33\n", "    serverType: cpx32\n"));
  expect(tenancy("affected", "--base", "HEAD", "--json").stdout.trim()).toBe('[\n  "dedicated"\n]');
  project.git("checkout", "-q", "--", "tenants.yaml");
  edit("tenants.yaml", (text) =>
    text.concat("  - { id: neukunde, name: Neukunde KG, plan: hobby, host: shared-hel1-a }\n"),
  );
  expect(tenancy("affected", "--base", "HEAD").stdout).toBe("shared\n");
  project.git("checkout", "-q", "--", "tenants.yaml");
  // A dedicated tenant's new plan changes the zone's rate limits too, which the shared stack owns.
  edit("tenants.yaml", (text) =>
    text.replace("    plan: professional\n    serverType: cx33", "    plan: business\n    serverType: ccx13"),
  );
  expect(tenancy("affected", "--base", "HEAD").stdout).toBe("shared\ndedicated\n");
});

test("a containerized tenant's new release touches the kubernetes stack only, as an in-place update", () => {
  edit("tenants.yaml", (text) =>
    text.replace(
      "    appImage: ghcr.io/fieldcrew/app:2026.11.3\n",
      "    appImage: ghcr.io/fieldcrew/app:2026.12.1\n",
    ),
  );
  expect(tenancy("affected", "--base", "HEAD").stdout).toBe("kubernetes\n");
  const { code, stdout } = tenancy("plan", "--stack", "kubernetes", "--base", "HEAD");
  expect(code).toBe(EXIT.ok);
  expect(stdout).toMatch(/~ kubernetes:apps\/v1:Deployment klinikum-nord-app \(spec\)/);
  // A new plan resizes the namespace in place; its database is never replaced.
  project.git("checkout", "-q", "--", "tenants.yaml");
  edit("tenants.yaml", (text) => text.replace("    plan: business-k8s\n", "    plan: enterprise-k8s\n"));
  const upgrade = tenancy("plan", "--stack", "kubernetes", "--base", "HEAD");
  expect(upgrade.code).toBe(EXIT.ok);
  expect(upgrade.stdout).toMatch(/~ kubernetes:core\/v1:ResourceQuota stadtwerke-ost-quota/);
  expect(upgrade.stdout).toMatch(/~ kubernetes:postgresql.cnpg.io\/v1:Cluster stadtwerke-ost-db/);
  expect(upgrade.stdout).not.toMatch(/\+- kubernetes/);
});

test("moving a dedicated tenant's location is refused at review, with what to do instead", () => {
  edit("tenants.yaml", (text) =>
    text.replace("    location: nbg1\n    serverType: ccx13", "    location: fsn1\n    serverType: ccx13"),
  );
  const { code, stderr } = tenancy("plan", "--stack", "dedicated", "--base", "HEAD");
  expect(code).toBe(EXIT.invalidInput);
  expect(stderr).toContain(
    "tenant alpen-energie moves from nbg1 to fsn1: Hetzner cannot move a server or a volume",
  );
});

test("a server type change is an update that says it powers the server off", () => {
  edit("tenants.yaml", (text) => text.replace("    serverType: cx33\n", "    serverType: cpx32\n"));
  const { code, stdout } = tenancy("plan", "--stack", "dedicated", "--base", "HEAD");
  expect(code).toBe(EXIT.ok);
  expect(stdout).toMatch(
    /~ hcloud:index\/server:Server nordwerk-logistik-server \(serverType\) — serverType: .*power/i,
  );
});

describe("the tenant lifecycle at review", () => {
  const GRUENWERK = "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a }";

  test("an edit that would lose data is refused by validate, plan and diff, at its line, with what to do", () => {
    edit("tenants.yaml", (text) =>
      text.replace(GRUENWERK, GRUENWERK.replace("shared-fsn1-a", "shared-hel1-a")),
    );
    const line =
      readFileSync(project.manifest, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("id: gruenwerk")) + 1;
    expect(tenancy("validate").code).toBe(EXIT.ok); // on its own, the file is valid
    for (const command of [["validate"], ["plan", "--stack", "shared"], ["diff"]]) {
      const { code, stderr } = tenancy(...command, "--base", "HEAD");
      expect({ command, code }).toEqual({ command, code: EXIT.invalidInput });
      expect(stderr).toContain(`tenants.yaml:${line}:`);
      expect(stderr).toContain(
        "tenant gruenwerk moves from shared host shared-fsn1-a to shared host shared-hel1-a: that is a data migration",
      );
      expect(stderr).toContain("declare the move (move: { host: shared-hel1-a })");
    }
  });

  test("a declared move passes, and plan shows the target provisioned empty", () => {
    edit("tenants.yaml", (text) =>
      text.replace(GRUENWERK, GRUENWERK.replace(" }", ", move: { host: shared-hel1-a } }")),
    );
    expect(tenancy("validate", "--base", "HEAD").code).toBe(EXIT.ok);
    const { code, stdout } = tenancy("plan", "--stack", "shared", "--base", "HEAD");
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/gruenwerk +hobby +incoming +1u +moving here: provisioned empty/);
    expect(stdout).toMatch(/ command:remote:Command shared-hel1-a-apply \([^)]*triggers/);
    // No DNS change: the tenant is served where it is until the cut-over.
    expect(stdout).not.toMatch(/gruenwerk-dns/);
    const diff = tenancy("diff", "--base", "HEAD").stdout;
    expect(diff).toContain("**Moves declared (provisioned, empty, until migrated)** (1)");
  });
});
