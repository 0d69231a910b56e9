/**
 * Tenant SQL: one login role and one database per tenant. Idempotent (run it twice, the second run
 * changes nothing) and never destructive: no DROP, no TRUNCATE, no DELETE, whatever the manifest says.
 * A tenant that is suspended or decommissioned keeps its role and database, locked (NOLOGIN).
 *
 * Run by `tenancy-apply` with psql (ON_ERROR_STOP): the role changes and the grants each run in a
 * transaction; CREATE DATABASE cannot, so it runs alone, guarded by NOT EXISTS (psql's \gexec).
 */
import type { HostSpec } from "./spec";
import type { HostSecrets } from "./secrets";

/** PostgreSQL identifiers here are `t_` + a DNS label with `-` as `_`: safe, but quoted all the same. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

export function renderTenantSql(host: HostSpec, secrets: HostSecrets): string {
  const lines: string[] = [
    `-- tenancy: tenant databases of ${host.name}. Rendered; do not edit on the host.`,
    "\\set ON_ERROR_STOP on",
    "SET client_min_messages = warning;",
    "",
    "BEGIN;",
    "-- Nobody but a database's own tenant may connect to it, or to the maintenance databases.",
    "REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;",
    "REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC;",
  ];
  for (const tenant of host.tenants) {
    const role = tenant.database.role;
    const canLogin = tenant.status === "active";
    lines.push(
      "",
      `-- ${tenant.id} (${tenant.plan}, ${tenant.status})`,
      `SELECT format('CREATE ROLE %I', ${literal(role)}) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(role)}) \\gexec`,
      `ALTER ROLE ${ident(role)} WITH ${canLogin ? "LOGIN" : "NOLOGIN"} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ` +
        `CONNECTION LIMIT ${tenant.database.connectionLimit} PASSWORD ${literal(secrets.dbVerifier(tenant.id, role))};`,
    );
  }
  const listed = host.tenants.map((tenant) => literal(tenant.database.role)).join(", ");
  lines.push(
    "",
    "-- A tenant role this host no longer lists keeps its database, but not its login.",
    "DO $$ DECLARE r record; BEGIN",
    `  FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 't\\_%' AND rolcanlogin AND rolname <> ALL (ARRAY[${listed}]::name[]) LOOP`,
    "    EXECUTE format('ALTER ROLE %I NOLOGIN', r.rolname);",
    "    PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = r.rolname;",
    "  END LOOP;",
    "END $$;",
    "COMMIT;",
  );
  const locked = host.tenants.filter((tenant) => tenant.status !== "active");
  if (locked.length > 0) {
    // After the commit, so that no session can log in again between its end and the lock.
    lines.push("", "-- Locked roles: end the sessions they still have.");
    for (const tenant of locked) {
      const role = literal(tenant.database.role);
      lines.push(
        `DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${role} AND pid <> pg_backend_pid(); END $$;`,
      );
    }
  }
  lines.push("", "-- CREATE DATABASE cannot run inside a transaction: each runs alone, only if missing.");
  for (const tenant of host.tenants) {
    const { name, role } = tenant.database;
    lines.push(
      `SELECT format('CREATE DATABASE %I OWNER %I', ${literal(name)}, ${literal(role)}) ` +
        `WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(name)}) \\gexec`,
    );
  }
  lines.push("", "BEGIN;");
  for (const tenant of host.tenants) {
    const { name, role } = tenant.database;
    lines.push(
      `ALTER DATABASE ${ident(name)} OWNER TO ${ident(role)};`,
      `REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(name)} FROM PUBLIC;`,
      `GRANT CONNECT, TEMPORARY ON DATABASE ${ident(name)} TO ${ident(role)};`,
    );
  }
  lines.push("COMMIT;", "");
  return lines.join("\n");
}
