/**
 * Linters over the host files:
 * - shellcheck on every shell script under infra/host (files/ and testing/): found by a shell shebang, a
 *   `.sh` name, or a first-line `# shellcheck shell=` directive (a sourced library has no shebang). The
 *   Python apply tool is not a shell script.
 * - yamllint (with the committed /.yamllint, warnings count) on the user-data of every example host.
 * - `python3 -m py_compile` on the apply tool, with Debian's python3 (the one its shebang names).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expand } from "../../expand";
import { loadExample, REPO_ROOT } from "../../testing/fixtures";
import { renderUserData } from "../cloud-init";
import { hostSpecs } from "../spec";

jest.setTimeout(60_000);

const HOST_DIR = path.join(REPO_ROOT, "infra", "host");
const YAMLLINT_CONFIG = path.join(REPO_ROOT, ".yamllint");
const APPLY_TOOL = path.join(HOST_DIR, "files", "tenancy-apply");
/** The host tools written in Python. */
const PYTHON_TOOLS = ["tenancy-apply", "tenancy-notify", "tenancy-backup-status"].map((name) =>
  path.join(HOST_DIR, "files", name),
);
const SYSTEM_PYTHON = "/usr/bin/python3";

interface Run {
  code: number;
  output: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const result = spawnSync(command, args, { encoding: "utf8", env, cwd: REPO_ROOT });
  return {
    code: result.status ?? -1,
    output: (result.stdout ?? "") + (result.stderr ?? "") + (result.error ? String(result.error) : ""),
  };
}

const SHELL_SHEBANG = /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\/usr)?(?:\/bin\/)?(?:sh|bash|dash|ksh)(?:\s|$)/;

function isShellScript(file: string): boolean {
  if (file.endsWith(".sh")) return true;
  const firstLine = readFileSync(file, "utf8").split("\n", 1)[0] ?? "";
  return SHELL_SHEBANG.test(firstLine) || /^#\s*shellcheck\s+shell=/.test(firstLine);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

const shellScripts = ["files", "testing"]
  .flatMap((dir) => filesUnder(path.join(HOST_DIR, dir)))
  .filter(isShellScript)
  .sort();
const relative = (file: string) => path.relative(REPO_ROOT, file);

describe("shellcheck", () => {
  it("finds the shell scripts, and not the Python tools", () => {
    const found = shellScripts.map(relative);
    expect(found).toEqual(
      expect.arrayContaining([
        "infra/host/files/tenancy-backup",
        "infra/host/files/tenancy-restore",
        "infra/host/files/tenancy-purge",
        "infra/host/files/tenancy-migrate",
        "infra/host/testing/host-tools.sh",
      ]),
    );
    for (const tool of PYTHON_TOOLS) expect(found).not.toContain(relative(tool));
  });

  // A script may point at a sourced file beside it with `# shellcheck source=NAME`.
  it.each(shellScripts.map(relative))("%s is clean", (file) => {
    const result = run("shellcheck", ["--external-sources", "--source-path=SCRIPTDIR", "--format=gcc", file]);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});

describe("yamllint on the rendered user-data", () => {
  const hosts = hostSpecs(expand(loadExample()));
  let dir = "";
  let files: string[] = [];
  const yamllint = (targets: string[]) =>
    run("yamllint", ["--strict", "--format", "parsable", "--config-file", YAMLLINT_CONFIG, ...targets]);

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tenancy-yamllint-"));
    files = hosts.map((host, index) => {
      const file = path.join(dir, `${host.name}.user-data.yaml`);
      writeFileSync(
        file,
        renderUserData(host, {
          sshAuthorizedKeys: [`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnly${index} ops@example`],
          volumeDevice: `/dev/disk/by-id/scsi-0HC_Volume_${100_000 + index}`,
        }),
      );
      return file;
    });
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is clean for every example host (shared hosts and dedicated tenants)", () => {
    expect(files.length).toBe(hosts.length);
    expect(
      hosts.some((host) => host.tier === "shared") && hosts.some((host) => host.tier === "dedicated"),
    ).toBe(true);
    const result = yamllint(files);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("still finds real problems with the committed config (a duplicated key, bad indentation)", () => {
    const [first] = files;
    if (!first) throw new Error("nothing rendered");
    const broken = path.join(dir, "broken.yaml");
    writeFileSync(broken, `${readFileSync(first, "utf8")}ssh_pwauth: true\nruncmd:\n   - [ "x" ]\n`);
    const result = yamllint([broken]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/key-duplicates/);
    expect(result.output).toMatch(/indentation|brackets/);
  });
});

describe("the Python tools", () => {
  it.each(PYTHON_TOOLS.map(relative))(
    "%s compiles with Debian's python3 (`python3 -m py_compile`)",
    (tool) => {
      expect(readFileSync(path.join(REPO_ROOT, tool), "utf8").split("\n", 1)[0]).toBe(`#!${SYSTEM_PYTHON}`);
      // The byte code goes to a temporary prefix, never beside the tool in the repository.
      const cache = mkdtempSync(path.join(os.tmpdir(), "tenancy-pycache-"));
      try {
        const result = run(SYSTEM_PYTHON, ["-m", "py_compile", path.join(REPO_ROOT, tool)], {
          ...process.env,
          PYTHONPYCACHEPREFIX: cache,
        });
        expect(result.output).toBe("");
        expect(result.code).toBe(0);
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    },
  );

  it("py_compile does fail on a syntax error (the check is not vacuous)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tenancy-pycompile-"));
    try {
      const broken = path.join(dir, "broken-tool");
      writeFileSync(broken, `${readFileSync(APPLY_TOOL, "utf8")}\ndef broken(:\n`);
      const result = run(SYSTEM_PYTHON, ["-m", "py_compile", broken], {
        ...process.env,
        PYTHONPYCACHEPREFIX: dir,
      });
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/SyntaxError/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
