/**
 * tenancy-apply grows the data filesystem online: a real ext4 on a real loop device, grown the way Hetzner
 * grows a volume (the backing file enlarged, then `losetup -c`: the kernel sees the device's new size), then
 * the real apply tool, run as a host runs it, with the environment pointing at the test's mount.
 *
 * In a User-mode Linux guest, because ext4 grows online through an ioctl that needs CAP_SYS_RESOURCE, and
 * root on this project's machines (a container) does not have it: there `resize2fs` answers "Permission
 * denied to resize filesystem" whatever the tool does. Debian's user-mode-linux is a Linux 6.1 kernel (as on
 * Hetzner's debian-12) that runs as an ordinary process: its root has every capability and its own loop
 * devices, and it sees this machine's files read-only through hostfs, so the guest runs this machine's
 * /usr/bin/python3, e2fsprogs and util-linux and this worktree's tenancy-apply. It boots in about 2 s.
 *
 * Each scenario is a shell script that the guest's init runs as soon as it boots; the script keeps every
 * step's output and exit code in a directory of the test, which the guest mounts read-write. The loop
 * devices, mounts and backing files live and die with the guest; the script still unmounts and detaches
 * them at its end (an e2fsck of the unmounted filesystem is part of the proof), and afterAll kills any guest
 * still running and removes the test's directory.
 *
 * The apply's other commands (systemctl, psql, caddy, the backup) are stand-ins that only record their
 * name, as in apply.test.ts; resize2fs is recorded, then the real one runs.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT } from "../../testing/fixtures";
import { bundleHash, renderBundle, type HostBundle } from "../bundle";
import { hostSecrets } from "../secrets";
import { hostSpec, type HostSpec } from "../spec";

jest.setTimeout(180_000);

const APPLY_TOOL = path.join(REPO_ROOT, "infra", "host", "files", "tenancy-apply");
const SYSTEM_PYTHON = "/usr/bin/python3";
const UML_KERNEL = "/usr/bin/linux.uml";
const HOST = "shared-fsn1-a";
const GiB = 2 ** 30;
/** The tool's GROW_SLACK_BYTES: a device larger than its filesystem by at most this much is full. */
const SLACK = 16 * 2 ** 20;
/**
 * Where a guest's loop devices, backing files and mounts live: the guest's own tmpfs, on /run, not /tmp,
 * where it would hide a checkout of this repository under /tmp (the tool it runs).
 */
const G = "/run/guest";
/** The stand-ins of the tool's commands (TENANCY_CMD_<NAME>), by the name they record. */
const STAND_INS: Record<string, string> = {
  CADDY_VALIDATE: "caddy-validate {}",
  CADDY_RELOAD: "caddy-reload",
  APP_RESTART: "app-restart",
  APP_ENABLE: "app-enable",
  DAEMON_RELOAD: "daemon-reload",
  TIMERS_ENABLE: "timers-enable",
  PSQL: "psql",
  FINAL_BACKUP: "final-backup {}",
  POSTGRES_RESTART: "postgres-restart",
  BOOTSTRAP_SERVICES: "bootstrap-services",
  RESIZE2FS: "resize2fs -- /usr/sbin/resize2fs {}",
};
/** What a first apply of the bundle runs besides a resize, in the tool's order (see apply.test.ts). */
const FIRST_APPLY = [
  "caddy-validate",
  "daemon-reload",
  "timers-enable",
  "app-enable",
  "postgres-restart",
  "psql",
  "caddy-reload",
  "app-restart",
];

/**
 * PID 1 of the guest: mounts /proc, /sys and a tmpfs on /run, mounts the scenario's directory of this
 * machine read-write at the same path, loads the loop driver (from user-mode-linux's modules; finit_module,
 * as there is no kmod), checks `losetup -f`, runs the scenario, then powers off. Failing to give the
 * scenario loop devices is written to guest.error for the test to report.
 */
