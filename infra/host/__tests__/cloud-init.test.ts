/**
 * The cloud-init user-data of every host of the example fleet (shared hosts and dedicated tenants),
 * checked with the real cloud-init of Debian 12 (the Hetzner image's release):
 * - `cloud-init schema --config-file` accepts it;
 * - a strict check of our own: every top-level key is one the cloud-config schema knows (cloud-init's
 *   own check lets a misspelled top-level key such as `pakages:` through);
 * - it starts with `#cloud-config`, mounts the data volume by device with `nofail`, hardens SSH;
 * - it holds no secret: the host's bundle is rendered with real-looking secrets, none of which may appear;
 * - its runcmd, turned into a script by cloud-init's own code, refuses to install PostgreSQL when the
 *   volume is not mounted (as the renderer's comment promises).
 */
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { parse } from "yaml";
import { expand } from "../../expand";
import { loadExample } from "../../testing/fixtures";
import { hostScript, renderBundle } from "../bundle";
import {
  BOOTSTRAP_FAILURE_FILE,
  BOOTSTRAP_SCRIPT,
  CLOUD_INIT_LOG,
  DATA_MOUNT,
  HOST_PACKAGES,
  renderSshdConfig,
  renderUserData,
  SSHD_DROP_IN,
  USER_DATA_MAX_BYTES,
  VOLUME_WAIT_SECONDS,
  type UserDataInputs,
} from "../cloud-init";
import { hostSecrets, type HostSecrets } from "../secrets";
import { hostSpecs, type HostSpec } from "../spec";
import { selfSignedCertificate } from "../testing/certificates";

// cloud-init's schema check takes about half a second a file.
jest.setTimeout(120_000);

/** Debian's python3, the one that can import cloudinit (another python3 may come first on PATH). */
const SYSTEM_PYTHON = "/usr/bin/python3";
const SCHEMA_FILE = "/usr/lib/python3/dist-packages/cloudinit/config/schemas/schema-cloud-config-v1.json";

/**
 * Prints a JSON object {file: [top-level keys the cloud-config schema does not know]} for the files given,
 * parsing them with PyYAML as cloud-init does; exits 1 when any key is unknown. The known keys are the
 * `properties` of every definition the schema's top level refers to (allOf/anyOf/oneOf, following $ref).
 */
const STRICT_CHECK = String.raw`
import json, re, sys, yaml
schema = json.load(open(sys.argv[1], encoding="utf-8"))
defs = schema.get("$defs", {})
names, patterns = set(), []
def walk(node, seen):
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        key = ref[len("#/$defs/"):]
        if key not in seen:
            seen.add(key)
            walk(defs[key], seen)
    names.update(node.get("properties", {}))
    patterns.extend(node.get("patternProperties", {}))
    for combinator in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(combinator, []):
            walk(sub, seen)
walk(schema, set())
if len(names) < 50:
    sys.exit("strict check: only %d top-level keys found in %s; has the schema's layout changed?" % (len(names), sys.argv[1]))
unknown = {}
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    if not isinstance(config, dict):
        unknown[path] = ["<not a mapping>"]
        continue
    bad = sorted(k for k in config if k not in names and not any(re.search(p, str(k)) for p in patterns))
    if bad:
        unknown[path] = bad
print(json.dumps(unknown))
sys.exit(1 if unknown else 0)
`;

interface Run {
  code: number;
  output: string;
}

function run(
  command: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Run {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    input: options.input,
    env: options.env ?? process.env,
    cwd: "/",
  });
  return {
    code: result.status ?? -1,
    output: (result.stdout ?? "") + (result.stderr ?? "") + (result.error ? String(result.error) : ""),
  };
}

function randomToken(length = 32): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/**
 * Real-looking secrets for a host, every secret value among them (what must never leak), and which of
 * those the bundle carries (all but the passwords of decommissioned tenants, which get no env file).
 */
