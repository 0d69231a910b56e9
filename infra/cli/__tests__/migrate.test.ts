/**
 * `tenancy migrate` end to end, on the real software: two PostgreSQL 15 clusters stand for two shared
 * hosts, each holding what its rendered bundle SQL creates (the target with the tenant's empty, incoming
 * database); one sshd on loopback answers as both hosts (127.0.0.1 and 127.0.0.2), its forced command
 * running the host's own scripts, as the deploy user's sudo rules would. The command runs as an operator
 * runs it, and relays the data between the two through this machine.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expand, type FleetModel } from "../../expand";
import { renderBundle, RESTIC_ENV_FILE } from "../../host/bundle";
import { renderBackupList } from "../../host/registry";
import { hostSecrets } from "../../host/secrets";
import { hostSpec } from "../../host/spec";
import { startPostgres, type Postgres } from "../../host/testing/postgres";
import { startSshd, type Sshd } from "../../host/testing/sshd";
import { loadManifest } from "../../manifest";
import { EXAMPLE_MANIFEST, REPO_ROOT } from "../../testing/fixtures";
import { EXIT } from "../errors";

jest.setTimeout(300_000);

const FILES = path.join(REPO_ROOT, "infra", "host", "files");
const BIN = path.join(REPO_ROOT, "infra", "cli", "bin.js");
const SOURCE = { name: "shared-fsn1-a", address: "127.0.0.1" };
const TARGET = { name: "shared-hel1-a", address: "127.0.0.2" };
const GRUENWERK = "{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-fsn1-a }";
const GLASEREI = "{ id: glaserei-klar, name: Glaserei Klar, plan: hobby, host: shared-fsn1-a }";

let work: string;
let manifest: string;
let sshd: Sshd;
const clusters: Record<string, Postgres> = {};

function tenancy(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args, "-f", manifest], {
    cwd: work,
    encoding: "utf8",
    env: {
      ...process.env,
      TENANCY_SSH_OPTIONS: sshd.options.join(" "),
      TENANCY_SSH_USER: sshd.user,
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const addresses = [
  "--address",
  `${SOURCE.name}=${SOURCE.address}`,
  "--address",
  `${TARGET.name}=${TARGET.address}`,
];

/** The bundle SQL and tenants.tsv of a host, rendered from the manifest as it is now. */
function provision(host: string, model: FleetModel) {
  const spec = hostSpec(model, host)!;
  const ids = spec.tenants.map((t) => t.id);
  const secrets = hostSecrets({
    dbPasswords: Object.fromEntries(ids.map((id) => [id, `Password${id.replace(/-/g, "")}0123456789`])),
    resticPassword: "test-restic-password-0123456789",
    resticRepository: path.join(work, `repo-${host}`),
    originCertificate: "test certificate",
    originKey: "test key",
  });
  const bundle = renderBundle(spec, secrets);
  const applied = clusters[host]!.applySql(bundle.sql);
  if (applied.code !== 0) throw new Error(applied.output);
  writeFileSync(path.join(work, host, "etc", "tenants.tsv"), renderBackupList(spec));
  const resticEnv = bundle.files.find((f) => f.path === RESTIC_ENV_FILE)!.content;
  writeFileSync(
    path.join(work, host, "etc", "restic.env"),
    resticEnv.replace("/var/cache/tenancy/restic", path.join(work, host, "cache")),
    { mode: 0o600 },
  );
}

/** A host script run on a host directly (as its timers or tenancy-apply would), not over SSH. */
function onHost(host: { name: string; address: string }, script: string, args: string[]) {
  return spawnSync(
    "bash",
    ["-c", `source "${work}/env-${host.address}"; exec bash "${FILES}/${script}" "$@"`, "-", ...args],
    {
      encoding: "utf8",
    },
  );
}

