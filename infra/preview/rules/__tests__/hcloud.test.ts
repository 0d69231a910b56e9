/**
 * Hetzner Cloud's rules, both ways: the example fleet's real recorded inputs pass every rule, and a
 * one-field change of them fires the rule with the path, value and allowed text a reader acts on.
 */
import { SERVER_REPLACING_FIELDS } from "../../../../components/host-server";
import { EXAMPLE_MANIFEST } from "../../../testing/fixtures";
import { recordStack, SECRET, UNKNOWN, type RecordedStack } from "../../engine";
import {
  HCLOUD_CHANGES,
  HCLOUD_RULES,
  HCLOUD_TYPES,
  HOME_DIRECTORY_ALLOWED,
  LABEL_ALLOWED,
  PASSWORD_ALLOWED,
  PORT_ALLOWED,
  isFirewallCidr,
} from "../hcloud";
import { checkProviderRules, type ProviderRule, type RuleContext, type RuleFinding } from "../rule";

jest.setTimeout(60_000);

type Inputs = Record<string, unknown>;

let stacks: RecordedStack[] = [];

beforeAll(async () => {
  stacks = [
    await recordStack({ tier: "shared", manifest: EXAMPLE_MANIFEST }),
    await recordStack({ tier: "dedicated", manifest: EXAMPLE_MANIFEST }),
  ];
});

const context = (): RuleContext => ({
  cloudflarePlan: "free",
  advancedRateLimiting: false,
  stack: stacks[0]!,
  zone: stacks.flatMap((stack) => stack.resources),
});
const resources = (type: string) => stacks.flatMap((stack) => stack.resources.filter((r) => r.type === type));

/** A copy of the first recorded inputs of the type: the compliant base of each failing case. */
function base(type: string): Inputs {
  const first = resources(type)[0];
  if (!first) throw new Error(`the example fleet registers no ${type}`);
  return structuredClone(first.inputs);
}

function check(type: string, field: string, inputs: Inputs): RuleFinding[] {
  const rules = HCLOUD_RULES.filter((r) => r.type === type && r.field === field);
  if (rules.length === 0) throw new Error(`no rule for ${type} ${field}`);
  return rules.flatMap((r) => r.check(inputs, context()));
}

/** The findings of the type's rules for the field, after one change to the base inputs. */
function bad(type: string, field: string, change: (inputs: Inputs) => void): RuleFinding[] {
  const inputs = base(type);
  change(inputs);
  return check(type, field, inputs);
}

const one = (path: string, value: unknown, allowed: string) => [{ path, value, allowed }];

const { server, primaryIp, firewall, volume, volumeAttachment, storageBox, storageBoxSubaccount } =
  HCLOUD_TYPES;
const LOCATIONS = "one of fsn1, nbg1, hel1, ash, hil, sin";

describe("the example fleet", () => {
  test("passes every hcloud rule in both stacks", () => {
    for (const stack of stacks) {
      expect(
        checkProviderRules(stack, HCLOUD_RULES, { cloudflarePlan: "free", advancedRateLimiting: false }),
      ).toEqual([]);
    }
  });

  test.each(HCLOUD_RULES.map((r): [string, ProviderRule] => [`${r.type} ${r.field} (${r.source})`, r]))(
    "%s passes on every recorded resource of its type",
    (_, r) => {
      const recorded = resources(r.type);
      expect(recorded.length).toBeGreaterThan(0);
      for (const resource of recorded) expect(r.check(resource.inputs, context())).toEqual([]);
    },
  );

  test("every hcloud type it registers has rules and change behaviour, and nothing else is listed", () => {
    const registered = new Set(
      stacks.flatMap((s) => s.resources.map((r) => r.type)).filter((t) => t.startsWith("hcloud:")),
    );
    expect([...registered].sort()).toEqual(Object.values(HCLOUD_TYPES).sort());
    expect(new Set(HCLOUD_RULES.map((r) => r.type))).toEqual(registered);
    expect(Object.keys(HCLOUD_CHANGES).sort()).toEqual([...registered].sort());
  });

  test("every rule cites the provider's source or Hetzner's API documentation", () => {
    for (const r of HCLOUD_RULES) {
      expect(r.source).toMatch(
        /^https:\/\/(github\.com\/hetznercloud\/(terraform-provider-hcloud|hcloud-go)\/blob\/v[\d.]+\/|docs\.hetzner\.cloud\/reference\/)/,
      );
    }
  });
});