const GUEST_INIT = `#!/usr/bin/python3
import ctypes, os, subprocess

DIR = os.environ["TENANCY_GUEST_DIR"]
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
libc = ctypes.CDLL(None, use_errno=True)


def note(name, text):
    with open(os.path.join(DIR, name), "w", encoding="utf-8") as handle:
        handle.write(text)


try:
    for fstype, where, options in (("proc", "/proc", ""), ("sysfs", "/sys", ""), ("tmpfs", "/run", "size=75%")):
        subprocess.run(["/usr/bin/mount", "-t", fstype] + (["-o", options] if options else []) + ["guest-" + fstype, where], check=True)
    os.makedirs(DIR, exist_ok=True)
    subprocess.run(["/usr/bin/mount", "-t", "hostfs", "-o", DIR, "guest-work", DIR], check=True)
    module = "/usr/lib/uml/modules/%s/kernel/drivers/block/loop.ko" % os.uname().release
    loaded = "module %s: " % module
    try:
        handle = os.open(module, os.O_RDONLY)
        if libc.syscall(313, handle, b"", 0) != 0 and ctypes.get_errno() != 17:  # finit_module; EEXIST is fine
            loaded += os.strerror(ctypes.get_errno())
        os.close(handle)
    except OSError as error:
        loaded += str(error)
    probe = subprocess.run(["/usr/sbin/losetup", "-f"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if probe.returncode != 0:
        note("guest.error", "loop devices are unavailable in the guest: losetup -f: %s (%s)\\n" % (probe.stdout.strip(), loaded))
    else:
        environment = {"PATH": PATH, "HOME": "/run", "TMPDIR": "/run", "LANG": "C.UTF-8"}
        with open(os.path.join(DIR, "scenario.log"), "w", encoding="utf-8") as log:
            result = subprocess.run(["/bin/sh", os.path.join(DIR, "scenario.sh")], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=environment)
        note("scenario.rc", "%d\\n" % result.returncode)
except Exception as error:
    print("guest init: %r" % (error,), flush=True)
finally:
    os.sync()
    libc.reboot(0x4321FEDC)  # RB_POWER_OFF: the UML process exits
`;

/**
 * record NAME ARGS…             note "NAME ARGS" in $OUT/commands.log, succeed (a stand-in)
 * record NAME -- PROGRAM ARGS…  note "NAME ARGS", then run the real PROGRAM ARGS
 */
const RECORD_SCRIPT = `#!/bin/sh
name=$1
shift
program=
if [ "\${1:-}" = -- ]; then
  program=$2
  shift 2
fi
if [ $# -gt 0 ]; then printf '%s %s\\n' "$name" "$*"; else printf '%s\\n' "$name"; fi >>"$OUT/commands.log"
if [ -n "$program" ]; then exec "$program" "$@"; fi
case $name in psql) cat >/dev/null ;; esac
exit 0
`;

