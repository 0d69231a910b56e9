/**
 * tenancy-migrate for real: two throwaway PostgreSQL 15 clusters, a shared host's (shared-fsn1-a, where
 * alpha starts) and a dedicated tenant's own server (alpha on the professional plan), each with the roles
 * and databases the real bundle SQL creates and its rendered tenants.tsv. The script runs with bash exactly
 * as shipped. The target's commands go through a second sshd on 127.0.0.1 (its own port, its host key
 * pinned with StrictHostKeyChecking=yes, key authentication), as the orchestrator runs them; the kill tests
 * pipe two local processes, so that each side can be killed mid-stream. The tests run in order and build on
 * each other: alpha moves shared -> dedicated, and back.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT, type TenantEntry } from "../../testing/fixtures";
import { renderBundle, renderSudoers, SUDO_COMMANDS, SUDOERS_FILE, type HostBundle } from "../bundle";
import { DEPLOY_USER } from "../cloud-init";
import { renderBackupList } from "../registry";
import { hostSecrets } from "../secrets";
import { hostSpec } from "../spec";
import { cleanEnv, PG_BIN, run, startPostgres, type Postgres, type RunResult } from "../testing/postgres";
import { startSshd, type Sshd } from "../testing/sshd";

jest.setTimeout(300_000);

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const MIGRATE = path.join(FILES, "tenancy-migrate");
const APPLY = path.join(FILES, "tenancy-apply");
const SHARED = "shared-fsn1-a";
const AS_ROOT = process.getuid?.() === 0;
const PASSWORDS: Record<string, string> = {
  alpha: "AlphaPassword0123456789xyzMigrate",
  bravo: "BravoPassword9876543210abcMigrate",
};
/** Where alpha starts: a shared host, with bravo (suspended) beside it. */
const SHARED_TENANTS: TenantEntry[] = [
  { id: "alpha", plan: "starter", host: SHARED },
  { id: "bravo", plan: "hobby", host: SHARED, status: "suspended" },
];
/** Where it moves: its own server (the dedicated host is named after the tenant). */
const DEDICATED_TENANTS: TenantEntry[] = [{ id: "alpha", plan: "professional" }];
const ALPHA_TABLES = [
  "archive.events",
  "public.blob",
  "public.customers",
  "public.empty",
  "public.measurements_2024",
  "public.orders",
];

/** A verification record, as tenancy-migrate writes it (the fields the tests read). */
const VerificationRecord = z.object({
  format: z.literal(2),
  side: z.enum(["source", "target"]),
  tenant: z.string(),
  database: z.string(),
  host: z.string(),
  snapshot: z.string().nullable(),
  tables: z.record(z.string(), z.object({ rows: z.number(), checksum: z.string() })),
  sequences: z.record(
    z.string(),
    z.object({ lastValue: z.string(), isCalled: z.boolean(), definition: z.string() }),
  ),
  objects: z.record(z.string(), z.string()),
  largeObjects: z.object({ count: z.number(), bytes: z.string(), checksum: z.string() }),
  settings: z.object({
    database: z.array(z.string()),
    roleInDatabase: z.array(z.string()),
    role: z.array(z.string()),
  }),
});
const Status = z.object({
  tenant: z.string(),
  frozen: z.boolean(),
  exported: z.boolean(),
  imported: z.boolean(),
  verified: z.boolean(),
  adopted: z.boolean(),
  history: z.array(z.string()),
});
const VerifyResult = z.object({
  passed: z.boolean(),
  differences: z.array(z.object({ kind: z.string(), name: z.string(), problem: z.string() })),
});

