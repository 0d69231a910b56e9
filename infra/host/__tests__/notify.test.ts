/**
 * Failures are heard: tenancy-notify, and the host tools that call it, for real. A loopback HTTP receiver
 * (127.0.0.1, a free port) stands for the alert webhook and records every POST. tenancy-backup runs
 * against a throwaway PostgreSQL 15 cluster and a local restic repository; tenancy-apply against a
 * temporary root with a bundle whose SQL step fails. Every run's output is checked for the webhook's URL,
 * which must never appear.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { expand } from "../../expand";
import { manifestOf, REPO_ROOT } from "../../testing/fixtures";
import { ALERT_CONFIG_FILE, renderBundle, RESTIC_ENV_FILE } from "../bundle";
import { renderBackupList } from "../registry";
import { hostSecrets } from "../secrets";
import { hostSpec } from "../spec";
import { renderUnits, UNIT_DIR } from "../units";
import { cleanEnv, run, startPostgres, type Postgres } from "../testing/postgres";

jest.setTimeout(180_000);

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const NOTIFY = path.join(FILES, "tenancy-notify");
const BACKUP = path.join(FILES, "tenancy-backup");
const STATUS = path.join(FILES, "tenancy-backup-status");
const APPLY = path.join(FILES, "tenancy-apply");
const HOST = "shared-fsn1-a";
const TOKEN = "hook-token-5f0c1e9a7b";
const PASSWORDS = { alpha: "AlphaPassword0123456789xyz", bravo: "BravoPassword9876543210abc" };

interface Notification {
  host: string;
  event: string;
  unit: string | null;
  tenant: string | null;
  status: string;
  log: string;
  time: string;
}

let work: string;
let pg: Postgres;
let server: http.Server;
let url: string;
let received: Notification[] = [];
/** What the receiver answers: 200, or an error to make curl retry and give up. */
let answer = 200;
let attempts = 0;

interface Run {
  code: number | null;
  output: string;
}

/** Runs a tool without blocking this process, whose event loop serves the receiver. */
function runAsync(command: string, args: string[], env: Record<string, string>, input = ""): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: cleanEnv(env), stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

/** Nothing a tool prints may hold the webhook: not the URL, not its secret path. */
function expectNoUrl(result: Run) {
  expect(result.output).not.toContain(TOKEN);
  expect(result.output).not.toContain(url);
}

const alertConfig = () => path.join(work, "tenancy-alert.conf");
const statusDir = () => path.join(work, "backups");
const etc = () => path.join(work, "etc");

/** The environment the host tools get on this test's "host". */
function hostEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...pg.env,
    TENANCY_ETC: etc(),
    TENANCY_LIB: FILES,
    TENANCY_BACKUP_STAGING: path.join(work, "staging"),
    TENANCY_HOSTNAME: HOST,
    TENANCY_PG_AS: "",
    TENANCY_ALERT_CONFIG: alertConfig(),
    TENANCY_BACKUP_STATUS_DIR: statusDir(),
    TENANCY_BACKUP_STATUS: STATUS,
    TENANCY_NOTIFY: NOTIFY,
    ...extra,
  };
}