function realLookingSecrets(
  host: HostSpec,
  origin: { certificate: string; key: string },
): { secrets: HostSecrets; secretValues: string[]; inBundle: string[] } {
  const dbPasswords = Object.fromEntries(host.tenants.map((tenant) => [tenant.id, randomToken(32)]));
  const secrets = hostSecrets({
    dbPasswords,
    resticPassword: randomToken(40),
    resticRepository: `sftp:u${randomInt(100000, 999999)}-sub1@u123456.your-storagebox.de:/tenancy/${host.name}`,
    originCertificate: origin.certificate,
    originKey: origin.key,
  });
  const keyLines = origin.key.split("\n").filter((line) => line.length > 0 && !line.startsWith("-----"));
  const verifiers = host.tenants.map((tenant) => secrets.dbVerifier(tenant.id, tenant.database.role));
  const served = host.tenants.filter((tenant) => tenant.status !== "decommissioned");
  const always = [...verifiers, secrets.resticPassword, origin.key.trim(), ...keyLines];
  // Not secret, so not in the lists: the restic repository URL and the origin certificate.
  return {
    secrets,
    secretValues: [...Object.values(dbPasswords), ...always],
    inBundle: [...served.map((tenant) => secrets.dbPassword(tenant.id)), ...always],
  };
}

interface Rendered {
  host: HostSpec;
  inputs: UserDataInputs;
  userData: string;
  file: string;
  secretValues: string[];
  inBundle: string[];
  /** Every file of the host's bundle and its SQL, one after the other. */
  bundleText: string;
}

const hosts = hostSpecs(expand(loadExample()));
const rendered = new Map<string, Rendered>();
let dir = "";

function renderedOf(name: string): Rendered {
  const entry = rendered.get(name);
  if (!entry) throw new Error(`host ${name} was not rendered`);
  return entry;
}

