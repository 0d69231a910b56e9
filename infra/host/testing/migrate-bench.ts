/**
 * The write-freeze window of moving a tenant, against its floor. Not a test: run it by hand.
 *
 *   npm run bench:migrate                      # about 1 GB, 3 runs
 *   npm run bench:migrate -- --gb 0.2 --runs 1 # a quick look
 *
 * Two throwaway PostgreSQL 15 clusters (testing/postgres.ts), the roles and databases of the real bundle SQL
 * (alpha on a shared host, and alpha on its own server), a tenant database of about --gb GB built in the
 * source. Each run measures, one after the other:
 *   (a) the floor: a bare `pg_dump -Fc | pg_restore` from the source into a fresh database of the target,
 *       then one count-and-checksum pass on each side (ROW_HASH_SUM_SQL, the move's own checksum);
 *   (b) the real steps, timed from freeze to the moment the tenant's first connection to the target succeeds:
 *       freeze, export | import, the source's record copied to the target, verify --against, adopt, connect.
 * Between runs the target is put back (the adopted copy dropped, the provisioned database renamed back) and
 * the source unfrozen. Both pipes are plain shell pipes between local processes (no ssh). The figures are
 * printed as a Markdown table (medians and every run) for docs/benchmarks.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT, type TenantEntry } from "../../testing/fixtures";
import { renderBundle } from "../bundle";
import { renderBackupList } from "../registry";
import { hostSecrets } from "../secrets";
import { hostSpec } from "../spec";
import { cleanEnv, PG_BIN, startPostgres, type Postgres } from "./postgres";

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const MIGRATE = path.join(FILES, "tenancy-migrate");
const AS_ROOT = process.getuid?.() === 0;
const PASSWORD = "AlphaPassword0123456789xyzBench";

interface Options {
  gb: number;
  runs: number;
}

function options(argv: string[]): Options {
  const result: Options = { gb: 1, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === "--gb" && value > 0) result.gb = value;
    else if (argv[i] === "--runs" && Number.isInteger(value) && value > 0) result.runs = value;
    else continue;
    i++;
  }
  return result;
}

interface Host {
  name: string;
  pg: Postgres;
  etc: string;
  state: string;
  sql: string;
}

const quote = (word: string) => `'${word.replace(/'/g, `'"'"'`)}'`;

function scriptEnv(host: Host): Record<string, string> {
  return {
    PGHOST: host.pg.env.PGHOST ?? "",
    PGPORT: host.pg.env.PGPORT ?? "",
    PGUSER: host.pg.env.PGUSER ?? "",
    PATH: host.pg.env.PATH ?? "",
    TENANCY_ETC: host.etc,
    TENANCY_STATE: host.state,
    TENANCY_LIB: FILES,
    TENANCY_PG_AS: AS_ROOT ? "postgres" : "",
    TENANCY_HOSTNAME: host.name,
  };
}

/** `env K=V… bash tenancy-migrate ARGS…` for one host, as one shell word list. */
function migrateLine(host: Host, args: string[]): string {
  return ["env", ...Object.entries(scriptEnv(host)).map(([k, v]) => `${k}=${v}`), "bash", MIGRATE, ...args]
    .map(quote)
    .join(" ");
}

/** Run a shell line (pipefail), fail loudly, return its stdout and the seconds it took. */
function sh(line: string, input?: string): { stdout: string; seconds: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync("bash", ["-o", "pipefail", "-c", line], {
    env: cleanEnv(),
    input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`failed (exit ${result.status}): ${line}\n${result.stderr}`);
  }
  return { stdout: result.stdout, seconds };
}

function makeHost(work: string, name: string, pg: Postgres, tenants: TenantEntry[]): Host {
  const dir = mkdtempSync(path.join(work, `${name}-`));
  const etc = path.join(dir, "etc");
  mkdirSync(etc);
  const spec = hostSpec(expand(manifestOf(tenants)), name);
  if (!spec) throw new Error(`no host ${name}`);
  const secrets = hostSecrets({
    dbPasswords: { alpha: PASSWORD },
    resticPassword: "bench-restic-password-0123456789",
    resticRepository: "/mnt/data/restic-bench",
    originCertificate: "bench certificate",
    originKey: "bench key",
  });
  writeFileSync(path.join(etc, "tenants.tsv"), renderBackupList(spec));
  const host = { name, pg, etc, state: path.join(dir, "state"), sql: renderBundle(spec, secrets).sql };
  const applied = pg.applySql(host.sql);
  if (applied.code !== 0) throw new Error(`bundle SQL on ${name}: ${applied.output}`);
  return host;
}

/**
 * A tenant database of about `gb` GB, created by the tenant's role: an orders table (numeric, jsonb,
 * timestamps, text with NULLs, bytea) that makes most of it, customers, an events table without a key,
 * sequences, a view and a large object of 8 MB.
 */