/** Shell functions every scenario starts with; OUT, TOOL and the bundles are set above them. */
const PRELUDE = `set -eu
export OUT
G=${G}
mkdir -p "$OUT" "$G"
: >"$OUT/commands.log"
REC="$OUT/record"
WAIT=0
AS=
# step NAME CMD…: run CMD; its output in $OUT/NAME.out, its exit code in $OUT/NAME.rc
step() {
	name=$1
	shift
	echo "== $name" >>"$OUT/commands.log"
	rc=0
	"$@" >"$OUT/$name.out" 2>&1 || rc=$?
	echo "$rc" >"$OUT/$name.rc"
}
# note NAME VALUE: a fact for the test, in $OUT/NAME.txt
note() { printf '%s\\n' "$2" >"$OUT/$1.txt"; }
# The filesystem's size from its superblock (dumpe2fs, not the apply tool's own reading).
fs_bytes() {
	count=$(dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Block count: *//p')
	size=$(dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Block size: *//p')
	echo $((count * size))
}
# What statvfs gives the tenants: the size df shows.
df_bytes() { df -B1 --output=size "$1" | tail -n 1 | tr -d ' '; }
# The id of the mount at a path: the same id means the same mount, never unmounted in between.
mount_id() { awk -v m="$1" '$5 == m { id = $1 } END { print id }' /proc/self/mountinfo; }
# volume NAME SIZE: a sparse file on a loop device, ext4 as Hetzner formats a volume, mounted at $G/NAME;
# sets $dev
volume() {
	truncate -s "$2" "$G/$1.img"
	dev=$(losetup -f --show "$G/$1.img")
	mkfs.ext4 -q -F -b 4096 "$dev"
	mkdir -p "$G/$1"
	mount "$dev" "$G/$1"
	note dev "$dev"
}
# enlarge NAME SIZE: as when Hetzner resizes the volume: the device grows, the kernel sees its new size
enlarge() {
	truncate -s "$2" "$G/$1.img"
	losetup -c "$(losetup -n -O NAME -j "$G/$1.img")"
}
# apply ROOT MOUNT ARGS…: tenancy-apply with its files under ROOT and its data mount at MOUNT; $AS before it
# (split on purpose), $WAIT seconds of waiting for the bundle's volume size
apply() {
	root=$1
	mount=$2
	shift 2
	$AS env TENANCY_ROOT="$root" TENANCY_DATA_MOUNT="$mount" TENANCY_VOLUME_WAIT_SECONDS="$WAIT" \\
		${Object.entries(STAND_INS)
      .map(([name, line]) => `TENANCY_CMD_${name}="$REC ${line}"`)
      .join(" \\\n\t\t")} \\
		${SYSTEM_PYTHON} "$TOOL" "$@"
}
`;

interface Step {
  code: number;
  output: string;
  /** The recorded commands this step ran, "name args…", in order. */
  ran: string[];
}

/** The results of one scenario run in a guest. */
class Scenario {
  constructor(readonly dir: string) {}

  private get out(): string {
    return path.join(this.dir, "out");
  }

  step(name: string): Step {
    const rc = path.join(this.out, `${name}.rc`);
    if (!existsSync(rc)) throw new Error(`step ${name} did not run; scenario log:\n${this.log()}`);
    const log = readFileSync(path.join(this.out, "commands.log"), "utf8").split("\n");
    const start = log.indexOf(`== ${name}`);
    const end = log.findIndex((line, index) => index > start && line.startsWith("== "));
    return {
      code: Number(readFileSync(rc, "utf8").trim()),
      output: readFileSync(path.join(this.out, `${name}.out`), "utf8"),
      ran: log.slice(start + 1, end === -1 ? undefined : end).filter(Boolean),
    };
  }

  note(name: string): string {
    const file = path.join(this.out, `${name}.txt`);
    if (!existsSync(file)) throw new Error(`no note ${name}; scenario log:\n${this.log()}`);
    return readFileSync(file, "utf8").trim();
  }

  bytes(name: string): number {
    const value = Number(this.note(name));
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new Error(`note ${name} is not a size: ${this.note(name)}`);
    return value;
  }

  log(): string {
    const file = path.join(this.dir, "scenario.log");
    return existsSync(file) ? readFileSync(file, "utf8") : "(none)";
  }
}

let work = "";
const guests = new Set<ChildProcess>();
let spec: HostSpec;
let bundle: HostBundle;

/** The host's bundle as rendered; caddy validate is a stand-in here (apply.test.ts validates for real). */
function render(host: HostSpec): HostBundle {
  return renderBundle(
    host,
    hostSecrets({
      dbPasswords: Object.fromEntries(host.tenants.map((t) => [t.id, `${t.id.padEnd(8, "x")}`.repeat(4)])),
      resticPassword: "R".repeat(32),
      resticRepository: "/mnt/data/restic-test",
      originCertificate: "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n",
      originKey: "-----BEGIN PRIVATE KEY-----\nstand-in\n-----END PRIVATE KEY-----\n",
    }),
  );
}

/** The host's bundle, asking for a volume of `volumeGb`, written into `dir` (which the guest sees). */
function bundleFile(dir: string, volumeGb: number): string {
  const file = path.join(dir, `bundle-${volumeGb}gb.json`);
  writeFileSync(file, JSON.stringify({ ...bundle, volumeGb }, null, 2));
  return file;
}

