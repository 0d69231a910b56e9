import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../testing/fixtures";
import { readStackSettings, StackConfigError, STAND_INS } from "../stack-config";

/** A project directory with the repository's Pulumi.yaml and a stack file of the test's own. */
function project(stackFile: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-stack-"));
  writeFileSync(path.join(dir, "Pulumi.yaml"), readFileSync(path.join(REPO_ROOT, "Pulumi.yaml")));
  writeFileSync(path.join(dir, "Pulumi.shared.yaml"), stackFile);
  return dir;
}

const base = `config:
  tenancy:tier: shared
  tenancy:adminCidrs: [192.0.2.0/24]
  tenancy:sshKeys: [ops, oncall]
`;

describe("a stack's settings, as the Pulumi CLI gives them to the program", () => {
  test("the committed stack files: their own values, Pulumi.yaml defaults, and stand-ins listed", () => {
    const settings = readStackSettings(REPO_ROOT, "shared");
    expect(settings.config).toMatchObject({
      "tenancy:tier": "shared",
      "tenancy:manifest": "tenants.yaml",
      "tenancy:adminCidrs": JSON.stringify(["203.0.113.0/24"]),
      "tenancy:sshKeys": JSON.stringify(["ops"]),
    });
    expect(settings.standIns.sort()).toEqual(
      [
        "tenancy:backupBucketKeys",
        "tenancy:backupPassword",
        "tenancy:cloudflareAccountId",
        "tenancy:cloudflareZoneId",
        "tenancy:storageBoxHostKeys",
      ].sort(),
    );
    expect(settings.secretKeys.sort()).toEqual(["tenancy:backupBucketKeys", "tenancy:backupPassword"]);
  });

  test("the kubernetes stack: a stand-in kubeconfig, and the hosts' settings at their defaults", () => {
    const settings = readStackSettings(REPO_ROOT, "kubernetes");
    expect(settings.config).toMatchObject({
      "tenancy:tier": "kubernetes",
      "tenancy:adminCidrs": "[]",
      "tenancy:sshKeys": "[]",
      "tenancy:backupPassword": "",
      "tenancy:storageBoxHostKeys": "[]",
      "tenancy:kubeconfig": STAND_INS["tenancy:kubeconfig"]!.value,
    });
    expect(settings.standIns.sort()).toEqual(
      [
        "tenancy:backupBucketKeys",
        "tenancy:cloudflareAccountId",
        "tenancy:cloudflareZoneId",
        "tenancy:kubeconfig",
      ].sort(),
    );
    expect(settings.secretKeys.sort()).toEqual(["tenancy:backupBucketKeys", "tenancy:kubeconfig"]);
  });

  test("arrays as JSON, a default from Pulumi.yaml, the stack's values over stand-ins", () => {
    const dir = project(`${base}  tenancy:cloudflareZoneId: 0123456789abcdef0123456789abcdef\n`);
    const settings = readStackSettings(dir, "shared");
    expect(settings.config["tenancy:sshKeys"]).toBe('["ops","oncall"]');
    expect(settings.config["tenancy:manifest"]).toBe("tenants.yaml");
    expect(settings.config["tenancy:cloudflareZoneId"]).toBe("0123456789abcdef0123456789abcdef");
    expect(settings.standIns).not.toContain("tenancy:cloudflareZoneId");
  });

  test("a secret committed as ciphertext is a secret stand-in offline: only the stack can decrypt it", () => {
    const dir = project(`${base}  tenancy:backupPassword:\n    secure: AAABAJ1vT2Y=\n`);
    const settings = readStackSettings(dir, "shared");
    expect(settings.config["tenancy:backupPassword"]).toBe(STAND_INS["tenancy:backupPassword"]!.value);
    expect(settings.secretKeys).toContain("tenancy:backupPassword");
    expect(settings.standIns).toContain("tenancy:backupPassword");
  });

  test.each([
    [
      `${base}  tenancy:backupBucketKeys: US=AKIA:hunter2\n`,
      "tenancy:backupBucketKeys must be encrypted as it's secret",
    ],
    [base.replace("[192.0.2.0/24]", "192.0.2.0/24"), "tenancy:adminCidrs must be of type 'List<string>'"],
    [base.replace("  tenancy:tier: shared\n", ""), "Stack 'shared' is missing configuration value 'tier'"],
  ])("refuses what the CLI refuses: %#", (file, message) => {
    expect(() => readStackSettings(project(file), "shared")).toThrow(StackConfigError);
    expect(() => readStackSettings(project(file), "shared")).toThrow(message);
  });

  test("a stack without a settings file", () => {
    expect(() => readStackSettings(REPO_ROOT, "staging")).toThrow(/Pulumi\.staging\.yaml does not exist/);
  });
});
