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
    case "kubernetes:core/v1:Service":
      // A ClusterIP from k3s's default service range (10.43.0.0/16), as the API server assigns one.
      return {
        ...inputs,
        spec: { ...(inputs.spec as State | undefined), clusterIP: `10.43.${b}.${a}` },
        status: { loadBalancer: {} },
      };
    default:
      if (type.startsWith("kubernetes:"))
        return { ...inputs, metadata: kubernetesMetadata(type, name, inputs) };
      return inputs;
  }
}

/** What the API server adds to an object's metadata: its uid, and the name Pulumi would generate. */
function kubernetesMetadata(type: string, name: string, inputs: State): State {
  const metadata = (inputs.metadata as State | undefined) ?? {};
  const uid = digest("uid", type, name).toString("hex");
  const uuid = `${uid.slice(0, 8)}-${uid.slice(8, 12)}-${uid.slice(12, 16)}-${uid.slice(16, 20)}-${uid.slice(20, 32)}`;
  return { ...metadata, name: metadata.name ?? name, uid: uuid };
}

/**
 * The objects a stack reads from its cluster (`.get`): the prerequisites an operator installs. The
 * ingress controller's LoadBalancer Service has an IPv4 and an IPv6 address, in the documentation
 * ranges (RFC 5737, RFC 3849), as a dual-stack load balancer reports them; the
 * CustomResourceDefinitions exist and are established. Anything else is not found, as the API would say.
 */
function readState(type: string, id: string): State {
  const [namespace, name] = id.includes("/") ? id.split("/", 2) : [undefined, id];
  const n = fakeId(type, id);
  switch (type) {
    case "kubernetes:core/v1:Service":
      return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace, uid: kubernetesMetadata(type, id, {}).uid },
        spec: {
          type: "LoadBalancer",
          clusterIP: `10.43.0.${n % 250}`,
          ports: [
            { name: "http", port: 80, protocol: "TCP", targetPort: "http" },
            { name: "https", port: 443, protocol: "TCP", targetPort: "https" },
          ],
        },
        status: {
          loadBalancer: {
            ingress: [
              { ip: `203.0.113.${(n % 250) + 1}`, ipMode: "VIP" },
              { ip: `${fakeIpv6Network(n)}1`, ipMode: "VIP" },
            ],
          },
        },
      };
    case "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition": {
      const [plural, ...group] = id.split(".");
      return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: id, uid: kubernetesMetadata(type, id, {}).uid },
        spec: { group: group.join("."), names: { plural }, scope: "Namespaced" },
        status: { conditions: [{ type: "Established", status: "True" }] },
      };
    }
    default:
      throw new Error(
        `offline: ${type} "${id}" is not found (the offline cluster holds only the prerequisites)`,
      );
  }
}

export const offlineMocks: pulumi.runtime.Mocks = {
  newResource: ({ type, name, inputs, id }) =>
    // A read (`Resource.get`) names the object it reads by its id.
    id
      ? { id, state: readState(type, id) }
      : { id: `${fakeId(type, name)}`, state: state(type, name, inputs as State) },
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
