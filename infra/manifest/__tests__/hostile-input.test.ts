/**
 * Input meant to hang or exhaust the process: each is refused at once, with a message, through
 * loadManifest (the CLI's own tests run the same files through the command).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadManifest, ManifestError, MAX_MANIFEST_BYTES, type ManifestIssue } from "..";
import { hostilePaths } from "./hostile-paths";

const dir = mkdtempSync(path.join(tmpdir(), "tenancy-hostile-"));

function issuesOf(file: string): ManifestIssue[] {
  try {
    loadManifest(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as ManifestError).issues;
  }
  throw new Error(`loadManifest accepted ${file}`);
}

describe("a manifest path that is not a manifest-sized regular file", () => {
  const paths = hostilePaths(dir);
  const reasons: Record<string, string> = {
    "/dev/zero": "cannot read manifest: it is a device, not a regular file",
    "a named pipe": "cannot read manifest: it is a named pipe, not a regular file",
    "a directory": "cannot read manifest: it is a directory, not a regular file",
    "a huge file": "cannot read manifest: it is 512 MiB, over the limit of 4 MiB (about 40,000 tenants",
  };

  test.each(Object.keys(paths))("%s is refused before it is read", (name) => {
    const file = paths[name]!;
    expect(issuesOf(file)).toEqual([
      { file, line: 1, col: 1, path: "(file)", message: expect.stringContaining(reasons[name]!) },
    ]);
  });

  test("a file one byte over the limit is refused, and one at the limit is read", () => {
    const file = path.join(dir, "limit.yaml");
    writeFileSync(file, `version: 1\n#${"x".repeat(MAX_MANIFEST_BYTES - 13)}\n`);
    expect(issuesOf(file)[0]?.message).not.toContain("cannot read");
    writeFileSync(file, `version: 1\n#${"x".repeat(MAX_MANIFEST_BYTES - 12)}\n`);
    expect(issuesOf(file)[0]?.message).toContain("over the limit of 4 MiB");
  });
});

describe("YAML aliases", () => {
  test("may repeat a value for every tenant of a large fleet", () => {
    const tenants = Array.from(
      { length: 2000 },
      (_, i) => `  - { id: t${i}, name: T${i}, plan: professional, location: *eu, serverType: *type }`,
    );
    const file = path.join(dir, "aliases.yaml");
    writeFileSync(
      file,
      [
        "version: 1",
        "fleet: { zone: example.com, cloudflarePlan: enterprise, cloudflareDnsRecordQuota: 10000, location: &eu fsn1, app: { image: ghcr.io/a/app:1.0.0 } }",
        "plans: { professional: { serverTypes: [&type cx33] } }",
        "tenants:",
        ...tenants,
        "",
      ].join("\n"),
    );
    expect(loadManifest(file).manifest.tenants).toHaveLength(2000);
  });
});
