/**
 * The upgrade from per-tenant RandomPassword resources to passwords derived from the stack's key
 * (components/tenant-passwords.ts), on a real PostgreSQL 15: a host deployed before the change holds each
 * tenant's role with the old random password's verifier and the app's DATABASE_URL with that password. The
 * next `pulumi up` renders the host's bundle with the derived passwords; one run of tenancy-apply (the real
 * tool, against a temporary root, with the real psql on a throwaway cluster and stand-ins for systemd and
 * Caddy) changes the SQL's verifier and the env file together and restarts the app, so the application's
 * connection string and the role agree after the apply and no tenant is locked out.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { deriveTenantPassword } from "../../../components/tenant-passwords";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT, type TenantEntry } from "../../testing/fixtures";
import { renderBundle, type HostBundle } from "../bundle";
import { APP_USER, tenantEnvFile } from "../registry";
import { scramVerifier } from "../scram";
import { hostSecrets } from "../secrets";
import { hostSpec, type HostSpec } from "../spec";
import { cleanEnv, PG_BIN, run, startPostgres, type Postgres, type RunResult } from "../testing/postgres";

jest.setTimeout(120_000);

const APPLY = path.join(REPO_ROOT, "infra", "host", "files", "tenancy-apply");
const HOST = "shared-fsn1-a";
const TENANTS: TenantEntry[] = [
  { id: "alpha", plan: "starter", host: HOST },
  { id: "bravo", plan: "hobby", host: HOST },
];
const IDS = TENANTS.map((t) => t.id);
/** The stack's key, as `random.RandomPassword` makes it: 64 letters and digits. */
const KEY = randomBytes(48)
  .toString("base64")
  .replace(/[^A-Za-z0-9]/g, "")
  .padEnd(64, "k")
  .slice(0, 64);
/** What each tenant's RandomPassword held before the upgrade: 32 letters and digits. */
const OLD: Record<string, string> = Object.fromEntries(
  IDS.map((id) => [id, randomBytes(32).toString("hex").slice(0, 16) + "OldRandomPassword"]),
);
const DERIVED: Record<string, string> = Object.fromEntries(
  IDS.map((id) => [id, deriveTenantPassword(KEY, id, 0)]),
);

/** record NAME [-- COMMAND…]: note NAME in $RECORD_LOG, then run COMMAND; without one, succeed (a stand-in). */
const RECORD_SCRIPT = `#!/bin/sh
name=$1
shift
printf '%s\\n' "$name" >> "$RECORD_LOG"
if [ "\${1:-}" = -- ]; then
  shift
  exec "$@"
fi
exit 0
`;

let pg: Postgres | undefined;
let work = "";
let root = "";
let log = "";
let spec: HostSpec;

beforeAll(async () => {
  // As root, tenancy-apply gives the env files the app user's group (a host's own useradd; here, once).
  if (process.getuid?.() === 0 && run("getent", ["group", APP_USER]).code !== 0) {
    const made = run("useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      APP_USER,
    ]);
    if (made.code !== 0) throw new Error(`useradd ${APP_USER}: ${made.output}`);
  }
  work = mkdtempSync(path.join(os.tmpdir(), "tenancy-password-upgrade-"));
  root = path.join(work, "root");
  mkdirSync(root);
  log = path.join(work, "commands.log");
  writeFileSync(path.join(work, "record"), RECORD_SCRIPT);
  chmodSync(path.join(work, "record"), 0o755);
  const found = hostSpec(expand(manifestOf(TENANTS)), HOST);
  if (!found) throw new Error(`no host ${HOST} in the test manifest`);
  spec = found;
  pg = await startPostgres();
});

