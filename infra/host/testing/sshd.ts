/**
 * A second sshd for tests: on loopback addresses of its own choosing and a free port, with its own host key
 * (pinned in a known_hosts the test passes: StrictHostKeyChecking=yes), key authentication only, for the
 * test's own user. `forceCommand` makes every login run one program (SSH_ORIGINAL_COMMAND holds what the
 * client asked), as a host's sudo rules would restrict it. Debian's openssh-server; run as root.
 * Always `stop()` it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports";

export interface Sshd {
  port: number;
  user: string;
  /** `user@` the first address. */
  login: string;
  /** ssh options: this sshd's host key pinned for every address it listens on, the test's key only. */
  options: string[];
  /** The same options with another known_hosts file. */
  optionsWith(knownHosts: string): string[];
  /** A known_hosts file that pins another key for the same addresses (a host that is not this one). */
  wrongKnownHosts: string;
  stop(): void;
}

function keygen(file: string): [type: string, key: string] {
  const made = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "tenancy-test", "-f", file], {
    encoding: "utf8",
  });
  if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
  const [type = "", key = ""] = readFileSync(`${file}.pub`, "utf8").trim().split(" ");
  return [type, key];
}

export async function startSshd(
  base: string,
  options: { addresses: string[]; forceCommand?: string },
): Promise<Sshd> {
  const dir = mkdtempSync(path.join(base, "sshd-"));
  const [type, key] = keygen(path.join(dir, "host_key"));
  const [otherType, otherKey] = keygen(path.join(dir, "other_host_key"));
  writeFileSync(path.join(dir, "authorized_keys"), `${keygen(path.join(dir, "client_key")).join(" ")}\n`, {
    mode: 0o600,
  });
  const user = os.userInfo().username;
  const login = `${user}@${options.addresses[0]}`;
  // sshd as root needs its privilege-separation directory; it is not there until sshd ran once.
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  // A free port can be taken between freePort() and sshd's bind: then try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const pin = (file: string, pinned: string) =>
      writeFileSync(file, options.addresses.map((a) => `[${a}]:${port} ${pinned}\n`).join(""));
    const knownHosts = path.join(dir, "known_hosts");
    const wrongKnownHosts = path.join(dir, "wrong_known_hosts");
    pin(knownHosts, `${type} ${key}`);
    pin(wrongKnownHosts, `${otherType} ${otherKey}`);
    const config = path.join(dir, "sshd_config");
    writeFileSync(
      config,
      [
        `Port ${port}`,
        ...options.addresses.map((a) => `ListenAddress ${a}`),
        `HostKey ${path.join(dir, "host_key")}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
        `AllowUsers ${user}`,
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        // The key files live under /tmp, which is world-writable: sshd would refuse them.
        "StrictModes no",
        ...(options.forceCommand ? [`ForceCommand ${options.forceCommand}`] : []),
        "",
      ].join("\n"),
    );
    const check = spawnSync("/usr/sbin/sshd", ["-t", "-f", config], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`sshd -t: ${check.stderr}`);
    const server: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", config], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    server.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const optionsWith = (file: string) => [
      "-F",
      "/dev/null",
      "-p",
      String(port),
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${file}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      `IdentityFile=${path.join(dir, "client_key")}`,
      "-o",
      "PasswordAuthentication=no",
      "-o",
      "ConnectTimeout=10",
    ];
    const stop = () => {
      if (server.exitCode === null) server.kill("SIGTERM");
    };
    for (let i = 0; i < 50 && server.exitCode === null; i++) {
      const probe = spawnSync("ssh", [...optionsWith(knownHosts), login, "true"], { encoding: "utf8" });
      // Up when it answers: a forced command may well refuse "true".
      if (probe.status !== 255) {
        return { port, user, login, options: optionsWith(knownHosts), optionsWith, wrongKnownHosts, stop };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    stop();
    if (attempt >= 3 || !/Address already in use|Bind to port/i.test(log)) {
      throw new Error(`sshd did not start:\n${log}`);
    }
  }
}
