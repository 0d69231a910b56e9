/**
 * The S3 transport for real: tenancy-backup and tenancy-restore, as shipped, against a PostgreSQL 15
 * cluster and an S3-compatible server on loopback (s3rver over HTTPS with a self-signed certificate;
 * over plain HTTP restic's uploads are stored with their signature chunks and every read fails). The
 * restic.env is the one the bundle renders for a host backed up to a bucket (renderS3Env), plus the
 * test's CA as SSL_CERT_FILE. Backup, restic check, a restore drill with --verify, and retention. In order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT } from "../../testing/fixtures";
import { renderBundle, RESTIC_ENV_FILE } from "../bundle";
import { renderBackupList } from "../registry";
import { hostSecrets } from "../secrets";
import { hostSpec } from "../spec";
import { selfSignedCertificate } from "../testing/certificates";
import { freePort } from "../testing/ports";
import { cleanEnv, run, startPostgres, type Postgres, type RunResult } from "../testing/postgres";
import { backupScriptEnv } from "../testing/tool-env";

jest.setTimeout(180_000);

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const BACKUP = path.join(FILES, "tenancy-backup");
const RESTORE = path.join(FILES, "tenancy-restore");
const S3RVER = path.join(REPO_ROOT, "node_modules", "s3rver", "bin", "s3rver.js");
const HOST = "shared-fsn1-a";
const BUCKET = "tenancy-backups";
/** s3rver's fixed credentials; in a real restic.env they come from tenancy:backupBucketKeys. */
const KEY = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const PASSWORDS: Record<string, string> = {
  alpha: "AlphaPassword0123456789xyz",
  bravo: "BravoPassword9876543210abc",
};

