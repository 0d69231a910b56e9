/**
 * A throwaway PostgreSQL 15 cluster for tests of the host files against the real server.
 *
 * It lives in its own temporary directory (data, unix socket, log) and listens on its own port on
 * 127.0.0.1, never 5432: the machine's own cluster and its port are never touched. Authentication is as on
 * a host: scram-sha-256 for TCP connections from 127.0.0.1, and `peer` on the unix socket for the
 * superuser `postgres` only (mapped from the OS user that owns the cluster and from the test's own user).
 *
 * Run as root (the cluster then belongs to the `postgres` OS user, as on a host) or as any other user
 * (the cluster then belongs to that user). Always call `stop()` (in `afterAll`): it stops the server and
 * removes the directory, whatever state the cluster is in.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports";

/** PostgreSQL 15's binaries (Debian's layout); TENANCY_PG_BIN overrides. */
export const PG_BIN = process.env.TENANCY_PG_BIN ?? "/usr/lib/postgresql/15/bin";
export const SUPERUSER = "postgres";

export interface RunResult {
  /** Exit code (-1 when the process could not be started or was killed by a signal). */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for matching messages wherever a tool prints them. */
  output: string;
}

export interface Postgres {
  readonly port: number;
  /** Holds the unix socket; it is the cluster's temporary directory. */
  readonly socketDir: string;
  /** PGHOST/PGPORT/PGUSER (the superuser, over the socket) and a PATH with PostgreSQL 15 first. */
  readonly env: Record<string, string>;
  /** Run SQL (one or more statements) as the superuser; returns tab-separated, tuples-only output. Throws. */
  sql(query: string, database?: string): string;
  /** Like `sql`, split into rows of tab-separated fields. */
  rows(query: string, database?: string): string[][];
  /** `psql -X -q -d postgres -f FILE` as the cluster's OS user: exactly how tenancy-apply runs the SQL. */
  psqlFile(file: string): RunResult;
  /** Write `text` to a file the cluster's OS user can read, then `psqlFile` it. */
  applySql(text: string): RunResult;
  /** Connect as `role` with `password` over TCP on 127.0.0.1 (scram) and run `query`. Never throws. */
  connectAs(role: string, password: string, database: string, query?: string): RunResult;
  /** Start a session as the superuser that stays open while `query` runs (e.g. pg_sleep). */
  background(query: string, database: string, role?: { name: string; password: string }): ChildProcess;
  /** Stop the server and remove its directory. Safe to call twice, and after a failed start. */
  stop(): void;
}

