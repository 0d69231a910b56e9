/**
 * The tenant SQL against a real PostgreSQL 15 (a throwaway cluster on its own port and socket), applied
 * the way tenancy-apply applies it: `psql -X -q -d postgres -f FILE` as the postgres OS user.
 */
import type { ChildProcess } from "node:child_process";
import { expand } from "../../expand";
import type { TenantStatus } from "../../manifest";
import { manifestOf } from "../../testing/fixtures";
import { scramVerifier } from "../scram";
import { hostSecrets } from "../secrets";
import { hostSpec } from "../spec";
import { renderTenantSql } from "../sql";
import { startPostgres, type Postgres } from "../testing/postgres";

// initdb, a server start and a few dozen psql runs: seconds, but give slow CI machines room.
jest.setTimeout(120_000);

const HOST = "shared-fsn1-a";
/** A custom password per tenant (hostSecrets wants at least 24 letters and digits). */
const PASSWORDS: Record<string, string> = {
  alpha: "AlphaPassword0123456789xyz",
  bravo: "BravoPassword9876543210abc",
  charlie: "CharliePassword55555555555",
};
const TENANTS = [
  { id: "alpha", plan: "starter", status: "active" },
  { id: "bravo", plan: "hobby", status: "active" },
  { id: "charlie", plan: "hobby", status: "suspended" },
] as const;
const database = (id: string) => `t_${id}`;

/** The tenant SQL of the host, with real secrets; `overrides` changes tenants' statuses. */
function renderSql(overrides: Record<string, TenantStatus> = {}): string {
  const model = expand(
    manifestOf(
      TENANTS.map((t) => ({ id: t.id, plan: t.plan, host: HOST, status: overrides[t.id] ?? t.status })),
    ),
  );
  const host = hostSpec(model, HOST);
  if (!host) throw new Error(`no host ${HOST} in the model`);
  const secrets = hostSecrets({
    dbPasswords: PASSWORDS,
    resticPassword: "unused",
    resticRepository: "unused",
    originCertificate: "unused",
    originKey: "unused",
  });
  return renderTenantSql(host, secrets);
}

/** Everything the SQL may change: roles (with verifiers and limits) and databases (owners, ACLs, oids). */
function catalogSnapshot(pg: Postgres): string {
  return [
    pg.sql(
      "SELECT oid, rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, " +
        "rolbypassrls, rolconnlimit, rolpassword, rolvaliduntil FROM pg_authid ORDER BY rolname",
    ),
    pg.sql(
      "SELECT d.oid, d.datname, pg_get_userbyid(d.datdba), d.datacl, d.datallowconn, d.datconnlimit " +
        "FROM pg_database AS d ORDER BY d.datname",
    ),
  ].join("\n");
}

/** Wait for a background psql to end; resolves with its exit code and stderr. */
function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
}

describe("tenant SQL on a real PostgreSQL 15", () => {
  let pg: Postgres;
  const sql = renderSql();

  beforeAll(async () => {
    pg = await startPostgres();
    const first = pg.applySql(sql);
    expect(first).toMatchObject({ code: 0 });
  });

  afterAll(() => pg?.stop());

  test("(a) applying it a second time changes nothing", () => {
    const before = catalogSnapshot(pg);
    expect(pg.applySql(sql).code).toBe(0);
    expect(catalogSnapshot(pg)).toBe(before);
  });

  test("(b) an active tenant reaches its own database and no other", () => {
    const others = [...TENANTS.map((t) => database(t.id)), "postgres", "template1"];
    for (const tenant of TENANTS.filter((t) => t.status === "active")) {
      const own = pg.connectAs(database(tenant.id), PASSWORDS[tenant.id] ?? "", database(tenant.id));
      expect(own).toMatchObject({ code: 0, stdout: `${database(tenant.id)}\n` });
      for (const other of others.filter((db) => db !== database(tenant.id))) {
        // Refused by privilege (CONNECT revoked from PUBLIC), after the password was accepted.
        const refused = pg.connectAs(database(tenant.id), PASSWORDS[tenant.id] ?? "", other);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain(`permission denied for database "${other}"`);
      }
    }
  });

  test("(c) the suspended tenant cannot log in, even to its own database", () => {
    const result = pg.connectAs(database("charlie"), PASSWORDS.charlie ?? "", database("charlie"));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`role "t_charlie" is not permitted to log in`);
  });

  test("(d) the SQL holds SCRAM verifiers, never a password, and the server accepts them", () => {
    for (const password of Object.values(PASSWORDS)) expect(sql).not.toContain(password);
    const literals = [...sql.matchAll(/PASSWORD '([^']*)'/g)].map((m) => m[1] ?? "");
    expect(literals).toHaveLength(TENANTS.length);
    for (const literal of literals) expect(literal).toMatch(/^SCRAM-SHA-256\$4096:[^$]+\$[^:]+:.+$/);
    // Stored as rendered (not re-hashed), and a login with the password proves the verifier is right.
    const stored = pg.sql(`SELECT rolpassword FROM pg_authid WHERE rolname = 't_alpha'`);
    expect(stored).toBe(scramVerifier("t_alpha", PASSWORDS.alpha ?? ""));
    expect(pg.connectAs("t_alpha", PASSWORDS.alpha ?? "", "t_alpha").code).toBe(0);
    const wrong = pg.connectAs("t_alpha", PASSWORDS.bravo ?? "", "t_alpha");
    expect(wrong.stderr).toContain(`password authentication failed for user "t_alpha"`);
  });

  test("(e) the SQL never drops, truncates or deletes, whatever the statuses", () => {
    const statements = (text: string) => text.replace(/--.*$/gm, "");
    for (const text of [sql, renderSql({ alpha: "decommissioned", bravo: "suspended" })]) {
      expect(statements(text)).not.toMatch(/\b(DROP|TRUNCATE|DELETE)\b/i);
    }
  });

  test("(f) decommissioning keeps the database and its data, locks the login and ends its sessions", async () => {
    const alpha = { name: "t_alpha", password: PASSWORDS.alpha ?? "" };
    const write = pg.connectAs(
      alpha.name,
      alpha.password,
      "t_alpha",
      "CREATE TABLE keep (note text); INSERT INTO keep VALUES ('precious');",
    );
    expect(write.code).toBe(0);
    // A session that is still open when the tenant is locked must be ended by the SQL.
    const session = pg.background("SELECT pg_sleep(60)", "t_alpha", alpha);
    const ended = exited(session);
    await waitFor(() => pg.sql(`SELECT count(*) FROM pg_stat_activity WHERE usename = 't_alpha'`) === "1");

    const decommissioned = renderSql({ alpha: "decommissioned" });
    expect(pg.applySql(decommissioned).code).toBe(0);

    expect(pg.sql("SELECT note FROM keep", "t_alpha")).toBe("precious");
    expect(pg.sql(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_alpha'`)).toBe("f");
    const login = pg.connectAs(alpha.name, alpha.password, "t_alpha");
    expect(login.stderr).toContain(`role "t_alpha" is not permitted to log in`);
    const { code, stderr } = await ended;
    expect(code).not.toBe(0);
    expect(stderr).toContain("terminating connection due to administrator command");
    // The other tenants are untouched.
    expect(pg.connectAs("t_bravo", PASSWORDS.bravo ?? "", "t_bravo").code).toBe(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