describe("secret and unknown values are skipped, never guessed", () => {
  // A removed input is refused whatever its value, so a secret or unknown datacenter is still reported.
  const valueRules = HCLOUD_RULES.filter((r) => r.field !== "datacenter");

  test.each(valueRules.map((r): [string, ProviderRule] => [`${r.type} ${r.field} (${r.source})`, r]))(
    "%s",
    (_, r) => {
      for (const marker of [SECRET, UNKNOWN]) {
        // An assigneeId, whatever its value, asks for an assigneeType beside it.
        const companion = r.field === "assigneeId" ? { assigneeType: "server" } : {};
        const inputs = { ...base(r.type), ...companion, [r.field]: marker };
        expect(r.check(inputs, context())).toEqual([]);
      }
    },
  );

  test("inside labels, firewall rules and address lists", () => {
    expect(bad(server, "labels", (i) => (i.labels = { role: UNKNOWN, tier: SECRET }))).toEqual([]);
    expect(bad(firewall, "rules", (i) => (i.rules = [UNKNOWN, SECRET]))).toEqual([]);
    const rules = (i: Inputs) => i.rules as Inputs[];
    expect(bad(firewall, "rules", (i) => (rules(i)[0]!.sourceIps = [UNKNOWN, "10.0.0.0/8"]))).toEqual([]);
    expect(bad(firewall, "rules", (i) => (rules(i)[0]!.port = SECRET))).toEqual([]);
    expect(bad(firewall, "rules", (i) => (rules(i)[0]!.protocol = UNKNOWN))).toEqual([]);
    expect(bad(server, "sshKeys", (i) => (i.sshKeys = [UNKNOWN]))).toEqual([]);
    expect(bad(server, "serverType", (i) => (i.location = UNKNOWN))).toEqual([]);
  });
});