const canConnect = (role: string, db: string) =>
  clusters[SOURCE.name]!.sql(`SELECT has_database_privilege('${role}', '${db}', 'CONNECT')`) === "t";

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "tenancy-migrate-cli-"));
  manifest = path.join(work, "tenants.yaml");
  writeFileSync(
    manifest,
    readFileSync(EXAMPLE_MANIFEST, "utf8").replace(
      GRUENWERK,
      GRUENWERK.replace(" }", ", move: { host: shared-hel1-a } }"),
    ),
  );
  const model = expand(loadManifest(manifest));
  const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
  clusters[SOURCE.name] = a;
  clusters[TARGET.name] = b;
  // What each host runs the scripts with, chosen by the address the login came to.
  const wrapper = path.join(work, "as-host");
  for (const host of [SOURCE, TARGET]) {
    mkdirSync(path.join(work, host.name, "etc"), { recursive: true });
    const pg = clusters[host.name]!;
    writeFileSync(
      path.join(work, `env-${host.address}`),
      Object.entries({
        PGHOST: pg.env.PGHOST,
        PGPORT: pg.env.PGPORT,
        PGUSER: pg.env.PGUSER,
        PATH: pg.env.PATH,
        TENANCY_ETC: path.join(work, host.name, "etc"),
        TENANCY_STATE: path.join(work, host.name, "state"),
        TENANCY_LIB: FILES,
        TENANCY_PG_AS: "postgres",
        TENANCY_HOSTNAME: host.name,
      })
        .map(([k, v]) => `export ${k}='${v}'\n`)
        .join(""),
    );
    provision(host.name, model);
  }
  writeFileSync(
    wrapper,
    [
      "#!/bin/bash",
      "# As a host's sudo rules allow: only `sudo -n /usr/local/sbin/<tool> ARGS`, run as the host would.",
      "set -euo pipefail",
      'read -r -a words <<<"$SSH_ORIGINAL_COMMAND"',
      '[[ ${words[0]} == sudo && ${words[1]} == -n && ${words[2]} == /usr/local/sbin/tenancy-* ]] || { echo "refused: $SSH_ORIGINAL_COMMAND" >&2; exit 126; }',
      `source "${work}/env-$(awk '{print $3}' <<<"$SSH_CONNECTION")"`,
      `exec bash "${FILES}/\${words[2]##*/}" "\${words[@]:3}"`,
      "",
    ].join("\n"),
  );
  chmodSync(wrapper, 0o755);
  sshd = await startSshd(work, { addresses: [SOURCE.address, TARGET.address], forceCommand: wrapper });
  // Gruenwerk's data, made by its own role as its app would: tables, a sequence, a large object.
  clusters[SOURCE.name]!.sql(
    [
      "SET ROLE t_gruenwerk;",
      "CREATE TABLE jobs (id serial PRIMARY KEY, customer text, due date, notes jsonb, photo bytea);",
      "INSERT INTO jobs (customer, due, notes, photo) SELECT 'Kunde ' || g, date '2026-01-01' + g, jsonb_build_object('n', g), decode(md5(g::text), 'hex') FROM generate_series(1, 5000) g;",
      "CREATE TABLE crews (name text, size int);",
      "INSERT INTO crews VALUES ('Nord', 3), ('Süd', 4), ('Süd', 4), (NULL, NULL);",
      "CREATE SEQUENCE invoice_no START 1000; SELECT nextval('invoice_no') FROM generate_series(1, 7);",
      "SELECT lo_from_bytea(0, decode(repeat(md5('plan'), 1000), 'hex'));",
    ].join("\n"),
    "t_gruenwerk",
  );
});

afterAll(() => {
  sshd?.stop();
  for (const pg of Object.values(clusters)) pg.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("copies, verifies and swaps in the tenant's data, leaves it frozen on the source, and writes the cut-over", () => {
  const { code, stdout, stderr } = tenancy("migrate", "gruenwerk", ...addresses);
  expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: EXIT.ok, stderr: "" });
  expect(stdout).toMatch(/gruenwerk: copied from shared-fsn1-a to shared-hel1-a and verified/);
  expect(stderr).toContain("[shared-hel1-a]");

  const source = clusters[SOURCE.name]!;
  const target = clusters[TARGET.name]!;
  const rows = (pg: Postgres) =>
    pg.sql("SELECT count(*), md5(string_agg(j::text, '' ORDER BY id)) FROM jobs j", "t_gruenwerk");
  expect(rows(target)).toBe(rows(source));
  expect(target.sql("SELECT last_value FROM invoice_no", "t_gruenwerk")).toBe("1006");
  expect(target.sql("SELECT count(*) FROM pg_largeobject_metadata", "t_gruenwerk")).toBe("1");
  // Frozen on the source until the cut-over deploys: no connection, so no write.
  expect(canConnect("t_gruenwerk", "t_gruenwerk")).toBe(false);

  const written = readFileSync(manifest, "utf8");
  expect(written).toMatch(
    /- \{ id: gruenwerk, name: Grünwerk Gartenbau, plan: hobby, host: shared-hel1-a, movedFrom: \{ host: shared-fsn1-a, plan: hobby, at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \} \}/,
  );
  // The cut-over is what the lifecycle expects after the move: it validates, and the rest is as it was.
  expect(tenancy("validate").code).toBe(EXIT.ok);
  const other = (text: string) => text.split("\n").filter((line) => !line.includes("id: gruenwerk"));
  expect(other(written)).toEqual(other(readFileSync(EXAMPLE_MANIFEST, "utf8")));

  // Run again: the copy is already in place; nothing is copied twice.
  writeFileSync(
    manifest,
    readFileSync(EXAMPLE_MANIFEST, "utf8").replace(
      GRUENWERK,
      GRUENWERK.replace(" }", ", move: { host: shared-hel1-a } }"),
    ),
  );
  const again = tenancy("migrate", "gruenwerk", ...addresses);
  expect(again.code).toBe(EXIT.ok);
  expect(again.stderr).toContain("the verified copy is already in place on shared-hel1-a");
});

test("a target that was never provisioned is refused before anything is frozen", () => {
  const before = readFileSync(manifest, "utf8").replace(
    GLASEREI,
    GLASEREI.replace(" }", ", move: { host: shared-hel1-a } }"),
  );
  writeFileSync(manifest, before);
  const { code, stderr } = tenancy("migrate", "glaserei-klar", ...addresses);
  expect(code).toBe(EXIT.invalidInput);
  expect(stderr).toContain("shared-hel1-a is not provisioned for glaserei-klar");
  expect(stderr).toContain("nothing was frozen or copied");
  expect(canConnect("t_glaserei_klar", "t_glaserei_klar")).toBe(true);
  expect(readFileSync(manifest, "utf8")).toBe(before);
});