afterAll(() => {
  pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function cluster(): Postgres {
  if (!pg) throw new Error("PostgreSQL did not start");
  return pg;
}

function bundleWith(passwords: Record<string, string>): HostBundle {
  return renderBundle(
    spec,
    hostSecrets({
      dbPasswords: passwords,
      resticPassword: "test-restic-password-0123456789",
      resticRepository: "/mnt/data/restic-test",
      originCertificate: "test certificate",
      originKey: "test key",
    }),
  );
}

let applied = 0;
/** One run of tenancy-apply: the commands it ran, in order, and how it ended. */
function apply(bundle: HostBundle): { code: number; output: string; ran: string[] } {
  const file = path.join(work, `bundle-${++applied}.json`);
  writeFileSync(file, JSON.stringify(bundle));
  writeFileSync(log, "");
  const record = (name: string, command: string[] = []) =>
    [path.join(work, "record"), name, ...(command.length ? ["--", ...command] : [])].join(" ");
  const result = run("/usr/bin/python3", [APPLY, file], {
    env: cleanEnv({
      ...cluster().env,
      TENANCY_ROOT: root,
      RECORD_LOG: log,
      // The real psql on the test's cluster (PGHOST, PGPORT, PGUSER above), as tenancy-apply runs it.
      TENANCY_CMD_PSQL: record("psql", [path.join(PG_BIN, "psql"), "-X", "-q", "-d", "postgres", "-f", "-"]),
      TENANCY_CMD_CADDY_VALIDATE: `${record("caddy-validate")} {}`,
      TENANCY_CMD_CADDY_RELOAD: record("caddy-reload"),
      TENANCY_CMD_APP_RESTART: record("app-restart"),
      TENANCY_CMD_APP_ENABLE: record("app-enable"),
      TENANCY_CMD_DAEMON_RELOAD: record("daemon-reload"),
      TENANCY_CMD_TIMERS_ENABLE: record("timers-enable"),
      TENANCY_CMD_FINAL_BACKUP: `${record("final-backup")} {}`,
      TENANCY_CMD_POSTGRES_RESTART: record("postgres-restart"),
      TENANCY_CMD_APP_USER: `${record("app-user")} {}`,
    }),
  });
  return {
    code: result.code,
    output: result.output,
    ran: readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}

/** The app's connection string, from the env file tenancy-apply wrote. */
function databaseUrl(id: string): URL {
  const text = readFileSync(path.join(root, tenantEnvFile(id)), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("DATABASE_URL="));
  if (!line) throw new Error(`${tenantEnvFile(id)} has no DATABASE_URL`);
  return new URL(line.slice("DATABASE_URL=".length));
}

/** Connect as the app does, with its URL as it is, but to the test cluster's port. */
function connect(url: URL): RunResult {
  const target = new URL(url.href);
  target.port = String(cluster().port);
  return run(path.join(PG_BIN, "psql"), [target.href, "-XqAtw", "-c", "SELECT current_user"], {
    env: cleanEnv({ PGCONNECT_TIMEOUT: "10", PGSSLMODE: "disable" }),
  });
}

const withPassword = (url: URL, password: string) => {
  const other = new URL(url.href);
  other.password = password;
  return other;
};

const verifierOf = (role: string) =>
  cluster().sql(`SELECT rolpassword FROM pg_authid WHERE rolname = '${role}'`);

describe("upgrading a host from per-tenant random passwords to derived ones", () => {
  test("before: the bundle rendered with the old random passwords; the app's DATABASE_URL connects", () => {
    const first = apply(bundleWith(OLD));
    expect(first.output).toContain("applied:");
    expect(first.code).toBe(0);
    for (const tenant of spec.tenants) {
      const url = databaseUrl(tenant.id);
      expect(decodeURIComponent(url.password)).toBe(OLD[tenant.id]);
      expect(connect(url)).toMatchObject({ code: 0, stdout: `${tenant.database.role}\n` });
    }
  });

  test("the first deploy with derived passwords: one apply changes the verifier and the env file, and restarts the app", () => {
    const upgrade = apply(bundleWith(DERIVED));
    expect(upgrade.output).toContain("applied:");
    expect(upgrade.code).toBe(0);
    // The role's new verifier first, then the app restarts on its new env file: in the same run.
    expect(upgrade.ran).toContain("psql");
    expect(upgrade.ran).toContain("app-restart");
    expect(upgrade.ran.indexOf("psql")).toBeLessThan(upgrade.ran.indexOf("app-restart"));
    for (const tenant of spec.tenants) {
      const url = databaseUrl(tenant.id);
      const role = tenant.database.role;
      // The app's connection string holds the derived password, and it connects.
      expect(decodeURIComponent(url.password)).toBe(DERIVED[tenant.id]);
      expect(connect(url)).toMatchObject({ code: 0, stdout: `${role}\n` });
      // The role's verifier in pg_authid is that password's (scram.ts derives the salt from it).
      expect(verifierOf(role)).toBe(scramVerifier(role, decodeURIComponent(url.password)));
      // The old random password no longer opens the role.
      const old = connect(withPassword(url, OLD[tenant.id]!));
      expect(old.code).not.toBe(0);
      expect(old.output).toContain(`password authentication failed for user "${role}"`);
    }
  });

  test("the next deploy renders the same bundle: tenancy-apply changes nothing and restarts nothing", () => {
    expect(JSON.stringify(bundleWith(DERIVED))).toBe(JSON.stringify(bundleWith(DERIVED)));
    const again = apply(bundleWith(DERIVED));
    expect(again.code).toBe(0);
    expect(again.ran).not.toContain("app-restart");
    expect(again.ran).not.toContain("psql");
    for (const tenant of spec.tenants) expect(connect(databaseUrl(tenant.id)).code).toBe(0);
  });
});
