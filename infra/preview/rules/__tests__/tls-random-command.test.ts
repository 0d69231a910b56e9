/**
 * The tls, random and command rules, both ways: the example fleet's real recorded inputs pass every rule,
 * and a one-field change of them fires the rule with the path, value and allowed text a reader acts on.
 */
import { EXAMPLE_MANIFEST } from "../../../testing/fixtures";
import { recordStack, SECRET, UNKNOWN, type RecordedResource, type RecordedStack } from "../../engine";
import { checkProviderRules, type ProviderRule, type RuleContext, type RuleFinding } from "../rule";
import { OTHER_CHANGES, OTHER_RULES, OTHER_TYPES } from "../tls-random-command";

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
const FAMILIES = /^(tls|random|command):/;

/** A copy of the first recorded inputs of the type (that `which` picks): the compliant base of a case. */
function base(type: string, which: (r: RecordedResource) => boolean = () => true): Inputs {
  const first = resources(type).find(which);
  if (!first) throw new Error(`the example fleet registers no such ${type}`);
  return structuredClone(first.inputs);
}

function check(type: string, field: string, inputs: Inputs): RuleFinding[] {
  const rules = OTHER_RULES.filter((r) => r.type === type && r.field === field);
  if (rules.length === 0) throw new Error(`no rule for ${type} ${field}`);
  return rules.flatMap((r) => r.check(inputs, context()));
}

function bad(
  type: string,
  field: string,
  change: (inputs: Inputs) => void,
  which?: (r: RecordedResource) => boolean,
) {
  const inputs = base(type, which);
  change(inputs);
  return check(type, field, inputs);
}

const one = (path: string, value: unknown, allowed: string) => [{ path, value, allowed }];
const { privateKey, certRequest, randomPassword, remoteCommand } = OTHER_TYPES;
const ecdsa = (r: RecordedResource) => r.inputs.algorithm === "ECDSA";
const withMinimums = (r: RecordedResource) => r.inputs.minUpper !== undefined;
// A tenant's database password: no minimums, so a bad length breaks only the length clause.
const withoutMinimums = (r: RecordedResource) => r.inputs.minUpper === undefined;
const named = (r: ProviderRule): [string, ProviderRule] => [`${r.type} ${r.field} (${r.source})`, r];

describe("the example fleet", () => {
  test("passes every tls, random and command rule in both stacks", () => {
    for (const stack of stacks) {
      expect(
        checkProviderRules(stack, OTHER_RULES, { cloudflarePlan: "free", advancedRateLimiting: false }),
      ).toEqual([]);
    }
  });

  test.each(OTHER_RULES.map(named))("%s passes on every recorded resource of its type", (_, r) => {
    const recorded = resources(r.type);
    expect(recorded.length).toBeGreaterThan(0);
    for (const resource of recorded) expect(r.check(resource.inputs, context())).toEqual([]);
  });

  test("every tls, random and command type it registers has rules and change behaviour", () => {
    const registered = new Set(
      stacks.flatMap((s) => s.resources.map((r) => r.type)).filter((t) => FAMILIES.test(t)),
    );
    expect([...registered].sort()).toEqual(Object.values(OTHER_TYPES).sort());
    expect(new Set(OTHER_RULES.map((r) => r.type))).toEqual(registered);
    expect(Object.keys(OTHER_CHANGES).sort()).toEqual([...registered].sort());
  });

  test("every rule cites the tls, random or command provider's own source", () => {
    for (const r of OTHER_RULES) {
      expect(r.source).toMatch(
        /^https:\/\/github\.com\/(hashicorp\/terraform-provider-(tls|random)|pulumi\/pulumi-command)\/blob\/[0-9a-f]{40}\//,
      );
    }
  });
});

describe("secret and unknown values are skipped, never guessed", () => {
  test.each(OTHER_RULES.map(named))("%s, where the fleet sets the field", (_, r) => {
    for (const resource of resources(r.type).filter((res) => res.inputs[r.field] !== undefined)) {
      for (const marker of [SECRET, UNKNOWN]) {
        expect(r.check({ ...resource.inputs, [r.field]: marker }, context())).toEqual([]);
      }
    }
  });

  test("fields the fleet leaves out, and values inside lists", () => {
    expect(bad(privateKey, "rsaBits", (i) => ((i.algorithm = "RSA"), (i.rsaBits = SECRET)))).toEqual([]);
    expect(bad(privateKey, "ecdsaCurve", (i) => (i.ecdsaCurve = UNKNOWN))).toEqual([]);
    expect(bad(certRequest, "ipAddresses", (i) => (i.ipAddresses = [UNKNOWN, "192.0.2.1"]))).toEqual([]);
    expect(bad(certRequest, "uris", (i) => (i.uris = [SECRET]))).toEqual([]);
    const allFalse = (i: Inputs) => Object.assign(i, { upper: false, lower: false, special: false });
    expect(bad(randomPassword, "numeric", (i) => (allFalse(i), (i.numeric = UNKNOWN)))).toEqual([]);
    expect(
      bad(randomPassword, "numeric", (i) => (allFalse(i), (i.numeric = false), (i.upper = UNKNOWN))),
    ).toEqual([]);
    expect(
      bad(randomPassword, "length", (i) => ((i.length = 6), (i.minUpper = SECRET)), withMinimums),
    ).toEqual([]);
    expect(bad(remoteCommand, "logging", (i) => (i.logging = SECRET))).toEqual([]);
  });

  test("the command's connection is recorded as a secret: only its presence is checked", () => {
    expect(base(remoteCommand).connection).toBe(SECRET);
    expect(check(remoteCommand, "connection", base(remoteCommand))).toEqual([]);
  });
});