const Snapshots = z.array(
  z.object({ short_id: z.string(), time: z.string(), tags: z.array(z.string()).nullish() }),
);

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`s3rver exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`s3rver did not listen on 127.0.0.1:${port}`);
}

describe("tenancy-backup and tenancy-restore through S3", () => {
  let pg: Postgres;
  let work: string;
  let etc: string;
  let s3: ChildProcess | undefined;
  let resticEnv: Record<string, string>;
  let rendered: string;

  const script = (file: string, args: string[]): RunResult =>
    run("bash", [file, ...args], {
      env: backupScriptEnv(FILES, work, etc, pg.env, HOST),
    });

  const snapshots = (tenant: string) => {
    const result = run("restic", ["snapshots", "--json", "--tag", `tenant=${tenant}`], { env: resticEnv });
    expect(result.code).toBe(0);
    return Snapshots.parse(JSON.parse(result.stdout));
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "tenancy-backup-s3-test-"));
    etc = path.join(work, "etc");
    mkdirSync(etc);
    mkdirSync(path.join(work, "s3"));

    // restic (Go) checks the address against the certificate's subjectAltName, not its CN.
    const { certFile: cert, keyFile: key } = selfSignedCertificate(work, "127.0.0.1", {
      name: "s3",
      subjectAltName: "IP:127.0.0.1",
    });

    const port = await freePort();
    s3 = spawn(
      process.execPath,
      [S3RVER, "-d", path.join(work, "s3"), "-a", "127.0.0.1", "-p", String(port), "-s"].concat([
        "--key",
        key,
        "--cert",
        cert,
        "--configure-bucket",
        BUCKET,
      ]),
      { stdio: "ignore" },
    );
    await waitForPort(port, s3);
    pg = await startPostgres();

    const model = expand(
      manifestOf(Object.keys(PASSWORDS).map((id) => ({ id, plan: "starter", host: HOST, status: "active" }))),
    );
    const host = hostSpec(model, HOST);
    if (!host) throw new Error(`no host ${HOST}`);
    const secrets = hostSecrets({
      dbPasswords: PASSWORDS,
      resticPassword: "test-restic-password-0123456789",
      resticRepository: `s3:https://127.0.0.1:${port}/${BUCKET}/${HOST}`,
      backupS3: KEY,
      originCertificate: "test certificate",
      originKey: "test key",
    });
    const bundle = renderBundle(host, secrets);
    expect(pg.applySql(bundle.sql).code).toBe(0);
    writeFileSync(path.join(etc, "tenants.tsv"), renderBackupList(host));
    rendered = bundle.files.find((f) => f.path === RESTIC_ENV_FILE)?.content ?? "";
    const cache = path.join(work, "cache");
    // The test's CA: a real bucket's endpoint has a certificate the host's system CAs verify.
    writeFileSync(
      path.join(etc, "restic.env"),
      `${rendered.replace("/var/cache/tenancy/restic", cache)}SSL_CERT_FILE=${cert}\n`,
      { mode: 0o600 },
    );
    resticEnv = cleanEnv({
      RESTIC_REPOSITORY: secrets.resticRepository,
      RESTIC_PASSWORD: secrets.resticPassword,
      RESTIC_CACHE_DIR: cache,
      SSL_CERT_FILE: cert,
      AWS_ACCESS_KEY_ID: KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
    });

    pg.sql(
      `SET ROLE t_alpha;
       CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, note text);
       INSERT INTO customers SELECT i, 'Asiakas ' || i || ' Mäkinen', CASE WHEN i % 5 = 0 THEN NULL ELSE E'a\\tb' END
         FROM generate_series(1, 300) AS i;`,
      "t_alpha",
    );
    pg.sql(
      `SET ROLE t_bravo;
       CREATE TABLE notes (id serial PRIMARY KEY, body text);
       INSERT INTO notes (body) SELECT 'note ' || i FROM generate_series(1, 40) AS i;`,
      "t_bravo",
    );
  });

  afterAll(() => {
    s3?.kill("SIGTERM");
    pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("the rendered restic.env gives restic the bucket's access key", () => {
    expect(rendered).toContain(`AWS_ACCESS_KEY_ID=${KEY.accessKeyId}\n`);
    expect(rendered).toContain(`AWS_SECRET_ACCESS_KEY=${KEY.secretAccessKey}\n`);
    expect(rendered).not.toContain("TENANCY_SFTP_PASSWORD");
  });

  test("the nightly run creates the repository in the bucket and backs up every tenant", () => {
    const result = script(BACKUP, []);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("initialising the restic repository");
    expect(result.stdout).toMatch(/^backing up alpha \.\.\. done, /m);
    expect(result.stdout).toMatch(/^backing up bravo \.\.\. done, /m);
    expect(snapshots("alpha")).toHaveLength(1);
    // The repository is the host's prefix of the bucket, on the server's disk.
    expect(readFileSync(path.join(work, "s3", BUCKET, HOST, "config._S3rver_object"))).toBeDefined();
  });

  test("--check runs restic check on the bucket's repository", () => {
    const result = script(BACKUP, ["--check"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no errors were found");
  });

  test("restore --verify brings alpha back from the bucket with the same rows", () => {
    const result = script(RESTORE, ["alpha", "--verify"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/verify passed: /);
    const restored = /^restored alpha into (\S+)$/m.exec(result.stdout)?.[1] ?? "";
    const rows = (db: string) =>
      pg.sql(`SELECT string_agg(r::text, E'\\n' ORDER BY r.id) FROM public.customers AS r`, db);
    expect(restored).not.toBe("");
    expect(rows(restored)).toBe(rows("t_alpha"));
  });

  test("retention forgets a snapshot older than the plan keeps, and prunes it from the bucket", () => {
    // A backup of alpha from long ago, past starter's retention, of the path the script stages alpha in
    // (restic's retention is per host and path).
    const staged = path.join(work, "staging", "alpha");
    mkdirSync(staged, { recursive: true });
    writeFileSync(path.join(staged, "alpha.dump"), "old dump");
    const old = run(
      "restic",
      ["backup", "--host", HOST, "--tag", "tenant=alpha", "--time", "2020-01-01 00:00:00", "."],
      { env: resticEnv, cwd: staged },
    );
    rmSync(staged, { recursive: true });
    expect(old.code).toBe(0);
    expect(snapshots("alpha").map((s) => s.time.slice(0, 4))).toContain("2020");

    const result = script(BACKUP, []);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("pruning the repository ... done");
    const left = snapshots("alpha");
    expect(left.map((s) => s.time.slice(0, 4))).not.toContain("2020");
    expect(left).toHaveLength(2); // the first night's and tonight's
  });
});