function buildTenant(pg: Postgres, gb: number): void {
  // About 238 bytes a row with its indexes, measured on PostgreSQL 15.
  const orders = Math.round((gb * 1024 ** 3) / 238);
  pg.sql(
    `SET ROLE t_alpha;
     CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, note text, since timestamptz NOT NULL);
     INSERT INTO customers (name, note, since) SELECT 'Kunde ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || md5(i::text) END,
       timestamptz '2024-01-01 00:00+00' + i * interval '1 minute' FROM generate_series(1, 100000) AS i;
     CREATE TABLE orders (id bigserial PRIMARY KEY, customer int NOT NULL REFERENCES customers, amount numeric(12,2),
       items jsonb, paid boolean, placed timestamptz NOT NULL, receipt bytea, comment text);
     INSERT INTO orders (customer, amount, items, paid, placed, receipt, comment)
       SELECT 1 + i % 100000, (i % 100000) * 1.25, jsonb_build_object('sku', 'A-' || (i % 5000), 'qty', i % 7, 'tag', md5(i::text)),
         i % 3 = 0, timestamptz '2024-01-01 00:00+00' + i * interval '1 second', decode(md5(i::text), 'hex'),
         CASE WHEN i % 5 = 0 THEN NULL ELSE md5((-i)::text) END
       FROM generate_series(1, ${orders}) AS i;
     CREATE INDEX orders_customer ON orders (customer);
     CREATE TABLE events (at timestamptz, kind text, payload bytea);
     INSERT INTO events SELECT timestamptz '2024-01-01 00:00+00' + (i % 1000) * interval '1 day', 'kind-' || (i % 10), '\\x00ff'
       FROM generate_series(1, ${Math.round(orders / 20)}) AS i;
     CREATE SEQUENCE invoice_no START 1000;
     CREATE VIEW unpaid AS SELECT id, customer, amount FROM orders WHERE NOT paid;
     SELECT lo_from_bytea(0, decode(repeat(md5('large object'), 524288), 'hex'));
     ANALYZE;`,
    "t_alpha",
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

interface Run {
  floorCopy: number;
  floorSourceChecksum: number;
  floorTargetChecksum: number;
  floor: number;
  freeze: number;
  copy: number;
  verify: number;
  adopt: number;
  connect: number;
  window: number;
}

function checksumPass(pg: Postgres, database: string): number {
  const checksumSql = `source ${quote(path.join(FILES, "tenancy-common.sh"))}; printf '%s\\n' "$ROW_HASH_SUM_SQL"`;
  const sql = sh(`ME=bench ETC=/nonexistent bash -c ${quote(checksumSql)}`).stdout;
  return sh(
    [
      "env",
      ...Object.entries(pg.env)
        .filter(([k]) => k.startsWith("PG") || k === "PATH")
        .map(([k, v]) => `${k}=${v}`),
      "psql",
      "-X",
      "-q",
      "-A",
      "-t",
      "-w",
      "-v",
      "ON_ERROR_STOP=1",
      "-d",
      database,
    ]
      .map(quote)
      .join(" ") + " >/dev/null",
    sql,
  ).seconds;
}

function floorRun(
  source: Host,
  target: Host,
): Pick<Run, "floorCopy" | "floorSourceChecksum" | "floorTargetChecksum" | "floor"> {
  target.pg.sql("DROP DATABASE IF EXISTS floor_copy");
  target.pg.sql("CREATE DATABASE floor_copy OWNER t_alpha TEMPLATE template0");
  const pgEnv = (pg: Postgres) =>
    Object.entries(pg.env)
      .filter(([k]) => k.startsWith("PG"))
      .map(([k, v]) => quote(`${k}=${v}`))
      .join(" ");
  const copy = sh(
    `env ${pgEnv(source.pg)} ${quote(path.join(PG_BIN, "pg_dump"))} -Fc -w -d t_alpha | ` +
      `env ${pgEnv(target.pg)} ${quote(path.join(PG_BIN, "pg_restore"))} --exit-on-error -w -d floor_copy`,
  ).seconds;
  const floorSourceChecksum = checksumPass(source.pg, "t_alpha");
  const floorTargetChecksum = checksumPass(target.pg, "floor_copy");
  target.pg.sql("DROP DATABASE floor_copy");
  return {
    floorCopy: copy,
    floorSourceChecksum,
    floorTargetChecksum,
    floor: copy + floorSourceChecksum + floorTargetChecksum,
  };
}

function migrateRun(
  source: Host,
  target: Host,
): Omit<Run, "floorCopy" | "floorSourceChecksum" | "floorTargetChecksum" | "floor"> {
  const start = process.hrtime.bigint();
  const freeze = sh(migrateLine(source, ["freeze", "alpha"]) + " >/dev/null").seconds;
  const copy = sh(
    `${migrateLine(source, ["export", "alpha"])} | ${migrateLine(target, ["import", "alpha"])} >/dev/null`,
  ).seconds;
  const verify = sh(
    `${migrateLine(source, ["verification", "alpha", "--side", "source"])} | ` +
      `${migrateLine(target, ["verify", "alpha", "--against", "-"])} >/dev/null`,
  ).seconds;
  const adopt = sh(migrateLine(target, ["adopt", "alpha"]) + " >/dev/null").seconds;
  // The moment the target could serve: the tenant's first connection and query there.
  const connect = sh(
    `env PGPASSWORD=${quote(PASSWORD)} PGSSLMODE=disable ${quote(path.join(PG_BIN, "psql"))} -X -q -A -t -w ` +
      `-h 127.0.0.1 -p ${target.pg.port} -U t_alpha -d t_alpha -c 'SELECT count(*) FROM customers' >/dev/null`,
  ).seconds;
  const window = Number(process.hrtime.bigint() - start) / 1e9;
  return { freeze, copy, verify, adopt, connect, window };
}

/** Put both hosts back as they were before the move: the target's provisioned database, the source unfrozen. */
function reset(source: Host, target: Host): void {
  const provisioned = target.pg.sql(
    "SELECT datname FROM pg_database WHERE datname LIKE 't\\_alpha\\_provisioned\\_%'",
  );
  target.pg.sql("DROP DATABASE IF EXISTS t_alpha WITH (FORCE)");
  if (provisioned) target.pg.sql(`ALTER DATABASE "${provisioned}" RENAME TO t_alpha`);
  target.pg.sql("DROP DATABASE IF EXISTS t_alpha_incoming WITH (FORCE)");
  const applied = target.pg.applySql(target.sql);
  if (applied.code !== 0) throw new Error(applied.output);
  rmSync(path.join(target.state, "migrate"), { recursive: true, force: true });
  sh(migrateLine(source, ["unfreeze", "alpha"]) + " >/dev/null");
  rmSync(path.join(source.state, "migrate"), { recursive: true, force: true });
}

const f = (seconds: number) => `${seconds.toFixed(1)} s`;

async function main(): Promise<void> {
  const { gb, runs } = options(process.argv.slice(2));
  const work = mkdtempSync(path.join(os.tmpdir(), "tenancy-migrate-bench-"));
  const clusters: Postgres[] = [];
  try {
    const [sourcePg, targetPg] = await Promise.all([startPostgres(), startPostgres()]);
    clusters.push(sourcePg, targetPg);
    const source = makeHost(work, "shared-fsn1-a", sourcePg, [
      { id: "alpha", plan: "starter", host: "shared-fsn1-a" },
    ]);
    const target = makeHost(work, "alpha", targetPg, [{ id: "alpha", plan: "professional" }]);

    const built = Date.now();
    buildTenant(source.pg, gb);
    const size = Number(source.pg.sql("SELECT pg_database_size('t_alpha')"));
    const rows = source.pg.sql("SELECT sum(n_live_tup) FROM pg_stat_user_tables", "t_alpha");
    console.error(
      `tenant database: ${(size / 1024 ** 3).toFixed(2)} GiB, ${rows} rows, built in ${((Date.now() - built) / 1000).toFixed(0)} s`,
    );

    const results: Run[] = [];
    for (let i = 1; i <= runs; i++) {
      const floor = floorRun(source, target);
      const real = migrateRun(source, target);
      const result = { ...floor, ...real };
      results.push(result);
      console.error(
        `run ${i}: floor ${f(result.floor)} (copy ${f(result.floorCopy)} + checksums ${f(result.floorSourceChecksum)} + ${f(result.floorTargetChecksum)}); ` +
          `window ${f(result.window)} (freeze ${f(result.freeze)}, export|import ${f(result.copy)}, verify ${f(result.verify)}, adopt ${f(result.adopt)}, connect ${f(result.connect)}); ` +
          `ratio ${(result.window / result.floor).toFixed(2)}`,
      );
      reset(source, target);
    }

    const m = (key: keyof Run) => median(results.map((r) => r[key]));
    const ratios = results.map((r) => r.window / r.floor);
    const lines = [
      `tenant database ${(size / 1024 ** 3).toFixed(2)} GiB (pg_database_size), ${rows} rows; ${runs} run(s); ` +
        `${os.cpus().length} cores; Node.js ${process.version}`,
      "",
      "| run | floor: dump \\| restore | + source checksum | + target checksum | floor | freeze | export \\| import | verify | adopt | first connection | window | window / floor |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...results.map(
        (r, i) =>
          `| ${i + 1} | ${f(r.floorCopy)} | ${f(r.floorSourceChecksum)} | ${f(r.floorTargetChecksum)} | ${f(r.floor)} | ${f(r.freeze)} | ${f(r.copy)} | ${f(r.verify)} | ${f(r.adopt)} | ${f(r.connect)} | ${f(r.window)} | ${(r.window / r.floor).toFixed(2)} |`,
      ),
      `| median | ${f(m("floorCopy"))} | ${f(m("floorSourceChecksum"))} | ${f(m("floorTargetChecksum"))} | ${f(m("floor"))} | ${f(m("freeze"))} | ${f(m("copy"))} | ${f(m("verify"))} | ${f(m("adopt"))} | ${f(m("connect"))} | ${f(m("window"))} | ${median(ratios).toFixed(2)} |`,
    ];
    console.log(lines.join("\n"));
  } finally {
    for (const pg of clusters) pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
