/**
 * What the app may read, from the rendered bundle alone (the booted host proves it in host-boot.test.ts):
 * the app unit runs the container as the app's user and mounts only the app's directory; every file there
 * is the registry or a tenant's connection settings, readable by the app's group; every other secret of the
 * bundle (restic, the Storage Box, the origin key) is out of the app's reach by owner, group and mode.
 */
import { expand } from "../../expand";
import { loadExample } from "../../testing/fixtures";
import { renderBundle, type BundleFile, type HostBundle } from "../bundle";
import { APP_DIR, APP_USER, REGISTRY_FILE, tenantEnvFile } from "../registry";
import { hostSecrets } from "../secrets";
import { hostSpecs } from "../spec";
import { APP_UNIT, UNIT_DIR } from "../units";

const token = (seed: string) => `${seed}${"x".repeat(32)}`.slice(0, 32).replace(/[^A-Za-z0-9]/g, "z");
const RESTIC_PASSWORD = token("resticSecret");
const SFTP_PASSWORD = token("sftpSecret");
const ORIGIN_KEY = `-----BEGIN PRIVATE KEY-----\n${token("originKeySecret")}\n-----END PRIVATE KEY-----\n`;
/** Secrets that are not the app's: no file the app can read may hold them. */
const NOT_THE_APPS = [RESTIC_PASSWORD, SFTP_PASSWORD, token("originKeySecret")];

const hosts = hostSpecs(expand(loadExample()));
const bundles: [string, HostBundle][] = hosts.map((host) => [
  host.name,
  renderBundle(
    host,
    hostSecrets({
      dbPasswords: Object.fromEntries(host.tenants.map((t) => [t.id, token(`db${t.id}`)])),
      resticPassword: RESTIC_PASSWORD,
      resticRepository: "sftp:u1-sub1@u1.your-storagebox.de:/tenancy",
      backupSftp: {
        server: "u1.your-storagebox.de",
        password: SFTP_PASSWORD,
        port: 23,
        hostKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"],
      },
      originCertificate: "-----BEGIN CERTIFICATE-----\nnot secret\n-----END CERTIFICATE-----\n",
      originKey: ORIGIN_KEY,
    }),
  ),
]);

/** Whether the app's user (not root, in no group but its own) may read the file. */
function appMayRead(file: BundleFile): boolean {
  const mode = parseInt(file.mode, 8);
  if (file.owner === APP_USER) return (mode & 0o400) !== 0;
  if (file.group === APP_USER) return (mode & 0o040) !== 0;
  return (mode & 0o004) !== 0;
}

function appUnit(bundle: HostBundle): string {
  const unit = bundle.files.find((file) => file.path === `${UNIT_DIR}/${APP_UNIT}`);
  if (!unit) throw new Error(`the bundle has no ${APP_UNIT}`);
  return unit.content;
}

describe.each(bundles)("%s: the app and the host's secrets", (_name, bundle) => {
  const host = hosts.find((h) => h.name === bundle.host)!;
  const appFiles = [
    REGISTRY_FILE,
    ...host.tenants.filter((t) => ["active", "suspended"].includes(t.status)).map((t) => tenantEnvFile(t.id)),
  ].sort();

  it("runs the container as the app's user, without capabilities, with only the app's directory", () => {
    const exec = appUnit(bundle)
      .split("\n")
      .find((line) => line.startsWith("ExecStart="));
    expect(exec).toContain(`--user "$$(id -u ${APP_USER}):$$(id -g ${APP_USER})"`);
    expect(exec).toContain("--cap-drop all");
    expect(exec).toContain("--security-opt no-new-privileges");
    expect([...(exec ?? "").matchAll(/--volume (\S+)/g)].map((m) => m[1])).toEqual([
      `${APP_DIR}:${APP_DIR}:ro`,
    ]);
  });

  it("has in the app's directory its registry and connection settings, readable by its group alone", () => {
    const inAppDir = bundle.files.filter((file) => file.path.startsWith(`${APP_DIR}/`));
    expect(inAppDir.map((file) => file.path).sort()).toEqual(appFiles);
    for (const file of inAppDir) {
      expect({ path: file.path, owner: file.owner, group: file.group, mode: file.mode }).toEqual({
        path: file.path,
        owner: "root",
        group: APP_USER,
        mode: "0640",
      });
    }
    expect(bundle.managedDirs).toEqual([`${APP_DIR}/tenants`]);
  });

  it("keeps every other secret out of the app's reach", () => {
    const readable = bundle.files.filter(appMayRead);
    const leaks = readable.filter((file) => NOT_THE_APPS.some((secret) => file.content.includes(secret)));
    expect(leaks.map((file) => `${file.path} ${file.owner}:${file.group} ${file.mode}`)).toEqual([]);
    // The check sees these secrets at all: each is in a file of the bundle.
    for (const secret of NOT_THE_APPS)
      expect(bundle.files.some((f) => f.content.includes(secret))).toBe(true);
  });
});