describe("PrivateKey", () => {
  test("algorithm: required, RSA, ECDSA or ED25519", () => {
    expect(bad(privateKey, "algorithm", (i) => (i.algorithm = "DSA"))).toEqual(
      one("algorithm", "DSA", "one of RSA, ECDSA, ED25519"),
    );
    expect(bad(privateKey, "algorithm", (i) => delete i.algorithm)).toEqual(
      one("algorithm", undefined, "required: one of RSA, ECDSA, ED25519"),
    );
  });

  test("ecdsaCurve: P224, P256, P384 or P521", () => {
    expect(bad(privateKey, "ecdsaCurve", (i) => (i.ecdsaCurve = "P192"), ecdsa)).toEqual(
      one("ecdsaCurve", "P192", "one of P224, P256, P384, P521"),
    );
    expect(bad(privateKey, "ecdsaCurve", (i) => (i.ecdsaCurve = "P521"), ecdsa)).toEqual([]);
  });

  test("rsaBits: a whole number, at least 1024 for RSA", () => {
    const rsa = (bits: unknown) => (i: Inputs) => ((i.algorithm = "RSA"), (i.rsaBits = bits));
    expect(bad(privateKey, "rsaBits", rsa(512))).toEqual(
      one("rsaBits", 512, "at least 1024 bits (2048 by default)"),
    );
    expect(bad(privateKey, "rsaBits", rsa(2048.5))).toEqual(one("rsaBits", 2048.5, "a whole number of bits"));
    expect(bad(privateKey, "rsaBits", rsa(1024))).toEqual([]);
    expect(bad(privateKey, "rsaBits", rsa(4096))).toEqual([]);
    // Only RSA reads it.
    expect(bad(privateKey, "rsaBits", (i) => (i.rsaBits = 512), ecdsa)).toEqual([]);
  });
});

describe("CertRequest", () => {
  const pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n";

  test("privateKeyPem: exactly one of privateKeyPem and privateKeyPemWo", () => {
    expect(
      bad(
        certRequest,
        "privateKeyPem",
        (i) => ((i.privateKeyPemWo = SECRET), (i.privateKeyPemWoVersion = 1)),
      ),
    ).toEqual(one("privateKeyPemWo", "(set)", "exactly one of privateKeyPem and privateKeyPemWo: not both"));
    expect(bad(certRequest, "privateKeyPem", (i) => delete i.privateKeyPem)).toEqual(
      one("privateKeyPem", undefined, "exactly one of privateKeyPem and privateKeyPemWo"),
    );
    expect(
      bad(certRequest, "privateKeyPem", (i) => {
        delete i.privateKeyPem;
        i.privateKeyPemWo = SECRET;
        i.privateKeyPemWoVersion = 1;
      }),
    ).toEqual([]);
  });

  test("privateKeyPemWo: with privateKeyPemWoVersion, and only with it", () => {
    expect(
      bad(certRequest, "privateKeyPemWo", (i) => (delete i.privateKeyPem, (i.privateKeyPemWo = SECRET))),
    ).toEqual(one("privateKeyPemWoVersion", undefined, "set together with privateKeyPemWo"));
    expect(bad(certRequest, "privateKeyPemWo", (i) => (i.privateKeyPemWoVersion = 1))).toEqual(
      one("privateKeyPemWoVersion", 1, "set only together with privateKeyPemWo"),
    );
  });

  test("privateKeyPem: a PEM block, never echoed", () => {
    expect(bad(certRequest, "privateKeyPem", (i) => (i.privateKeyPem = "MHcCAQEE"))).toEqual(
      one("privateKeyPem", "(not a PEM block)", "a private key in PEM format (-----BEGIN … -----END …)"),
    );
    expect(bad(certRequest, "privateKeyPem", (i) => (i.privateKeyPem = pem))).toEqual([]);
  });

  test.each(["10.0.0.0/8", "fe80::1%eth0", "", "host.example", "256.1.1.1"])(
    "ipAddresses: %j is refused",
    (ip) => {
      expect(bad(certRequest, "ipAddresses", (i) => (i.ipAddresses = ["192.0.2.1", ip]))).toEqual(
        one(
          "ipAddresses[1]",
          ip,
          'an IPv4 or IPv6 address, without a prefix length ("192.0.2.1", "2001:db8::1")',
        ),
      );
    },
  );

  test("ipAddresses: IPv4 and IPv6 addresses pass", () => {
    expect(bad(certRequest, "ipAddresses", (i) => (i.ipAddresses = ["192.0.2.1", "2001:db8::1"]))).toEqual(
      [],
    );
  });

  test("uris: no empty URI", () => {
    expect(bad(certRequest, "uris", (i) => (i.uris = ["spiffe://fieldcrew.app/origin", ""]))).toEqual(
      one("uris[1]", "", "a URI of at least 1 character"),
    );
  });
});