describe("Server", () => {
  const hostname =
    'a hostname (RFC 1123): 1 to 253 characters of dot-separated labels; each label 1 to 63 characters: letters, digits, "-"; starting and ending with a letter or digit';

  test.each([
    ["a character outside letters, digits, -", "shared_fsn1"],
    ["a label starting with -", "-shared"],
    ["a label ending with -", "shared-"],
    ["an empty label", "shared..fsn1"],
    ["a label over 63 characters", "a".repeat(64)],
    ["over 253 characters", Array(4).fill("a".repeat(63)).join(".")],
  ])("name: %s", (_, name) => {
    expect(bad(server, "name", (i) => (i.name = name))).toEqual(one("name", name, hostname));
  });

  test("name: a dotted host name passes", () => {
    expect(bad(server, "name", (i) => (i.name = "web-1.fieldcrew.app"))).toEqual([]);
  });

  test("serverType: required, sold by Hetzner, and sold in the location", () => {
    expect(bad(server, "serverType", (i) => delete i.serverType)).toEqual(
      one("serverType", undefined, "required: a Hetzner server type"),
    );
    expect(bad(server, "serverType", (i) => (i.serverType = "cx22"))).toEqual(
      one("serverType", "cx22", "a server type Hetzner sells (infra/plans/hetzner.ts)"),
    );
    expect(bad(server, "serverType", (i) => ((i.serverType = "cx43"), (i.location = "ash")))).toEqual(
      one("serverType", "cx43", "a server type sold in ash: it is sold in fsn1, nbg1, hel1"),
    );
  });

  test("image: required and not empty", () => {
    expect(bad(server, "image", (i) => delete i.image)).toEqual(
      one("image", undefined, "required: the name or ID of an image"),
    );
    expect(bad(server, "image", (i) => (i.image = ""))).toEqual(
      one("image", "", "a non-empty image name or ID"),
    );
  });

  test("location: a Hetzner location", () => {
    expect(bad(server, "location", (i) => (i.location = "fra1"))).toEqual(one("location", "fra1", LOCATIONS));
  });

  test("datacenter: removed, never set, whatever its value", () => {
    expect(bad(server, "datacenter", (i) => (i.datacenter = "fsn1-dc14"))).toEqual(
      one("datacenter", "fsn1-dc14", "not set: removed from the API; use location"),
    );
    expect(bad(server, "datacenter", (i) => (i.datacenter = UNKNOWN))).toEqual(
      one("datacenter", UNKNOWN, "not set: removed from the API; use location"),
    );
  });

  test("userData: at most 32 KiB, counted in bytes", () => {
    expect(bad(server, "userData", (i) => (i.userData = "x".repeat(32 * 1024)))).toEqual([]);
    expect(bad(server, "userData", (i) => (i.userData = "x".repeat(32 * 1024 + 1)))).toEqual(
      one("userData", "(32769 bytes)", "at most 32 KiB (32768 bytes)"),
    );
    expect(bad(server, "userData", (i) => (i.userData = "ä".repeat(16 * 1024 + 1)))).toEqual(
      one("userData", "(32770 bytes)", "at most 32 KiB (32768 bytes)"),
    );
  });

  test("sshKeys: no empty key", () => {
    expect(bad(server, "sshKeys", (i) => (i.sshKeys = ["995113553", ""]))).toEqual(
      one("sshKeys[1]", "", "an SSH key ID or name of at least 1 character"),
    );
  });

  test("deleteProtection: the same as rebuildProtection, both defaulting to false", () => {
    expect(bad(server, "deleteProtection", (i) => (i.rebuildProtection = false))).toEqual(
      one("rebuildProtection", false, "the same as deleteProtection (true)"),
    );
    expect(bad(server, "deleteProtection", (i) => delete i.rebuildProtection)).toEqual(
      one("rebuildProtection", false, "the same as deleteProtection (true)"),
    );
    expect(bad(server, "deleteProtection", (i) => delete i.deleteProtection)).toEqual(
      one("rebuildProtection", true, "the same as deleteProtection (false)"),
    );
    expect(
      bad(server, "deleteProtection", (i) => (delete i.deleteProtection, delete i.rebuildProtection)),
    ).toEqual([]);
  });
});

describe("labels, for every labelled type", () => {
  const labelled = [server, primaryIp, firewall, volume, storageBox, storageBoxSubaccount];

  test.each(labelled)("%s: key name, value and map (hcloud-go's syntax)", (type) => {
    const withLabel = (key: string, value: unknown) =>
      bad(type, "labels", (i) => (i.labels = { [key]: value }));
    expect(withLabel("-role", "x")).toEqual(one('labels["-role"]', "-role", LABEL_ALLOWED.name));
    expect(withLabel("r".repeat(64), "x")).toEqual(
      one(`labels["${"r".repeat(64)}"]`, "r".repeat(64), LABEL_ALLOWED.name),
    );
    expect(withLabel("a/b/c", "x")).toEqual(one('labels["a/b/c"]', "a/b/c", LABEL_ALLOWED.name));
    expect(withLabel("role", "shared host")).toEqual(
      one('labels["role"]', "shared host", LABEL_ALLOWED.value),
    );
    expect(withLabel("role", "-x")).toEqual(one('labels["role"]', "-x", LABEL_ALLOWED.value));
    expect(withLabel("role", "v".repeat(64))).toEqual(
      one('labels["role"]', "v".repeat(64), LABEL_ALLOWED.value),
    );
    expect(withLabel("count", 3)).toEqual(one('labels["count"]', 3, LABEL_ALLOWED.value));
    expect(bad(type, "labels", (i) => (i.labels = ["role=x"]))).toEqual(
      one("labels", ["role=x"], LABEL_ALLOWED.map),
    );
    expect(withLabel("role", "")).toEqual([]);
    expect(withLabel("example.com/role", "v".repeat(63))).toEqual([]);
  });

  test.each(labelled)("%s: key prefix a DNS subdomain, hetzner.cloud/ reserved (API)", (type) => {
    const withKey = (key: string) => bad(type, "labels", (i) => (i.labels = { [key]: "x" }));
    expect(withKey("ex_ample.com/role")).toEqual(
      one('labels["ex_ample.com/role"]', "ex_ample.com/role", LABEL_ALLOWED.prefix),
    );
    const long = `${Array(4).fill("a".repeat(63)).join(".")}/role`;
    expect(withKey(long)).toEqual(one(`labels["${long}"]`, long, LABEL_ALLOWED.prefix));
    expect(withKey("hetzner.cloud/role")).toEqual(
      one('labels["hetzner.cloud/role"]', "hetzner.cloud/role", LABEL_ALLOWED.reserved),
    );
    expect(withKey("ops.hetzner.cloud/role")).toEqual(
      one('labels["ops.hetzner.cloud/role"]', "ops.hetzner.cloud/role", LABEL_ALLOWED.reserved),
    );
  });
});

