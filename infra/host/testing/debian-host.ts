/**
 * A whole Debian 12 host for tests: a debootstrap tree booted with systemd-nspawn from a NoCloud seed
 * that holds the real rendered user-data. See shared HOST-TESTING.md for the measured recipe.
 *
 * - `ensureDebianTree()` builds (or reuses) a bookworm tree shaped like Hetzner's `debian-12` image:
 *   minbase + systemd + cloud-init + openssh-server + sudo, fully upgraded, with the packages the user-data
 *   installs already downloaded into apt's archive, so the boot itself needs no network. The tree is cached
 *   under /var/cache/tenancy-test/, keyed by a hash of everything that goes into it; CI (CI=true) and
 *   TENANCY_TEST_FRESH_TREE=1 always build it anew.
 * - `bootHost()` boots one run on an overlay of that tree (the cache is never written to), with the seed,
 *   a bind-mounted stand-in for the data volume at /mnt/data, and a stand-in `podman` in /usr/local/bin.
 * - `DebianHost.exec()` runs a command inside the booted container (nsenter into its init's namespaces);
 *   `DebianHost.stop()` powers it off, kills it if it does not stop, and removes everything of the run.
 *
 * Root only; needs debootstrap and systemd-container (infra/host/testing/host-tools.sh installs them).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DATA_MOUNT, HOST_PACKAGES } from "../cloud-init";

export const SUITE = "bookworm";
export const MIRROR = "http://deb.debian.org/debian";
const SECURITY_MIRROR = "http://deb.debian.org/debian-security";
export const CACHE_DIR = process.env.TENANCY_TEST_CACHE ?? "/var/cache/tenancy-test";
/** Per-run overlays live here (on disk, not tmpfs: a run writes a few hundred MB of packages). */
const RUN_BASE = "/var/tmp";
const RUN_PREFIX = "tenancy-host-";
/** debootstrap's own additions to minbase. */
const INCLUDE = ["systemd-sysv", "dbus"];
/**
 * What Hetzner's debian-12 image has before cloud-init runs, as far as the user-data relies on it:
 * cloud-init itself, sshd (the user-data reloads it), sudo (the deploy user), openssl and CA certificates,
 * and the en_US.UTF-8 locale (cloud-init's locale module sets LANG to it and fails when it is not there).
 */
export const TREE_PACKAGES = [
  "cloud-init",
  "python3",
  "ifupdown",
  "iproute2",
  "sudo",
  "openssh-server",
  "ca-certificates",
  "openssl",
  "procps",
  "locales",
];
const SOURCES_LIST = [
  `deb ${MIRROR} ${SUITE} main`,
  `deb ${MIRROR} ${SUITE}-updates main`,
  `deb ${SECURITY_MIRROR} ${SUITE}-security main`,
  "",
].join("\n");
/** Bump when the build steps change in a way the package lists do not show. */
const TREE_FORMAT = 2;

export const STANDIN_DIR = "/run/podman-standin";
/** Where the helper scripts go inside the container. */
export const HELPER_DIR = "/usr/local/lib/tenancy-test";
export const HTTPS_GET = `${HELPER_DIR}/https-get`;

export interface ExecResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface TreeInfo {
  path: string;
  key: string;
  /** false when a cached tree was reused. */
  built: boolean;
  seconds: number;
}

// ---------------------------------------------------------------------------------------------------
// Host-side helpers