/** The environment of the test without any PG* variable that could point a client elsewhere. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("PG")) env[key] = value;
  }
  return { ...env, ...extra };
}

export function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): RunResult {
  const result = spawnSync(command, args, {
    env: options.env ?? cleanEnv(),
    input: options.input,
    cwd: options.cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = result.stdout ?? "";
  const stderr = (result.stderr ?? "") + (result.error ? String(result.error) : "");
  return { code: result.status ?? -1, stdout, stderr, output: stdout + stderr };
}

export async function startPostgres(): Promise<Postgres> {
  const asRoot = process.getuid?.() === 0;
  const me = os.userInfo().username;
  const owner = asRoot ? "postgres" : me;
  // Commands that must run as the cluster's owner (initdb refuses root). From "/" so that they can read
  // their working directory.
  const asOwner = (command: string, args: string[], env: Record<string, string> = cleanEnv()) =>
    asRoot
      ? run("runuser", ["-u", owner, "--", command, ...args], { env, cwd: "/" })
      : run(command, args, { env, cwd: "/" });

  const dir = mkdtempSync(path.join(os.tmpdir(), "tenancy-pg-"));
  const data = path.join(dir, "data");
  const log = path.join(dir, "server.log");
  let started = false;
  let stopped = false;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (started) {
      const result = asOwner(path.join(PG_BIN, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
      if (result.code !== 0) killPostmaster(data);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    if (asRoot) {
      const { uid, gid } = ownerIds(owner);
      chownSync(dir, uid, gid);
    }
    // initdb wants the superuser's password in a real file (not /dev/fd): a random one, removed at once.
    const pwfile = path.join(dir, "superuser-password");
    writeFileSync(pwfile, `${Math.random().toString(36).slice(2)}${Date.now()}\n`, { mode: 0o600 });
    if (asRoot) chownSync(pwfile, ownerIds(owner).uid, ownerIds(owner).gid);
    const init = asOwner(path.join(PG_BIN, "initdb"), [
      "-D",
      data,
      "-U",
      SUPERUSER,
      "-A",
      "scram-sha-256",
      "--auth-local=peer",
      `--pwfile=${pwfile}`,
      "--no-sync",
      "--locale=C.UTF-8",
      "--encoding=UTF8",
    ]);
    rmSync(pwfile, { force: true });
    if (init.code !== 0) throw new Error(`initdb failed:\n${init.output}`);

    appendFileSync(
      path.join(data, "postgresql.conf"),
      [
        "",
        "# tenancy test cluster",
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        "unix_socket_permissions = 0700",
        "password_encryption = 'scram-sha-256'",
        "ssl = off",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 50",
        "shared_buffers = 32MB",
        "",
      ].join("\n"),
    );
    writeFileSync(
      path.join(data, "pg_hba.conf"),
      [
        "# TYPE  DATABASE  USER      ADDRESS        METHOD",
        `local   all       ${SUPERUSER}              peer map=admin`,
        "host    all       all       127.0.0.1/32   scram-sha-256",
        "",
      ].join("\n"),
    );
    writeFileSync(
      path.join(data, "pg_ident.conf"),
      [...new Set([owner, me])].map((user) => `admin ${user} ${SUPERUSER}`).join("\n") + "\n",
    );

    // Another test may take the port between our probe and the server's bind: then try another.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const start = asOwner(path.join(PG_BIN, "pg_ctl"), [
        "-D",
        data,
        "-l",
        log,
        "-o",
        `-p ${port}`,
        "-w",
        "-t",
        "60",
        "start",
      ]);
      if (start.code === 0) break;
      const serverLog = existsSync(log) ? readFileSync(log, "utf8") : "";
      if (attempt >= 5 || !/could not bind|already in use/i.test(serverLog)) {
        throw new Error(`pg_ctl start failed:\n${start.output}\n${serverLog}`);
      }
    }
    started = true;

    const env = cleanEnv({
      PGHOST: dir,
      PGPORT: String(port),
      PGUSER: SUPERUSER,
      PATH: `${PG_BIN}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    });

    const sql = (query: string, database = "postgres"): string => {
      const result = run(
        path.join(PG_BIN, "psql"),
        ["-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", database],
        {
          env,
          input: query,
        },
      );
      if (result.code !== 0) throw new Error(`psql (${database}) failed: ${result.stderr}\n${query}`);
      return result.stdout.replace(/\n$/, "");
    };

    const psqlFile = (file: string): RunResult =>
      // PGHOST/PGPORT only point psql at this cluster; the command line is tenancy-apply's.
      asOwner("psql", ["-X", "-q", "-d", "postgres", "-f", file], env);

    let applied = 0;
    const applySql = (text: string): RunResult => {
      const file = path.join(dir, `apply-${++applied}.sql`);
      writeFileSync(file, text, { mode: 0o644 });
      if (asRoot) chownSync(file, ownerIds(owner).uid, ownerIds(owner).gid);
      return psqlFile(file);
    };

    const tcpEnv = (role: string, password: string) =>
      cleanEnv({ PGPASSWORD: password, PGCONNECT_TIMEOUT: "10", PGSSLMODE: "disable", PGUSER: role });

    const connectAs = (
      role: string,
      password: string,
      database: string,
      query = "SELECT current_user",
    ): RunResult =>
      run(
        path.join(PG_BIN, "psql"),
        [
          "-X",
          "-q",
          "-A",
          "-t",
          "-w",
          "-v",
          "ON_ERROR_STOP=1",
          "-h",
          "127.0.0.1",
          "-p",
          String(port),
          "-d",
          database,
        ],
        { env: tcpEnv(role, password), input: query },
      );

    const background = (query: string, database: string, role?: { name: string; password: string }) =>
      spawn(
        path.join(PG_BIN, "psql"),
        role
          ? ["-X", "-q", "-w", "-h", "127.0.0.1", "-p", String(port), "-d", database, "-c", query]
          : ["-X", "-q", "-w", "-d", database, "-c", query],
        { env: role ? tcpEnv(role.name, role.password) : env, stdio: ["ignore", "pipe", "pipe"] },
      );

    return {
      port,
      socketDir: dir,
      env,
      sql,
      rows: (query, database) =>
        sql(query, database)
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => line.split("\t")),
      psqlFile,
      applySql,
      connectAs,
      background,
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}

function ownerIds(user: string): { uid: number; gid: number } {
  const result = run("id", ["-u", user]);
  const group = run("id", ["-g", user]);
  if (result.code !== 0 || group.code !== 0) throw new Error(`no OS user ${user}: ${result.output}`);
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}

/** Last resort when pg_ctl cannot stop the server: SIGQUIT to the postmaster named in postmaster.pid. */
function killPostmaster(data: string): void {
  try {
    const pid = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    if (Number.isInteger(pid) && pid > 1) process.kill(pid, "SIGQUIT");
  } catch {
    // Not running (no pid file, or no such process): nothing to stop.
  }
}