describe("PrimaryIp", () => {
  test("name: not empty", () => {
    expect(bad(primaryIp, "name", (i) => (i.name = ""))).toEqual(one("name", "", "a non-empty string"));
  });

  test("type: required, ipv4 or ipv6", () => {
    expect(bad(primaryIp, "type", (i) => (i.type = "ipv5"))).toEqual(
      one("type", "ipv5", "one of ipv4, ipv6"),
    );
    expect(bad(primaryIp, "type", (i) => delete i.type)).toEqual(
      one("type", undefined, "required: one of ipv4, ipv6"),
    );
  });

  test("assigneeType: server", () => {
    expect(bad(primaryIp, "assigneeType", (i) => (i.assigneeType = "load_balancer"))).toEqual(
      one("assigneeType", "load_balancer", "one of server"),
    );
  });

  test("assigneeId: needs assigneeType", () => {
    expect(
      bad(primaryIp, "assigneeId", (i) => ((i.assigneeId = 42), delete i.assigneeType, delete i.location)),
    ).toEqual(one("assigneeType", undefined, "set together with assigneeId: server"));
  });

  test("location: exactly one of location and assigneeId, and a Hetzner location", () => {
    expect(bad(primaryIp, "location", (i) => (i.assigneeId = 42))).toEqual(
      one("location", "hel1", "exactly one of location and assigneeId: leave location out"),
    );
    expect(bad(primaryIp, "location", (i) => delete i.location)).toEqual(
      one("location", undefined, "exactly one of location and assigneeId: one is required"),
    );
    expect(bad(primaryIp, "location", (i) => (delete i.location, (i.assigneeId = 42)))).toEqual([]);
    expect(bad(primaryIp, "location", (i) => (i.location = "fra1"))).toEqual(
      one("location", "fra1", LOCATIONS),
    );
  });

  test("datacenter: removed, never set", () => {
    expect(bad(primaryIp, "datacenter", (i) => (i.datacenter = "hel1-dc2"))).toEqual(
      one("datacenter", "hel1-dc2", "not set: removed from the API; use location"),
    );
  });
});