function log(message: string): void {
  process.stderr.write(`[debian-host] ${message}\n`);
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Runs a command on this machine; throws with the end of its output when it fails. */
function hostRun(
  command: string[],
  options: { timeoutMs?: number; logFile?: string; input?: string } = {},
): string {
  const [file, ...args] = command;
  if (file === undefined) throw new Error("empty command");
  const result = spawnSync(file, args, {
    encoding: "utf8",
    input: options.input,
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C.UTF-8" },
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (options.logFile) fs.appendFileSync(options.logFile, `\n$ ${command.join(" ")}\n${output}`);
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit ${String(result.status ?? result.signal)}`;
    throw new Error(`${command.join(" ")} failed (${why}):\n${tail(output)}`);
  }
  return result.stdout;
}

function which(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).status === 0;
}

/** Fails with a clear message when this machine cannot run the test at all (never a skip). */
export function checkPrerequisites(): void {
  if (process.getuid?.() !== 0)
    throw new Error("the host-boot test needs root (debootstrap, mounts, systemd-nspawn)");
  const missing = ["debootstrap", "systemd-nspawn", "nsenter", "mount", "umount"].filter(
    (tool) => !which(tool),
  );
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.join(", ")}: run infra/host/testing/host-tools.sh (apt-get install debootstrap systemd-container)`,
    );
  }
}

export function timed<T>(timings: Record<string, number>, label: string, work: () => T): T {
  const start = Date.now();
  try {
    return work();
  } finally {
    timings[label] = (Date.now() - start) / 1000;
  }
}

export async function timedAsync<T>(
  timings: Record<string, number>,
  label: string,
  work: () => Promise<T>,
): Promise<T> {
  const start = Date.now();
  try {
    return await work();
  } finally {
    timings[label] = (Date.now() - start) / 1000;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------
// (a) The cached tree

export function treeKey(): string {
  const inputs = {
    format: TREE_FORMAT,
    suite: SUITE,
    sources: SOURCES_LIST,
    include: INCLUDE,
    tree: TREE_PACKAGES,
    downloaded: HOST_PACKAGES,
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
}

function treeIsComplete(tree: string): boolean {
  return fs.existsSync(path.join(tree, ".tenancy-tree-complete"));
}

/** Runs a shell script inside the tree being built (nspawn, not boot: /proc, /dev and DNS are set up). */
function inTree(tree: string, script: string, logFile: string, timeoutMs = 900_000): void {
  hostRun(
    [
      "systemd-nspawn",
      "--quiet",
      "--register=no",
      "--keep-unit",
      "--resolv-conf=replace-host",
      "--timezone=off",
      "-D",
      tree,
      "--setenv=DEBIAN_FRONTEND=noninteractive",
      "--setenv=LC_ALL=C.UTF-8",
      "/bin/sh",
      "-ec",
      script,
    ],
    { timeoutMs, logFile },
  );
}

function buildTree(tree: string, logFile: string): void {
  log(`building ${SUITE} tree in ${tree} (log: ${logFile})`);
  hostRun(["debootstrap", "--variant=minbase", `--include=${INCLUDE.join(",")}`, SUITE, tree, MIRROR], {
    timeoutMs: 900_000,
    logFile,
  });
  fs.writeFileSync(path.join(tree, "etc/apt/sources.list"), SOURCES_LIST);
  // Services must not start while the tree is built (there is no init running it).
  const policy = path.join(tree, "usr/sbin/policy-rc.d");
  fs.writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  inTree(
    tree,
    [
      "apt-get update",
      "apt-get -y dist-upgrade",
      `apt-get install -y --no-install-recommends ${TREE_PACKAGES.join(" ")}`,
      "sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen",
      "locale-gen",
      // What the user-data's runcmd installs, with the same apt settings (recommends included), so that
      // the boot finds every .deb in /var/cache/apt/archives and needs no network.
      `apt-get install -y --download-only ${HOST_PACKAGES.join(" ")}`,
      "cloud-init clean --logs",
    ].join("\n"),
    logFile,
  );
  fs.rmSync(policy);
  // Like a cloud image: no machine id until first boot, no host keys shared between instances
  // (cloud-init's ssh module makes new ones).
  fs.writeFileSync(path.join(tree, "etc/machine-id"), "");
  for (const name of fs.readdirSync(path.join(tree, "etc/ssh"))) {
    if (name.startsWith("ssh_host_")) fs.rmSync(path.join(tree, "etc/ssh", name));
  }
  const debs = fs.readdirSync(path.join(tree, "var/cache/apt/archives")).filter((n) => n.endsWith(".deb"));
  if (debs.length === 0) throw new Error("apt-get --download-only left no packages in the tree");
  fs.writeFileSync(
    path.join(tree, ".tenancy-tree-complete"),
    `${new Date().toISOString()} ${debs.length} debs\n`,
  );
}

/**
 * The tree for this package list: reused from the cache when complete, else built. CI=true or
 * TENANCY_TEST_FRESH_TREE=1 always build anew (and then refresh the cache).
 */
export function ensureDebianTree(): TreeInfo {
  const start = Date.now();
  const key = treeKey();
  const tree = path.join(CACHE_DIR, `${SUITE}-${key}`);
  const ci = process.env.CI ?? "";
  const fresh = (ci !== "" && ci !== "false" && ci !== "0") || process.env.TENANCY_TEST_FRESH_TREE === "1";
  if (!fresh && treeIsComplete(tree)) {
    log(`reusing cached tree ${tree}`);
    return { path: tree, key, built: false, seconds: (Date.now() - start) / 1000 };
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const building = path.join(CACHE_DIR, `.build-${key}-${process.pid}`);
  const logFile = path.join(CACHE_DIR, `build-${key}.log`);
  fs.rmSync(building, { recursive: true, force: true });
  fs.writeFileSync(logFile, "");
  try {
    buildTree(building, logFile);
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    throw error;
  }
  // Swap in the new tree. (A run that still uses the old one as its overlay's lower dir would break:
  // runs are never concurrent with a rebuild of the same key in practice.)
  if (fs.existsSync(tree)) {
    const old = path.join(CACHE_DIR, `.old-${key}-${process.pid}`);
    fs.renameSync(tree, old);
    fs.rmSync(old, { recursive: true, force: true });
  }
  fs.renameSync(building, tree);
  // Trees (and build logs) of other package lists are stale now.
  for (const name of fs.readdirSync(CACHE_DIR)) {
    const stale =
      (name.startsWith(`${SUITE}-`) && name !== path.basename(tree)) ||
      (name.startsWith("build-") && name !== path.basename(logFile));
    if (stale) {
      fs.rmSync(path.join(CACHE_DIR, name), { recursive: true, force: true });
    }
  }
  return { path: tree, key, built: true, seconds: (Date.now() - start) / 1000 };
}

// ---------------------------------------------------------------------------------------------------
// (b) The stand-in app and the helpers copied into each run

/**
 * Installed as /usr/local/bin/podman: systemd's search path puts it before /usr/bin/podman, so the app
 * unit's own `podman run … IMAGE` line runs it. It understands only what the unit uses and refuses any
 * other option, so a change to the unit that it cannot honour fails the test instead of passing quietly.
 */
export const PODMAN_STANDIN = String.raw`#!/usr/bin/python3
"""Stand-in for podman in the tenancy host-boot test (no image can be pulled there).

run  [--rm] [--name N] [--network host] [--memory M] [--cpus C] [--user UID:GID] [--cap-drop all]
     [--security-opt no-new-privileges] [--volume SRC:DST[:ro]] [--env K=V] IMAGE
     runs as UID:GID (numeric, no supplementary groups) like podman's --user without a user namespace,
     serves HTTP on the container env's PORT (loopback) for the image: the tenant is resolved from the
     Host header through the registry at TENANCY_REGISTRY (a container path, mapped through --volume);
     GET / answers {"tenant", "status", "header"} with the value of the TENANCY_TENANT_HEADER request
     header it got; GET /db connects with the tenant's DATABASE_URL (from its env file) and answers who it
     is there. Unknown hosts get 404.
rm   [--force] [--ignore] NAME      stop NAME if running
stop [--time T] NAME                 SIGTERM, then SIGKILL after T seconds
"""
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import time

STATE = "${STANDIN_DIR}"
FLAGS = {"rm", "force", "ignore", "replace"}
VALUED = {"name", "network", "memory", "cpus", "user", "cap-drop", "security-opt", "volume", "env", "time"}


def fail(message, code=125):
    sys.stderr.write("podman (tenancy test stand-in): %s\n" % message)
    sys.exit(code)


def parse(args):
    options = {"env": {}, "volume": [], "flags": set()}
    positional = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and not positional:
            key, eq, value = arg[2:].partition("=")
            if key in FLAGS:
                options["flags"].add(key)
            elif key in VALUED:
                if not eq:
                    i += 1
                    if i >= len(args):
                        fail("--%s needs a value" % key)
                    value = args[i]
                if key == "env":
                    name, _, val = value.partition("=")
                    options["env"][name] = val
                elif key == "volume":
                    parts = value.split(":")
                    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("ro", "rw")):
                        fail("bad --volume %s" % value)
                    options["volume"].append((parts[0], parts[1]))
                else:
                    options[key] = value
            else:
                fail("unsupported option %s" % arg)
        else:
            positional.append(arg)
        i += 1
    return options, positional


def pidfile(name):
    return os.path.join(STATE, name + ".pid")


def running_pid(name):
    try:
        with open(pidfile(name)) as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def terminate(name, seconds):
    pid = running_pid(name)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + seconds
    while time.time() < deadline and running_pid(name) == pid:
        time.sleep(0.1)
    if running_pid(name) == pid:
        os.kill(pid, signal.SIGKILL)
    try:
        os.unlink(pidfile(name))
    except FileNotFoundError:
        pass
    return True


def host_path(options, container_path):
    for source, target in options["volume"]:
        if container_path == target or container_path.startswith(target.rstrip("/") + "/"):
            return source + container_path[len(target):]
    fail("%s is not on any --volume of the container" % container_path)


def run(options, positional):
    if not positional:
        fail("run needs an image")
    if len(positional) > 1:
        fail("the stand-in runs the image's own command only, got %r" % positional[1:])
    if options.get("network") != "host":
        fail("the stand-in can only emulate --network host")
    name = options.get("name") or "standin"
    user = options.get("user")
    if user is not None and not re.fullmatch(r"[0-9]+:[0-9]+", user):
        fail("the stand-in takes --user UID:GID only, got %r" % user)
    if options.get("cap-drop", "all") != "all" or options.get("security-opt", "no-new-privileges") != "no-new-privileges":
        fail("the stand-in emulates --cap-drop all and --security-opt no-new-privileges only")
    env = options["env"]
    for needed in ("PORT", "TENANCY_REGISTRY", "TENANCY_TENANT_HEADER"):
        if needed not in env:
            fail("no --env %s" % needed)
    registry_path = host_path(options, env["TENANCY_REGISTRY"])
    header = env["TENANCY_TENANT_HEADER"]
    port = int(env["PORT"])
    image = positional[0]

    def load_registry():
        with open(registry_path, encoding="utf-8") as handle:
            return json.load(handle)

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            registry = load_registry()
            tenant = next((t for t in registry["tenants"] if host in t["hostnames"]), None)
            if tenant is None:
                self.answer(404, {"error": "no tenant for host %s" % host, "image": image})
                return
            body = {
                "tenant": tenant["id"],
                "status": tenant["status"],
                "header": self.headers.get(header),
                "registryHeader": registry["tenantHeader"],
                "image": image,
            }
            if self.path == "/db":
                values = {}
                with open(host_path(options, tenant["database"]["envFile"]), encoding="utf-8") as handle:
                    for line in handle:
                        key, _, value = line.strip().partition("=")
                        values[key] = value
                result = subprocess.run(
                    ["psql", values["DATABASE_URL"], "-XAtc", "select current_database() || ' ' || current_user"],
                    capture_output=True, text=True, timeout=20, check=False,
                )
                body["db"] = {"exit": result.returncode, "out": result.stdout.strip(), "err": result.stderr.strip()}
            self.answer(200, body)

        def log_message(self, *args):
            sys.stderr.write("standin: %s\n" % (args[0] % args[1:]))

    os.makedirs(STATE, exist_ok=True)
    if running_pid(name) is not None:
        fail("the name %s is already in use" % name)
    with open(pidfile(name), "w") as handle:
        handle.write(str(os.getpid()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if user is not None:
        uid, gid = (int(number) for number in user.split(":"))
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    sys.stderr.write("standin: %s serving on 127.0.0.1:%d for the registry %s\n" % (image, port, registry_path))
    sys.stderr.flush()
    try:
        server.serve_forever()
    finally:
        try:
            os.unlink(pidfile(name))
        except OSError:  # gone, or not ours to remove after --user: rm and stop remove it
            pass


def main(argv):
    if len(argv) < 2:
        fail("usage: podman run|rm|stop ...")
    verb, rest = argv[1], argv[2:]
    options, positional = parse(rest)
    if verb == "run":
        run(options, positional)
    elif verb == "rm":
        if len(positional) != 1:
            fail("rm takes one name")
        if not terminate(positional[0], 10) and "ignore" not in options["flags"]:
            fail("no container with name %s" % positional[0], 1)
    elif verb == "stop":
        if len(positional) != 1:
            fail("stop takes one name")
        if not terminate(positional[0], float(options.get("time", "10"))):
            fail("no container with name %s" % positional[0])
    else:
        fail("unsupported command %s" % verb)


if __name__ == "__main__":
    main(sys.argv)
`;

/**
 * https-get HOSTNAME PATH [NAME: VALUE]...: one HTTPS request to 127.0.0.1:443 with SNI and Host set to
 * HOSTNAME, certificate not verified (it is an origin certificate); prints JSON with the status, the headers,
 * the body and the SHA-256 of the certificate that was served. http-get does the same on port 80.
 */
export const HTTPS_GET_SCRIPT = String.raw`#!/usr/bin/python3
import hashlib
import http.client
import json
import socket
import ssl
import sys

host, path = sys.argv[1], sys.argv[2]
headers = dict(h.split(": ", 1) for h in sys.argv[3:])
plain = sys.argv[0].endswith("http-get")
if plain:
    connection = http.client.HTTPConnection(host, 80, timeout=15)
else:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection(host, 443, timeout=15, context=context)
# Connect to this host's loopback whatever the name resolves to; SNI and Host stay the hostname.
connection._create_connection = lambda address, *args, **kwargs: socket.create_connection(
    ("127.0.0.1", address[1]), *args, **kwargs
)
connection.request("GET", path, headers=headers)
response = connection.getresponse()
body = response.read().decode("utf-8", "replace")
certificate = None if plain else connection.sock.getpeercert(binary_form=True)
print(json.dumps({
    "status": response.status,
    "headers": {k.lower(): v for k, v in response.getheaders()},
    "body": body,
    "certSha256": hashlib.sha256(certificate).hexdigest() if certificate else None,
}))
`;

// ---------------------------------------------------------------------------------------------------
// (b, c, d) One booted host

export interface BootOptions {
  /** The rendered user-data, as Hetzner would pass it. */
  userData: string;
  /** Hostname for the seed's meta-data. */
  hostname: string;
  /** The cached tree to run on (from ensureDebianTree). */
  tree: string;
  /**
   * Bind a directory of the run at /mnt/data, standing in for the attached data volume (default true).
   * false boots a host whose volume did not attach. `{ attachAfterSeconds }`: the volume attaches late:
   * the directory is bound at LATE_VOLUME_STAGING, and a unit of the run bind-mounts it at /mnt/data that
   * many seconds after the bootstrap logged that it is waiting for it.
   */
  dataVolume?: boolean | { attachAfterSeconds: number };
}

interface RunPaths {
  dir: string;
  upper: string;
  work: string;
  root: string;
  data: string;
  console: string;
}

function runPaths(dir: string): RunPaths {
  return {
    dir,
    upper: path.join(dir, "upper"),
    work: path.join(dir, "work"),
    root: path.join(dir, "root"),
    data: path.join(dir, "data"),
    console: path.join(dir, "console.log"),
  };
}

function isMountPoint(dir: string): boolean {
  return spawnSync("mountpoint", ["-q", dir]).status === 0;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function removeRun(paths: RunPaths): void {
  for (let attempt = 0; attempt < 10 && isMountPoint(paths.root); attempt++) {
    if (spawnSync("umount", [paths.root]).status !== 0) spawnSync("sleep", ["0.5"]);
  }
  if (isMountPoint(paths.root)) spawnSync("umount", ["-l", paths.root]);
  if (!isMountPoint(paths.root)) fs.rmSync(paths.dir, { recursive: true, force: true });
  else log(`could not unmount ${paths.root}; left ${paths.dir} behind`);
}

/** Runs left behind by a killed test process: their owner is gone, so unmount and remove them. */
function removeStaleRuns(): void {
  for (const name of fs.readdirSync(RUN_BASE)) {
    if (!name.startsWith(RUN_PREFIX)) continue;
    const dir = path.join(RUN_BASE, name);
    let owner = 0;
    try {
      owner = Number(fs.readFileSync(path.join(dir, "owner.pid"), "utf8"));
    } catch {
      // no owner file: half-made run
    }
    if (owner > 0 && pidAlive(owner)) continue;
    log(`removing stale run ${dir}`);
    removeRun(runPaths(dir));
  }
}

/** Children of a process, from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so parse after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid) children.push(Number(name));
    } catch {
      // the process went away
    }
  }
  return children;
}

export class DebianHost {
  private init = 0;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly onExit = () => this.killNow();

  private constructor(
    readonly paths: RunPaths,
    private readonly machine: string,
    private nspawn: ChildProcess,
  ) {
    this.watch(nspawn);
    process.on("exit", this.onExit);
  }

  private watch(nspawn: ChildProcess): void {
    nspawn.on("exit", (code, signal) => {
      this.exited = { code, signal };
    });
  }

  /** The container's root as seen from this machine (the overlay): read files of the host through it. */
  get root(): string {
    return this.paths.root;
  }

  /** What the bind-mounted stand-in of the data volume holds, seen from this machine. */
  get dataDir(): string {
    return this.paths.data;
  }

  static async boot(options: BootOptions): Promise<DebianHost> {
    checkPrerequisites();
    removeStaleRuns();
    const id = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
    const paths = runPaths(path.join(RUN_BASE, `${RUN_PREFIX}${id}`));
    for (const dir of [paths.upper, paths.work, paths.root, paths.data])
      fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(paths.dir, "owner.pid"), String(process.pid));
    try {
      hostRun([
        "mount",
        "-t",
        "overlay",
        "overlay",
        "-o",
        `lowerdir=${options.tree},upperdir=${paths.upper},workdir=${paths.work}`,
        paths.root,
      ]);
      seed(paths, options);
    } catch (error) {
      removeRun(paths);
      throw error;
    }
    const machine = `tenancy-${id}`;
    const volumeAt =
      options.dataVolume === false
        ? undefined
        : typeof options.dataVolume === "object"
          ? LATE_VOLUME_STAGING
          : DATA_MOUNT;
    const host = new DebianHost(paths, machine, startNspawn(paths, machine, volumeAt));
    try {
      await host.waitForInit(60_000);
    } catch (error) {
      await host.stop();
      throw error;
    }
    return host;
  }

  /** The end of the container's console output, for failure messages. */
  consoleTail(lines = 60): string {
    try {
      return tail(fs.readFileSync(this.paths.console, "utf8"), lines);
    } catch {
      return "(no console output)";
    }
  }

  /**
   * After the container rebooted itself (`systemctl reboot` inside makes systemd-nspawn exit with 133),
   * boots it again on the same disk, with the data volume attached from the start, as a Hetzner volume is
   * on a reboot (a late-attaching volume's unit of the first boot no longer runs).
   */
  async bootAgainAfterReboot(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.exited && Date.now() < deadline) await sleep(250);
    if (this.exited?.code !== REBOOT_EXIT_CODE) {
      throw new Error(
        `the container did not reboot (systemd-nspawn: ${JSON.stringify(this.exited ?? "still running")}):\n${this.consoleTail()}`,
      );
    }
    fs.rmSync(path.join(this.paths.root, LATE_VOLUME_WANTS), { force: true });
    this.exited = undefined;
    this.init = 0;
    this.nspawn = startNspawn(this.paths, this.machine, DATA_MOUNT);
    this.watch(this.nspawn);
    await this.waitForInit(60_000);
  }

  private async waitForInit(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pid = this.nspawn.pid;
    if (pid === undefined) throw new Error("systemd-nspawn did not start");
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`systemd-nspawn exited (${JSON.stringify(this.exited)}):\n${this.consoleTail()}`);
      }
      // nspawn's direct child becomes the container's PID 1 (systemd) once it has exec'd.
      for (const child of childrenOf(pid)) {
        try {
          if (fs.readFileSync(`/proc/${child}/comm`, "utf8").trim() === "systemd") this.init = child;
        } catch {
          // gone
        }
      }
      if (this.init > 0) return;
      await sleep(200);
    }
    throw new Error(
      `the container's init did not appear within ${timeoutMs / 1000}s:\n${this.consoleTail()}`,
    );
  }

  /** Runs a command inside the container, as root, with a clean environment. Never throws. */
  exec(command: string[], options: ExecOptions = {}): ExecResult {
    if (this.init === 0 || this.exited) {
      return { status: null, signal: null, stdout: "", stderr: "the container is not running" };
    }
    const env = {
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: "/root",
      LANG: "C.UTF-8",
      TERM: "dumb",
      SYSTEMD_PAGER: "",
      ...options.env,
    };
    const result = spawnSync(
      "nsenter",
      [
        "--target",
        String(this.init),
        "--all",
        "--root",
        "--wd",
        "--",
        "/usr/bin/env",
        "-i",
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        ...command,
      ],
      {
        encoding: "utf8",
        input: options.input,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return {
      status: result.status,
      signal: result.signal,
      stdout: result.stdout ?? "",
      stderr: `${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`,
    };
  }

  /** exec() that throws with the command's output when it exits non-zero. */
  run(command: string[], options: ExecOptions = {}): string {
    const result = this.exec(command, options);
    if (result.status !== 0) {
      throw new Error(
        `in the container: ${command.join(" ")} failed (exit ${String(result.status ?? result.signal)}):\n` +
          `${tail(result.stdout)}\n${tail(result.stderr)}`,
      );
    }
    return result.stdout;
  }

  /** Waits until the container's systemd answers on its bus. */
  async waitForSystemd(timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      const result = this.exec(["systemctl", "is-system-running"], { timeoutMs: 10_000 });
      last = result.stdout.trim();
      if (["initializing", "starting", "running", "degraded", "maintenance"].includes(last)) return last;
      if (this.exited) break;
      await sleep(500);
    }
    throw new Error(`systemd in the container did not come up (last: ${last}):\n${this.consoleTail()}`);
  }

  /**
   * Waits for cloud-init to finish all its stages; returns `cloud-init status --long`. cloud-init 22.4's
   * `status --wait` returns as soon as any module has failed, while the final stage (runcmd) still runs,
   * so this waits for /run/cloud-init/result.json, which only the end of the final stage writes.
   */
  async waitForCloudInit(timeoutMs = 900_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exec(["test", "-e", "/run/cloud-init/result.json"], { timeoutMs: 10_000 }).status === 0) {
        const status = this.exec(["cloud-init", "status", "--long"], { timeoutMs: 30_000 });
        return `${status.stdout}${status.stderr}`;
      }
      if (this.exited) break;
      await sleep(1000);
    }
    throw new Error(
      `cloud-init did not finish within ${timeoutMs / 1000}s:\n${this.consoleTail()}\n` +
        tail(this.exec(["tail", "-n", "40", "/var/log/cloud-init-output.log"]).stdout),
    );
  }

  /** Reads a file of the container (through the overlay). */
  readFile(containerPath: string): string {
    return fs.readFileSync(path.join(this.paths.root, containerPath), "utf8");
  }

  private killNow(): void {
    if (this.init > 0 && pidAlive(this.init)) {
      try {
        process.kill(this.init, "SIGKILL"); // kills every process of the container's PID namespace
      } catch {
        // already gone
      }
    }
  }

  /** Powers the container off (killing it if it does not stop in time) and removes the run. */
  async stop(timeoutMs = 30_000): Promise<void> {
    process.off("exit", this.onExit);
    if (!this.exited) {
      if (this.init > 0) this.exec(["systemctl", "poweroff", "--no-block"], { timeoutMs: 10_000 });
      else this.nspawn.kill("SIGTERM");
      const deadline = Date.now() + timeoutMs;
      while (!this.exited && Date.now() < deadline) await sleep(250);
      if (!this.exited) {
        log("the container did not power off in time: killing it");
        this.killNow();
        this.nspawn.kill("SIGKILL");
        const killDeadline = Date.now() + 10_000;
        while (!this.exited && Date.now() < killDeadline) await sleep(100);
      }
    }
    removeRun(this.paths);
  }
}

