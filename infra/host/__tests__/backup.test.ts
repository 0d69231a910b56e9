/**
 * tenancy-backup and tenancy-restore for real: a throwaway PostgreSQL 15 cluster, a local restic
 * repository in a temporary directory, the rendered tenants.tsv and restic.env, and the scripts run with
 * bash exactly as shipped. The tests run in order and build on each other's backups.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT } from "../../testing/fixtures";
import { renderBundle, RESTIC_ENV_FILE } from "../bundle";
import { renderBackupList } from "../registry";
import { hostSecrets } from "../secrets";
import { hostSpec } from "../spec";
import { cleanEnv, run, startPostgres, type Postgres, type RunResult } from "../testing/postgres";
import { backupScriptEnv } from "../testing/tool-env";

// restic derives its key on every command (~0.7 s); a nightly run is several commands per tenant.
jest.setTimeout(180_000);

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const BACKUP = path.join(FILES, "tenancy-backup");
const RESTORE = path.join(FILES, "tenancy-restore");
const HOST = "shared-fsn1-a";
const PASSWORDS: Record<string, string> = {
  alpha: "AlphaPassword0123456789xyz",
  bravo: "BravoPassword9876543210abc",
  charlie: "CharliePassword55555555555",
};
// alpha and bravo are backed up every night; charlie is being decommissioned (one final backup).
const TENANTS = [
  { id: "alpha", plan: "starter", status: "active" },
  { id: "bravo", plan: "hobby", status: "suspended" },
  { id: "charlie", plan: "hobby", status: "decommissioned" },
] as const;
/** The scripts' default on a host (PostgreSQL tools via `runuser -u postgres`), possible when root. */
const AS_POSTGRES: Record<string, string> = process.getuid?.() === 0 ? { TENANCY_PG_AS: "postgres" } : {};
/** The tables of alpha, compared row by row between the live database and its restores. */
const ALPHA_TABLES = ["public.customers", "public.orders", "archive.events", "public.empty"];

const Snapshots = z.array(
  z.object({
    id: z.string(),
    short_id: z.string(),
    hostname: z.string(),
    tags: z.array(z.string()).nullish(),
  }),
);
type Snapshot = z.infer<typeof Snapshots>[number];