describe("Firewall", () => {
  const rules = (i: Inputs) => i.rules as Inputs[];
  const ssh = (i: Inputs) => rules(i)[2]!;
  const cidr =
    'an IPv4 or IPv6 address or CIDR block with no host bits set ("10.0.1.0/24", "2001:db8::/32", "203.0.113.7")';

  test("name: 1 to 128 characters", () => {
    expect(bad(firewall, "name", (i) => (i.name = "f".repeat(128)))).toEqual([]);
    expect(bad(firewall, "name", (i) => (i.name = "f".repeat(129)))).toEqual(
      one("name", "f".repeat(129), "1 to 128 characters"),
    );
    expect(bad(firewall, "name", (i) => (i.name = ""))).toEqual(one("name", "", "1 to 128 characters"));
  });

  test("rules: at most 50", () => {
    expect(bad(firewall, "rules", (i) => (i.rules = Array(51).fill(ssh(i))))).toEqual(
      one("rules", "(51 rules)", "at most 50 rules per firewall"),
    );
  });

  test("direction: required, in or out", () => {
    expect(bad(firewall, "rules", (i) => (ssh(i).direction = "inbound"))).toEqual(
      one("rules[2].direction", "inbound", "one of in, out"),
    );
    expect(bad(firewall, "rules", (i) => delete ssh(i).direction)).toEqual(
      one("rules[2].direction", undefined, "required: one of in, out"),
    );
  });

  test("protocol: required, tcp, udp, icmp, esp or gre", () => {
    expect(bad(firewall, "rules", (i) => (ssh(i).protocol = "http"))).toEqual(
      one("rules[2].protocol", "http", "one of tcp, udp, icmp, esp, gre"),
    );
    expect(bad(firewall, "rules", (i) => delete ssh(i).protocol)).toEqual(
      one("rules[2].protocol", undefined, "required: one of tcp, udp, icmp, esp, gre"),
    );
  });

  test("port: required for tcp and udp", () => {
    expect(bad(firewall, "rules", (i) => delete ssh(i).port)).toEqual(
      one("rules[2].port", undefined, `required for protocol tcp: ${PORT_ALLOWED}`),
    );
    expect(bad(firewall, "rules", (i) => ((ssh(i).protocol = "udp"), delete ssh(i).port))).toEqual(
      one("rules[2].port", undefined, `required for protocol udp: ${PORT_ALLOWED}`),
    );
  });

  test.each(["icmp", "esp", "gre"])("port: refused for %s", (protocol) => {
    expect(bad(firewall, "rules", (i) => (ssh(i).protocol = protocol))).toEqual(
      one("rules[2].port", "22", `not set for protocol ${protocol}: ports apply to tcp and udp only`),
    );
    expect(bad(firewall, "rules", (i) => ((ssh(i).protocol = protocol), delete ssh(i).port))).toEqual([]);
  });

  test.each(["0", "65536", "90-80", "80-", "-80", "ssh", "22,80", " 22"])("port: %j is refused", (port) => {
    expect(bad(firewall, "rules", (i) => (ssh(i).port = port))).toEqual(
      one("rules[2].port", port, PORT_ALLOWED),
    );
  });

  test.each(["1", "65535", "80-85", "80-80", "any"])("port: %j passes", (port) => {
    expect(bad(firewall, "rules", (i) => (ssh(i).port = port))).toEqual([]);
  });

  test("sourceIps with in, destinationIps with out", () => {
    expect(bad(firewall, "rules", (i) => delete ssh(i).sourceIps)).toEqual(
      one("rules[2].sourceIps", undefined, 'required for direction "in": at least one CIDR block'),
    );
    expect(bad(firewall, "rules", (i) => (ssh(i).sourceIps = []))).toEqual(
      one("rules[2].sourceIps", [], 'required for direction "in": at least one CIDR block'),
    );
    expect(bad(firewall, "rules", (i) => (ssh(i).destinationIps = ["10.0.0.0/8"]))).toEqual(
      one("rules[2].destinationIps", ["10.0.0.0/8"], 'not set for direction "in": use sourceIps'),
    );
    expect(bad(firewall, "rules", (i) => (ssh(i).direction = "out"))).toEqual(
      one("rules[2].destinationIps", undefined, 'required for direction "out": at least one CIDR block'),
    );
    expect(
      bad(firewall, "rules", (i) => ((ssh(i).direction = "out"), (ssh(i).destinationIps = ["10.0.0.0/8"]))),
    ).toEqual(
      one("rules[2].sourceIps", ["203.0.113.0/24"], 'not set for direction "out": use destinationIps'),
    );
    expect(
      bad(firewall, "rules", (i) => {
        ssh(i).direction = "out";
        ssh(i).destinationIps = ["10.0.0.0/8"];
        delete ssh(i).sourceIps;
      }),
    ).toEqual([]);
  });

  test.each([
    "10.0.0.1/24",
    "10.0.0.0/33",
    "300.0.0.0/8",
    "10.0.0.0/8/8",
    "2001:db8::1/32",
    "fe80::1%eth0",
    "any",
    "",
  ])("addresses: %j is refused", (address) => {
    expect(bad(firewall, "rules", (i) => (ssh(i).sourceIps = ["10.0.0.0/8", address]))).toEqual(
      one("rules[2].sourceIps[1]", address, cidr),
    );
  });

  test("addresses: checked in destinationIps too, at most 100 per list", () => {
    expect(
      bad(firewall, "rules", (i) => {
        ssh(i).direction = "out";
        delete ssh(i).sourceIps;
        ssh(i).destinationIps = ["10.0.0.1/8"];
      }),
    ).toEqual(one("rules[2].destinationIps[0]", "10.0.0.1/8", cidr));
    const many = Array.from({ length: 101 }, (_, n) => `10.0.${n}.0/24`);
    expect(bad(firewall, "rules", (i) => (ssh(i).sourceIps = many))).toEqual(
      one("rules[2].sourceIps", "(101 entries)", "at most 100 CIDR blocks"),
    );
  });

  test.each([
    "203.0.113.7",
    "0.0.0.0/0",
    "::/0",
    "2001:db8::/32",
    "2001:DB8:0:0::/64",
    "::ffff:10.0.0.0/104",
  ])("addresses: %j passes", (address) => {
    expect(isFirewallCidr(address)).toBe(true);
  });

  test("description: a string", () => {
    expect(bad(firewall, "rules", (i) => (ssh(i).description = 42))).toEqual(
      one("rules[2].description", 42, "a string"),
    );
  });
});

