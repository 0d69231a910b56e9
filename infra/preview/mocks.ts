/**
 * Deterministic stand-ins for what the clouds would answer, for the offline preview only. Ids and
 * addresses derive from the resource's type and name (never from the order of registration), so two runs
 * of the same manifest give the same values, and every fake value says "offline".
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

type State = Record<string, unknown>;

function digest(...parts: string[]): Buffer {
  return createHash("sha256").update(parts.join("\u0000")).digest();
}

/** A stable number in [1, 10^9): a plausible Hetzner id. */
export function fakeId(type: string, name: string): number {
  return (digest(type, name).readUInt32BE(0) % 999_999_999) + 1;
}

function fakePassword(name: string, length: number): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = digest("password", name);
  let out = "";
  for (let i = 0; out.length < length; i++) out += alphabet[bytes[i % bytes.length]! % alphabet.length];
  return out;
}

const fakePem = (label: string, name: string) =>
  `-----BEGIN ${label}-----\nOFFLINE/${digest(label, name).toString("base64")}\n-----END ${label}-----\n`;

/** A /64 in the documentation range 2001:db8::/32 (RFC 3849), from an id: `2001:db8:xxxx:xxxx::`. */
function fakeIpv6Network(id: number): string {
  const hex = id.toString(16).padStart(8, "0");
  return `2001:db8:${hex.slice(0, 4)}:${hex.slice(4)}::`;
}

function state(type: string, name: string, inputs: State): State {
  const id = fakeId(type, name);
  const a = id % 250;
  const b = Math.floor(id / 250) % 250;
  switch (type) {
    case "hcloud:index/server:Server":
      // Documentation ranges (RFC 5737, RFC 3849): never a real address.
      return {
        ...inputs,
        ipv4Address: `198.51.${b}.${a}`,
        ipv6Address: `${fakeIpv6Network(id)}1`,
        status: "running",
      };
    case "hcloud:index/primaryIp:PrimaryIp":
      return {
        ...inputs,
        ipAddress: inputs.type === "ipv6" ? `${fakeIpv6Network(id)}/64` : `198.51.${b}.${a}`,
      };
    case "hcloud:index/volume:Volume":
      return { ...inputs, linuxDevice: `/dev/disk/by-id/scsi-0HC_Volume_${id}` };
    case "hcloud:index/storageBox:StorageBox":
      return { ...inputs, username: `u${id}`, server: `u${id}.your-storagebox.de` };
    case "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount":
      return { ...inputs, username: `u${id}-sub1`, server: `u${id}-sub1.your-storagebox.de` };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: fakePassword(name, Number(inputs.length ?? 32)) };
    case "tls:index/privateKey:PrivateKey":
      return {
        ...inputs,
        privateKeyPem: fakePem("PRIVATE KEY", name),
        privateKeyOpenssh: fakePem("OPENSSH PRIVATE KEY", name),
        publicKeyOpenssh: `ssh-ed25519 OFFLINE${digest("ssh", name).toString("base64").slice(0, 43)} ${name}\n`,
      };
    case "tls:index/certRequest:CertRequest":
      return { ...inputs, certRequestPem: fakePem("CERTIFICATE REQUEST", name) };
    case "cloudflare:index/originCaCertificate:OriginCaCertificate":
      return { ...inputs, certificate: fakePem("CERTIFICATE", name), expiresOn: "2031-11-22T00:00:00Z" };
    case "command:remote:Command":
      return { ...inputs, stdout: "offline: not run", stderr: "" };
    default:
      return inputs;
  }
}

export const offlineMocks: pulumi.runtime.Mocks = {
  newResource: ({ type, name, inputs }) => ({
    id: `${fakeId(type, name)}`,
    state: state(type, name, inputs as State),
  }),
  call: ({ token, inputs }) => {
    if (token === "hcloud:index/getSshKey:getSshKey") {
      const name = String((inputs as State).name);
      return {
        id: fakeId("ssh-key", name),
        name,
        publicKey: `ssh-ed25519 OFFLINE-admin-key ${name}`,
        labels: {},
      };
    }
    return inputs as State;
  },
};