function configOf(name: string): Record<string, unknown> {
  const config: unknown = parse(renderedOf(name).userData);
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new Error(`user-data of ${name} is not a mapping`);
  }
  return config as Record<string, unknown>;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tenancy-cloud-init-"));
  hosts.forEach((host, index) => {
    const hostDir = path.join(dir, host.name);
    mkdirSync(hostDir);
    const origin = selfSignedCertificate(hostDir, `*.${host.zone}`);
    const { secrets, secretValues, inBundle } = realLookingSecrets(host, origin);
    const inputs: UserDataInputs = {
      sshAuthorizedKeys: [`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomToken(43)} ops-${index}@example`],
      volumeDevice: `/dev/disk/by-id/scsi-0HC_Volume_${100_000 + index}`,
    };
    const userData = renderUserData(host, inputs);
    const file = path.join(hostDir, "user-data");
    writeFileSync(file, userData);
    const bundle = renderBundle(host, secrets);
    rendered.set(host.name, {
      host,
      inputs,
      userData,
      file,
      secretValues,
      inBundle,
      bundleText: [...bundle.files.map((file) => file.content), bundle.sql].join("\n"),
    });
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const names = hosts.map((host) => host.name);

describe("the example fleet", () => {
  it("has shared hosts and dedicated tenants to check", () => {
    expect(hosts.filter((host) => host.tier === "shared").length).toBeGreaterThanOrEqual(2);
    expect(hosts.filter((host) => host.tier === "dedicated").length).toBeGreaterThanOrEqual(2);
  });
});

describe.each(names)("user-data of %s", (name) => {
  it("passes `cloud-init schema --config-file`", () => {
    const result = run("cloud-init", ["schema", "--config-file", renderedOf(name).file]);
    expect(result.output).toContain("Valid cloud-config");
    expect(result).toMatchObject({ code: 0 });
  });

  it("starts with #cloud-config", () => {
    expect(renderedOf(name).userData.startsWith("#cloud-config\n")).toBe(true);
  });

  it("mounts the data volume by device, with nofail", () => {
    const { inputs } = renderedOf(name);
    expect(inputs.volumeDevice).toMatch(/^\/dev\/disk\/by-id\//);
    const mounts = configOf(name).mounts;
    expect(Array.isArray(mounts)).toBe(true);
    const volume = (mounts as unknown[][]).find((entry) => entry[1] === DATA_MOUNT);
    expect(volume?.[0]).toBe(inputs.volumeDevice);
    expect(volume?.[2]).toBe("ext4");
    expect(String(volume?.[3]).split(",")).toContain("nofail");
  });

  it("fits Hetzner's limit on user-data, with the apply tool compressed in it", () => {
    expect(Buffer.byteLength(renderedOf(name).userData)).toBeLessThanOrEqual(USER_DATA_MAX_BYTES);
    const files = configOf(name).write_files as { path: string; content: string; encoding?: string }[];
    const tool = files.find((file) => file.path === "/usr/local/sbin/tenancy-apply");
    expect(tool?.encoding).toBe("gz+b64");
    expect(gunzipSync(Buffer.from(tool?.content ?? "", "base64")).toString("utf8")).toBe(
      hostScript("tenancy-apply"),
    );
  });

  it("hardens SSH: no password authentication, no root login", () => {
    const config = configOf(name);
    expect(config.ssh_pwauth).toBe(false);
    expect(config.disable_root).toBe(true);
    const files = config.write_files as { path: string; content: string }[];
    const dropIns = files.filter((file) => file.path.startsWith("/etc/ssh/sshd_config.d/"));
    expect(dropIns).toEqual([{ path: SSHD_DROP_IN, content: renderSshdConfig() }]);
    const sshd = dropIns.map((file) => file.content).join("\n");
    // sshd takes the first value it reads of a keyword: nothing may say otherwise before these lines.
    const first = (keyword: string) =>
      sshd
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .find(([key]) => key?.toLowerCase() === keyword.toLowerCase())?.[1];
    expect(first("PasswordAuthentication")).toBe("no");
    expect(first("KbdInteractiveAuthentication")).toBe("no");
    expect(first("PermitRootLogin")).toBe("no");
    const users = config.users as { name: string; lock_passwd?: boolean }[];
    for (const user of users) expect(user.lock_passwd).toBe(true);
  });

  it("installs tenancy-apply compressed, byte for byte the tool, and stays within Hetzner's 32 KiB", () => {
    const files = configOf(name).write_files as { path: string; encoding?: string; content: string }[];
    const tool = files.find((file) => file.path === "/usr/local/sbin/tenancy-apply");
    expect(tool?.encoding).toBe("gz+b64");
    expect(gunzipSync(Buffer.from(tool?.content ?? "", "base64")).toString("utf8")).toBe(
      hostScript("tenancy-apply"),
    );
    expect(Buffer.byteLength(renderedOf(name).userData)).toBeLessThanOrEqual(32 * 1024);
  });

  it("holds no secret of the host's bundle", () => {
    const { userData, secretValues, inBundle, bundleText } = renderedOf(name);
    expect(inBundle.length).toBeGreaterThan(3);
    // The bundle does carry the values (so the check below is not vacuous) ...
    expect(inBundle.filter((value) => !bundleText.includes(value))).toEqual([]);
    // ... the user-data carries none of them.
    expect(secretValues.filter((value) => userData.includes(value))).toEqual([]);
    expect(userData).not.toMatch(/PRIVATE KEY|SCRAM-SHA-256\$|RESTIC_PASSWORD|DATABASE_URL/);
  });
});

describe("strict top-level key check", () => {
  const strict = (files: string[]) => run(SYSTEM_PYTHON, ["-c", STRICT_CHECK, SCHEMA_FILE, ...files]);

  it("passes every host's user-data: each top-level key is one cloud-init knows", () => {
    const result = strict(names.map((name) => renderedOf(name).file));
    expect(result.output.trim()).toBe("{}");
    expect(result.code).toBe(0);
  });

  it("catches a misspelled top-level key that `cloud-init schema` lets through", () => {
    const file = path.join(dir, "misspelled-user-data");
    const userData = renderedOf(names[0] ?? "").userData.replace(
      "\npackage_update: true\n",
      "\npackage_update: true\npakages:\n  - curl\n",
    );
    expect(userData).toContain("\npakages:\n");
    writeFileSync(file, userData);
    // The gap: cloud-init's own schema check accepts it ...
    expect(run("cloud-init", ["schema", "--config-file", file])).toMatchObject({ code: 0 });
    // ... the strict check does not, and names the key.
    const result = strict([file]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.output) as Record<string, string[]>).toEqual({ [file]: ["pakages"] });
  });
});

/**
 * runcmd as cloud-init runs it: `cloudinit.util.shellify` turns the list into the script that the
 * scripts_user module executes. Every command is a stand-in that logs its name, so nothing on this machine
 * is touched; `tenancy-apply --wait-for-volume` answers "mounted" (0) or "not mounted in time" (3) as the
 * case wants, and a `tenancy-notify` stand-in is there or not.
 */
describe("runcmd, as the script cloud-init makes of it", () => {
  /** The script cloud-init runs: runcmd, through shellify, runs the bootstrap script it wrote. */
  function runcmdScript(name: string): string {
    const config = configOf(name);
    expect(config.runcmd).toEqual([[BOOTSTRAP_SCRIPT]]);
    const files = config.write_files as { path: string; content: string; permissions?: string }[];
    const script = files.find((file) => file.path === BOOTSTRAP_SCRIPT);
    expect(script?.permissions).toBe("0755");
    const result = run(
      SYSTEM_PYTHON,
      [
        "-c",
        "import json, sys\nfrom cloudinit import util\nsys.stdout.write(util.shellify(json.load(sys.stdin)))",
      ],
      {
        input: JSON.stringify(config.runcmd),
      },
    );
    if (result.code !== 0) throw new Error(`shellify failed:\n${result.output}`);
    expect(result.output).toContain(`'${BOOTSTRAP_SCRIPT}'`);
    return script?.content ?? "";
  }

  /** `work` holds the stand-ins and stands for /var/log: pass the same one to run the script again there. */
  function runWithStandIns(
    name: string,
    mounted: boolean,
    notify = true,
    work = mkdtempSync(path.join(dir, "runcmd-")),
  ): { code: number; ran: string[]; output: string } {
    const bin = path.join(work, "bin");
    const log = path.join(work, "ran.log");
    rmSync(log, { force: true });
    mkdirSync(bin, { recursive: true });
    const standIn = (command: string, exit: number) => {
      const file = path.join(bin, command);
      writeFileSync(file, `#!/bin/sh\necho "${command} $*" >> "${log}"\nexit ${exit}\n`);
      chmodSync(file, 0o755);
    };
    for (const command of ["apt-get", "systemctl", "sleep", ...(notify ? ["tenancy-notify"] : [])])
      standIn(command, 0);
    writeFileSync(
      path.join(bin, "tenancy-apply"),
      `#!/bin/sh\necho "tenancy-apply $*" >> "${log}"\n` +
        `[ "$1" = --wait-for-volume ] && exit ${mounted ? 0 : 3}\nexit 0\n`,
      { mode: 0o755 },
    );
    // The script calls the apply tool by its absolute path: point that at the stand-in.
    const script = runcmdScript(name)
      .split("/usr/local/sbin/")
      .join(`${bin}/`)
      .split("/var/log/")
      .join(`${work}/`);
    expect(script).not.toMatch(/\/usr\/local\/|\/var\/log\//);
    const scriptFile = path.join(work, "runcmd");
    writeFileSync(scriptFile, script, { mode: 0o700 });
    const result = run("/bin/sh", [scriptFile], { env: { PATH: `${bin}:/usr/bin:/bin`, LANG: "C" } });
    let ran: string[] = [];
    try {
      ran = readFileSync(log, "utf8").trim().split("\n");
    } catch {
      ran = [];
    }
    return { code: result.code, ran, output: result.output };
  }

  it.each(names)("%s: installs the host packages when the volume is mounted", (name) => {
    const { code, ran } = runWithStandIns(name, true);
    expect(code).toBe(0);
    expect(ran[0]).toBe(
      `tenancy-apply --wait-for-volume ${renderedOf(name).inputs.volumeDevice} ${VOLUME_WAIT_SECONDS}`,
    );
    expect(ran.find((line) => line.startsWith("apt-get "))).toBe(
      `apt-get install -y ${HOST_PACKAGES.join(" ")}`,
    );
    expect(ran.at(-1)).toBe("tenancy-apply --bootstrap");
    expect(ran.filter((line) => line.startsWith("tenancy-notify"))).toEqual([]);
  });

  // cloud-init's runcmd script has no `set -e`: the guard only works because the whole bootstrap is one
  // `sh -c` that stops at the first failure.
  it("installs nothing (no PostgreSQL on the server disk) when the volume is not mounted", () => {
    const after = names.map((name) => {
      const { code, ran } = runWithStandIns(name, false);
      // Reloading sshd with the hardened config may still happen; installing or bootstrapping may not.
      const installs = ran.filter((line) => /^(apt-get|tenancy-apply --bootstrap)/.test(line));
      // And the script must fail, so that `cloud-init status` reports the boot as failed.
      return { name, installs, failed: code !== 0 };
    });
    expect(after).toEqual(names.map((name) => ({ name, installs: [], failed: true })));
  });

  it.each(names)("%s: the bootstrap script is shellcheck clean", (name) => {
    const file = path.join(mkdtempSync(path.join(dir, "shellcheck-")), "tenancy-bootstrap");
    writeFileSync(file, runcmdScript(name));
    expect(run("shellcheck", [file])).toEqual({ code: 0, output: "" });
  });

  it("says loudly that the bootstrap failed, and notifies when the host has tenancy-notify", () => {
    const [name] = names;
    const withNotify = runWithStandIns(name!, false);
    const message = `tenancy: the bootstrap of ${name} failed (exit 3)`;
    expect(withNotify.output).toContain(message);
    const notified = withNotify.ran.filter((line) => line.startsWith("tenancy-notify"));
    expect(notified).toHaveLength(1);
    expect(notified[0]).toMatch(
      /^tenancy-notify --event bootstrap-failed --status tenancy: the bootstrap of .* failed \(exit 3\).* --log \S+\/cloud-init-output\.log$/,
    );
    // Without it (it arrives with the first bundle), the failure is only louder on the console.
    const without = runWithStandIns(name!, false, false);
    expect({ code: without.code, said: without.output.includes(message) }).toEqual({ code: 3, said: true });
  });

  it("leaves a failure report the deploy user can read, with the last 40 lines of cloud-init's log, until a run succeeds", () => {
    const [name] = names;
    const work = mkdtempSync(path.join(dir, "report-"));
    const lines = Array.from({ length: 50 }, (_, i) => `cloud-init line ${i + 1}`);
    writeFileSync(path.join(work, path.basename(CLOUD_INIT_LOG)), `${lines.join("\n")}\n`);
    const report = path.join(work, path.basename(BOOTSTRAP_FAILURE_FILE));
    expect(path.dirname(BOOTSTRAP_FAILURE_FILE)).toBe(path.dirname(CLOUD_INIT_LOG));

    expect(runWithStandIns(name!, false, true, work).code).toBe(3);
    expect(statSync(report).mode & 0o777).toBe(0o644);
    expect(readFileSync(report, "utf8").split("\n")).toEqual([
      expect.stringContaining(`tenancy: the bootstrap of ${name} failed (exit 3)`),
      `--- the last 40 lines of ${work}/${path.basename(CLOUD_INIT_LOG)}`,
      ...lines.slice(10),
      "",
    ]);
    // The runbook's recovery: the bootstrap run again, with the volume there, removes the report.
    expect(runWithStandIns(name!, true, true, work).code).toBe(0);
    expect(existsSync(report)).toBe(false);
  });
});

/**
 * The drop-in as Debian's own sshd reads it: Debian's stock sshd_config (/usr/share/openssh/sshd_config,
 * whose first line includes the drop-ins), with its Include pointed at a directory holding the rendered
 * drop-in, checked with `sshd -t` and evaluated with `sshd -T` for a login as the deploy user. Nothing
 * listens: -t and -T only read the configuration.
 */
describe("sshd with the rendered drop-in, as Debian's sshd reads it", () => {
  const STOCK = "/usr/share/openssh/sshd_config";
  let dir = "";
  let configs = 0;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tenancy-sshd-config-"));
    expect(run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_key")]).code).toBe(
      0,
    );
    // sshd wants its privilege-separation directory even to check a configuration.
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `sshd -t` and `sshd -T` on the stock config with these drop-ins: what is in effect for deploy. */
  function effective(dropIns: Record<string, string>): Map<string, string> {
    const here = path.join(dir, `config-${++configs}`);
    mkdirSync(path.join(here, "sshd_config.d"), { recursive: true });
    for (const [name, content] of Object.entries(dropIns)) {
      writeFileSync(path.join(here, "sshd_config.d", name), content);
    }
    const stock = readFileSync(STOCK, "utf8");
    expect(stock).toMatch(/^Include \/etc\/ssh\/sshd_config\.d\/\*\.conf$/m);
    const config = path.join(here, "sshd_config");
    writeFileSync(
      config,
      [
        `HostKey ${path.join(dir, "host_key")}`,
        `PidFile ${path.join(here, "sshd.pid")}`,
        stock.replace(/^Include .*$/m, `Include ${path.join(here, "sshd_config.d")}/*.conf`),
      ].join("\n"),
    );
    const check = run("/usr/sbin/sshd", ["-t", "-f", config]);
    expect({ code: check.code, output: check.output }).toEqual({ code: 0, output: "" });
    const test = run("/usr/sbin/sshd", ["-T", "-f", config, "-C", "user=deploy,host=admin,addr=203.0.113.7"]);
    expect(test.code).toBe(0);
    return new Map(
      test.output
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.split(" ")[0]!, line.slice(line.indexOf(" ") + 1)]),
    );
  }

  const KEYS_ONLY = {
    authenticationmethods: "publickey",
    pubkeyauthentication: "yes",
    passwordauthentication: "no",
    kbdinteractiveauthentication: "no",
    permitemptypasswords: "no",
    permitrootlogin: "no",
    allowusers: "deploy",
    allowtcpforwarding: "no",
    allowagentforwarding: "no",
    allowstreamlocalforwarding: "no",
    x11forwarding: "no",
    permittunnel: "no",
    permituserenvironment: "no",
    maxauthtries: "3",
    logingracetime: "30",
  };
  const pick = (values: Map<string, string>) =>
    Object.fromEntries(Object.keys(KEYS_ONLY).map((key) => [key, values.get(key)]));
  const dropIn = { [path.basename(SSHD_DROP_IN)]: renderSshdConfig() };

  it("sshd -t accepts it; sshd -T shows keys only, no root, only deploy, no forwarding", () => {
    expect(pick(effective(dropIn))).toEqual(KEYS_ONLY);
  });

  it("every line of the drop-in is in effect as written", () => {
    const values = effective(dropIn);
    const lines = renderSshdConfig()
      .split("\n")
      .filter((line) => line && !line.startsWith("#"));
    for (const line of lines) {
      const [key = "", value = ""] = line.split(" ");
      expect({ key, value: values.get(key.toLowerCase()) }).toEqual({ key, value: value.toLowerCase() });
    }
  });

  it("wins over a later drop-in that allows passwords and root (cloud-init's 50-cloud-init.conf)", () => {
    const later = {
      "50-cloud-init.conf": "PasswordAuthentication yes\nPermitRootLogin yes\nX11Forwarding yes\n",
    };
    expect(pick(effective({ ...dropIn, ...later }))).toEqual(KEYS_ONLY);
    // Without it, the same sshd takes passwords and root, as Debian's stock config would.
    expect(pick(effective(later))).toMatchObject({ passwordauthentication: "yes", permitrootlogin: "yes" });
  });

  it("one line missing shows: without PasswordAuthentication no, Debian's default takes passwords", () => {
    const without = renderSshdConfig().replace("PasswordAuthentication no\n", "");
    expect(effective({ [path.basename(SSHD_DROP_IN)]: without }).get("passwordauthentication")).toBe("yes");
  });
});