describe("Volume", () => {
  const size = "a whole number of GB from 10 to 10240";

  test.each([9, 10241, 10.5, "50"])("size: %j is refused", (value) => {
    expect(bad(volume, "size", (i) => (i.size = value))).toEqual(one("size", value, size));
  });

  test("size: required; 10 and 10240 pass", () => {
    expect(bad(volume, "size", (i) => delete i.size)).toEqual(one("size", undefined, `required: ${size}`));
    expect(bad(volume, "size", (i) => (i.size = 10))).toEqual([]);
    expect(bad(volume, "size", (i) => (i.size = 10240))).toEqual([]);
  });

  test("name: not empty", () => {
    expect(bad(volume, "name", (i) => (i.name = ""))).toEqual(one("name", "", "a non-empty string"));
  });

  test("format: xfs or ext4", () => {
    expect(bad(volume, "format", (i) => (i.format = "btrfs"))).toEqual(
      one("format", "btrfs", "one of xfs, ext4"),
    );
    expect(bad(volume, "format", (i) => (i.format = "xfs"))).toEqual([]);
  });

  test("location: exactly one of location and serverId, and a Hetzner location", () => {
    expect(bad(volume, "location", (i) => (i.serverId = 42))).toEqual(
      one("location", "hel1", "exactly one of location and serverId: leave location out"),
    );
    expect(bad(volume, "location", (i) => delete i.location)).toEqual(
      one("location", undefined, "exactly one of location and serverId: one is required"),
    );
    expect(bad(volume, "location", (i) => (i.location = "fra1"))).toEqual(one("location", "fra1", LOCATIONS));
  });

  test("automount: only with serverId", () => {
    expect(bad(volume, "automount", (i) => (i.automount = true))).toEqual(
      one("automount", true, "true only together with serverId (otherwise false or left out)"),
    );
    expect(bad(volume, "automount", (i) => ((i.automount = true), (i.serverId = 42)))).toEqual([]);
  });
});

describe("VolumeAttachment", () => {
  test.each(["serverId", "volumeId"])("%s: required, a positive integer", (field) => {
    expect(bad(volumeAttachment, field, (i) => delete i[field])).toEqual(
      one(field, undefined, "required: the numeric ID of the resource"),
    );
    expect(bad(volumeAttachment, field, (i) => (i[field] = "42"))).toEqual(
      one(field, "42", "a positive integer (the numeric ID of the resource)"),
    );
    expect(bad(volumeAttachment, field, (i) => (i[field] = 0))).toEqual(
      one(field, 0, "a positive integer (the numeric ID of the resource)"),
    );
  });
});