interface Host {
  name: string;
  pg: Postgres;
  /** TENANCY_ETC: the rendered tenants.tsv. */
  etc: string;
  /** TENANCY_STATE: the migrate records go to migrate/<tenant>/. */
  state: string;
  /** The bundle's tenant SQL, applied at the start and whenever a test re-applies the bundle. */
  sql: string;
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A command line and the environment it runs with. */
interface Command {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const started = new Set<ChildProcess>();
let work = "";
let shared: Host;
let dedicated: Host;
let sshd: Sshd | undefined;

/** What the script reads on a host, here pointing at the test's cluster and directories. */
function scriptEnv(host: Host): Record<string, string> {
  return {
    PGHOST: host.pg.env.PGHOST ?? "",
    PGPORT: host.pg.env.PGPORT ?? "",
    PGUSER: host.pg.env.PGUSER ?? "",
    PATH: host.pg.env.PATH ?? "",
    TENANCY_ETC: host.etc,
    TENANCY_STATE: host.state,
    TENANCY_LIB: FILES, // tenancy-common.sh, next to the scripts in the repository
    // As on a host, when we can: the PostgreSQL tools run as the postgres OS user (runuser).
    TENANCY_PG_AS: AS_ROOT ? "postgres" : "",
    TENANCY_HOSTNAME: host.name,
  };
}

function local(host: Host, args: string[], extra: Record<string, string> = {}): Command {
  return { command: "bash", args: [MIGRATE, ...args], env: cleanEnv({ ...scriptEnv(host), ...extra }) };
}

/** The same command on the host through ssh, as the orchestrator runs it (env and bash stand in for sudo). */
function remote(host: Host, args: string[], extra: Record<string, string> = {}): Command {
  const ssh = live().sshd;
  const words = [
    "env",
    ...Object.entries({ ...scriptEnv(host), ...extra }).map(([k, v]) => `${k}=${v}`),
    "bash",
    MIGRATE,
    ...args,
  ];
  return { command: "ssh", args: [...ssh.options, ssh.login, words.map(quote).join(" ")], env: cleanEnv() };
}

function live(): { sshd: Sshd } {
  if (!sshd) throw new Error("sshd did not start");
  return { sshd };
}

const quote = (word: string) => `'${word.replace(/'/g, `'"'"'`)}'`;

/** Run a command to its end; stdin from `input` (text) or from a file. */
function runCommand(cmd: Command, options: { input?: string; stdinFile?: string; stdoutFile?: string } = {}) {
  const stdin = options.stdinFile === undefined ? "pipe" : openSync(options.stdinFile, "r");
  const stdout = options.stdoutFile === undefined ? "pipe" : openSync(options.stdoutFile, "w");
  try {
    const result = spawnSync(cmd.command, cmd.args, {
      env: cmd.env,
      input: options.input,
      stdio: [stdin, stdout, "pipe"],
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    return {
      code: result.status ?? -1,
      stdout: result.stdout ?? "",
      stderr: (result.stderr ?? "") + (result.error ? String(result.error) : ""),
      output: (result.stdout ?? "") + (result.stderr ?? ""),
    } satisfies RunResult;
  } finally {
    if (typeof stdin === "number") closeSync(stdin);
    if (typeof stdout === "number") closeSync(stdout);
  }
}

function migrate(host: Host, args: string[], input?: string): RunResult {
  return runCommand(local(host, args), input === undefined ? {} : { input });
}

/** Start a command in its own process group, so that a test can kill it with everything it started. */
function launch(cmd: Command, stdin: "pipe" | "ignore"): ChildProcess {
  const child = spawn(cmd.command, cmd.args, {
    env: cmd.env,
    stdio: [stdin, "pipe", "pipe"],
    detached: true,
  });
  started.add(child);
  child.on("exit", () => started.delete(child));
  return child;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

function finished(child: ChildProcess, collectStdout = true): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  if (collectStdout) child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/**
 * `left | right`, through this process (which counts the bytes). `kill` SIGKILLs one side's whole process
 * group once that many bytes have gone through: the export mid-stream, or the import mid-restore.
 */
async function pipeline(
  left: Command,
  right: Command,
  kill?: { side: "left" | "right"; afterBytes: number },
): Promise<{ left: Finished; right: Finished; bytes: number }> {
  const a = launch(left, "ignore");
  const b = launch(right, "pipe");
  const leftDone = finished(a, false);
  const rightDone = finished(b);
  let bytes = 0;
  let killed = false;
  const input = b.stdin;
  const output = a.stdout;
  if (!input || !output) throw new Error("no pipes");
  input.on("error", () => undefined); // the reader went away: the writer then gets EPIPE, as over ssh
  output.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (kill && !killed && bytes >= kill.afterBytes) {
      killed = true;
      killGroup(kill.side === "left" ? a : b);
    }
    if (!input.destroyed && !input.write(chunk)) {
      output.pause();
      input.once("drain", () => output.resume());
    }
  });
  output.on("end", () => input.end());
  // When the reader is gone, close our end of the writer's stdout too, so that it sees a broken pipe.
  b.on("exit", () => output.destroy());
  const [l, r] = await Promise.all([leftDone, rightDone]);
  return { left: l, right: r, bytes };
}

function statusOf(host: Host, tenant = "alpha") {
  const result = migrate(host, ["status", tenant]);
  expect(result.code).toBe(0);
  return Status.parse(JSON.parse(result.stdout));
}

function recordOf(host: Host, side: "source" | "target") {
  const result = migrate(host, ["verification", "alpha", "--side", side]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return { text: result.stdout, record: VerificationRecord.parse(JSON.parse(result.stdout)) };
}

/** All rows of a table as text, in a stable order: equal text means equal rows. */
const rowsOf = (pg: Postgres, db: string, table: string) =>
  pg.sql(`SELECT string_agg(r::text, E'\\n' ORDER BY r::text COLLATE "C") FROM ${table} AS r`, db);

const databases = (pg: Postgres) => pg.sql("SELECT datname FROM pg_database ORDER BY datname").split("\n");

const alphaLogin = (pg: Postgres, db: string, query?: string) =>
  pg.connectAs("t_alpha", PASSWORDS.alpha ?? "", db, query);

function makeHost(name: string, pg: Postgres, tenants: TenantEntry[]): Host {
  const dir = mkdtempSync(path.join(work, `${name}-`));
  const etc = path.join(dir, "etc");
  const state = path.join(dir, "state");
  mkdirSync(etc);
  const spec = hostSpec(expand(manifestOf(tenants)), name);
  if (!spec) throw new Error(`no host ${name}`);
  const bundle = renderBundle(spec, secretsFor(spec.tenants.map((t) => t.id)));
  writeFileSync(path.join(etc, "tenants.tsv"), renderBackupList(spec));
  const host = { name, pg, etc, state, sql: bundle.sql };
  applyBundleSql(host);
  return host;
}

function secretsFor(ids: string[]) {
  return hostSecrets({
    dbPasswords: Object.fromEntries(ids.map((id) => [id, PASSWORDS[id] ?? ""])),
    resticPassword: "test-restic-password-0123456789",
    resticRepository: "/mnt/data/restic-test",
    originCertificate: "test certificate",
    originKey: "test key",
  });
}

function applyBundleSql(host: Host): void {
  const result = host.pg.applySql(host.sql);
  if (result.code !== 0) throw new Error(`bundle SQL failed on ${host.name}: ${result.output}`);
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// --- Alpha's data ---------------------------------------------------------------------------------------------

/**
 * Created by the tenant's role, as its app would: several types (NULLs, tabs and newlines, non-ASCII, arrays,
 * jsonb, bytea, timestamps, intervals, uuids, an enum and a domain, a generated column), a table without a
 * key with duplicate rows, an empty table, a partitioned table, about 20 MB in one table (for the kill
 * tests), sequences (used, unused, is_called=false after setval, an identity), a view, a materialized view, a
 * trigger, a row-level policy, two large objects (one empty), and settings of the database, of the role in
 * it and of the role.
 */
const ALPHA_DATA = String.raw`
SET ROLE t_alpha;
CREATE TYPE mood AS ENUM ('calm', 'busy', 'closed');
CREATE DOMAIN postcode AS text CHECK (VALUE ~ '^[0-9]{5}$');
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, note text, since timestamptz NOT NULL,
  tags text[], score double precision, zip postcode, state mood DEFAULT 'calm');
INSERT INTO customers (name, note, since, tags, score, zip, state)
  SELECT 'Kunde ' || i || ' Müller', CASE WHEN i % 7 = 0 THEN NULL ELSE E'tab\there\nnewline' END,
    timestamptz '2024-01-01 00:00+00' + i * interval '1 hour', ARRAY['a' || i, NULL], i / 3.0,
    lpad((i * 37 % 100000)::text, 5, '0'), (ARRAY['calm', 'busy', 'closed'])[1 + i % 3]::mood
  FROM generate_series(1, 200) AS i;
CREATE TABLE orders (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  customer int NOT NULL REFERENCES customers, amount numeric(10,2), items jsonb, paid boolean, receipt bytea,
  due date, span interval, ref uuid, doubled numeric GENERATED ALWAYS AS (amount * 2) STORED);
INSERT INTO orders (customer, amount, items, paid, receipt, due, span, ref)
  SELECT 1 + i % 200, i * 1.25, jsonb_build_object('sku', 'A-' || i, 'qty', i % 5, 'x', jsonb_build_array(i, NULL)),
    CASE WHEN i % 11 = 0 THEN NULL ELSE i % 2 = 0 END, decode(md5(i::text), 'hex'), date '2024-06-01' + i,
    i * interval '90 minutes', md5(i::text)::uuid
  FROM generate_series(1, 500) AS i;
CREATE INDEX orders_customer ON orders (customer);
CREATE SCHEMA archive;
CREATE TABLE archive.events (day date, payload bytea, at timestamp);
INSERT INTO archive.events SELECT date '2024-03-01', '\x00ff'::bytea, timestamp '2024-03-01 12:00'
  FROM generate_series(1, 3);
CREATE TABLE empty (x int);
CREATE TABLE measurements (at date NOT NULL, value real) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO measurements SELECT date '2024-01-01' + i, i / 7.0 FROM generate_series(0, 100) AS i;
CREATE TABLE blob (id int PRIMARY KEY, data text NOT NULL);
INSERT INTO blob SELECT i, md5(i::text) || md5((-i)::text) || md5((i * 7)::text) || md5((i * 13)::text)
  FROM generate_series(1, 150000) AS i;
CREATE SEQUENCE invoice_no START 1000;
CREATE SEQUENCE ticket_no INCREMENT 5 MAXVALUE 1000000 CYCLE;
SELECT nextval('ticket_no') FROM generate_series(1, 3);
CREATE SEQUENCE reset_me;
SELECT nextval('reset_me');
SELECT setval('reset_me', 42, false);
CREATE VIEW open_orders AS SELECT o.id, c.name, o.amount FROM orders AS o JOIN customers AS c ON c.id = o.customer
  WHERE NOT o.paid;
CREATE MATERIALIZED VIEW totals AS SELECT customer, sum(amount) AS amount FROM orders GROUP BY customer;
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.note := coalesce(NEW.note, 'stamped'); RETURN NEW; END $$;
CREATE TRIGGER customers_stamp BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION stamp();
ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON customers USING (true);
SELECT lo_from_bytea(0, decode(repeat(md5('large object'), 10000), 'hex'));
SELECT lo_create(0);
ALTER DATABASE t_alpha SET search_path = public, archive;
ALTER ROLE t_alpha IN DATABASE t_alpha SET work_mem = '8MB';
ALTER ROLE t_alpha SET lock_timeout = '3s';
`;

// --------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "tenancy-migrate-test-"));
  const [sharedPg, dedicatedPg] = await Promise.all([startPostgres(), startPostgres()]);
  shared = makeHost(SHARED, sharedPg, SHARED_TENANTS);
  dedicated = makeHost("alpha", dedicatedPg, DEDICATED_TENANTS);
  shared.pg.sql(ALPHA_DATA, "t_alpha");
  shared.pg.sql("SET ROLE t_bravo; CREATE TABLE notes (id serial PRIMARY KEY, body text);", "t_bravo");
  sshd = await startSshd(work, { addresses: ["127.0.0.1"] });
});

afterAll(() => {
  for (const child of [...started]) killGroup(child);
  sshd?.stop();
  shared?.pg.stop();
  dedicated?.pg.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("usage and refusals that change nothing", () => {
  it("exit 2 on usage errors, with the usage on stderr", () => {
    for (const args of [
      [],
      ["frobnicate", "alpha"],
      ["freeze"],
      ["freeze", "Alpha/.."],
      ["freeze", "alpha", "x"],
    ]) {
      const result = migrate(shared, args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: "" });
    }
    expect(migrate(shared, ["--help"]).stderr).toContain("tenancy-migrate COMMAND TENANT");
  });

  it("a tenant the host does not list, and names past PostgreSQL's 63 bytes, are refused (exit 4)", () => {
    const unknown = migrate(shared, ["freeze", "charlie"]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain("tenant charlie is not in");

    const list = path.join(shared.etc, "tenants.tsv");
    const original = readFileSync(list, "utf8");
    try {
      // 63 bytes is a valid name, but its staging database <db>_incoming would not be.
      const long = `t_${"x".repeat(61)}`;
      writeFileSync(list, `${original}long\t${long}\tactive\t30\nlonger\t${long}y\tactive\t30\n`);
      const staging = migrate(shared, ["freeze", "long"]);
      expect(staging.code).toBe(4);
      expect(staging.stderr).toContain(`${long}_incoming is longer than PostgreSQL's 63 bytes`);
      const longer = migrate(shared, ["status", "longer"]);
      expect(longer.code).toBe(4);
      expect(longer.stderr).toContain(`database name ${long}y is longer than PostgreSQL's 63 bytes`);
    } finally {
      writeFileSync(list, original);
    }
  });

  it("export refuses a tenant that is not frozen (exit 4) and writes nothing to stdout", () => {
    const result = migrate(shared, ["export", "alpha"]);
    expect(result.code).toBe(4);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /export alpha: refused: database t_alpha is not frozen.*tenancy-migrate freeze alpha/s,
    );
  });

  it("verify and adopt refuse on a target where nothing was imported (exit 4)", () => {
    const verify = migrate(dedicated, ["verify", "alpha", "--against", "-"], "{}");
    expect(verify.code).toBe(4);
    const adopt = migrate(dedicated, ["adopt", "alpha"]);
    expect(adopt.code).toBe(4);
    expect(adopt.stderr).toContain("no passing verify");
    expect(databases(dedicated.pg)).not.toContain("t_alpha_incoming");
  });

  it("status is all false before anything happened", () => {
    expect(statusOf(shared)).toMatchObject({
      frozen: false,
      exported: false,
      imported: false,
      verified: false,
      adopted: false,
    });
  });
});

describe("freeze and unfreeze (source)", () => {
  const aclOf = (pg: Postgres, db: string) =>
    pg.sql(`SELECT datacl::text || ' ' || datconnlimit FROM pg_database WHERE datname = '${db}'`);

  it("freeze ends the tenant's sessions and refuses its writes and new connections; unfreeze serves again", async () => {
    const before = aclOf(shared.pg, "t_alpha");
    // A writer of the tenant, committing a row every few milliseconds.
    const writer = shared.pg.background(
      `DO $$ BEGIN LOOP INSERT INTO archive.events VALUES (date '2025-01-01', NULL, now()); COMMIT;
         PERFORM pg_sleep(0.01); END LOOP; END $$;`,
      "t_alpha",
      { name: "t_alpha", password: PASSWORDS.alpha ?? "" },
    );
    started.add(writer);
    let writerError = "";
    writer.stderr?.on("data", (chunk: Buffer) => (writerError += chunk.toString("utf8")));
    const writerDone = new Promise((resolve) => writer.on("exit", resolve));
    await waitFor(() => Number(shared.pg.sql("SELECT count(*) FROM archive.events", "t_alpha")) > 5);

    const freeze = migrate(shared, ["freeze", "alpha"]);
    expect(freeze.stderr).toContain("frozen: t_alpha takes no connection but the administrator's");
    expect(freeze.code).toBe(0);
    expect(JSON.parse(freeze.stdout)).toEqual({
      tenant: "alpha",
      database: "t_alpha",
      frozen: true,
      endedSessions: 1,
    });
    await writerDone;
    expect(writerError).toContain("terminating connection due to administrator command");

    // No write lands any more, and no new session gets in: not with CONNECT granted again by a bundle
    // applied meanwhile (the tenant SQL grants it on every apply) either.
    const rows = shared.pg.sql("SELECT count(*) FROM archive.events", "t_alpha");
    const refused = alphaLogin(shared.pg, "t_alpha", "INSERT INTO archive.events VALUES (NULL, NULL, NULL)");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("permission denied for database");
    applyBundleSql(shared);
    const afterBundle = alphaLogin(
      shared.pg,
      "t_alpha",
      "INSERT INTO archive.events VALUES (NULL, NULL, NULL)",
    );
    expect(afterBundle.stderr).toContain('too many connections for database "t_alpha"');
    expect(shared.pg.sql("SELECT count(*) FROM archive.events", "t_alpha")).toBe(rows);
    expect(statusOf(shared).frozen).toBe(true);

    // Freeze again (idempotent): the lock is put back as it was meant (the bundle's grant revoked again).
    const again = migrate(shared, ["freeze", "alpha"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already frozen");
    expect(aclOf(shared.pg, "t_alpha")).toBe("{t_alpha=CT/t_alpha} 0");

    const unfreeze = migrate(shared, ["unfreeze", "alpha"]);
    expect(unfreeze.code).toBe(0);
    expect(unfreeze.stderr).toContain("unfrozen: the tenant can connect to t_alpha again");
    expect(aclOf(shared.pg, "t_alpha")).toBe(before);
    const served = alphaLogin(
      shared.pg,
      "t_alpha",
      "DELETE FROM archive.events WHERE day IS DISTINCT FROM date '2024-03-01' RETURNING 1",
    );
    expect(served.code).toBe(0);
    expect(statusOf(shared).frozen).toBe(false);
    expect(migrate(shared, ["unfreeze", "alpha"]).stderr).toContain("not frozen");
  });

  it("unfreeze gives CONNECT back only to whom had it; a suspended tenant stays locked (NOLOGIN)", () => {
    const login = () => shared.pg.connectAs("t_bravo", PASSWORDS.bravo ?? "", "t_bravo");
    expect(login().stderr).toContain('role "t_bravo" is not permitted to log in');
    const before = aclOf(shared.pg, "t_bravo");
    expect(migrate(shared, ["freeze", "bravo"]).code).toBe(0);
    expect(migrate(shared, ["unfreeze", "bravo"]).stderr).toContain("stays NOLOGIN");
    expect(aclOf(shared.pg, "t_bravo")).toBe(before);
    expect(login().stderr).toContain("not permitted to log in");

    // A role without CONNECT before freeze does not get it from unfreeze.
    shared.pg.sql("REVOKE CONNECT ON DATABASE t_bravo FROM t_bravo");
    const without = aclOf(shared.pg, "t_bravo");
    expect(without).toBe("{t_bravo=CT/t_bravo} -1");
    expect(migrate(shared, ["freeze", "bravo"]).code).toBe(0);
    expect(migrate(shared, ["unfreeze", "bravo"]).code).toBe(0);
    expect(aclOf(shared.pg, "t_bravo")).toBe(without);
    applyBundleSql(shared);
    expect(aclOf(shared.pg, "t_bravo")).toBe(before);
  });
});

describe("shared -> dedicated: freeze, export | import, verify, adopt", () => {
  let dumpFile = "";
  let sourceRecordFile = "";

  it("export (frozen) writes only the pg_dump archive to stdout, and the source's record of the same snapshot", () => {
    expect(migrate(shared, ["freeze", "alpha"]).code).toBe(0);
    dumpFile = path.join(work, "alpha.dump");
    const exported = runCommand(local(shared, ["export", "alpha"]), { stdoutFile: dumpFile });
    expect(exported.stderr).toContain("exported t_alpha");
    expect(exported.code).toBe(0);
    // Nothing but the archive: pg_restore reads it whole, and it starts with the custom format's magic.
    expect(readFileSync(dumpFile).subarray(0, 5).toString("latin1")).toBe("PGDMP");
    const list = run(path.join(PG_BIN, "pg_restore"), ["-l", dumpFile]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/TABLE DATA public orders/);
    expect(list.stdout).toMatch(/BLOBS/);

    const { text, record } = recordOf(shared, "source");
    sourceRecordFile = path.join(work, "alpha.source.json");
    writeFileSync(sourceRecordFile, text);
    expect(record).toMatchObject({ side: "source", tenant: "alpha", database: "t_alpha", host: SHARED });
    expect(record.snapshot).toMatch(/^[0-9A-F]+-[0-9A-F]+-\d+$/);
    expect(Object.keys(record.tables).sort()).toEqual(ALPHA_TABLES);
    for (const table of ALPHA_TABLES) {
      expect(record.tables[table]?.rows).toBe(
        Number(shared.pg.sql(`SELECT count(*) FROM ${table}`, "t_alpha")),
      );
    }
    expect(record.sequences["public.invoice_no"]).toMatchObject({ lastValue: "1000", isCalled: false });
    expect(record.sequences["public.reset_me"]).toMatchObject({ lastValue: "42", isCalled: false });
    expect(record.sequences["public.ticket_no"]).toMatchObject({ lastValue: "11", isCalled: true });
    expect(record.sequences["public.orders_id_seq"]).toMatchObject({ lastValue: "500", isCalled: true });
    expect(record.sequences["public.orders_id_seq"]?.definition).toContain("owned by public.orders.id");
    expect(record.largeObjects).toMatchObject({ count: 2, bytes: "160000" });
    expect(record.objects).toHaveProperty(["view public.open_orders"]);
    expect(record.objects).toHaveProperty(["function public.stamp()"]);
    expect(record.objects).toHaveProperty(["type public.mood"]);
    expect(record.settings).toEqual({
      database: ["search_path=public, archive"],
      roleInDatabase: ["work_mem=8MB"],
      role: ["lock_timeout=3s"],
    });
    expect(statusOf(shared)).toMatchObject({ frozen: true, exported: true });
  });

  it("an export killed mid-stream: the import fails and says what to re-run; nothing is imported", async () => {
    const { left, right, bytes } = await pipeline(
      local(shared, ["export", "alpha"]),
      local(dedicated, ["import", "alpha"]),
      { side: "left", afterBytes: 1024 * 1024 },
    );
    expect(left.signal).toBe("SIGKILL");
    expect(bytes).toBeLessThan(statSync(dumpFile).size);
    expect(right.code).toBe(1);
    expect(right.stderr).toContain("import alpha: the restore into t_alpha_incoming failed");
    expect(right.stderr).toContain("Re-run the copy: tenancy-migrate export alpha |");
    expect(statusOf(dedicated)).toMatchObject({ imported: false, verified: false });
    expect(statusOf(shared)).toMatchObject({ frozen: true });
  });

  it("an import killed mid-restore: the export fails (its reader went away); re-running the copy starts clean", async () => {
    const { left, right } = await pipeline(
      local(shared, ["export", "alpha"]),
      local(dedicated, ["import", "alpha"]),
      { side: "right", afterBytes: 2 * 1024 * 1024 },
    );
    expect(right.signal).toBe("SIGKILL");
    expect(left.code).toBe(1);
    expect(left.stderr).toContain(
      "pg_dump of t_alpha failed or its reader went away; the source is still frozen",
    );
    expect(statusOf(dedicated).imported).toBe(false);
    // The half-restored staging database is there; the next import drops it first.
    expect(databases(dedicated.pg)).toContain("t_alpha_incoming");
  });

  it("through ssh (host key pinned): export here | ssh target import; a wrong host key is refused", async () => {
    const wrong = run("ssh", [
      ...live().sshd.optionsWith(live().sshd.wrongKnownHosts),
      live().sshd.login,
      "true",
    ]);
    expect(wrong.code).toBe(255);
    expect(wrong.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);

    const { left, right } = await pipeline(
      local(shared, ["export", "alpha"]),
      remote(dedicated, ["import", "alpha"]),
    );
    expect(left.stderr).toContain("exported t_alpha");
    expect(left.code).toBe(0);
    expect(right.stderr).toContain("dropping the staging database t_alpha_incoming of an earlier attempt");
    expect(right.stderr).toContain("imported into t_alpha_incoming");
    expect(right.code).toBe(0);
    expect(JSON.parse(right.stdout)).toMatchObject({ state: "done", database: "t_alpha_incoming" });
    // The staging database: owned by the tenant's role, which has no CONNECT on it before adopt; and
    // sealed since its record was taken: nobody may connect to it, not even the administrator.
    expect(
      dedicated.pg.sql(
        "SELECT datacl::text || ' ' || datallowconn FROM pg_database WHERE datname = 't_alpha_incoming'",
      ),
    ).toBe("{t_alpha=CT/t_alpha} false");
    expect(alphaLogin(dedicated.pg, "t_alpha_incoming").stderr).toContain(
      'database "t_alpha_incoming" is not currently accepting connections',
    );
    expect(() => dedicated.pg.sql("SELECT 1", "t_alpha_incoming")).toThrow(
      /not currently accepting connections/,
    );
    const target = recordOf(dedicated, "target").record;
    expect(target).toMatchObject({ side: "target", database: "t_alpha_incoming", host: "alpha" });
  });

  it("a corrupted copy fails verify (exit 3, naming the table); adopt then refuses (exit 4)", () => {
    // To change the sealed copy, an administrator has to open it first (which breaks the seal).
    dedicated.pg.sql("ALTER DATABASE t_alpha_incoming ALLOW_CONNECTIONS true");
    dedicated.pg.sql("UPDATE orders SET amount = amount + 0.01 WHERE id = 42", "t_alpha_incoming");
    const verify = runCommand(remote(dedicated, ["verify", "alpha", "--against", "-"]), {
      input: readFileSync(sourceRecordFile, "utf8"),
    });
    expect(verify.code).toBe(3);
    expect(verify.stderr).toContain(
      "t_alpha_incoming was opened since it was sealed: recomputing its whole record",
    );
    const result = VerifyResult.parse(JSON.parse(verify.stdout));
    expect(result.passed).toBe(false);
    expect(result.differences).toEqual([
      {
        kind: "table",
        name: "public.orders",
        problem: "checksum (same row count, 500)",
      },
    ]);
    // Each difference carries both sides' values.
    expect(JSON.parse(verify.stdout)).toMatchObject({
      differences: [{ source: { rows: 500 }, target: { rows: 500 } }],
    });
    expect(verify.stderr).toMatch(/public\.orders +500 +500 +DIFFERENT/);
    expect(verify.stderr).toMatch(/public\.customers +200 +200 +ok/);
    expect(verify.stderr).toContain(
      "verify alpha FAILED: t_alpha_incoming differs from the source in: table public.orders",
    );
    expect(verify.stderr).toContain("Do not adopt");

    const adopt = runCommand(remote(dedicated, ["adopt", "alpha"]));
    expect(adopt.code).toBe(4);
    expect(adopt.stderr).toContain("no passing verify");
    expect(databases(dedicated.pg)).toContain("t_alpha_incoming");
    expect(statusOf(dedicated)).toMatchObject({ imported: true, verified: false, adopted: false });
  });

  it("discard drops only the staging database; the copy again, staged (import --source-record < file)", () => {
    const before = databases(dedicated.pg).filter((db) => db !== "t_alpha_incoming");
    const discard = runCommand(remote(dedicated, ["discard", "alpha"]));
    expect(discard.code).toBe(0);
    expect(JSON.parse(discard.stdout)).toEqual({ tenant: "alpha", discarded: true });
    expect(databases(dedicated.pg)).toEqual(before);
    expect(statusOf(dedicated).imported).toBe(false);

    // The dump and the record exported while frozen still describe the source exactly.
    const copy = path.join(work, "alpha.source.copy.json");
    writeFileSync(copy, readFileSync(sourceRecordFile));
    const result = runCommand(local(dedicated, ["import", "alpha", "--source-record", copy]), {
      stdinFile: dumpFile,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "sequence(s) and the settings of t_alpha_incoming from the source's record",
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ state: "done" });
  });

  it("verify passes against the source's record", () => {
    // A record of the format before (its checksums computed another way) is refused, the copy untouched.
    const older = { ...(JSON.parse(readFileSync(sourceRecordFile, "utf8")) as object), format: 1 };
    const refused = runCommand(remote(dedicated, ["verify", "alpha", "--against", "-"]), {
      input: JSON.stringify(older),
    });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("is not a tenancy-migrate verification record of format 2");
    expect(refused.stderr).toContain("apply the current bundle there, then export again");

    const verify = runCommand(remote(dedicated, ["verify", "alpha", "--against", "-"]), {
      input: readFileSync(sourceRecordFile, "utf8"),
    });
    expect(verify.stderr).toContain("verify passed: t_alpha_incoming matches the source's record of t_alpha");
    // Sealed since import, whose sequences came from this very record: its checksums still hold.
    expect(verify.stderr).toContain(
      "t_alpha_incoming is sealed as it was when its record was taken, with the sequences of this source record",
    );
    expect(verify.code).toBe(0);
    expect(VerifyResult.parse(JSON.parse(verify.stdout))).toEqual({ passed: true, differences: [] });
    expect(statusOf(dedicated)).toMatchObject({ imported: true, verified: true, adopted: false });

    // Opened after verify passed: adopt refuses the copy, until a verify (which recomputes) passes again.
    dedicated.pg.sql("ALTER DATABASE t_alpha_incoming ALLOW_CONNECTIONS true");
    const opened = runCommand(remote(dedicated, ["adopt", "alpha"]));
    expect(opened.code).toBe(4);
    expect(opened.stderr).toContain("t_alpha_incoming was opened since verify passed");
    const again = runCommand(remote(dedicated, ["verify", "alpha", "--against", "-"]), {
      input: readFileSync(sourceRecordFile, "utf8"),
    });
    expect(again.stderr).toContain("recomputing its whole record");
    expect(again.code).toBe(0);
    // Both records, side by side, as the orchestrator may compare them itself.
    const source = recordOf(shared, "source").record;
    const target = recordOf(dedicated, "target").record;
    expect(target.tables).toEqual(source.tables);
    expect(target.sequences).toEqual(source.sequences);
    expect(target.largeObjects).toEqual(source.largeObjects);
    expect(target.objects).toEqual(source.objects);
    expect(target.settings).toEqual(source.settings);
  });

  it("adopt killed at each crash point resumes when re-run, and swaps the verified copy in", () => {
    const provisionedAcl = dedicated.pg.sql("SELECT datacl FROM pg_database WHERE datname = 't_alpha'");
    for (const point of ["adopt:before-rename", "adopt:in-transaction", "adopt:after-rename"]) {
      // Run here, not through ssh, so that the kill is seen as what it is: the script died of SIGKILL.
      const crashed = runCommand(local(dedicated, ["adopt", "alpha"], { TENANCY_MIGRATE_CRASH_AT: point }));
      expect({ point, code: crashed.code }).toEqual({ point, code: -1 });
      expect(crashed.stderr).toContain(`crash point ${point} reached`);
      expect(statusOf(dedicated).adopted).toBe(false);
      const renamed = !databases(dedicated.pg).includes("t_alpha_incoming");
      // Only a crash after the commit leaves the databases renamed; the others roll back or never began.
      expect({ point, renamed }).toEqual({ point, renamed: point === "adopt:after-rename" });
      if (point !== "adopt:after-rename") {
        // The provisioned database is still the tenant's, empty (its CONNECT is revoked while adopt is on).
        expect(dedicated.pg.sql("SELECT count(*) FROM pg_class WHERE relname = 'orders'", "t_alpha")).toBe(
          "0",
        );
      }
    }
    const adopt = runCommand(remote(dedicated, ["adopt", "alpha"]));
    expect(adopt.stderr).toContain("finishing the adopt begun at");
    expect(adopt.stderr).toContain("adopted: t_alpha is the copy verified against the source");
    expect(adopt.code).toBe(0);
    const adopted = JSON.parse(adopt.stdout) as { state: string; provisionedAs: string };
    expect(adopted.state).toBe("done");
    expect(adopted.provisionedAs).toMatch(/^t_alpha_provisioned_\d{8}_\d{6}$/);
    expect(statusOf(dedicated)).toMatchObject({ imported: true, verified: true, adopted: true });
    expect(runCommand(remote(dedicated, ["adopt", "alpha"])).stderr).toContain("adopted already");

    // The provisioned database is kept, empty, and the tenant cannot connect to it.
    const all = databases(dedicated.pg);
    expect(all).toContain(adopted.provisionedAs);
    expect(all).not.toContain("t_alpha_incoming");
    expect(
      dedicated.pg.sql(
        "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
        adopted.provisionedAs,
      ),
    ).toBe("0");
    expect(alphaLogin(dedicated.pg, adopted.provisionedAs).stderr).toContain("permission denied");
    // The adopted database has the privileges the bundle SQL gave the provisioned one, and keeps them.
    const acl = () =>
      dedicated.pg.sql(
        "SELECT datacl::text || ' ' || datconnlimit FROM pg_database WHERE datname = 't_alpha'",
      );
    expect(acl()).toBe(`${provisionedAcl} -1`);
    applyBundleSql(dedicated);
    expect(acl()).toBe(`${provisionedAcl} -1`);
  });

  it("on the target: the same rows, large objects and next sequence values; the tenant logs in and uses them", () => {
    for (const table of ALPHA_TABLES) {
      expect({ table, rows: rowsOf(dedicated.pg, "t_alpha", table) }).toEqual({
        table,
        rows: rowsOf(shared.pg, "t_alpha", table),
      });
    }
    const los =
      "SELECT string_agg(oid || ':' || md5(lo_get(oid)), ',' ORDER BY oid) FROM pg_largeobject_metadata";
    expect(dedicated.pg.sql(los, "t_alpha")).toBe(shared.pg.sql(los, "t_alpha"));

    // Every object is the tenant's.
    const notOwned = `SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'archive') AND c.relowner <> 't_alpha'::regrole`;
    expect(dedicated.pg.sql(notOwned, "t_alpha")).toBe("0");
    expect(
      dedicated.pg.sql(
        "SELECT count(*) FROM pg_largeobject_metadata WHERE lomowner <> 't_alpha'::regrole",
        "t_alpha",
      ),
    ).toBe("0");
    expect(
      dedicated.pg.sql("SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'archive'", "t_alpha"),
    ).toBe("t_alpha");

    // The next value of every sequence is the one the source would have given.
    const sequences = shared.pg.rows(
      "SELECT format('%I.%I', schemaname, sequencename), increment_by FROM pg_sequences ORDER BY 1",
      "t_alpha",
    );
    expect(sequences.length).toBe(5);
    const next: string[] = [];
    const expected: string[] = [];
    for (const [name = "", increment = "1"] of sequences) {
      const [[last = "", called = ""] = []] = shared.pg.rows(
        `SELECT last_value, is_called FROM ${name}`,
        "t_alpha",
      );
      expected.push(`${name} ${called === "t" ? BigInt(last) + BigInt(increment) : BigInt(last)}`);
      const result = alphaLogin(dedicated.pg, "t_alpha", `SELECT nextval('${name}')`);
      expect(result.stderr).toBe("");
      next.push(`${name} ${result.stdout.trim()}`);
    }
    expect(next).toEqual(expected);
    expect(expected).toEqual(
      expect.arrayContaining(["public.invoice_no 1000", "public.reset_me 42", "public.ticket_no 16"]),
    );

    // The app's view of it: settings, a write through the default (identity) and the trigger, the views.
    const use = alphaLogin(
      dedicated.pg,
      "t_alpha",
      `SELECT current_setting('search_path'), current_setting('work_mem'), current_setting('lock_timeout');
       INSERT INTO orders (customer, amount) VALUES (1, 9.99) RETURNING id;
       INSERT INTO customers (name, since) VALUES ('Neu', now()) RETURNING note;
       SELECT count(*) FROM open_orders;
       REFRESH MATERIALIZED VIEW totals;
       SELECT octet_length(lo_get(min(oid))) FROM pg_largeobject_metadata;`,
    );
    expect(use.stderr).toBe("");
    expect(use.stdout.split("\n").filter(Boolean)).toEqual([
      "public, archive|8MB|3s",
      "502",
      "stamped",
      expect.stringMatching(/^\d+$/),
      "160000",
    ]);
  });
});

describe("dedicated -> shared (the reverse): the same steps, the target is now the source", () => {
  it("moves alpha back, with what it wrote on its own server; adopt refuses the old copy that still holds data", async () => {
    // Written on the dedicated server after the first move.
    expect(
      alphaLogin(
        dedicated.pg,
        "t_alpha",
        "INSERT INTO archive.events VALUES (date '2026-01-01', '\\xbeef', now())",
      ).code,
    ).toBe(0);

    const freeze = runCommand(remote(dedicated, ["freeze", "alpha"]));
    expect(freeze.code).toBe(0);
    // The records of the move in are kept aside; this is a new move out.
    expect(statusOf(dedicated)).toMatchObject({ frozen: true, imported: false, adopted: false });
    expect(statusOf(dedicated).history).toEqual([expect.stringMatching(/-moved-in$/)]);

    const { left, right } = await pipeline(
      remote(dedicated, ["export", "alpha"]),
      local(shared, ["import", "alpha"]),
    );
    expect(left.code).toBe(0);
    expect(right.stderr).toContain("imported into t_alpha_incoming");
    expect(right.code).toBe(0);
    // The shared host was the source of the first move: those records are kept aside too.
    expect(statusOf(shared).history).toEqual(expect.arrayContaining([expect.stringMatching(/-moved-out$/)]));

    const record = runCommand(remote(dedicated, ["verification", "alpha", "--side", "source"]));
    expect(record.code).toBe(0);
    const verify = migrate(shared, ["verify", "alpha", "--against", "-"], record.stdout);
    // Streamed, so the import had no source record: verify sets the sequences, in the sealed copy.
    expect(verify.stderr).toContain("setting its sequences from the source's record");
    expect(verify.stderr).not.toContain("recomputing");
    expect(verify.code).toBe(0);

    // The shared host's t_alpha is still the frozen copy of before the first move: it holds data.
    const refused = migrate(shared, ["adopt", "alpha"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /database t_alpha is not the empty database the bundle provisioned: it holds 8 table\(s\) and 2 large object\(s\) \(archive\.events, public\.blob,/,
    );
    expect(refused.stderr).toContain("Nothing was renamed");
    expect(databases(shared.pg)).toEqual(expect.arrayContaining(["t_alpha", "t_alpha_incoming"]));
    expect(shared.pg.sql("SELECT count(*) FROM orders", "t_alpha")).toBe("500");
    expect(statusOf(shared).adopted).toBe(false);

    // The operator keeps the old copy aside by hand and applies the bundle (which provisions an empty t_alpha).
    shared.pg.sql("ALTER DATABASE t_alpha RENAME TO t_alpha_moved_away");
    applyBundleSql(shared);
    const adopt = migrate(shared, ["adopt", "alpha"]);
    expect(adopt.stderr).toContain("adopted: t_alpha");
    expect(adopt.code).toBe(0);

    for (const table of ALPHA_TABLES) {
      expect({ table, rows: rowsOf(shared.pg, "t_alpha", table) }).toEqual({
        table,
        rows: rowsOf(dedicated.pg, "t_alpha", table),
      });
    }
    expect(shared.pg.sql("SELECT count(*) FROM archive.events WHERE day = '2026-01-01'", "t_alpha")).toBe(
      "1",
    );
    const use = alphaLogin(
      shared.pg,
      "t_alpha",
      "INSERT INTO orders (customer, amount) VALUES (2, 1) RETURNING id",
    );
    expect(use.stdout.trim()).toBe("503");
    // The dedicated server's copy stays frozen.
    expect(alphaLogin(dedicated.pg, "t_alpha").code).not.toBe(0);
  });
});

describe("the staging name is never another database", () => {
  afterEach(() => {
    dedicated.pg.sql("DROP DATABASE IF EXISTS t_alpha_incoming");
  });

  it("an unmarked t_alpha_incoming, or one that is a tenant's database, is refused and left as it is", () => {
    dedicated.pg.sql("CREATE DATABASE t_alpha_incoming");
    dedicated.pg.sql("CREATE TABLE precious (x int); INSERT INTO precious VALUES (1);", "t_alpha_incoming");
    // alpha is frozen and exported on the dedicated host (the source of the move back): an import there
    // would begin a new move in, and is refused before it changes anything.
    const unmarked = runCommand(local(dedicated, ["import", "alpha"]), { input: "not a dump" });
    expect(unmarked.code).toBe(4);
    expect(unmarked.stderr).toContain(
      "database t_alpha_incoming exists and is not a staging database of tenancy-migrate",
    );
    const discard = migrate(dedicated, ["discard", "alpha"]);
    expect(discard.code).toBe(4);

    const list = path.join(dedicated.etc, "tenants.tsv");
    const original = readFileSync(list, "utf8");
    try {
      writeFileSync(list, `${original}alpha-incoming\tt_alpha_incoming\tactive\t30\n`);
      const listed = runCommand(local(dedicated, ["import", "alpha"]), { input: "not a dump" });
      expect(listed.code).toBe(4);
      expect(listed.stderr).toContain("the staging name t_alpha_incoming is the database of another tenant");
    } finally {
      writeFileSync(list, original);
    }
    expect(dedicated.pg.sql("SELECT count(*) FROM precious", "t_alpha_incoming")).toBe("1");
  });
});

describe("one command at a time per tenant", () => {
  it("a running command's lock is respected (exit 1); what a killed run left holding it is ended", async () => {
    // A live run: verify waits for its source record on stdin, holding the tenant's lock meanwhile.
    const running = launch(local(dedicated, ["verify", "alpha", "--against", "-"]), "pipe");
    const runningDone = finished(running);
    const lockFile = path.join(dedicated.state, "migrate", "alpha", "lock.pid");
    // Holding it: its pid is in lock.pid (waited for without taking the lock, which would race it).
    await waitFor(() => {
      try {
        return readFileSync(lockFile, "utf8").trim() === String(running.pid);
      } catch {
        return false;
      }
    });
    const busy = migrate(dedicated, ["freeze", "alpha"]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(
      /freeze alpha: another tenancy-migrate \(pid \d+\) is working on tenant alpha/,
    );
    running.stdin?.end("{}");
    expect((await runningDone).code).toBe(4);

    // A killed run: its pid is gone, but a client it started (here a psql, holding the lock) lives on.
    let dead = 4_000_000;
    while (run("kill", ["-0", String(dead)]).code === 0) dead++;
    writeFileSync(lockFile, `${dead}\n`);
    const leftover = launch(
      {
        command: "flock",
        args: [
          path.join(path.dirname(lockFile), "lock"),
          path.join(PG_BIN, "psql"),
          "-X",
          "-q",
          "-d",
          "postgres",
          "-c",
          "SELECT pg_sleep(120)",
        ],
        env: { ...dedicated.pg.env, PGAPPNAME: `tenancy-migrate ${dead} export alpha` },
      },
      "ignore",
    );
    const leftoverDone = finished(leftover);
    const sessions = `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tenancy-migrate ${dead} export alpha'`;
    await waitFor(() => dedicated.pg.sql(sessions) === "1");
    const freeze = migrate(dedicated, ["freeze", "alpha"]);
    expect(freeze.stderr).toContain(`ending what is left of an earlier run that was killed (pid ${dead})`);
    expect(freeze.code).toBe(0);
    expect((await leftoverDone).code).not.toBe(0);
    expect(dedicated.pg.sql(sessions)).toBe("0");
  });
});

describe("the sudoers drop-in", () => {
  it("lets the deploy user run exactly tenancy-apply, -restore, -migrate, -purge and `tenancy-backup-status show` as root, and parses", () => {
    expect(renderSudoers()).toBe(
      "# tenancy: the deploy user may run the host tools as root, and nothing else. Rendered; do not edit on the host.\n" +
        `${DEPLOY_USER} ALL=(root) NOPASSWD: /usr/local/sbin/tenancy-apply, /usr/local/sbin/tenancy-restore, /usr/local/sbin/tenancy-migrate, /usr/local/sbin/tenancy-purge, /usr/local/sbin/tenancy-backup-status show\n`,
    );
    expect(SUDO_COMMANDS).toHaveLength(5);
    const file = path.join(work, "tenancy-sudoers");
    writeFileSync(file, renderSudoers(), { mode: 0o440 });
    const check = run("visudo", ["-cf", file]);
    expect(check.output).toContain("parsed OK");
    expect(check.code).toBe(0);
  });

  function applyBundle(root: string, bundle: HostBundle) {
    const file = path.join(root, "..", `bundle-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(bundle));
    // Everything but the validation is a stand-in: this is about the sudoers file alone.
    const stand = "true";
    return run("/usr/bin/python3", [APPLY, file], {
      env: cleanEnv({
        TENANCY_ROOT: root,
        TENANCY_CMD_CADDY_VALIDATE: `${stand} {}`,
        TENANCY_CMD_CADDY_RELOAD: stand,
        TENANCY_CMD_APP_RESTART: stand,
        TENANCY_CMD_APP_ENABLE: stand,
        TENANCY_CMD_DAEMON_RELOAD: stand,
        TENANCY_CMD_TIMERS_ENABLE: stand,
        TENANCY_CMD_PSQL: stand,
        TENANCY_CMD_FINAL_BACKUP: `${stand} {}`,
        TENANCY_CMD_POSTGRES_RESTART: stand,
      }),
    });
  }

  it("ships in the bundle (0440); tenancy-apply installs it after visudo -cf, and refuses one that does not parse", () => {
    const spec = hostSpec(expand(manifestOf(SHARED_TENANTS)), SHARED);
    if (!spec) throw new Error("no host");
    const bundle = renderBundle(spec, secretsFor(["alpha", "bravo"]));
    const entry = bundle.files.find((f) => f.path === SUDOERS_FILE);
    expect(entry).toMatchObject({ mode: "0440", owner: "root", group: "root", affects: [] });
    expect(bundle.files.find((f) => f.path === "/usr/local/sbin/tenancy-migrate")?.mode).toBe("0755");

    const root = path.join(mkdtempSync(path.join(work, "apply-")), "root");
    mkdirSync(root);
    const broken: HostBundle = {
      ...bundle,
      files: bundle.files.map((f) =>
        f.path === SUDOERS_FILE ? { ...f, content: "deploy ALL=(root NOPASSWD: /x\n" } : f,
      ),
    };
    const refused = applyBundle(root, broken);
    expect(refused.code).toBe(2);
    // Refused by the tool's allow-list for the drop-in's lines, before visudo (which checks every drop-in
    // that passes).
    expect(refused.output).toContain("/etc/sudoers.d/tenancy: line 'deploy ALL=(root NOPASSWD: /x'");
    // Nothing changed: not the sudoers file, not any other file of the bundle.
    expect(spawnSync("find", [root, "-type", "f"], { encoding: "utf8" }).stdout).toBe("");

    const applied = applyBundle(root, bundle);
    expect(applied.output).toContain("applied:");
    expect(applied.code).toBe(0);
    const installed = path.join(root, SUDOERS_FILE);
    expect(readFileSync(installed, "utf8")).toBe(renderSudoers());
    expect((statSync(installed).mode & 0o777).toString(8)).toBe("440");
  });
});