/** Boot a guest that runs `body` after the prelude, and wait for it to power off. */
async function inGuest(name: string, body: string): Promise<Scenario> {
  if (!work) throw new Error("the test's directory was not made");
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, "out"), { recursive: true });
  writeFileSync(path.join(dir, "init"), GUEST_INIT, { mode: 0o755 });
  writeFileSync(path.join(dir, "out", "record"), RECORD_SCRIPT, { mode: 0o755 });
  const settings = [
    `OUT=${path.join(dir, "out")}`,
    `TOOL=${APPLY_TOOL}`,
    `BUNDLE=${bundleFile(dir, 1)}`,
    `BUNDLE_2GB=${bundleFile(dir, 2)}`,
  ];
  writeFileSync(path.join(dir, "scenario.sh"), [...settings, PRELUDE, body].join("\n"));
  const consoleLog = path.join(dir, "console.log");
  const output = openSync(consoleLog, "w");
  const guest = spawn(
    UML_KERNEL,
    [
      "mem=1024M",
      `uml_dir=${dir}`,
      "root=/dev/root",
      "rootfstype=hostfs",
      "rootflags=/",
      "ro",
      `init=${path.join(dir, "init")}`,
      `TENANCY_GUEST_DIR=${dir}`,
      "quiet",
      "con=null",
      "con0=null,fd:1",
    ],
    { cwd: dir, detached: true, stdio: ["ignore", output, output] },
  );
  closeSync(output);
  guests.add(guest);
  const ended = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => {
      kill(guest);
      resolve("timed out after 150 s");
    }, 150_000);
    guest.on("error", (error) => {
      clearTimeout(timer);
      resolve(String(error));
    });
    guest.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(`exited with ${signal ?? code}`);
    });
  });
  guests.delete(guest);
  const problem = path.join(dir, "guest.error");
  if (existsSync(problem)) throw new Error(`${name}: ${readFileSync(problem, "utf8")}`);
  const rc = path.join(dir, "scenario.rc");
  if (!existsSync(rc)) {
    const tail = readFileSync(consoleLog, "utf8").split("\n").slice(-30).join("\n");
    throw new Error(`${name}: the UML guest ran no scenario (${ended}); its console:\n${tail}`);
  }
  const scenario = new Scenario(dir);
  if (readFileSync(rc, "utf8").trim() !== "0")
    throw new Error(`${name}: the scenario's own setup failed; its log:\n${scenario.log()}`);
  return scenario;
}