describe("Storage Box and sub-account passwords (the password policy)", () => {
  test.each([storageBox, storageBoxSubaccount])("%s", (type) => {
    const withPassword = (password: unknown) => bad(type, "password", (i) => (i.password = password));
    expect(withPassword("Abcdefgh-123")).toEqual([]);
    expect(withPassword("Äbcdefgh_12ß&")).toEqual([]);
    expect(bad(type, "password", (i) => delete i.password)).toEqual(
      one("password", undefined, `required: ${PASSWORD_ALLOWED.length}`),
    );
    expect(withPassword("Abcdefg-123")).toEqual(
      one("password", "(a password of 11 characters)", PASSWORD_ALLOWED.length),
    );
    expect(withPassword(`Ab1-${"x".repeat(125)}`)).toEqual(
      one("password", "(a password of 129 characters)", PASSWORD_ALLOWED.length),
    );
    expect(withPassword("Abcdefgh-123 ")).toEqual(
      one("password", "(a password of 13 characters)", PASSWORD_ALLOWED.chars),
    );
    expect(withPassword('Abcdefgh-12"3')).toEqual(
      one("password", "(a password of 13 characters)", PASSWORD_ALLOWED.chars),
    );
    expect(withPassword("abcdefgh-123")).toEqual(
      one("password", "(a password of 12 characters) without an upper-case letter", PASSWORD_ALLOWED.classes),
    );
    expect(withPassword("ABCDEFGH-123")).toEqual(
      one("password", "(a password of 12 characters) without a lower-case letter", PASSWORD_ALLOWED.classes),
    );
    expect(withPassword("Abcdefgh-xyz")).toEqual(
      one("password", "(a password of 12 characters) without a digit", PASSWORD_ALLOWED.classes),
    );
    expect(withPassword("Abcdefgh1234")).toEqual(
      one("password", "(a password of 12 characters) without a special character", PASSWORD_ALLOWED.classes),
    );
  });
});

describe("StorageBox", () => {
  test("name: not empty", () => {
    expect(bad(storageBox, "name", (i) => (i.name = ""))).toEqual(one("name", "", "a non-empty string"));
  });

  test("storageBoxType: required, a type on sale", () => {
    expect(bad(storageBox, "storageBoxType", (i) => (i.storageBoxType = "bx99"))).toEqual(
      one("storageBoxType", "bx99", "one of bx11, bx21, bx31, bx41"),
    );
    expect(bad(storageBox, "storageBoxType", (i) => delete i.storageBoxType)).toEqual(
      one("storageBoxType", undefined, "required: one of bx11, bx21, bx31, bx41"),
    );
  });

  test("location: required, a Hetzner location", () => {
    expect(bad(storageBox, "location", (i) => (i.location = "fra1"))).toEqual(
      one("location", "fra1", LOCATIONS),
    );
    expect(bad(storageBox, "location", (i) => delete i.location)).toEqual(
      one("location", undefined, `required: ${LOCATIONS}`),
    );
  });

  test("accessSettings: the Storage Box's settings, as booleans", () => {
    const settings =
      "one of the settings reachableExternally, sambaEnabled, sshEnabled, webdavEnabled, zfsEnabled";
    expect(bad(storageBox, "accessSettings", (i) => (i.accessSettings = { readonly: true }))).toEqual(
      one("accessSettings.readonly", true, settings),
    );
    expect(bad(storageBox, "accessSettings", (i) => (i.accessSettings = { sshEnabled: "yes" }))).toEqual(
      one("accessSettings.sshEnabled", "yes", "true or false"),
    );
    expect(bad(storageBox, "accessSettings", (i) => (i.accessSettings = "ssh"))).toEqual(
      one(
        "accessSettings",
        "ssh",
        "an object with the booleans reachableExternally, sambaEnabled, sshEnabled, webdavEnabled, zfsEnabled",
      ),
    );
  });
});

