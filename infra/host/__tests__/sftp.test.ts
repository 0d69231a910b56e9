import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseHostKeys, renderSftpKnownHosts } from "../sftp";

describe("the Storage Box's pinned host keys", () => {
  let dir: string;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tenancy-sftp-keys-"));
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "k")]);
    key = readFileSync(path.join(dir, "k.pub"), "utf8").split(" ").slice(0, 2).join(" ");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("ssh-keyscan lines and bare keys are accepted; the host field is dropped", () => {
    expect(parseHostKeys([`[u1.your-storagebox.de]:23 ${key}`, key], "keys")).toEqual([key, key]);
  });

  test.each([
    ["a truncated key", () => key.slice(0, -10), "keys[0] has a ssh-ed25519 key that is not valid base64"],
    ["no key type", () => "u1.your-storagebox.de AAAA", "keys[0] has no key type"],
    [
      "a key of another type",
      () => key.replace("ssh-ed25519", "ssh-rsa"),
      "not valid base64 of a ssh-rsa key",
    ],
    ["two fields before the type", () => `a b ${key}`, "has more than a host field before the key type"],
  ])("refuses %s", (_, line, message) => {
    expect(() => parseHostKeys([line()], "keys")).toThrow(message);
  });

  test("refuses an empty list", () => {
    expect(() => parseHostKeys([], "keys")).toThrow("keys must list at least one host key");
  });

  test("known_hosts pins each key for the sub-account's server and port, as ssh looks it up", () => {
    const sftp = { server: "u1-sub2.your-storagebox.de", password: "x", port: 23, hostKeys: [key, key] };
    expect(renderSftpKnownHosts(sftp)).toBe(`[u1-sub2.your-storagebox.de]:23 ${key}\n`.repeat(2));
  });
});