describe("RandomPassword", () => {
  test.each([0, -1, 1.5, "32"])("length: %j is refused", (length) => {
    expect(bad(randomPassword, "length", (i) => (i.length = length), withoutMinimums)).toEqual(
      one("length", length, "a whole number, at least 1"),
    );
  });

  test("length: required", () => {
    expect(bad(randomPassword, "length", (i) => delete i.length)).toEqual(
      one("length", undefined, "required: a whole number, at least 1"),
    );
  });

  test("length: at least the sum of the minimums", () => {
    // The fleet's Storage Box passwords: 2 + 2 + 2 + 1.
    expect(bad(randomPassword, "length", (i) => (i.length = 6), withMinimums)).toEqual(
      one("length", 6, "at least minUpper + minLower + minNumeric + minSpecial (7)"),
    );
    expect(bad(randomPassword, "length", (i) => (i.length = 7), withMinimums)).toEqual([]);
  });

  test.each(["minUpper", "minLower", "minNumeric", "minSpecial"])("%s: a whole number, 0 or more", (key) => {
    expect(bad(randomPassword, "minUpper", (i) => (i[key] = -1), withMinimums)).toEqual(
      one(key, -1, "a whole number, 0 or more"),
    );
    expect(bad(randomPassword, "minUpper", (i) => (i[key] = 1.5), withMinimums)).toEqual(
      one(key, 1.5, "a whole number, 0 or more"),
    );
    expect(bad(randomPassword, "minUpper", (i) => (i[key] = 0), withMinimums)).toEqual([]);
  });

  test.each(["numeric", "number"])("%s: false only with one of upper, lower, special true", (key) => {
    const off = (i: Inputs) => Object.assign(i, { [key]: false, upper: false, lower: false, special: false });
    expect(bad(randomPassword, "numeric", off)).toEqual(
      one(key, false, "true, or at least one of upper, lower, special true: the character set is empty"),
    );
    expect(bad(randomPassword, "numeric", (i) => (off(i), (i.lower = true)))).toEqual([]);
    // The validator waits for all three to be set.
    expect(bad(randomPassword, "numeric", (i) => (off(i), delete i.special))).toEqual([]);
  });
});

describe("remote Command", () => {
  test("connection: required, naming a host when it can be read", () => {
    expect(bad(remoteCommand, "connection", (i) => delete i.connection)).toEqual(
      one("connection", undefined, "required: the SSH connection (at least host)"),
    );
    expect(bad(remoteCommand, "connection", (i) => (i.connection = { user: "deploy" }))).toEqual(
      one("connection.host", undefined, "required: the host to connect to"),
    );
    expect(
      bad(remoteCommand, "connection", (i) => (i.connection = { host: "192.0.2.1", user: "deploy" })),
    ).toEqual([]);
  });

  test("logging: stdout, stderr, stdoutAndStderr or none", () => {
    expect(bad(remoteCommand, "logging", (i) => (i.logging = "all"))).toEqual(
      one("logging", "all", "one of stdout, stderr, stdoutAndStderr, none"),
    );
    expect(bad(remoteCommand, "logging", (i) => (i.logging = "none"))).toEqual([]);
  });
});

describe("change behaviour", () => {
  test("replace-forcing fields per type", () => {
    expect(OTHER_CHANGES[privateKey]!.replaceOn).toEqual(["algorithm", "rsaBits", "ecdsaCurve"]);
    expect(OTHER_CHANGES[certRequest]!.replaceOn).toEqual(
      expect.arrayContaining(["privateKeyPem", "dnsNames", "ipAddresses", "uris", "subject"]),
    );
    expect(OTHER_CHANGES[randomPassword]!.replaceOn).toEqual(
      expect.arrayContaining(["keepers", "length", "special", "minSpecial", "overrideSpecial"]),
    );
    // pulumi-command: triggers replaces; everything else runs the update command in place.
    expect(OTHER_CHANGES[remoteCommand]!.replaceOn).toEqual(["triggers"]);
  });

  test("the program sets no ignoreChanges on any of these types", () => {
    for (const type of Object.values(OTHER_TYPES))
      for (const r of resources(type)) expect(r.options.ignoreChanges).toEqual([]);
  });
});