describe("StorageBoxSubaccount", () => {
  test("storageBoxId: required, a positive integer", () => {
    expect(bad(storageBoxSubaccount, "storageBoxId", (i) => delete i.storageBoxId)).toEqual(
      one("storageBoxId", undefined, "required: the numeric ID of the resource"),
    );
    expect(bad(storageBoxSubaccount, "storageBoxId", (i) => (i.storageBoxId = -1))).toEqual(
      one("storageBoxId", -1, "a positive integer (the numeric ID of the resource)"),
    );
  });

  test("homeDirectory: required, relative, not empty", () => {
    expect(bad(storageBoxSubaccount, "homeDirectory", (i) => (i.homeDirectory = "/tenancy/x"))).toEqual(
      one("homeDirectory", "/tenancy/x", HOME_DIRECTORY_ALLOWED),
    );
    expect(bad(storageBoxSubaccount, "homeDirectory", (i) => (i.homeDirectory = ""))).toEqual(
      one("homeDirectory", "", HOME_DIRECTORY_ALLOWED),
    );
    expect(bad(storageBoxSubaccount, "homeDirectory", (i) => delete i.homeDirectory)).toEqual(
      one("homeDirectory", undefined, `required: ${HOME_DIRECTORY_ALLOWED}`),
    );
  });

  test("accessSettings: the sub-account's settings, as booleans", () => {
    const settings =
      "one of the settings reachableExternally, readonly, sambaEnabled, sshEnabled, webdavEnabled";
    expect(
      bad(storageBoxSubaccount, "accessSettings", (i) => (i.accessSettings = { zfsEnabled: false })),
    ).toEqual(one("accessSettings.zfsEnabled", false, settings));
    expect(bad(storageBoxSubaccount, "accessSettings", (i) => (i.accessSettings = { readonly: 1 }))).toEqual(
      one("accessSettings.readonly", 1, "true or false"),
    );
    expect(bad(storageBoxSubaccount, "accessSettings", (i) => (i.accessSettings = ["ssh"]))).toEqual(
      one(
        "accessSettings",
        ["ssh"],
        "an object with the booleans reachableExternally, readonly, sambaEnabled, sshEnabled, webdavEnabled",
      ),
    );
  });
});

describe("change behaviour", () => {
  test("the Server's ignoreChanges is exactly its replace-forcing fields; no other hcloud type has any", () => {
    expect([...HCLOUD_CHANGES[server]!.replaceOn].sort()).toEqual([...SERVER_REPLACING_FIELDS].sort());
    for (const r of resources(server))
      expect([...r.options.ignoreChanges].sort()).toEqual([...SERVER_REPLACING_FIELDS].sort());
    for (const type of Object.values(HCLOUD_TYPES).filter((t) => t !== server))
      for (const r of resources(type)) expect(r.options.ignoreChanges).toEqual([]);
  });

  test("replace-forcing fields are inputs the program sets or the provider takes", () => {
    expect(HCLOUD_CHANGES[primaryIp]!.replaceOn).toEqual(["type", "location"]);
    expect(HCLOUD_CHANGES[firewall]!.replaceOn).toEqual([]);
    expect(HCLOUD_CHANGES[volume]!.replaceOn).toEqual(["location"]);
    expect(HCLOUD_CHANGES[volumeAttachment]!.replaceOn).toEqual(["volumeId", "serverId"]);
    expect(HCLOUD_CHANGES[storageBox]!.replaceOn).toEqual(["location", "sshKeys"]);
    expect(HCLOUD_CHANGES[storageBoxSubaccount]!.replaceOn).toEqual(["storageBoxId"]);
  });

  test("in-place changes with consequences are told: server type powers off, volumes only grow", () => {
    expect(HCLOUD_CHANGES[server]!.notes?.serverType).toMatch(/powers the server off.*keepDisk/is);
    expect(HCLOUD_CHANGES[volume]!.notes?.size).toMatch(/only up/);
  });
});
