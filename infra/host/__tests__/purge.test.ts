/**
 * tenancy-purge for real: a throwaway PostgreSQL 15 cluster, a local restic repository, the rendered
 * tenants.tsv, and the final backup tenancy-backup takes. It refuses until the final backup exists, the
 * retention has run and the backup verifies; then nothing of the tenant stays, in the cluster or the
 * repository. The tests build on each other, in order.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT } from "../../testing/fixtures";
import { renderBundle, RESTIC_ENV_FILE } from "../bundle";
import { renderBackupList } from "../registry";
import { hostSecrets } from "../secrets";
import { hostSpec } from "../spec";
import { cleanEnv, run, startPostgres, type Postgres, type RunResult } from "../testing/postgres";

jest.setTimeout(180_000);

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const HOST = "shared-fsn1-a";
const DAY = 86_400;

describe("tenancy-purge", () => {
  let pg: Postgres;
  let work: string;
  let etc: string;
  let resticEnv: Record<string, string>;

  const script = (name: string, args: string[], extra: Record<string, string> = {}): RunResult =>
    run("bash", [path.join(FILES, name), ...args], {
      env: {
        ...pg.env,
        TENANCY_ETC: etc,
        TENANCY_STATE: path.join(work, "state"),
        TENANCY_LIB: FILES,
        TENANCY_BACKUP_STAGING: path.join(work, "staging"),
        TENANCY_HOSTNAME: HOST,
        TENANCY_PG_AS: "",
        ...extra,
      },
    });
  const purge = (tenant: string, extra: Record<string, string> = {}) =>
    script("tenancy-purge", [tenant, "--confirm", tenant], extra);
  const later = (days: number) => ({ TENANCY_NOW: String(Math.floor(Date.now() / 1000) + days * DAY) });
  const databases = () => pg.sql("SELECT datname FROM pg_database ORDER BY datname").split("\n");
  const roles = () =>
    pg.sql("SELECT rolname FROM pg_roles WHERE rolname LIKE 't\\_%' ORDER BY 1").split("\n");
  const snapshotsOf = (tenant: string) => {
    const result = run("restic", ["snapshots", "--json", "--tag", `tenant=${tenant}`], { env: resticEnv });
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as unknown[] | null) ?? [];
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "tenancy-purge-test-"));
    etc = path.join(work, "etc");
    mkdirSync(etc);
    pg = await startPostgres();
    // hobby keeps backups 30 days: charlie's data may go 30 days after its final backup.
    const model = expand(
      manifestOf([
        { id: "alpha", plan: "starter", host: HOST },
        { id: "charlie", plan: "hobby", host: HOST, status: "decommissioned" },
        { id: "delta", plan: "hobby", host: HOST, status: "decommissioned" },
      ]),
    );
    const host = hostSpec(model, HOST)!;
    const secrets = hostSecrets({
      dbPasswords: {
        alpha: "AlphaPassword0123456789xyz",
        charlie: "CharliePassword5555555555",
        delta: "DeltaPassword44444444444",
      },
      resticPassword: "test-restic-password-0123456789",
      resticRepository: path.join(work, "repo"),
      originCertificate: "test certificate",
      originKey: "test key",
    });
    const bundle = renderBundle(host, secrets);
    expect(pg.applySql(bundle.sql).code).toBe(0);
    writeFileSync(path.join(etc, "tenants.tsv"), renderBackupList(host));
    const cache = path.join(work, "cache");
    const rendered = bundle.files.find((f) => f.path === RESTIC_ENV_FILE)!.content;
    writeFileSync(path.join(etc, "restic.env"), rendered.replace("/var/cache/tenancy/restic", cache), {
      mode: 0o600,
    });
    resticEnv = cleanEnv({
      RESTIC_REPOSITORY: secrets.resticRepository,
      RESTIC_PASSWORD: secrets.resticPassword,
      RESTIC_CACHE_DIR: cache,
    });
    for (const tenant of ["alpha", "charlie", "delta"]) {
      pg.sql(
        `CREATE TABLE notes (id serial PRIMARY KEY, body text); INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 50) g;`,
        `t_${tenant}`,
      );
    }
    // The nightly backup of alpha, and charlie's final backup, as tenancy-apply takes it on decommission.
    expect(script("tenancy-backup", []).code).toBe(0);
    const final = script("tenancy-backup", ["--tenant", "charlie", "--final"]);
    expect(final.output).toContain("final");
    expect(final.code).toBe(0);
    // A copy the lifecycle left beside charlie's database (a replaced one after a restore).
    pg.sql("CREATE DATABASE t_charlie_replaced_20261201_100000");
  });

  afterAll(() => {
    pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("refuses without --confirm naming the tenant", () => {
    const result = script("tenancy-purge", ["charlie", "--confirm", "charly"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("confirm with --confirm charlie");
  });

  test("refuses an active tenant", () => {
    const result = purge("alpha", later(3650));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("alpha: refused, nothing was deleted: it is active here");
    expect(databases()).toContain("t_alpha");
  });

  test("refuses a decommissioned tenant without a final backup", () => {
    const result = purge("delta", later(3650));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("delta: refused, nothing was deleted: it has no final backup");
    expect(databases()).toContain("t_delta");
  });

  test("refuses while the plan's retention runs, naming when it ends", () => {
    const result = purge("charlie", later(29));
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /charlie: refused, nothing was deleted: its retention runs until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(30 days/,
    );
    expect(databases()).toContain("t_charlie");
  });

  test("refuses when the final backup does not restore and verify", () => {
    // A copy of the repository whose data packs are damaged: its snapshots list, but nothing restores.
    const broken = path.join(work, "repo-broken");
    expect(run("cp", ["-a", path.join(work, "repo"), broken]).code).toBe(0);
    for (const pack of run("find", [path.join(broken, "data"), "-type", "f"])
      .stdout.split("\n")
      .filter(Boolean))
      writeFileSync(pack, "damaged");
    const brokenEtc = path.join(work, "etc-broken");
    mkdirSync(brokenEtc);
    writeFileSync(path.join(brokenEtc, "tenants.tsv"), readFileSync(path.join(etc, "tenants.tsv")));
    writeFileSync(
      path.join(brokenEtc, "restic.env"),
      readFileSync(path.join(etc, "restic.env"), "utf8").replace(path.join(work, "repo"), broken),
      { mode: 0o600 },
    );
    const result = purge("charlie", { ...later(31), TENANCY_ETC: brokenEtc });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /charlie: refused, nothing was deleted: its final backup \w+ does not restore and verify/,
    );
    expect(databases()).toContain("t_charlie");
    expect(databases().filter((name) => name.includes("purgecheck"))).toEqual([]);
  });

  test("after the retention, with a verified final backup: every database, the role and the snapshots go", () => {
    expect(snapshotsOf("charlie").length).toBeGreaterThan(0);
    const result = purge("charlie", later(31));
    expect(result.stderr).toContain("verify passed");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      tenant: "charlie",
      purged: expect.stringMatching(/Z$/),
    });
    expect(databases().filter((name) => name.startsWith("t_charlie"))).toEqual([]);
    expect(roles()).not.toContain("t_charlie");
    expect(snapshotsOf("charlie")).toEqual([]);
    // Nobody else's data is touched.
    expect(databases()).toEqual(expect.arrayContaining(["t_alpha", "t_delta"]));
    expect(snapshotsOf("alpha").length).toBeGreaterThan(0);
  });

  test("running it again prints the record and exits 0", () => {
    const result = purge("charlie", later(31));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("charlie was purged before");
    expect(JSON.parse(result.stdout)).toMatchObject({ tenant: "charlie" });
  });
});
