/**
 * tenancy-reboot, the maintenance window's reboot, run for real against a stand-in of the host: a /proc of
 * the test's own (the processes it shows, their command lines and mapped libraries), stand-ins for
 * systemctl (which records a reboot instead of doing one) and tenancy-notify, and the clock at its start
 * given by TENANCY_NOW. The booted host (host-boot.test.ts) reboots through the real systemd.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../testing/fixtures";

jest.setTimeout(60_000);

const REBOOT = path.join(REPO_ROOT, "infra", "host", "files", "tenancy-reboot");
/** A Sunday, half an hour into a 03:00-05:00 window; the timer gives --until 04:50. */
const SUNDAY_0330 = Date.UTC(2026, 11, 6, 3, 30) / 1000;
const UNTIL = "04:50";
const DEADLINE = Date.UTC(2026, 11, 6, 4, 50) / 1000;

let work: string;
const proc = () => path.join(work, "proc");
const calls = () => path.join(work, "calls");
const required = () => path.join(work, "reboot-required");

beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), "tenancy-reboot-"));
  mkdirSync(proc());
  mkdirSync(path.join(work, "bin"));
  writeFileSync(calls(), "");
  // systemctl: `is-active` answers as the test says (the updates running or not); `reboot` is recorded.
  stand(
    "systemctl",
    `echo "systemctl $*" >>"${calls()}"\n[ "$1" != is-active ] || [ -e "${work}/updates-running" ]`,
  );
  stand("tenancy-notify", `echo "notify $*" >>"${calls()}"`);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function stand(name: string, body: string): void {
  const file = path.join(work, "bin", name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

/** A process of the stand-in /proc: its command line, its name, and the files it maps. */
function processOf(pid: number, argv: string[], comm: string, maps: string[] = []): void {
  const dir = path.join(proc(), String(pid));
  mkdirSync(dir);
  writeFileSync(path.join(dir, "cmdline"), `${argv.join("\0")}\0`);
  writeFileSync(path.join(dir, "comm"), `${comm}\n`);
  const mapLine = (file: string) => `7f2a1c000000-7f2a1c200000 r-xp 00000000 08:01 1234 ${file}`;
  writeFileSync(path.join(dir, "maps"), maps.map(mapLine).join("\n") + (maps.length ? "\n" : ""));
}

interface Run {
  code: number | null;
  output: string;
  calls: string[];
}

function reboot(args: string[] = ["--until", UNTIL], now = SUNDAY_0330): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(REBOOT, args, {
      env: {
        PATH: `${path.join(work, "bin")}:/usr/bin:/bin`,
        TENANCY_REBOOT_REQUIRED: required(),
        TENANCY_PROC: proc(),
        TENANCY_STATE: path.join(work, "state"),
        TENANCY_NOTIFY: path.join(work, "bin", "tenancy-notify"),
        TENANCY_REBOOT_POLL_SECONDS: "1",
        TENANCY_NOW: String(now),
      },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) =>
      resolve({ code, output, calls: readFileSync(calls(), "utf8").split("\n").filter(Boolean) }),
    );
  });
}

const rebooted = (run: Run) => run.calls.includes("systemctl reboot");