test("a copy that fails after the freeze leaves the source serving again, and says what to run next", () => {
  // The target lists the tenant, but its role was never created there: the restore fails half-way.
  const tsv = path.join(work, TARGET.name, "etc", "tenants.tsv");
  const listed = readFileSync(tsv, "utf8");
  writeFileSync(tsv, `${listed}glaserei-klar\tt_glaserei_klar\tincoming\t30\n`);
  const before = readFileSync(manifest, "utf8");
  const { code, stderr } = tenancy("migrate", "glaserei-klar", ...addresses);
  writeFileSync(tsv, listed);
  expect(code).toBe(EXIT.invalidInput);
  expect(stderr).toContain("freezing glaserei-klar on shared-fsn1-a");
  expect(stderr).toMatch(
    /glaserei-klar serves again from shared-fsn1-a; the copy on shared-hel1-a was discarded/,
  );
  expect(stderr).toContain(
    "Nothing was cut over. Fix the cause, then run tenancy migrate glaserei-klar again.",
  );
  expect(canConnect("t_glaserei_klar", "t_glaserei_klar")).toBe(true);
  expect(readFileSync(manifest, "utf8")).toBe(before);
});

describe("purge and restore, run on the tenant's host over SSH", () => {
  test("purge refuses while the retention runs; after it, deletes the data and writes status: purged", () => {
    const source = clusters[SOURCE.name]!;
    // parkett-neumann is decommissioned: its final backup, as the deploy that decommissioned it took.
    const final = onHost(SOURCE, "tenancy-backup", ["--tenant", "parkett-neumann", "--final"]);
    expect(final.stderr + final.stdout).toContain("final");
    expect(final.status).toBe(0);
    const before = readFileSync(manifest, "utf8");
    const early = tenancy("purge", "parkett-neumann", "--confirm", "parkett-neumann", ...addresses);
    expect(early.code).toBe(EXIT.invalidInput);
    expect(early.stderr).toMatch(/parkett-neumann: refused, nothing was deleted: its retention runs until/);
    expect(early.stderr).toContain(
      "shared-fsn1-a refused to purge parkett-neumann (above); nothing was deleted",
    );
    expect(readFileSync(manifest, "utf8")).toBe(before);

    // A month later (the host's clock, through its environment).
    writeFileSync(
      path.join(work, `env-${SOURCE.address}`),
      `${readFileSync(path.join(work, `env-${SOURCE.address}`), "utf8")}export TENANCY_NOW=${Math.floor(Date.now() / 1000) + 31 * 86_400}\n`,
    );
    const purged = tenancy("purge", "parkett-neumann", "--confirm", "parkett-neumann", ...addresses);
    expect({ code: purged.code, stderr: purged.code === 0 ? "" : purged.stderr }).toEqual({
      code: EXIT.ok,
      stderr: "",
    });
    expect(source.sql("SELECT count(*) FROM pg_database WHERE datname LIKE 't_parkett_neumann%'")).toBe("0");
    expect(readFileSync(manifest, "utf8")).toMatch(
      /- id: parkett-neumann\n(?: {4}.*\n)*? {4}status: purged\n/,
    );
    expect(tenancy("validate").code).toBe(EXIT.ok);
  });

  test("restore brings back the backed-up data, verified, and keeps the replaced database", () => {
    const source = clusters[SOURCE.name]!;
    source.sql(
      "SET ROLE t_baeckerei_klein; CREATE TABLE loaves (id int PRIMARY KEY, name text); INSERT INTO loaves VALUES (1, 'Roggen'), (2, 'Dinkel');",
      "t_baeckerei_klein",
    );
    expect(onHost(SOURCE, "tenancy-backup", ["--tenant", "baeckerei-klein"]).status).toBe(0);
    source.sql("DELETE FROM loaves WHERE id = 2", "t_baeckerei_klein");
    const restored = tenancy("restore", "baeckerei-klein", ...addresses);
    expect({ code: restored.code, stderr: restored.code === 0 ? "" : restored.stderr }).toEqual({
      code: EXIT.ok,
      stderr: "",
    });
    expect(restored.stdout).toContain("verify passed");
    expect(source.sql("SELECT string_agg(name, ',' ORDER BY id) FROM loaves", "t_baeckerei_klein")).toBe(
      "Roggen,Dinkel",
    );
    expect(
      source.sql("SELECT count(*) FROM pg_database WHERE datname LIKE 't_baeckerei_klein_replaced_%'"),
    ).toBe("1");
  });
});

test("refuses a tenant that declares no move, saying how to declare one", () => {
  const { code, stderr } = tenancy("migrate", "baeckerei-klein", ...addresses);
  expect(code).toBe(EXIT.invalidInput);
  expect(stderr).toContain("tenant baeckerei-klein declares no move");
});