describe("tenancy-backup and tenancy-restore", () => {
  let pg: Postgres;
  let work: string;
  let etc: string;
  let resticEnv: Record<string, string>;

  /** Run a host script with bash, against the test cluster, repository and TENANCY_ETC. */
  const script = (file: string, args: string[], extra: Record<string, string> = {}): RunResult =>
    run("bash", [file, ...args], {
      env: { ...backupScriptEnv(FILES, work, etc, pg.env, HOST), ...extra },
    });

  const snapshots = (tenant?: string): Snapshot[] => {
    const args = ["snapshots", "--json", ...(tenant ? ["--tag", `tenant=${tenant}`] : [])];
    const result = run("restic", args, { env: resticEnv });
    expect(result.code).toBe(0);
    return Snapshots.parse(JSON.parse(result.stdout));
  };

  /** All rows of a table as text, in a stable order: equal text means equal rows. */
  const rowsOf = (db: string, table: string) =>
    pg.sql(`SELECT string_agg(r::text, E'\\n' ORDER BY r::text COLLATE "C") FROM ${table} AS r`, db);

  const databases = () => pg.sql("SELECT datname FROM pg_database ORDER BY datname").split("\n");

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "tenancy-backup-test-"));
    etc = path.join(work, "etc");
    mkdirSync(etc);
    pg = await startPostgres();

    const model = expand(
      manifestOf(TENANTS.map((t) => ({ id: t.id, plan: t.plan, host: HOST, status: t.status }))),
    );
    const host = hostSpec(model, HOST);
    if (!host) throw new Error(`no host ${HOST}`);
    const secrets = hostSecrets({
      dbPasswords: PASSWORDS,
      resticPassword: "test-restic-password-0123456789",
      resticRepository: path.join(work, "repo"), // does not exist yet: the first backup creates it
      originCertificate: "test certificate",
      originKey: "test key",
    });
    const bundle = renderBundle(host, secrets);
    expect(pg.applySql(bundle.sql).code).toBe(0);

    // The rendered files, with the restic cache moved from /var/cache into the test's directory.
    writeFileSync(path.join(etc, "tenants.tsv"), renderBackupList(host));
    const rendered = bundle.files.find((f) => f.path === RESTIC_ENV_FILE)?.content ?? "";
    expect(rendered).toContain("RESTIC_CACHE_DIR=/var/cache/tenancy/restic\n");
    const cache = path.join(work, "cache");
    writeFileSync(path.join(etc, "restic.env"), rendered.replace("/var/cache/tenancy/restic", cache), {
      mode: 0o600,
    });
    resticEnv = cleanEnv({
      RESTIC_REPOSITORY: secrets.resticRepository,
      RESTIC_PASSWORD: secrets.resticPassword,
      RESTIC_CACHE_DIR: cache,
    });

    // Data owned by the tenants' roles, with the awkward cases: NULLs, tabs and newlines, non-ASCII,
    // duplicate rows without a key, json, bytea, an empty table and a second schema.
    pg.sql(
      `SET ROLE t_alpha;
       CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, note text, since timestamptz NOT NULL);
       INSERT INTO customers SELECT i, 'Kunde ' || i || ' Müller',
         CASE WHEN i % 7 = 0 THEN NULL ELSE E'tab\\there\\nnewline' END,
         timestamptz '2024-01-01 00:00+00' + i * interval '1 hour' FROM generate_series(1, 200) AS i;
       CREATE TABLE orders (id bigserial PRIMARY KEY, customer int REFERENCES customers, amount numeric(10,2),
         items jsonb, paid boolean);
       INSERT INTO orders (customer, amount, items, paid)
         SELECT 1 + i % 200, i * 1.25, jsonb_build_object('sku', 'A-' || i, 'qty', i % 5), i % 2 = 0
         FROM generate_series(1, 500) AS i;
       CREATE SCHEMA archive;
       CREATE TABLE archive.events (day date, payload bytea);
       INSERT INTO archive.events SELECT date '2024-03-01', '\\x00ff'::bytea FROM generate_series(1, 3);
       CREATE TABLE empty (x int);`,
      "t_alpha",
    );
    pg.sql(
      `SET ROLE t_bravo;
       CREATE TABLE notes (id serial PRIMARY KEY, body text);
       INSERT INTO notes (body) SELECT 'note ' || i FROM generate_series(1, 50) AS i;`,
      "t_bravo",
    );
    pg.sql(
      `SET ROLE t_charlie;
       CREATE TABLE ledger (id int, amount numeric);
       INSERT INTO ledger VALUES (1, 10.5), (2, -3);`,
      "t_charlie",
    );
  });

  afterAll(() => {
    pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("shellcheck is clean on both scripts and their shared library", () => {
    const result = run(
      "shellcheck",
      ["-x", BACKUP, RESTORE, path.join(path.dirname(BACKUP), "tenancy-common.sh")],
      {
        cwd: REPO_ROOT,
      },
    );
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  test("the nightly run creates the repository, backs up active and suspended tenants, skips decommissioned", () => {
    const result = script(BACKUP, []);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("initialising the restic repository");
    expect(result.stdout).toMatch(
      /^backing up alpha \.\.\. done, [\d.]+ (B|kB|MB) \(snapshot [0-9a-f]{8}\)$/m,
    );
    expect(result.stdout).toMatch(/^backing up bravo \.\.\. done, /m);
    expect(result.stdout).not.toContain("charlie");
    expect(result.stdout).toContain("pruning the repository ... done");

    const tags = snapshots().map((s) => s.tags ?? []);
    expect(tags).toEqual(expect.arrayContaining([["tenant=alpha"], ["tenant=bravo"]]));
    expect(snapshots("charlie")).toEqual([]);
    expect(new Set(snapshots().map((s) => s.hostname))).toEqual(new Set([HOST]));
    // The dumps were only staged: nothing of them is left on the disk.
    expect(readdirSync(path.join(work, "staging")).filter((f) => f !== ".lock")).toEqual([]);
  });

  test("restore --verify puts the latest snapshot into a fresh database with the same rows", () => {
    const before = databases();
    const result = script(RESTORE, ["alpha", "--verify"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/verify passed: .* \(4 tables, every row count and checksum\)/);
    const restored = /^restored alpha into (\S+)$/m.exec(result.stdout)?.[1] ?? "";
    expect(restored).toMatch(/^t_alpha_restore_\d{8}_\d{6}$/);
    expect(before).not.toContain(restored);

    for (const table of ALPHA_TABLES) expect(rowsOf(restored, table)).toBe(rowsOf("t_alpha", table));
    // Owned by the tenant, who may connect to it, like to its live database.
    expect(pg.sql(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${restored}'`)).toBe(
      "t_alpha",
    );
    expect(pg.connectAs("t_alpha", PASSWORDS.alpha ?? "", restored).code).toBe(0);
  });

  test("verify names the table that differs from the backup", () => {
    // Restore without verify, then change one row of the copy, as a bad restore or a bit flip would.
    const restore = script(RESTORE, ["alpha", "--into", "t_alpha_copy"]);
    expect(restore.code).toBe(0);
    expect(restore.stdout).not.toContain("verifying");
    pg.sql("UPDATE orders SET amount = amount + 0.01 WHERE id = 42", "t_alpha_copy");

    const result = script(RESTORE, ["verify", "alpha", "t_alpha_copy"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/public\.orders +500 +500 +DIFFERENT \(checksum\)/);
    expect(result.stdout).toMatch(/public\.customers +200 +200 +ok/);
    expect(result.stderr).toContain("verify FAILED: t_alpha_copy differs from snapshot");
    expect(result.stderr).toContain("in 1 table(s): public.orders");
  });

  test("restore refuses a database that exists, and leaves it as it was", () => {
    for (const existing of ["t_alpha_copy", "t_alpha"]) {
      const result = script(RESTORE, ["alpha", "--into", existing]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`database ${existing} already exists`);
    }
    // The changed row of the copy is still changed: nothing was restored over it.
    expect(pg.sql("SELECT amount FROM orders WHERE id = 42", "t_alpha_copy")).toBe("52.51");
  });

  test("--switch needs --verify: an unverified restore is never switched in", () => {
    const result = script(RESTORE, ["alpha", "--switch"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--switch needs --verify");
  });

  test("--verify --switch swaps the restored database in and keeps the replaced one", async () => {
    // A row written after the backup, and an open session of the tenant: the switch ends it.
    pg.sql("INSERT INTO customers VALUES (9999, 'after the backup', NULL, now())", "t_alpha");
    const session = pg.background("SELECT pg_sleep(60)", "t_alpha", {
      name: "t_alpha",
      password: PASSWORDS.alpha ?? "",
    });
    const ended = new Promise((resolve) => session.on("exit", resolve));
    await waitFor(() => pg.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = 't_alpha'") === "1");
    const before = databases();

    // As on a host: the PostgreSQL tools run as the postgres OS user (runuser), when we can.
    const result = script(RESTORE, ["alpha", "--verify", "--switch"], AS_POSTGRES);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/switched alpha: ended 1 session\(s\)/);
    await ended;

    const after = databases();
    const replaced = after.find((db) => /^t_alpha_replaced_\d{8}_\d{6}$/.test(db)) ?? "";
    // Nothing dropped: one database more (the restore), the live one renamed.
    expect(after).toHaveLength(before.length + 1);
    expect(pg.sql("SELECT count(*) FROM customers WHERE id = 9999", "t_alpha")).toBe("0");
    expect(pg.sql("SELECT count(*) FROM customers WHERE id = 9999", replaced)).toBe("1");
    expect(pg.connectAs("t_alpha", PASSWORDS.alpha ?? "", "t_alpha").code).toBe(0);
    expect(pg.connectAs("t_alpha", PASSWORDS.alpha ?? "", replaced).stderr).toContain("permission denied");
  });

  test("a backup taken while the tenant writes holds dump and checksums of one snapshot", async () => {
    // A writer commits a row every few milliseconds during the backup. Had the checksums and the dump
    // come from different moments, the restore would not verify.
    const writer = pg.background(
      `DO $$ BEGIN FOR i IN 1..600 LOOP
         INSERT INTO notes (body) VALUES ('written during the backup');
         COMMIT; PERFORM pg_sleep(0.005);
       END LOOP; END $$;`,
      "t_bravo",
    );
    const done = new Promise((resolve) => writer.on("exit", resolve));
    const backup = script(BACKUP, ["--tenant", "bravo"]);
    await done;
    expect(backup.code).toBe(0);

    const restore = script(RESTORE, ["bravo", "--verify"]);
    expect(restore.code).toBe(0);
    const restored = /^restored bravo into (\S+)$/m.exec(restore.stdout)?.[1] ?? "";
    const count = (db: string) => Number(pg.sql("SELECT count(*) FROM notes", db));
    // Taken mid-way: some rows of the writer are in the backup, and some came after it.
    expect(count(restored)).toBeGreaterThan(50);
    expect(count(restored)).toBeLessThan(count("t_bravo"));
  });

  test("--final backs up a decommissioned tenant; the nightly run skips it and keeps that backup", () => {
    // As tenancy-apply runs it on a host, with the tools as the postgres OS user when we can.
    const final = script(BACKUP, ["--tenant", "charlie", "--final"], AS_POSTGRES);
    expect(final.code).toBe(0);
    expect(final.stdout).toMatch(/^backing up charlie \.\.\. done, .*, final\)$/m);
    const [snapshot, ...others] = snapshots("charlie");
    expect(others).toEqual([]);
    expect(snapshot?.tags).toEqual(["tenant=charlie", "final"]);

    const nightly = script(BACKUP, []);
    expect(nightly.code).toBe(0);
    expect(nightly.stdout).not.toContain("charlie");
    expect(snapshots("charlie").map((s) => s.id)).toEqual([snapshot?.id]);

    // And the final backup restores and verifies.
    const restore = script(RESTORE, ["charlie", "--verify"]);
    expect(restore.code).toBe(0);
  });

  test("a tenant that fails is named, the others are still backed up, and the run exits 1", () => {
    const list = path.join(etc, "tenants.tsv");
    const original = readFileSync(list, "utf8");
    try {
      writeFileSync(list, `${original}ghost\tt_ghost\tactive\t30\n`);
      const result = script(BACKUP, []);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^backing up ghost \.\.\. FAILED$/m);
      expect(result.stderr).toContain(`database "t_ghost" does not exist`);
      expect(result.stderr).toContain(
        "tenancy-backup: tenant ghost: failed while opening a snapshot of database t_ghost",
      );
      expect(result.stderr).toMatch(/FAILED: ghost$/m);
      expect(result.stdout).toMatch(/^backing up alpha \.\.\. done/m);
      expect(result.stdout).toMatch(/^backing up bravo \.\.\. done/m);
    } finally {
      writeFileSync(list, original);
    }
  });

  test("a repository of the stack's old password takes the host's own key, and the old one opens it no more", () => {
    const repository = path.join(work, "legacy-repo");
    const cache = path.join(work, "cache");
    const OLD = "the-old-stack-wide-password-0123";
    const KEY = "TheHostsOwnRepositoryKey0123456789abcdef";
    const withPassword = (password: string) =>
      cleanEnv({ RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password, RESTIC_CACHE_DIR: cache });
    expect(run("restic", ["init", "-q"], { env: withPassword(OLD) }).code).toBe(0);
    const host = hostSpec(
      expand(manifestOf(TENANTS.map((t) => ({ id: t.id, plan: t.plan, host: HOST, status: t.status })))),
      HOST,
    )!;
    const legacyEtc = (name: string, old?: string) => {
      const dir = path.join(work, name);
      mkdirSync(dir);
      const secrets = hostSecrets({
        dbPasswords: PASSWORDS,
        resticPassword: KEY,
        ...(old === undefined ? {} : { resticOldPassword: old }),
        resticRepository: repository,
        originCertificate: "test certificate",
        originKey: "test key",
      });
      const env = renderBundle(host, secrets).files.find((f) => f.path === RESTIC_ENV_FILE)?.content ?? "";
      writeFileSync(path.join(dir, "restic.env"), env.replace("/var/cache/tenancy/restic", cache), {
        mode: 0o600,
      });
      writeFileSync(path.join(dir, "tenants.tsv"), renderBackupList(host));
      return dir;
    };

    // Without the old password the host's key alone cannot open it: refused, loudly.
    const refused = script(BACKUP, ["--tenant", "alpha"], { TENANCY_ETC: legacyEtc("etc-key-only") });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot open the restic repository ${repository}`);
    expect(refused.stderr).toContain("wrong password or no key found");

    // With an old password that does not open it either: the same refusal, and no key is touched.
    const wrongOld = script(BACKUP, ["--tenant", "alpha"], {
      TENANCY_ETC: legacyEtc("etc-wrong-old", "not-it"),
    });
    expect(wrongOld.code).toBe(1);
    expect(wrongOld.stderr).toContain(`cannot open the restic repository ${repository}`);
    expect(wrongOld.stdout).not.toContain("giving the restic repository");

    const upgrade = { TENANCY_ETC: legacyEtc("etc-upgrade", OLD) };
    const first = script(BACKUP, ["--tenant", "alpha"], upgrade);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`giving the restic repository ${repository} this host's own key`);
    expect(first.stdout).toMatch(/^backing up alpha \.\.\. done/m);
    const keys = run("restic", ["key", "list", "--json"], { env: withPassword(KEY) });
    expect(JSON.parse(keys.stdout)).toHaveLength(1);
    const old = run("restic", ["cat", "config"], { env: withPassword(OLD) });
    expect(old.code).toBe(1);
    expect(old.stderr).toContain("wrong password or no key found");

    // Done once: the next run opens it with the host's key and changes no key.
    const second = script(RESTORE, ["alpha", "--verify"], upgrade);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain("giving the restic repository");
  });

  test("--check runs restic check on the repository", () => {
    const result = script(BACKUP, ["--check"]);
    expect(result.code).toBe(0);
    expect(result.output).toContain("no errors were found");
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