describe("tenancy-reboot", () => {
  test("does nothing on a host that needs no reboot", async () => {
    processOf(1, ["/lib/systemd/systemd"], "systemd", ["/usr/lib/x86_64-linux-gnu/libc.so.6"]);
    const run = await reboot();
    expect(run).toMatchObject({ code: 0, output: "tenancy-reboot: no reboot needed\n" });
    expect(rebooted(run)).toBe(false);
  });

  test("reboots when an update asked for it, naming the packages", async () => {
    writeFileSync(required(), "*** System restart required ***\n");
    writeFileSync(`${required()}.pkgs`, "linux-image-6.1.0-28-amd64\nlinux-image-6.1.0-28-amd64\n");
    const run = await reboot();
    expect(run.code).toBe(0);
    expect(run.output).toContain("rebooting: an update asked for it (linux-image-6.1.0-28-amd64)");
    expect(rebooted(run)).toBe(true);
  });

  test("reboots when a running program maps a library an update replaced, and not for other deleted files", async () => {
    processOf(300, ["/usr/sbin/sshd", "-D"], "sshd", [
      "/memfd:pulse (deleted)",
      "/SYSV0052e2c1 (deleted)",
      "/usr/lib/locale/locale-archive (deleted)",
      "/usr/lib/x86_64-linux-gnu/libssl.so.3",
    ]);
    const quiet = await reboot();
    expect(quiet.output).toBe("tenancy-reboot: no reboot needed\n");
    expect(rebooted(quiet)).toBe(false);

    processOf(400, ["/usr/bin/caddy", "run"], "caddy", ["/usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)"]);
    const run = await reboot();
    expect(run.output).toContain("rebooting: running programs use replaced libraries (caddy)");
    expect(rebooted(run)).toBe(true);
  });

  test("waits for a running backup, then reboots once it is over", async () => {
    writeFileSync(required(), "");
    processOf(500, ["/bin/bash", "/usr/local/sbin/tenancy-backup"], "tenancy-backup");
    // A path that only starts like a host tool's is not one.
    processOf(501, ["/usr/local/sbin/tenancy-backupx"], "tenancy-backupx");
    const running = reboot();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    rmSync(path.join(proc(), "500"), { recursive: true });
    const run = await running;
    expect(run.output).toContain(
      "a reboot is needed; waiting for: /bin/bash /usr/local/sbin/tenancy-backup\n",
    );
    expect(run.output).toContain("rebooting: an update asked for it");
    expect(rebooted(run)).toBe(true);
  });

  test("waits for the updates, and for an apply holding the lock", async () => {
    writeFileSync(required(), "");
    writeFileSync(path.join(work, "updates-running"), "");
    const run = await reboot(["--until", UNTIL], DEADLINE - 2);
    expect(run.output).toContain("waiting for: the updates");
    expect(rebooted(run)).toBe(false);

    rmSync(path.join(work, "updates-running"));
    const lock = path.join(work, "state", "apply.lock");
    // In a process group of its own, so that the sleep holding the lock is stopped with flock.
    const holder = spawn("flock", [lock, "sleep", "30"], { stdio: "ignore", detached: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const locked = await reboot(["--until", UNTIL], DEADLINE - 2);
      expect(locked.output).toContain(
        `waiting for: an apply (it holds ${path.join(work, "state")}/apply.lock)`,
      );
      expect(rebooted(locked)).toBe(false);
    } finally {
      process.kill(-holder.pid!, "SIGTERM");
    }
  });

  test("leaves the reboot to the next window at the window's end, and tells the operators", async () => {
    writeFileSync(required(), "");
    processOf(600, ["/usr/bin/python3", "/usr/local/sbin/tenancy-apply", "-"], "tenancy-apply");
    const run = await reboot(["--until", UNTIL], DEADLINE - 2);
    expect(run.code).toBe(0);
    const message =
      "a reboot is needed (an update asked for it), and /usr/bin/python3 /usr/local/sbin/tenancy-apply - ran until the window's end (04:50 UTC): left to the next window";
    expect(run.output).toContain(`tenancy-reboot: ${message}\n`);
    expect(run.calls).toContain(`notify --event reboot-postponed --status ${message}`);
    expect(rebooted(run)).toBe(false);

    // Started after the end (a late timer, or by hand): no reboot at all.
    rmSync(path.join(proc(), "600"), { recursive: true });
    const late = await reboot(["--until", UNTIL], DEADLINE);
    expect(late.output).toContain("left to the next window");
    expect(rebooted(late)).toBe(false);
  });

  test.each([[[]], [["--until"]], [["--until", "24:00"]], [["--until", "4:50"]], [["--at", "04:50"]]])(
    "refuses the arguments %j (exit 2, with its usage)",
    async (args) => {
      const run = await reboot(args);
      expect(run.code).toBe(2);
      expect(run.output).toContain("Usage: tenancy-reboot --until HH:MM");
      expect(rebooted(run)).toBe(false);
    },
  );
});