function kill(guest: ChildProcess): void {
  if (guest.pid === undefined || guest.exitCode !== null || guest.signalCode !== null) return;
  try {
    process.kill(-guest.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

const names = (ran: string[]) => ran.map((line) => line.split(" ")[0] ?? "");

beforeAll(() => {
  if (process.getuid?.() !== 0)
    throw new Error("the volume-grow test runs as root (it mounts and uses loop devices)");
  if (!existsSync(UML_KERNEL))
    throw new Error(
      `${UML_KERNEL} is missing: install user-mode-linux (sh infra/host/testing/host-tools.sh does it)`,
    );
  work = mkdtempSync(path.join(os.tmpdir(), "tenancy-volume-grow-"));
  const found = hostSpec(
    expand(
      manifestOf([
        { id: "alpha", plan: "starter", host: HOST },
        { id: "bravo", plan: "hobby", host: HOST },
      ]),
    ),
    HOST,
  );
  if (!found) throw new Error(`no host ${HOST} in the test manifest`);
  spec = found;
  bundle = render(spec);
});

afterAll(() => {
  for (const guest of guests) kill(guest);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the bundle says how large the volume is", () => {
  it("carries the host's volumeGb, so that a resized volume changes the bundle's hash and re-runs the apply", () => {
    expect(bundle.volumeGb).toBe(spec.server.volumeGb);
    const bigger = { ...spec, server: { ...spec.server, volumeGb: spec.server.volumeGb + 10 } };
    const grown = render(bigger);
    expect(grown.volumeGb).toBe(spec.server.volumeGb + 10);
    expect(bundleHash(grown)).not.toBe(bundleHash({ ...grown, volumeGb: spec.server.volumeGb }));
  });

  const bad: [string, unknown][] = [
    ["0", 0],
    ["a string", "40"],
    ["a fraction", 40.5],
    ["true", true],
    ["over Hetzner's 10 TB", 10241],
  ];
  it.each(bad)("a bundle whose volumeGb is %s is refused before anything (exit 1)", (_what, volumeGb) => {
    const dir = mkdtempSync(path.join(work, "refused-"));
    const file = path.join(dir, "bundle.json");
    writeFileSync(file, JSON.stringify({ ...bundle, volumeGb }));
    const result = spawnSync(SYSTEM_PYTHON, [APPLY_TOOL, file], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, TENANCY_ROOT: path.join(dir, "root"), TENANCY_DATA_MOUNT: dir },
    });
    expect({ code: result.status, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining("refused, nothing changed: bad volumeGb"),
    });
    expect(existsSync(path.join(dir, "root"))).toBe(false);
  });
});

describe("a volume that Hetzner grew: the apply grows its ext4 online", () => {
  let run: Scenario;
  let dev = "";
  const mount = `${G}/data`;

  beforeAll(async () => {
    run = await inGuest(
      "grow",
      `volume data 1G
head -c 4194304 /dev/urandom >"$G/data/tenant.dat"
note data-before "$(sha256sum <"$G/data/tenant.dat")"
# A file held open across the growth, as PostgreSQL holds its files.
exec 3>>"$G/data/held.log"
echo before >&3
note mount-before "$(mount_id "$G/data")"
note fs-before "$(fs_bytes "$dev")"
note df-before "$(df_bytes "$G/data")"
enlarge data 3G
note device "$(blockdev --getsize64 "$dev")"
note fs-enlarged "$(fs_bytes "$dev")"
step fallocate-before fallocate -l 2G "$G/data/big"
rm -f "$G/data/big"

step check apply "$G/root" "$G/data" --check "$BUNDLE"
note fs-checked "$(fs_bytes "$dev")"
step first apply "$G/root" "$G/data" "$BUNDLE"
note fs-after "$(fs_bytes "$dev")"
note df-after "$(df_bytes "$G/data")"
note mount-after "$(mount_id "$G/data")"
echo after >&3
exec 3>&-
sync
echo 3 >/proc/sys/vm/drop_caches
note data-after "$(sha256sum <"$G/data/tenant.dat")"
step held cat "$G/data/held.log"
step fallocate-after fallocate -l 2G "$G/data/big"
rm -f "$G/data/big"
step state cat "$G/root/var/lib/tenancy/volume.json"

step second apply "$G/root" "$G/data" "$BUNDLE"
note state-after-second "$(cat "$G/root/var/lib/tenancy/volume.json")"

enlarge data 4G
step bootstrap apply "$G/bootstrap-root" "$G/data" --bootstrap
note fs-bootstrapped "$(fs_bytes "$dev")"

umount "$G/data"
step fsck e2fsck -fn "$dev"
losetup -d "$dev"
`,
    );
    dev = run.note("dev");
  });

  it("starts from a 1 GiB filesystem on a device the kernel now sees at 3 GiB, with no room for 2 GiB", () => {
    expect(dev).toMatch(/^\/dev\/loop\d+$/);
    expect(run.bytes("fs-before")).toBe(GiB);
    expect(run.bytes("device")).toBe(3 * GiB);
    expect(run.bytes("fs-enlarged")).toBe(GiB);
    const full = run.step("fallocate-before");
    expect(full.code).not.toBe(0);
    expect(full.output).toMatch(/No space left on device/);
  });

  it("--check says it would grow it, and grows nothing", () => {
    const check = run.step("check");
    expect(check.code).toBe(0);
    expect(check.output).toContain(
      `data volume: would grow ${mount} (ext4 on ${dev}) online from 1.0 GiB (${GiB} bytes) to its device's 3.0 GiB (${3 * GiB} bytes)`,
    );
    expect(names(check.ran)).not.toContain("resize2fs");
    expect(run.bytes("fs-checked")).toBe(GiB);
  });

  it("the apply grows the filesystem to its device with resize2fs, logs before and after, and applies the rest", () => {
    const first = run.step("first");
    expect(first.output).toContain(
      `data volume: grew ${mount} (ext4 on ${dev}) online from 1.0 GiB (${GiB} bytes) to 3.0 GiB (${3 * GiB} bytes)`,
    );
    expect(first.output).toContain(`applied: ${HOST} is up to date`);
    expect(first.code).toBe(0);
    // After the bundle validated, before anything else changed.
    expect(names(first.ran)).toEqual([FIRST_APPLY[0], "resize2fs", ...FIRST_APPLY.slice(1)]);
    expect(first.ran[1]).toBe(`resize2fs ${dev}`);
    // 3 GiB is a whole number of 128 MiB block groups: resize2fs leaves nothing off.
    expect(run.bytes("fs-after")).toBe(run.bytes("device"));
    expect(run.bytes("df-after") - run.bytes("df-before")).toBeGreaterThan(1.9 * GiB);
  });

  it("online: the same mount throughout, a file held open across it still written, the data intact", () => {
    expect(run.note("mount-after")).toBe(run.note("mount-before"));
    expect(run.step("held").output).toBe("before\nafter\n");
    expect(run.note("data-after")).toBe(run.note("data-before"));
    const room = run.step("fallocate-after");
    expect({ code: room.code, output: room.output }).toEqual({ code: 0, output: "" });
  });

  it("records the growth in the apply's state (volume.json)", () => {
    const state = JSON.parse(run.step("state").output) as { grown: Record<string, unknown>[] };
    expect(state.grown).toEqual([
      {
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        mount,
        device: dev,
        fromBytes: GiB,
        toBytes: 3 * GiB,
        deviceBytes: 3 * GiB,
      },
    ]);
  });

  it("a second apply finds it full and does nothing: no resize2fs, the state untouched", () => {
    const second = run.step("second");
    expect(second.code).toBe(0);
    expect(second.output).toContain(
      `data volume: ${mount} (ext4 on ${dev}) fills its device: 3.0 GiB (${3 * GiB} bytes)`,
    );
    expect(second.output).toContain("no changes");
    expect(second.ran).toEqual([]);
    expect(run.note("state-after-second")).toBe(run.step("state").output.trim());
  });

  it("--bootstrap grows it too, before it enables the services", () => {
    const bootstrap = run.step("bootstrap");
    expect(bootstrap.code).toBe(0);
    expect(bootstrap.ran).toEqual([`resize2fs ${dev}`, "bootstrap-services"]);
    expect(bootstrap.output).toContain(
      `online from 3.0 GiB (${3 * GiB} bytes) to 4.0 GiB (${4 * GiB} bytes)`,
    );
    expect(run.bytes("fs-bootstrapped")).toBe(4 * GiB);
  });

  it("leaves a clean filesystem: e2fsck -fn finds nothing once it is unmounted", () => {
    const fsck = run.step("fsck");
    expect(fsck.output).toMatch(/Pass 5: Checking group summary information/);
    expect(fsck.code).toBe(0);
  });
});

describe("a device that did not grow", () => {
  let run: Scenario;
  let dev = "";

  beforeAll(async () => {
    run = await inGuest(
      "same",
      `volume data 1G
note fs-before "$(fs_bytes "$dev")"
step first apply "$G/root" "$G/data" "$BUNDLE"
step second apply "$G/root" "$G/data" "$BUNDLE"
step state ls "$G/root/var/lib/tenancy"
# 8 MiB more: within the slack that resize2fs may leave off.
enlarge data 1032M
note device-slack "$(blockdev --getsize64 "$dev")"
step slack apply "$G/root" "$G/data" "$BUNDLE"
note fs-after "$(fs_bytes "$dev")"
umount "$G/data"
losetup -d "$dev"
`,
    );
    dev = run.note("dev");
  });

  it("nothing to do, on a first apply and on a second: no resize2fs, no state", () => {
    for (const name of ["first", "second"]) {
      const step = run.step(name);
      expect(step.code).toBe(0);
      expect(step.output).toContain(
        `data volume: ${G}/data (ext4 on ${dev}) fills its device: 1.0 GiB (${GiB} bytes)`,
      );
      expect(names(step.ran)).not.toContain("resize2fs");
    }
    expect(names(run.step("first").ran)).toEqual(FIRST_APPLY);
    expect(run.step("second").ran).toEqual([]);
    expect(run.step("state").output).toBe("applied.json\napply.lock\n");
  });

  it("a device larger by less than the slack is full too", () => {
    expect(run.bytes("device-slack") - GiB).toBeLessThan(SLACK);
    const slack = run.step("slack");
    expect(slack.code).toBe(0);
    expect(slack.output).toContain("fills its device");
    expect(slack.ran).toEqual([]);
    expect(run.bytes("fs-after")).toBe(GiB);
  });
});

describe("the bundle asks for more than the device has yet", () => {
  let run: Scenario;
  let dev = "";

  beforeAll(async () => {
    run = await inGuest(
      "wanted",
      `volume data 1G
step short apply "$G/root" "$G/data" "$BUNDLE_2GB"
note fs-short "$(fs_bytes "$dev")"
step pending test -e "$G/root/var/lib/tenancy/pending.json"
# Hetzner's resize reaches the server while the apply waits for it.
(sleep 3; enlarge data 3G) &
WAIT=60
step waited apply "$G/root" "$G/data" "$BUNDLE_2GB"
WAIT=0
wait
note fs-waited "$(fs_bytes "$dev")"
step enough apply "$G/root" "$G/data" "$BUNDLE_2GB"
umount "$G/data"
losetup -d "$dev"
`,
    );
    dev = run.note("dev");
  });

  it("says that Hetzner has not resized it yet, applies the rest, and exits 3 so that the apply is re-run", () => {
    const short = run.step("short");
    expect(short.output).toContain(
      `data volume: the bundle asks for a 2 GB volume, but ${dev} is 1.0 GiB (${GiB} bytes): Hetzner has not resized it yet`,
    );
    expect(short.output).toContain(`applied: ${HOST} is up to date`);
    expect(short.output).toMatch(/Re-run tenancy-apply/);
    expect(short.code).toBe(3);
    expect(names(short.ran)).toEqual(FIRST_APPLY);
    expect(run.step("pending").code).toBe(1);
    expect(run.bytes("fs-short")).toBe(GiB);
  });

  it("waits for the device to reach the bundle's size, then grows the filesystem", () => {
    const waited = run.step("waited");
    expect(waited.output).toMatch(
      /is 1\.0 GiB \(\d+ bytes\), smaller than the bundle's volume: waiting up to 60 s/,
    );
    expect(waited.output).toContain(`online from 1.0 GiB (${GiB} bytes) to 3.0 GiB (${3 * GiB} bytes)`);
    expect(waited.code).toBe(0);
    expect(waited.ran).toEqual([`resize2fs ${dev}`]);
    expect(run.bytes("fs-waited")).toBe(3 * GiB);
    const enough = run.step("enough");
    expect({ code: enough.code, ran: enough.ran }).toEqual({ code: 0, ran: [] });
    expect(enough.output).toContain("fills its device: 3.0 GiB");
  });
});

describe("no ext4 volume at the mount point: reported, and the rest of the apply goes on", () => {
  let run: Scenario;
  let dev = "";

  beforeAll(async () => {
    run = await inGuest(
      "none",
      `mkdir -p "$G/plain"
step plain apply "$G/root-plain" "$G/plain" "$BUNDLE"
step missing apply "$G/root-missing" "$G/no-such-dir" "$BUNDLE"
mkdir -p "$G/tmpfs"
mount -t tmpfs -o size=64M tenancy-tmpfs "$G/tmpfs"
step tmpfs apply "$G/root-tmpfs" "$G/tmpfs" "$BUNDLE"
umount "$G/tmpfs"
volume data 1G
mkdir "$G/data/sub"
enlarge data 3G
mkdir -p "$G/bound"
mount --bind "$G/data/sub" "$G/bound"
step bind apply "$G/root-bind" "$G/bound" "$BUNDLE"
note fs-bind "$(fs_bytes "$dev")"
umount "$G/bound"
umount "$G/data"
losetup -d "$dev"
`,
    );
    dev = run.note("dev");
  });

  it.each([
    [
      "a directory that is not mounted",
      "plain",
      `${G}/plain is not mounted (is the volume attached?): no filesystem to grow`,
    ],
    [
      "a mount point that does not exist",
      "missing",
      `${G}/no-such-dir does not exist: no filesystem to grow`,
    ],
    ["a tmpfs", "tmpfs", `${G}/tmpfs is tmpfs (tenancy-tmpfs), not ext4: not grown`],
  ])("%s", (_what, name, message) => {
    const step = run.step(name);
    expect(step.output).toContain(`data volume: ${message}`);
    expect(step.output).toContain(`applied: ${HOST} is up to date`);
    expect(step.code).toBe(0);
    expect(names(step.ran)).toEqual(FIRST_APPLY);
  });

  it("a bind mount of a directory on a grown ext4 volume is not taken for the volume", () => {
    const bind = run.step("bind");
    expect(bind.output).toContain(
      `data volume: ${G}/bound is a bind mount of /sub on ${dev}, not a volume: not grown`,
    );
    expect(bind.code).toBe(0);
    expect(names(bind.ran)).toEqual(FIRST_APPLY);
    expect(run.bytes("fs-bind")).toBe(GiB);
  });
});

describe("a resize that fails", () => {
  let run: Scenario;
  let dev = "";

  beforeAll(async () => {
    run = await inGuest(
      "failed",
      `volume data 1G
enlarge data 3G
# Without CAP_SYS_RESOURCE, as root in a container: the kernel refuses the online resize.
AS="setpriv --bounding-set -sys_resource"
step failed apply "$G/root" "$G/data" "$BUNDLE"
AS=
note fs-failed "$(fs_bytes "$dev")"
step state ls "$G/root/var/lib/tenancy"
step again apply "$G/root" "$G/data" "$BUNDLE"
note fs-again "$(fs_bytes "$dev")"
umount "$G/data"
losetup -d "$dev"
`,
    );
    dev = run.note("dev");
  });

  it("is a failed step (exit 3) that says what to run by hand; the rest of the apply is done", () => {
    const failed = run.step("failed");
    expect(failed.output).toContain("Permission denied to resize filesystem");
    expect(failed.output).toContain(`Grow it by hand (online, while mounted): resize2fs ${dev}`);
    expect(failed.output).toMatch(/Re-run tenancy-apply/);
    expect(failed.code).toBe(3);
    expect(failed.output).toContain(`applied: ${HOST} is up to date`);
    expect(names(failed.ran)).toEqual([FIRST_APPLY[0], "resize2fs", ...FIRST_APPLY.slice(1)]);
    expect(run.bytes("fs-failed")).toBe(GiB);
    expect(run.step("state").output.split("\n").filter(Boolean)).toEqual(["applied.json", "apply.lock"]);
  });

  it("the re-run grows it", () => {
    const again = run.step("again");
    expect(again.code).toBe(0);
    expect(again.output).toContain(`online from 1.0 GiB (${GiB} bytes) to 3.0 GiB (${3 * GiB} bytes)`);
    expect(again.ran).toEqual([`resize2fs ${dev}`]);
    expect(run.bytes("fs-again")).toBe(3 * GiB);
  });
});
