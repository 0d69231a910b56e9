/**
 * The production backup path for real: tenancy-backup and tenancy-restore, exactly as shipped, reach a
 * Storage-Box-like SFTP server on loopback (testing/storage-box.ts) with the rendered restic.env and
 * known_hosts: sshpass with the sub-account's password, the server's host key pinned. Needs root (the
 * SFTP server's chroot and its password user). The tests run in order and build on each other.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT } from "../../testing/fixtures";
import { renderBundle, RESTIC_ENV_FILE, type HostBundle } from "../bundle";
import { renderBackupList } from "../registry";
import { hostSecrets } from "../secrets";
import { SFTP_KNOWN_HOSTS_FILE } from "../sftp";
import { hostSpec } from "../spec";
import { cleanEnv, run, startPostgres, type Postgres, type RunResult } from "../testing/postgres";
import { startStorageBox, type StorageBox } from "../testing/storage-box";
import { backupScriptEnv } from "../testing/tool-env";

jest.setTimeout(180_000);

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const BACKUP = path.join(FILES, "tenancy-backup");
const RESTORE = path.join(FILES, "tenancy-restore");
const HOST = "shared-fsn1-a";
const PASSWORDS: Record<string, string> = {
  alpha: "AlphaPassword0123456789xyz",
  bravo: "BravoPassword9876543210abc",
};
const TENANTS = [
  { id: "alpha", plan: "starter", status: "active" },
  { id: "bravo", plan: "hobby", status: "active" },
] as const;
const RESTIC_PASSWORD = "test-restic-password-0123456789";

const Snapshots = z.array(
  z.object({ id: z.string(), time: z.string(), tags: z.array(z.string()).nullish() }),
);

/** Every file of a directory tree, with its size: equal lists mean nothing was written. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => `${f} ${statSync(path.join(dir, f)).size}`)
    .sort();
}

describe("backups over SFTP to a Storage-Box-like server, host key pinned", () => {
  let pg: Postgres;
  let box: StorageBox;
  let work: string;
  let etc: string;
  let knownHosts: string;
  let bundle: HostBundle;

  const script = (file: string, args: string[], extra: Record<string, string> = {}): RunResult =>
    run("bash", [file, ...args], {
      env: {
        ...backupScriptEnv(FILES, work, etc, pg.env, HOST),
        TENANCY_SFTP_KNOWN_HOSTS: knownHosts,
        ...extra,
      },
    });

  /** restic as the scripts run it, for what the test looks at in the repository. */
  const restic = (args: string[]): RunResult =>
    run(
      "restic",
      [
        "-o",
        `sftp.command=sshpass -e ssh -F /dev/null -p ${box.port} -o StrictHostKeyChecking=yes ` +
          `-o UserKnownHostsFile=${knownHosts} ${box.user}@127.0.0.1 -s sftp`,
        ...args,
      ],
      {
        env: cleanEnv({
          RESTIC_REPOSITORY: box.repository,
          RESTIC_PASSWORD,
          RESTIC_CACHE_DIR: path.join(work, "test-cache"),
          SSHPASS: box.password,
        }),
      },
    );

  const snapshots = (tenant: string) => {
    const result = restic(["snapshots", "--json", "--tag", `tenant=${tenant}`]);
    expect(result.stderr).toBe("");
    return Snapshots.parse(JSON.parse(result.stdout));
  };

  const rendered = (file: string) => bundle.files.find((f) => f.path === file);

  /** A second configuration directory: the rendered files with one change. */
  const etcWith = (name: string, env: string): string => {
    const other = path.join(work, name);
    mkdirSync(other);
    writeFileSync(path.join(other, "tenants.tsv"), renderBackupList(hostSpec(model(), HOST)!));
    writeFileSync(path.join(other, "restic.env"), env, { mode: 0o600 });
    return other;
  };

  const model = () =>
    expand(manifestOf(TENANTS.map((t) => ({ id: t.id, plan: t.plan, host: HOST, status: t.status }))));

  let resticEnv: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "tenancy-backup-sftp-test-"));
    etc = path.join(work, "etc");
    mkdirSync(etc);
    pg = await startPostgres();
    box = await startStorageBox(work);

    const host = hostSpec(model(), HOST)!;
    bundle = renderBundle(
      host,
      hostSecrets({
        dbPasswords: PASSWORDS,
        resticPassword: RESTIC_PASSWORD,
        resticRepository: box.repository,
        backupSftp: { server: "127.0.0.1", password: box.password, port: box.port, hostKeys: [box.hostKey] },
        originCertificate: "test certificate",
        originKey: "test key",
      }),
    );
    expect(pg.applySql(bundle.sql).code).toBe(0);
    writeFileSync(path.join(etc, "tenants.tsv"), renderBackupList(host));
    resticEnv = (rendered(RESTIC_ENV_FILE)?.content ?? "").replace(
      "/var/cache/tenancy/restic",
      path.join(work, "cache"),
    );
    writeFileSync(path.join(etc, "restic.env"), resticEnv, { mode: 0o600 });
    knownHosts = path.join(work, "known_hosts");
    writeFileSync(knownHosts, rendered(SFTP_KNOWN_HOSTS_FILE)?.content ?? "", { mode: 0o600 });

    pg.sql(
      `SET ROLE t_alpha;
       CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
       INSERT INTO customers SELECT i, 'Kunde ' || i FROM generate_series(1, 300) AS i;`,
      "t_alpha",
    );
    pg.sql(`SET ROLE t_bravo; CREATE TABLE notes (body text); INSERT INTO notes VALUES ('one');`, "t_bravo");
  });

  afterAll(() => {
    box?.stop();
    pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("the bundle pins the server's key in a root-only known_hosts, and restic.env names the port", () => {
    expect(rendered(SFTP_KNOWN_HOSTS_FILE)).toMatchObject({
      path: "/etc/ssh/tenancy_backup_known_hosts",
      mode: "0600",
      owner: "root",
      group: "root",
      content: `[127.0.0.1]:${box.port} ${box.hostKey}\n`,
    });
    expect(resticEnv).toContain(`TENANCY_SFTP_PORT=${box.port}\n`);
    expect(resticEnv).toContain(`TENANCY_SFTP_PASSWORD=${box.password}\n`);
  });

  test("the server gives SFTP only: a command over SSH never runs", () => {
    const result = run(
      "sshpass",
      [
        "-e",
        "ssh",
        "-F",
        "/dev/null",
        "-p",
        String(box.port),
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        `${box.user}@127.0.0.1`,
        "echo shell-ran; touch /restic/shell-ran",
      ],
      { env: cleanEnv({ SSHPASS: box.password }), input: "" },
    );
    expect(result.output).not.toContain("shell-ran");
    expect(readdirSync(box.repositoryDir)).toEqual([]);
    // It was logged in (the password is right): the forced internal-sftp refused the command.
    expect(box.log()).toContain(`Accepted password for ${box.user}`);
  });

  test("the nightly run creates the repository on the server and backs up every tenant", () => {
    const result = script(BACKUP, []);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`initialising the restic repository ${box.repository}`);
    expect(result.stdout).toMatch(/^backing up alpha \.\.\. done, .*\(snapshot [0-9a-f]{8}\)$/m);
    expect(result.stdout).toMatch(/^backing up bravo \.\.\. done/m);
    expect(result.stdout).toContain("pruning the repository ... done");
    expect(readdirSync(box.repositoryDir).sort()).toEqual([
      "config",
      "data",
      "index",
      "keys",
      "locks",
      "snapshots",
    ]);
    expect(snapshots("alpha")).toHaveLength(1);
  });

  test("restic check and a restore drill run through the server", () => {
    const check = script(BACKUP, ["--check"]);
    expect(check.code).toBe(0);
    expect(check.output).toContain("no errors were found");

    const restore = script(RESTORE, ["alpha", "--verify"]);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/verify passed: .* \(1 tables, every row count and checksum\)/);
  });

  test("retention forgets what is older than the plan keeps, and prunes it from the server", () => {
    // A backup of alpha from long ago, of the same staging directory the nightly run backs up.
    const staged = path.join(work, "staging", "alpha");
    mkdirSync(staged);
    writeFileSync(path.join(staged, "alpha.dump"), "an old dump");
    const old = restic([
      "backup",
      "--host",
      HOST,
      "--tag",
      "tenant=alpha",
      "--time",
      "2020-01-01 00:00:00",
      staged,
    ]);
    rmSync(staged, { recursive: true });
    expect(old.code).toBe(0);
    expect(snapshots("alpha")).toHaveLength(2);

    const result = script(BACKUP, []);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^retention of alpha \(\d+ days\) \.\.\. done$/m);
    expect(result.stdout).toContain("pruning the repository ... done");
    const kept = snapshots("alpha");
    expect(kept).toHaveLength(2); // the first nightly and this one
    expect(kept.every((s) => s.time > "2026")).toBe(true);
  });

  describe("refusals leave the repository as it was", () => {
    let before: string[];
    beforeEach(() => {
      before = tree(box.repositoryDir);
    });
    afterEach(() => {
      expect(tree(box.repositoryDir)).toEqual(before);
      expect(readdirSync(path.join(work, "staging")).filter((f) => f !== ".lock")).toEqual([]);
    });

    test("a known_hosts that pins another key", () => {
      const wrong = path.join(work, "wrong_known_hosts");
      writeFileSync(wrong, `[127.0.0.1]:${box.port} ${box.otherHostKey}\n`, { mode: 0o600 });
      for (const [file, args] of [
        [BACKUP, []],
        [RESTORE, ["alpha", "--verify"]],
      ] as const) {
        const result = script(file, [...args], { TENANCY_SFTP_KNOWN_HOSTS: wrong });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("REMOTE HOST IDENTIFICATION HAS CHANGED");
        expect(result.stderr).toContain("Host key verification failed");
      }
    });

    test("a server that is not pinned at all is not learnt", () => {
      const empty = path.join(work, "empty_known_hosts");
      writeFileSync(empty, `[127.0.0.2]:${box.port} ${box.hostKey}\n`, { mode: 0o600 });
      const result = script(BACKUP, [], { TENANCY_SFTP_KNOWN_HOSTS: empty });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("Host key verification failed");
      expect(run("cat", [empty]).stdout).toBe(`[127.0.0.2]:${box.port} ${box.hostKey}\n`);

      const missing = script(BACKUP, [], { TENANCY_SFTP_KNOWN_HOSTS: path.join(work, "none") });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`cannot read ${path.join(work, "none")}: the SFTP server's host keys`);
    });

    test("a wrong sub-account password", () => {
      const other = etcWith("etc-wrong-password", resticEnv.replace(box.password, "not-the-password"));
      const result = script(BACKUP, [], { TENANCY_ETC: other });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot open the restic repository ${box.repository}`);
      expect(box.log()).toContain(`Failed password for ${box.user}`);
    });
  });
});