/** systemd-nspawn's exit code when the container rebooted (systemd-nspawn@.service restarts on it). */
const REBOOT_EXIT_CODE = 133;
const LATE_VOLUME_WANTS = "etc/systemd/system/multi-user.target.wants/tenancy-test-late-volume.service";

/** Starts systemd-nspawn on the run's tree, its console appended to the run's, the volume bound at `volumeAt`. */
function startNspawn(paths: RunPaths, machine: string, volumeAt: string | undefined): ChildProcess {
  const consoleFd = fs.openSync(paths.console, "a");
  try {
    return spawn(
      "systemd-nspawn",
      [
        "--boot",
        "--directory",
        paths.root,
        `--machine=${machine}`,
        "--register=no",
        "--keep-unit",
        "--private-network",
        "--console=pipe",
        ...(volumeAt === undefined ? [] : [`--bind=${paths.data}:${volumeAt}`]),
      ],
      { stdio: ["ignore", consoleFd, consoleFd] },
    );
  } finally {
    fs.closeSync(consoleFd);
  }
}

function seed(paths: RunPaths, options: BootOptions): void {
  const root = paths.root;
  const write = (p: string, content: string, mode = 0o644) => {
    const target = path.join(root, p);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content, { mode });
    fs.chmodSync(target, mode);
  };
  write("/var/lib/cloud/seed/nocloud/user-data", options.userData, 0o600);
  write(
    "/var/lib/cloud/seed/nocloud/meta-data",
    `instance-id: ${path.basename(paths.dir)}\nlocal-hostname: ${options.hostname}\n`,
    0o600,
  );
  write(
    "/etc/cloud/cloud.cfg.d/99-tenancy-test.cfg",
    [
      "# tenancy host-boot test: the seed on disk is the only datasource; the container has no network.",
      "datasource_list: [NoCloud, None]",
      "network: {config: disabled}",
      "",
    ].join("\n"),
  );
  write("/usr/local/bin/podman", PODMAN_STANDIN, 0o755);
  write(HTTPS_GET, HTTPS_GET_SCRIPT, 0o755);
  write(`${HELPER_DIR}/http-get`, HTTPS_GET_SCRIPT, 0o755);
  fs.mkdirSync(path.join(root, DATA_MOUNT), { recursive: true });
  if (typeof options.dataVolume === "object") {
    write(`${HELPER_DIR}/attach-late-volume`, lateVolumeScript(options.dataVolume.attachAfterSeconds), 0o755);
    write("/etc/systemd/system/tenancy-test-late-volume.service", LATE_VOLUME_UNIT);
    fs.mkdirSync(path.dirname(path.join(root, LATE_VOLUME_WANTS)), { recursive: true });
    fs.symlinkSync("../tenancy-test-late-volume.service", path.join(root, LATE_VOLUME_WANTS));
  }
}

