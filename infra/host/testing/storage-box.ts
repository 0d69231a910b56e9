/**
 * An SFTP server on loopback that behaves like a Hetzner Storage Box sub-account: a second sshd (Debian's
 * openssh-server) on a port of its own, password login for one throwaway system user, SFTP only
 * (ForceCommand internal-sftp), chrooted to a root-owned directory that holds the user's writable
 * `restic` directory, as a sub-account's home holds the repository. Run as root; always `stop()` it: it
 * stops sshd, deletes the user and removes the chroot.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { freePort } from "./ports";

export interface StorageBox {
  port: number;
  user: string;
  password: string;
  /** sftp:USER@127.0.0.1:/restic, as a sub-account's repository URL. */
  repository: string;
  /** The server's host key, "TYPE BASE64". */
  hostKey: string;
  /** Another key of the same type: a server that is not this one. */
  otherHostKey: string;
  /** Where the repository is on this machine (the chroot's restic directory). */
  repositoryDir: string;
  /** sshd's log so far (a file: the tests run the clients synchronously, so no stream would be read). */
  log(): string;
  stop(): void;
}

/** Root-owned in every component, as sshd wants a chroot: not under /tmp. */
const CHROOT_PARENT = "/srv";

function must(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: "utf8", input });
  if (result.status !== 0)
    throw new Error(`${command} ${args[0] ?? ""}: ${result.stderr}${result.error ?? ""}`);
  return result.stdout;
}

function keygen(file: string): string {
  must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file]);
  return readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}

export async function startStorageBox(base: string): Promise<StorageBox> {
  if (process.getuid?.() !== 0)
    throw new Error("a Storage-Box-like sshd needs root (chroot, password login)");
  const dir = mkdtempSync(path.join(base, "storage-box-"));
  const hostKey = keygen(path.join(dir, "host_key"));
  const otherHostKey = keygen(path.join(dir, "other_host_key"));

  // A system user of its own, with a password and no usable shell; ForceCommand never gives one anyway.
  const user = `tsftp${randomBytes(4).toString("hex")}`;
  const password = randomBytes(18).toString("base64url");
  must("useradd", ["--system", "--no-create-home", "--home-dir", "/", "--shell", "/usr/sbin/nologin", user]);
  const chroot = path.join(CHROOT_PARENT, `tenancy-test-${user}`);
  let server: ChildProcess | undefined;
  const logFile = path.join(dir, "sshd.log");
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  const stop = () => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
    spawnSync("userdel", [user]);
    rmSync(chroot, { recursive: true, force: true });
  };
  try {
    must("chpasswd", [], `${user}:${password}\n`);
    mkdirSync(chroot, { mode: 0o755 });
    const repositoryDir = path.join(chroot, "restic");
    mkdirSync(repositoryDir, { mode: 0o700 });
    const uid = Number(must("id", ["-u", user]).trim());
    chownSync(repositoryDir, uid, uid);
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

    const port = await freePort();
    const config = path.join(dir, "sshd_config");
    writeFileSync(
      config,
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${path.join(dir, "host_key")}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        `AllowUsers ${user}`,
        "PermitRootLogin no",
        "PubkeyAuthentication no",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "Subsystem sftp internal-sftp",
        `Match User ${user}`,
        `  ChrootDirectory ${chroot}`,
        "  ForceCommand internal-sftp",
        "  AllowTcpForwarding no",
        "  X11Forwarding no",
        "",
      ].join("\n"),
    );
    must("/usr/sbin/sshd", ["-t", "-f", config]);
    server = spawn("/usr/sbin/sshd", ["-D", "-E", logFile, "-f", config], { stdio: "ignore" });
    // Up once it answers on its port.
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
        socket.once("error", () => resolve(false));
      });
      if (up) break;
      if (i >= 50 || server.exitCode !== null) throw new Error(`sshd did not start:\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      port,
      user,
      password,
      repository: `sftp:${user}@127.0.0.1:/restic`,
      hostKey,
      otherHostKey,
      repositoryDir,
      log,
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