const statusOf = (tenant: string) =>
  JSON.parse(readFileSync(path.join(statusDir(), `${tenant}.json`), "utf8")) as {
    tenant: string;
    lastSuccess: { at: string; snapshot: string; bytes: number } | null;
    lastFailure: { at: string; message: string } | null;
  };

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "tenancy-notify-test-"));
  mkdirSync(etc());
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      attempts++;
      if (answer === 200 && request.method === "POST" && request.url === `/hooks/${TOKEN}`)
        received.push(JSON.parse(body) as Notification);
      response.statusCode = answer;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hooks/${TOKEN}`;
  writeFileSync(alertConfig(), `TENANCY_ALERT_WEBHOOK_URL=${url}\n`, { mode: 0o600 });

  pg = await startPostgres();
  const spec = hostSpec(
    expand(manifestOf(Object.keys(PASSWORDS).map((id) => ({ id, plan: "hobby", host: HOST })))),
    HOST,
  )!;
  const bundle = renderBundle(
    spec,
    hostSecrets({
      dbPasswords: PASSWORDS,
      resticPassword: "test-restic-password-0123456789",
      resticRepository: path.join(work, "repo"),
      originCertificate: "test certificate",
      originKey: "test key",
    }),
  );
  expect(pg.applySql(bundle.sql).code).toBe(0);
  writeFileSync(path.join(etc(), "tenants.tsv"), renderBackupList(spec));
  const resticEnv = bundle.files.find((f) => f.path === RESTIC_ENV_FILE)!.content;
  writeFileSync(
    path.join(etc(), "restic.env"),
    resticEnv.replace("/var/cache/tenancy/restic", path.join(work, "cache")),
    { mode: 0o600 },
  );
});

beforeEach(() => {
  received = [];
  answer = 200;
  attempts = 0;
});

afterAll(async () => {
  pg?.stop();
  await new Promise((resolve) => server?.close(resolve));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the alert webhook in the bundle", () => {
  const spec = () => hostSpec(expand(manifestOf([{ id: "alpha", plan: "hobby", host: HOST }])), HOST)!;
  const secrets = (alertWebhookUrl?: string) =>
    hostSecrets({
      dbPasswords: PASSWORDS,
      resticPassword: "test-restic-password-0123456789",
      resticRepository: "sftp:u1@u1.your-storagebox.de:/tenancy",
      originCertificate: "test certificate",
      originKey: "test key",
      ...(alertWebhookUrl === undefined ? {} : { alertWebhookUrl }),
    });

  test("is root's alone, outside what the app container mounts, and says so when there is none", () => {
    const hook = "https://alerts.example.net/hooks/abc";
    const file = renderBundle(spec(), secrets(hook)).files.find((f) => f.path === ALERT_CONFIG_FILE)!;
    expect(file).toMatchObject({ mode: "0600", owner: "root", group: "root" });
    expect(file.content).toBe(`TENANCY_ALERT_WEBHOOK_URL=${hook}\n`);
    const app = renderUnits(spec())[`${UNIT_DIR}/tenancy-app.service`]!;
    const mounted = [...app.matchAll(/--volume ([^:]+):/g)].map((m) => m[1]!);
    expect(mounted.some((dir) => ALERT_CONFIG_FILE.startsWith(`${dir}/`))).toBe(false);
    const without = renderBundle(spec(), secrets()).files.find((f) => f.path === ALERT_CONFIG_FILE)!;
    expect(without.content).not.toContain("TENANCY_ALERT_WEBHOOK_URL=");
  });

  test.each([
    "http://alerts.example.net/x",
    "https://alerts.example.net/a b",
    'https://a.example/"x',
    "alerts",
  ])("refuses %s without showing it", (bad) => {
    expect(() => secrets(bad)).toThrow(/^tenancy:alertWebhookUrl must be an https:\/\/ URL/);
    expect(() => secrets(bad)).not.toThrow(bad);
  });

  test("every timer job's failure starts tenancy-notify for its unit", () => {
    const units = renderUnits(spec());
    for (const name of ["tenancy-backup", "tenancy-backup-check", "tenancy-backup-age"]) {
      expect(units[`${UNIT_DIR}/${name}.service`]).toMatch(
        /^\[Unit\][^[]*^OnFailure=tenancy-notify@%n\.service$/m,
      );
    }
    expect(units[`${UNIT_DIR}/tenancy-notify@.service`]).toContain(
      "ExecStart=/usr/local/sbin/tenancy-notify --unit %i",
    );
  });
});

describe("tenancy-notify", () => {
  test("POSTs the host, event, tenant, status and the log's last 50 lines", async () => {
    const log = Array.from({ length: 80 }, (_, i) => `line ${i + 1}`).join("\n");
    const result = await runAsync(
      NOTIFY,
      ["--event", "backup-failed", "--tenant", "alpha", "--status", "exit 1", "--log", "-"],
      hostEnv(),
      log,
    );
    expect(result.code).toBe(0);
    expect(result.output).toBe(`tenancy-notify: notified backup-failed (tenant alpha) on ${HOST}\n`);
    expectNoUrl(result);
    expect(received).toEqual([
      {
        host: HOST,
        event: "backup-failed",
        unit: null,
        tenant: "alpha",
        status: "exit 1",
        log: Array.from({ length: 50 }, (_, i) => `line ${i + 31}`).join("\n"),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    ]);
  });

  test("--unit sends the unit's journal tail", async () => {
    const bin = path.join(work, "bin");
    mkdirSync(bin, { recursive: true });
    // journalctl as a stand-in that shows what it was asked: the unit and the number of lines.
    writeFileSync(
      path.join(bin, "journalctl"),
      '#!/bin/sh\necho "journal: $*"\necho "backup: FAILED: alpha"\n',
    );
    chmodSync(path.join(bin, "journalctl"), 0o755);
    const result = await runAsync(NOTIFY, ["--unit", "tenancy-backup.service"], {
      ...hostEnv(),
      PATH: `${bin}:${process.env.PATH ?? ""}`,
    });
    expect(result.code).toBe(0);
    expectNoUrl(result);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ host: HOST, event: "unit-failed", unit: "tenancy-backup.service" });
    expect(received[0]!.log).toBe(
      "journal: --unit tenancy-backup.service --lines 50 --no-pager --output short-iso\nbackup: FAILED: alpha",
    );
  });

  test("with no webhook configured, logs what it would have sent", async () => {
    const result = await runAsync(NOTIFY, ["--event", "apply-failed", "--log", "-"], {
      ...hostEnv(),
      TENANCY_ALERT_CONFIG: path.join(work, "absent.conf"),
    });
    expect(result.code).toBe(0);
    expect(result.output).toContain(`would have notified apply-failed on ${HOST}: failed`);
    expect(received).toEqual([]);
  });

  test("a webhook that keeps failing is retried, then reported without its URL (exit 1)", async () => {
    answer = 500;
    const result = await runAsync(NOTIFY, ["--event", "apply-failed", "--log", "-"], hostEnv());
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /could not notify apply-failed on shared-fsn1-a through the alert webhook: .*500/,
    );
    expectNoUrl(result);
    expect(attempts).toBe(4);
  });
});

describe("tenancy-backup", () => {
  test("records each tenant's last success after a real backup", async () => {
    const before = Date.now();
    const result = await runAsync("bash", [BACKUP], hostEnv());
    expect(result.code).toBe(0);
    expect(received).toEqual([]);
    const snapshots = run("restic", ["snapshots", "--json", "--tag", "tenant=alpha"], {
      env: cleanEnv({
        RESTIC_REPOSITORY: path.join(work, "repo"),
        RESTIC_PASSWORD: "test-restic-password-0123456789",
        RESTIC_CACHE_DIR: path.join(work, "cache"),
      }),
    });
    const [snapshot] = JSON.parse(snapshots.stdout) as { short_id: string }[];
    const alpha = statusOf("alpha");
    expect(alpha).toEqual({
      tenant: "alpha",
      lastSuccess: {
        at: expect.any(String),
        snapshot: snapshot!.short_id,
        bytes: expect.any(Number),
      },
      lastFailure: null,
    });
    expect(Date.parse(alpha.lastSuccess!.at)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(alpha.lastSuccess!.bytes).toBeGreaterThan(1000);
    expect(statusOf("bravo").lastSuccess).not.toBeNull();
    expect(statSync(path.join(statusDir(), "alpha.json")).mode & 0o777).toBe(0o600);
  });

  test("a tenant whose dump fails is notified with its log, and keeps its last success", async () => {
    const list = path.join(etc(), "tenants.tsv");
    const original = readFileSync(list, "utf8");
    const success = statusOf("alpha").lastSuccess;
    try {
      writeFileSync(list, original.replace(/^alpha\tt_alpha\t/m, "alpha\tt_gone\t"));
      const result = await runAsync("bash", [BACKUP], hostEnv());
      expect(result.code).toBe(1);
      expectNoUrl(result);
      expect(result.output).toContain(`tenancy-notify: notified backup-failed (tenant alpha) on ${HOST}`);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        host: HOST,
        event: "backup-failed",
        tenant: "alpha",
        status: "exit 1",
      });
      expect(received[0]!.log).toContain('database "t_gone" does not exist');
      expect(received[0]!.log).toContain(
        "tenancy-backup: tenant alpha: failed while opening a snapshot of database t_gone",
      );
      const alpha = statusOf("alpha");
      expect(alpha.lastSuccess).toEqual(success);
      expect(alpha.lastFailure?.message).toContain('database "t_gone" does not exist');
      expect(statusOf("bravo").lastFailure).toBeNull();
    } finally {
      writeFileSync(list, original);
    }
  });
});

describe("tenancy-backup-status", () => {
  const writeStatus = (tenant: string, hoursAgo: number) => {
    const at = new Date(Date.now() - hoursAgo * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
    writeFileSync(
      path.join(statusDir(), `${tenant}.json`),
      JSON.stringify({ tenant, lastSuccess: { at, snapshot: "0123abcd", bytes: 5 }, lastFailure: null }),
    );
  };

  test("check notifies each tenant whose last good backup is older than 26 hours, and only those", async () => {
    writeStatus("alpha", 1);
    writeStatus("bravo", 25.5);
    const fresh = await runAsync(STATUS, ["check"], hostEnv());
    expect(fresh).toEqual({ code: 0, output: "" });
    expect(received).toEqual([]);

    writeStatus("bravo", 27);
    const stale = await runAsync(STATUS, ["check"], hostEnv());
    expect(stale.code).toBe(0);
    expectNoUrl(stale);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      host: HOST,
      event: "backup-missed",
      tenant: "bravo",
      status: "overdue",
    });
    expect(received[0]!.log).toMatch(
      /^the last backup of bravo that worked is 27 hours old \(.*, snapshot 0123abcd\)$/,
    );
  });

  test("check counts a tenant never backed up as missed", async () => {
    writeStatus("alpha", 1);
    rmSync(path.join(statusDir(), "bravo.json"));
    const result = await runAsync(STATUS, ["check"], hostEnv());
    expect(result.code).toBe(0);
    expect(received.map((n) => [n.event, n.tenant, n.log])).toEqual([
      ["backup-missed", "bravo", "no backup of bravo has ever worked on this host"],
    ]);
  });
});

describe("tenancy-apply", () => {
  const bundleFile = () => {
    const spec = hostSpec(expand(manifestOf([{ id: "alpha", plan: "hobby", host: HOST }])), HOST)!;
    const bundle = renderBundle(
      spec,
      hostSecrets({
        dbPasswords: PASSWORDS,
        resticPassword: "test-restic-password-0123456789",
        resticRepository: "sftp:u1@u1.your-storagebox.de:/tenancy",
        originCertificate: "test certificate",
        originKey: "test key",
      }),
    );
    const file = path.join(work, "bundle.json");
    writeFileSync(file, JSON.stringify(bundle));
    return file;
  };
  /** Every command a stand-in that works, but the SQL step, which fails as psql would. */
  const applyEnv = (extra: Record<string, string> = {}) => {
    const root = mkdtempSync(path.join(work, "root-"));
    const env: Record<string, string> = { ...hostEnv(), TENANCY_ROOT: root, TENANCY_CMD_NOTIFY: NOTIFY };
    for (const name of [
      "CADDY_VALIDATE",
      "VISUDO_CHECK",
      "CADDY_RELOAD",
      "APP_RESTART",
      "APP_ENABLE",
      "DAEMON_RELOAD",
      "TIMERS_ENABLE",
      "POSTGRES_RESTART",
      "BOOTSTRAP_SERVICES",
    ])
      env[`TENANCY_CMD_${name}`] = "true";
    env.TENANCY_CMD_PSQL = `sh -c 'echo "psql:<stdin>:3: ERROR:  role t_alpha is locked by a test" >&2; exit 3'`;
    return { ...env, ...extra };
  };

  test("a failed apply is notified with its last lines, and exits with its own code", async () => {
    const result = await runAsync("/usr/bin/python3", [APPLY, bundleFile()], applyEnv());
    expect(result.code).toBe(3);
    expectNoUrl(result);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ host: HOST, event: "apply-failed", tenant: null, status: "exit 3" });
    expect(received[0]!.log).toContain("changed: /etc/caddy/Caddyfile");
    expect(received[0]!.log).toContain("psql failed (exit 3)");
    expect(received[0]!.log).toContain("ERROR:  role t_alpha is locked by a test");
  });

  test("a notification that fails, or no tenancy-notify at all, leaves the exit code as it was", async () => {
    for (const notify of ["false", path.join(work, "no-such-tenancy-notify")]) {
      const result = await runAsync(
        "/usr/bin/python3",
        [APPLY, bundleFile()],
        applyEnv({ TENANCY_CMD_NOTIFY: notify }),
      );
      expect(result.code).toBe(3);
    }
    expect(received).toEqual([]);
  });

  test("a failed bootstrap is notified", async () => {
    const result = await runAsync(
      "/usr/bin/python3",
      [APPLY, "--bootstrap"],
      applyEnv({
        TENANCY_CMD_BOOTSTRAP_SERVICES: "sh -c 'echo Failed to enable unit: caddy.service >&2; exit 1'",
      }),
    );
    expect(result.code).toBe(3);
    expectNoUrl(result);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ host: HOST, event: "bootstrap-failed", status: "exit 3" });
    expect(received[0]!.log).toContain("Failed to enable unit: caddy.service");
  });

  test("--check notifies nothing", async () => {
    const result = await runAsync(
      "/usr/bin/python3",
      [APPLY, "--check", path.join(work, "absent.json")],
      applyEnv(),
    );
    expect(result.code).toBe(1);
    expect(received).toEqual([]);
  });
});