export const LATE_VOLUME_STAGING = "/var/lib/tenancy-test-volume";
/** What the bootstrap logs while it waits for the volume (tenancy-apply --wait-for-volume). */
const WAITING_LINE = "data volume: waiting up to";
const lateVolumeScript = (seconds: number) => `#!/bin/sh
# The volume attaches late: once the bootstrap waits for it, then ${seconds} s later.
set -eu
i=0
until grep -qF '${WAITING_LINE}' /var/log/cloud-init-output.log 2>/dev/null; do
  i=$((i+1)); [ $i -le 1800 ] || { echo "the bootstrap never waited for the volume" >&2; exit 1; }
  sleep 1
done
sleep ${seconds}
mkdir -p ${DATA_MOUNT}
mount --bind ${LATE_VOLUME_STAGING} ${DATA_MOUNT}
echo "tenancy test: the data volume attached at ${DATA_MOUNT}"
`;
const LATE_VOLUME_UNIT = [
  "[Unit]",
  "Description=tenancy test: attach the data volume late, while the bootstrap waits",
  "",
  "[Service]",
  // Not a oneshot: multi-user.target (and cloud-final after it) must not wait for it.
  "Type=exec",
  `ExecStart=${HELPER_DIR}/attach-late-volume`,
  "",
].join("\n");

export const bootHost = (options: BootOptions): Promise<DebianHost> => DebianHost.boot(options);
