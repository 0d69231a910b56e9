import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EXIT, reportFailure } from "../errors";
import { main } from "../main";
import { EXAMPLE_MANIFEST, REPO_ROOT } from "../../testing/fixtures";
import { hostilePaths } from "../../manifest/__tests__/hostile-paths";

const BIN = path.join(REPO_ROOT, "infra", "cli", "bin.js");
const STACK_TRACE = /^\s+at /m;

/**
 * Runs the real `tenancy` command in a child process, as a user would. A run that hangs is killed after a
 * minute and has no exit code, so it fails the test instead of stalling the suite.
 */
function tenancy(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "tenancy-cli-"));
}

describe("tenancy (the command)", () => {
  test("validate accepts the example fleet", () => {
    const { code, stdout } = tenancy("validate", "-f", EXAMPLE_MANIFEST);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(
      /valid: 36 tenants \(30 shared on 2 hosts, 4 dedicated, 2 containerized on k8s-fsn1\)/,
    );
  });

  test("validate rejects a bad manifest with every problem, exit 1 and no stack trace", () => {
    const file = path.join(tempDir(), "tenants.yaml");
    const text = readFileSync(EXAMPLE_MANIFEST, "utf8")
      .replace("plan: business\n    status: suspended", "plan: busines\n    status: suspended")
      .replace("serverType: cx43", "serverType: cx42");
    writeFileSync(file, text);
    const { code, stderr } = tenancy("validate", "-f", file);
    expect(code).toBe(EXIT.invalidInput);
    expect(stderr).toMatch(
      new RegExp(
        `^${file}:\\d+:\\d+: sharedHosts\\[1\\]\\.serverType: unknown Hetzner server type "cx42"`,
        "m",
      ),
    );
    expect(stderr).toMatch(
      new RegExp(
        `^${file}:\\d+:\\d+: tenants\\[33\\]\\.plan: unknown plan "busines".*did you mean "business"\\?`,
        "m",
      ),
    );
    expect(stderr).toContain("2 problems found; nothing was changed.");
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  test("a missing file is invalid input, not a crash", () => {
    const { code, stderr } = tenancy("plan", "-f", "no-such-file.yaml");
    expect(code).toBe(EXIT.invalidInput);
    expect(stderr).toContain("no-such-file.yaml:1:1: (file): cannot read manifest: file not found");
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  test("plan --json is the labelled offline fleet model and resource list per stack, with cost", () => {
    const { code, stdout } = tenancy("plan", "--json", "-f", EXAMPLE_MANIFEST);
    expect(code).toBe(EXIT.ok);
    const plan = JSON.parse(stdout) as {
      offline: boolean;
      stacks: Record<
        "shared" | "dedicated" | "kubernetes",
        {
          model: { hosts?: { name: string }[]; tenants?: { id: string }[] };
          resources: {
            type: string;
            name: string;
            urn: string;
            inputs: object;
            options: { protect: boolean };
          }[];
        }
      >;
      cost: { fleet: { cost: number } };
    };
    expect(plan.offline).toBe(true);
    expect(plan.stacks.shared.model.hosts?.map((h) => h.name)).toEqual(["shared-fsn1-a", "shared-hel1-a"]);
    expect(plan.stacks.dedicated.model.tenants).toHaveLength(4);
    expect(plan.stacks.kubernetes.model.tenants?.map((t) => t.id)).toEqual([
      "klinikum-nord",
      "stadtwerke-ost",
    ]);
    expect(plan.stacks.shared.resources).toHaveLength(83);
    const volume = plan.stacks.shared.resources.find((r) => r.name === "shared-fsn1-a-data");
    expect(volume).toMatchObject({ type: "hcloud:index/volume:Volume", options: { protect: true } });
    expect(volume?.urn).toBe(
      "urn:pulumi:shared::tenancy::tenancy:hosting:SharedHost$hcloud:index/volume:Volume::shared-fsn1-a-data",
    );
    expect(plan.cost.fleet.cost).toBeGreaterThan(0);
  });

  test("plan prints tenants per host with capacity, labelled offline", () => {
    const { code, stdout } = tenancy("plan", "--stack", "shared", "-f", EXAMPLE_MANIFEST);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain("OFFLINE preview");
    expect(stdout).toMatch(/shared-fsn1-a {2}cx53 in fsn1 {2}capacity 32\/60 units/);
    expect(stdout).toMatch(/baeckerei-klein +hobby +active +1u .* 1 resource$/m);
    expect(stdout).not.toContain("stack dedicated");
  });

  test("plan refuses, with exit 2 and the policy's name, a manifest that asks more than the policy config allows", () => {
    const file = path.join(tempDir(), "tenants.yaml");
    writeFileSync(
      file,
      readFileSync(EXAMPLE_MANIFEST, "utf8")
        .replace(
          "# plans:\n#   starter:\n#     apiCallsPerHour: 6000",
          "plans:\n  starter:\n    customDomains: 2",
        )
        .replace(
          "domains: [termine.sanitaer-koch.example]",
          "domains: [termine.sanitaer-koch.example, buchung.sanitaer-koch.example]",
        ),
    );
    expect(tenancy("validate", "-f", file).code).toBe(EXIT.ok); // the manifest may ask…
    const { code, stdout } = tenancy("plan", "--policies-only", "-f", file);
    expect(code).toBe(EXIT.policyViolation); // …the policy owners decide
    expect(stdout).toContain(
      '[mandatory] tenant-custom-domains-within-plan (resource shared-fsn1-a): Tenant "sanitaer-koch" has 2 custom domains; plan "starter" allows 1.',
    );
    expect(stdout).toContain("1 mandatory violation: the deploy would be refused");
  });

  test("plan on the example fleet ends with 0 mandatory violations and exit 0", () => {
    const { code, stdout } = tenancy("plan", "-f", EXAMPLE_MANIFEST);
    expect(code).toBe(EXIT.ok);
    expect(stdout.trim().split("\n").at(-1)).toBe("0 mandatory violations");
  });

  test("place --write pins an unplaced tenant and leaves the rest of the file as it was", () => {
    const file = path.join(tempDir(), "tenants.yaml");
    copyFileSync(EXAMPLE_MANIFEST, file);
    const before = readFileSync(file, "utf8");
    const added = `${before}  - { id: neukunde, name: Neukunde KG, plan: starter }\n`;
    writeFileSync(file, added);
    expect(tenancy("validate", "-f", file).code).toBe(EXIT.invalidInput);

    const dryRun = tenancy("place", "-f", file);
    expect(dryRun.stdout).toMatch(/neukunde +→ +shared-fsn1-a/);
    expect(readFileSync(file, "utf8")).toBe(added);

    expect(tenancy("place", "--write", "-f", file).code).toBe(EXIT.ok);
    expect(readFileSync(file, "utf8")).toBe(
      `${before}  - { id: neukunde, name: Neukunde KG, plan: starter, host: shared-fsn1-a }\n`,
    );
    expect(tenancy("validate", "-f", file).code).toBe(EXIT.ok);
    expect(tenancy("place", "-f", file).stdout).toContain("nothing to do");
  });

  describe("place --write", () => {
    const unplaced =
      "  - id: neukunde\n    name: Neukunde KG\n    plan: starter\n" +
      "  - { id: nordkunde, name: Nordkunde AG, plan: hobby, location: nbg1 }\n";
    /** What place --write makes of the example with two unplaced tenants (one on a new host), with LF. */
    const placedWithLf = () => {
      const file = path.join(tempDir(), "tenants.yaml");
      writeFileSync(file, readFileSync(EXAMPLE_MANIFEST, "utf8") + unplaced);
      expect(tenancy("place", "--write", "-f", file).code).toBe(EXIT.ok);
      return readFileSync(file, "utf8");
    };
    const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.includes(".tenancy-"));

    test("through a link keeps the link, the file's mode and its CRLF line endings, and leaves no temporary file", () => {
      const expected = placedWithLf().replace(/\n/g, "\r\n");
      expect(expected).toContain("    plan: starter\r\n    host: shared-fsn1-a\r\n");
      expect(expected).toContain("{ name: shared-nbg1-a, location: nbg1, serverType: cx53 }\r\n");
      const dir = tempDir();
      const real = path.join(dir, "manifests", "tenants.yaml");
      mkdirSync(path.dirname(real));
      writeFileSync(real, (readFileSync(EXAMPLE_MANIFEST, "utf8") + unplaced).replace(/\n/g, "\r\n"));
      chmodSync(real, 0o640);
      const link = path.join(dir, "tenants.yaml");
      symlinkSync(path.join("manifests", "tenants.yaml"), link);

      expect(tenancy("place", "--write", "-f", link)).toMatchObject({ code: EXIT.ok, stderr: "" });
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(real, "utf8")).toBe(expected);
      expect(statSync(real).mode & 0o777).toBe(0o640);
      expect([...leftovers(dir), ...leftovers(path.dirname(real))]).toEqual([]);
      expect(tenancy("validate", "-f", link).code).toBe(EXIT.ok);
    });

    test("on a full disk is a clear error (exit 1): the manifest is unchanged and no temporary file is left", () => {
      const dir = tempDir();
      const file = path.join(dir, "tenants.yaml");
      const before = readFileSync(EXAMPLE_MANIFEST, "utf8") + unplaced;
      writeFileSync(file, before);
      // The disk fills while the new manifest is written (see full-disk.js).
      const fullDisk = path.join(__dirname, "full-disk.js");
      const result = spawnSync(process.execPath, ["-r", fullDisk, BIN, "place", "--write", "-f", file], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.status).toBe(EXIT.invalidInput);
      expect(result.stderr).toBe(
        `tenancy: cannot write ${file}: no space left on the device; it was not changed\n`,
      );
      expect(readFileSync(file, "utf8")).toBe(before);
      expect(readdirSync(dir)).toEqual(["tenants.yaml"]);
    });
  });

  test("cost --json adds up to the fleet total", () => {
    const { code, stdout } = tenancy("cost", "--json", "-f", EXAMPLE_MANIFEST);
    expect(code).toBe(EXIT.ok);
    const report = JSON.parse(stdout) as { tenants: { cost: number }[]; fleet: { cost: number } };
    const sum = report.tenants.reduce((total, t) => total + t.cost, 0);
    expect(sum).toBeCloseTo(report.fleet.cost, 0);
  });

  test("render writes one host's files with secrets as references only", () => {
    const out = tempDir();
    const { code, stdout } = tenancy("render", "alpen-energie", "--out", out, "-f", EXAMPLE_MANIFEST);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain("Rendered alpen-energie (dedicated, 1 tenant)");
    const env = readFileSync(path.join(out, "files/etc/tenancy/app/tenants/alpen-energie.env"), "utf8");
    expect(env).toContain(
      "DATABASE_URL=postgresql://t_alpen_energie:@@secret:alpen-energie-db-password@@@127.0.0.1",
    );
    expect(readFileSync(path.join(out, "tenants.sql"), "utf8")).toContain(
      "PASSWORD '@@secret:alpen-energie-db-password:scram-sha-256@@'",
    );
    expect(readFileSync(path.join(out, "user-data.yaml"), "utf8")).toMatch(/^#cloud-config\n/);
    const restic = (host: string) => {
      const dir = tempDir();
      expect(tenancy("render", host, "--out", dir, "-f", EXAMPLE_MANIFEST).code).toBe(EXIT.ok);
      return readFileSync(path.join(dir, "files/etc/tenancy/restic.env"), "utf8");
    };
    // nbg1: a Storage Box sub-account over SFTP; ash: the US bucket's access key.
    expect(restic("alpen-energie")).toContain(
      "TENANCY_SFTP_PASSWORD=@@secret:alpen-energie-backup-password@@",
    );
    expect(restic("harbor-health")).toMatch(/^AWS_ACCESS_KEY_ID=@@secret:.*tenancy:backupBucketKeys\)@@$/m);
    expect(restic("harbor-health")).not.toContain("TENANCY_SFTP_PASSWORD");
    const unknown = tenancy("render", "alpen-energy", "--out", out, "-f", EXAMPLE_MANIFEST);
    expect(unknown.code).toBe(EXIT.invalidInput);
    expect(unknown.stderr).toContain(
      'no host or dedicated tenant named "alpen-energy"; did you mean "alpen-energie"?',
    );
  });

  describe("hostile input", () => {
    const paths = hostilePaths(tempDir());

    test.each(Object.keys(paths))(
      "%s as the manifest or the price file is refused at once (exit 1)",
      (name) => {
        const file = paths[name]!;
        const manifest = tenancy("validate", "-f", file);
        expect(manifest).toEqual({
          code: EXIT.invalidInput,
          stdout: "",
          stderr: expect.stringMatching(new RegExp(`^${file}:1:1: \\(file\\): cannot read manifest: it is `)),
        });
        const prices = tenancy("cost", "-f", EXAMPLE_MANIFEST, "--prices", file);
        expect(prices).toEqual({
          code: EXIT.invalidInput,
          stdout: "",
          stderr: expect.stringMatching(new RegExp(`^tenancy: ${file}: cannot read price table: it is `)),
        });
        expect(manifest.stderr + prices.stderr).not.toMatch(STACK_TRACE);
      },
    );
  });

  test("an absurd price and a YAML alias bomb in --prices are clear errors (exit 1), not internal ones", () => {
    const dir = tempDir();
    const prices = path.join(dir, "prices.yaml");
    writeFileSync(prices, "volumePerGb: { monthly: 1e308, source: x }\n");
    const absurd = tenancy("cost", "-f", EXAMPLE_MANIFEST, "--prices", prices);
    expect(absurd.code).toBe(EXIT.invalidInput);
    expect(absurd.stderr).toContain(`${prices}:1:25: volumePerGb.monthly: must be at most 1000000`);
    const levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 9; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    writeFileSync(prices, `${levels.join("\n")}\n`);
    const bomb = tenancy("cost", "-f", EXAMPLE_MANIFEST, "--prices", prices);
    expect(bomb.code).toBe(EXIT.invalidInput);
    expect(bomb.stderr).toMatch(new RegExp(`${prices}:5:\\d+: a4\\[\\d\\]: YAML aliases would expand`));
    expect(absurd.stderr + bomb.stderr).not.toMatch(STACK_TRACE);
  });

  describe("render --out", () => {
    const render = (host: string, out: string) =>
      tenancy("render", host, "--out", out, "--json", "-f", EXAMPLE_MANIFEST);
    /** Every file under a directory, relative to it. */
    const filesUnder = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
        .sort();

    test("naming an existing file is a clear error, and the file is left as it was", () => {
      const file = path.join(tempDir(), "notes.txt");
      writeFileSync(file, "mine\n");
      const { code, stderr } = render("alpen-energie", file);
      expect(code).toBe(EXIT.invalidInput);
      expect(stderr).toBe(
        `tenancy: --out ${file} is a file, not a directory; render writes a directory of files: choose a new or empty one\n`,
      );
      expect(readFileSync(file, "utf8")).toBe("mine\n");
    });

    test("into a directory that holds other files is refused, and nothing is written", () => {
      const dir = tempDir();
      writeFileSync(path.join(dir, "notes.txt"), "mine\n");
      const { code, stderr } = render("alpen-energie", dir);
      expect(code).toBe(EXIT.invalidInput);
      expect(stderr).toContain(
        `--out ${dir} is not empty and not only an earlier render's files (it holds "notes.txt")`,
      );
      expect(filesUnder(dir)).toEqual(["notes.txt"]);
      expect(readdirSync(path.dirname(dir)).filter((name) => name.includes(".tenancy-"))).toEqual([]);
    });

    test("over an earlier render replaces it whole: no file of the earlier host stays", () => {
      const parent = tempDir();
      const out = path.join(parent, "render");
      const first = render("shared-fsn1-a", out);
      expect(first.code).toBe(EXIT.ok);
      expect(filesUnder(out)).toContain("files/etc/tenancy/app/tenants/baeckerei-klein.env");
      // Through a link to the earlier render: the link stays a link.
      const link = path.join(parent, "link");
      symlinkSync(out, link);
      const second = render("alpen-energie", link);
      expect(second.code).toBe(EXIT.ok);
      const { files } = JSON.parse(second.stdout) as { files: string[] };
      expect(filesUnder(out)).toEqual([".tenancy-render.json", ...files].sort());
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readdirSync(parent).sort()).toEqual(["link", "render"]);
    });
  });

  test("an unknown command or option is a usage error (exit 1)", () => {
    expect(tenancy("deploy").code).toBe(EXIT.invalidInput);
    expect(tenancy("plan", "--stack", "nope").code).toBe(EXIT.invalidInput);
  });
});

describe("help and failures (in-process)", () => {
  let out = "";
  beforeEach(() => {
    out = "";
    const capture = (chunk: string | Uint8Array) => ((out += String(chunk)), true);
    jest.spyOn(process.stdout, "write").mockImplementation(capture);
    jest.spyOn(process.stderr, "write").mockImplementation(capture);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  test.each(["validate", "plan", "place", "cost", "render", "schema", "affected", "diff", "policy-config"])(
    "%s --help describes the command and exits 0",
    async (command) => {
      await main(["node", "tenancy", command, "--help"]);
      expect(process.exitCode).toBe(EXIT.ok);
      expect(out).toMatch(new RegExp(`^Usage: tenancy ${command} `, "m"));
      if (command !== "schema") expect(out).toContain("-f, --file <path>");
    },
  );

  test("an unexpected error exits 3 with its message and no stack trace", () => {
    expect(reportFailure(new Error("boom"), false)).toBe(EXIT.internalError);
    expect(out).toContain("tenancy: internal error: boom");
    expect(out).not.toMatch(STACK_TRACE);
  });
});
