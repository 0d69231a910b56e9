/**
 * The tls, random and command providers' own rules for the resources the program registers, checked
 * offline, and what a change of each input does.
 *
 * Sources: hashicorp/terraform-provider-tls and hashicorp/terraform-provider-random (bridged by @pulumi/tls
 * 5.6 and @pulumi/random 4.21), and pulumi/pulumi-command's own Go source and schema (@pulumi/command 4.5
 * is a native provider, not a bridge). Files are cited at the commits stored for review; @pulumi/tls pins
 * an upstream commit (609226f5, 2026-05) newer than the stored one, which adds the write-only private key
 * of tls_cert_request: that rule cites the upstream change that introduced it.
 *
 * As in hcloud.ts: "[secret]" and "[unknown]" values are skipped, and count as set for required inputs.
 */
import { isIP } from "node:net";
import { isSet, oneOf, readable } from "./hcloud";
import type { ChangeBehaviour, ProviderRule, RuleFinding } from "./rule";

const TLS =
  "https://github.com/hashicorp/terraform-provider-tls/blob/d72d90e1b47b7cb5ce6863f528af3154963d61b7";
const TLS_WRITE_ONLY =
  "https://github.com/hashicorp/terraform-provider-tls/blob/a9e59c2b52419f06b00458e1ad7b7589329ff7ef";
const RANDOM =
  "https://github.com/hashicorp/terraform-provider-random/blob/ad788e233bb42be5ecad3ba8f43de0d9d9dc7185";
const COMMAND = "https://github.com/pulumi/pulumi-command/blob/010bd8e0dd8a2f13707aa3b5061739edd90790a5";

export const OTHER_TYPES = {
  privateKey: "tls:index/privateKey:PrivateKey",
  certRequest: "tls:index/certRequest:CertRequest",
  randomPassword: "random:index/randomPassword:RandomPassword",
  remoteCommand: "command:remote:Command",
} as const;

type Inputs = Record<string, unknown>;

function finding(path: string, value: unknown, allowed: string): RuleFinding {
  return { path, value, allowed };
}

function rule(type: string, field: string, source: string, check: (inputs: Inputs) => RuleFinding[]) {
  return { type, field, source, check: (inputs: Inputs) => check(inputs) } satisfies ProviderRule;
}

const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);

// ---------------------------------------------------------------------------------------------------------
// tls PrivateKey

const K = OTHER_TYPES.privateKey;
const PRIVATE_KEY = `${TLS}/internal/provider/resource_private_key.go`;

export const TLS_ALGORITHMS = ["RSA", "ECDSA", "ED25519"] as const;
export const ECDSA_CURVES = ["P224", "P256", "P384", "P521"] as const;

const privateKeyRules: ProviderRule[] = [
  rule(K, "algorithm", `${PRIVATE_KEY}#L57-L67`, ({ algorithm }) =>
    isSet(algorithm)
      ? oneOf("algorithm", algorithm, TLS_ALGORITHMS)
      : [finding("algorithm", algorithm, `required: one of ${TLS_ALGORITHMS.join(", ")}`)],
  ),
  // Validated whatever the algorithm (the default, P224, is used only for ECDSA).
  rule(K, "ecdsaCurve", `${PRIVATE_KEY}#L79-L92`, ({ ecdsaCurve }) =>
    oneOf("ecdsaCurve", ecdsaCurve, ECDSA_CURVES),
  ),
  // The schema takes any integer; the key is made by Go's rsa.GenerateKey, which since Go 1.24 refuses
  // keys under 1024 bits (pulumi-tls builds with Go 1.25). Only read for RSA.
  rule(K, "rsaBits", `${TLS}/internal/provider/common_key.go#L34-L40`, ({ algorithm, rsaBits }) => {
    if (!readable(rsaBits)) return [];
    if (!isInteger(rsaBits)) return [finding("rsaBits", rsaBits, "a whole number of bits")];
    return algorithm === "RSA" && rsaBits < 1024
      ? [finding("rsaBits", rsaBits, "at least 1024 bits (2048 by default)")]
      : [];
  }),
];

// ---------------------------------------------------------------------------------------------------------
// tls CertRequest

const C = OTHER_TYPES.certRequest;
const CERT_REQUEST = `${TLS}/internal/provider/resource_cert_request.go`;
// The expression the provider uses to recognise a PEM string (common.go, requireReplaceIfStateContainsPEMString).
const PEM = /^-----BEGIN [A-Za-z ]+-----\n(.|\s)+\n-----END [A-Za-z ]+-----\n?$/;

const certRequestRules: ProviderRule[] = [
  rule(
    C,
    "privateKeyPem",
    `${TLS_WRITE_ONLY}/internal/provider/resource_cert_request.go#L58-L76`,
    (inputs) => {
      const pem = isSet(inputs.privateKeyPem);
      const writeOnly = isSet(inputs.privateKeyPemWo);
      if (pem && writeOnly)
        return [
          finding("privateKeyPemWo", "(set)", "exactly one of privateKeyPem and privateKeyPemWo: not both"),
        ];
      if (!pem && !writeOnly)
        return [
          finding("privateKeyPem", inputs.privateKeyPem, "exactly one of privateKeyPem and privateKeyPemWo"),
        ];
      return [];
    },
  ),
  rule(
    C,
    "privateKeyPemWo",
    `${TLS_WRITE_ONLY}/internal/provider/resource_cert_request.go#L63-L90`,
    (inputs) => {
      const writeOnly = isSet(inputs.privateKeyPemWo);
      const version = isSet(inputs.privateKeyPemWoVersion);
      if (writeOnly && !version)
        return [
          finding(
            "privateKeyPemWoVersion",
            inputs.privateKeyPemWoVersion,
            "set together with privateKeyPemWo",
          ),
        ];
      if (version && !writeOnly)
        return [
          finding(
            "privateKeyPemWoVersion",
            inputs.privateKeyPemWoVersion,
            "set only together with privateKeyPemWo",
          ),
        ];
      return [];
    },
  ),
  // Parsed at create; normally a secret (another resource's key), so normally skipped. Never echoed.
  rule(C, "privateKeyPem", `${CERT_REQUEST}#L231-L236`, ({ privateKeyPem }) =>
    readable(privateKeyPem) && (typeof privateKeyPem !== "string" || !PEM.test(privateKeyPem))
      ? [
          finding(
            "privateKeyPem",
            "(not a PEM block)",
            "a private key in PEM format (-----BEGIN … -----END …)",
          ),
        ]
      : [],
  ),
  rule(C, "ipAddresses", `${CERT_REQUEST}#L278-L290`, ({ ipAddresses }) => {
    if (!readable(ipAddresses) || !Array.isArray(ipAddresses)) return [];
    return ipAddresses.flatMap((ip: unknown, i) =>
      readable(ip) && (typeof ip !== "string" || ip.includes("%") || isIP(ip) === 0)
        ? [
            finding(
              `ipAddresses[${i}]`,
              ip,
              'an IPv4 or IPv6 address, without a prefix length ("192.0.2.1", "2001:db8::1")',
            ),
          ]
        : [],
    );
  }),
  rule(C, "uris", `${CERT_REQUEST}#L77-L89`, ({ uris }) => {
    if (!readable(uris) || !Array.isArray(uris)) return [];
    return uris.flatMap((uri: unknown, i) =>
      readable(uri) && (typeof uri !== "string" || uri.length === 0)
        ? [finding(`uris[${i}]`, uri, "a URI of at least 1 character")]
        : [],
    );
  }),
];

// ---------------------------------------------------------------------------------------------------------
// random RandomPassword

const R = OTHER_TYPES.randomPassword;
const PASSWORD = `${RANDOM}/internal/provider/resource_password.go`;
const MINIMUMS = ["minUpper", "minLower", "minNumeric", "minSpecial"] as const;

const randomPasswordRules: ProviderRule[] = [
  rule(R, "length", `${PASSWORD}#L580-L596`, ({ length }) => {
    if (!isSet(length)) return [finding("length", length, "required: a whole number, at least 1")];
    if (!readable(length) || (isInteger(length) && length >= 1)) return [];
    return [finding("length", length, "a whole number, at least 1")];
  }),
  // int64validator.AtLeastSumOf: unset minimums count as their default, 0.
  rule(R, "length", `${PASSWORD}#L587-L594`, (inputs) => {
    const { length } = inputs;
    // A length under 1 is the first rule's finding already.
    if (!readable(length) || !isInteger(length) || length < 1) return [];
    const values = MINIMUMS.map((key) => inputs[key]);
    if (values.some((value) => isSet(value) && !readable(value))) return [];
    const sum = values.reduce<number>((total, value) => total + (isInteger(value) ? value : 0), 0);
    return length < sum
      ? [finding("length", length, `at least minUpper + minLower + minNumeric + minSpecial (${sum})`)]
      : [];
  }),
  // No validator, but CreateString makes a slice of each minimum's length: a negative one fails.
  rule(R, "minUpper", `${RANDOM}/internal/random/string.go#L94-L104`, (inputs) =>
    MINIMUMS.flatMap((key) => {
      const value = inputs[key];
      return readable(value) && !(isInteger(value) && value >= 0)
        ? [finding(key, value, "a whole number, 0 or more")]
        : [];
    }),
  ),
  // AtLeastOneOfTrue on numeric (and the deprecated number): with it false, one of upper, lower, special
  // must be true; it only fires when all three are set, and to false.
  rule(R, "numeric", `${PASSWORD}#L649-L666`, (inputs) => {
    const classes = [inputs.upper, inputs.lower, inputs.special];
    return (["numeric", "number"] as const).flatMap((key) =>
      inputs[key] === false && classes.every((value) => value === false)
        ? [
            finding(
              key,
              false,
              "true, or at least one of upper, lower, special true: the character set is empty",
            ),
          ]
        : [],
    );
  }),
];

// ---------------------------------------------------------------------------------------------------------
// command remote Command

const X = OTHER_TYPES.remoteCommand;
const SCHEMA = `${COMMAND}/provider/cmd/pulumi-resource-command/schema.json`;
export const COMMAND_LOGGING = ["stdout", "stderr", "stdoutAndStderr", "none"] as const;

/**
 * The connection is a secret input (the provider marks it so, and the program adds it to
 * additionalSecretOutputs), so it is recorded whole as "[secret]": its host, user, port and key cannot be
 * read offline. All that can be checked is that it is set, and, if a program ever passes it in the clear,
 * that it names a host.
 */
const remoteCommandRules: ProviderRule[] = [
  rule(X, "connection", `${SCHEMA}#L482-L484`, ({ connection }) => {
    if (!isSet(connection))
      return [finding("connection", connection, "required: the SSH connection (at least host)")];
    if (!readable(connection) || typeof connection !== "object") return [];
    return isSet((connection as Inputs).host)
      ? []
      : [finding("connection.host", undefined, "required: the host to connect to")];
  }),
  rule(X, "logging", `${COMMAND}/provider/pkg/provider/remote/logging.go#L11-L16`, ({ logging }) =>
    oneOf("logging", logging, COMMAND_LOGGING),
  ),
];

export const OTHER_RULES: ProviderRule[] = [
  ...privateKeyRules,
  ...certRequestRules,
  ...randomPasswordRules,
  ...remoteCommandRules,
];

// ---------------------------------------------------------------------------------------------------------
// Change behaviour

/**
 * What a change of each input does. None of these resources has ignoreChanges in the program (only the
 * Server does, components/host-server.ts), so nothing here is hidden.
 */
export const OTHER_CHANGES: Record<string, ChangeBehaviour> = {
  [K]: {
    replaceOn: ["algorithm", "rsaBits", "ecdsaCurve"],
    notes: {
      algorithm:
        "A new key pair. An origin key's replacement makes a new CSR and so a new Origin CA certificate. The deploy key's public half reaches the hosts through cloud-init user data, which the Server's ignoreChanges never re-applies: existing hosts keep trusting the old key.",
    },
    source: `${PRIVATE_KEY}#L57-L92`,
  },
  [C]: {
    // privateKeyPem replaces only when the old value is a PEM string (requireReplaceIfStateContainsPEMString);
    // privateKeyPemWoVersion replaces (upstream change a9e59c2b).
    replaceOn: ["privateKeyPem", "dnsNames", "ipAddresses", "uris", "subject", "privateKeyPemWoVersion"],
    notes: {
      subject: "A new CSR: the Origin CA certificate made from it is replaced too.",
    },
    source: `${CERT_REQUEST}#L43-L130`,
  },
  [R]: {
    // keepers replaces unless the values are null; overrideSpecial unless going from "" to null.
    replaceOn: [
      "keepers",
      "length",
      "special",
      "upper",
      "lower",
      "number",
      "numeric",
      "minNumeric",
      "minUpper",
      "minLower",
      "minSpecial",
      "overrideSpecial",
    ],
    notes: {
      length:
        "A replacement is a new password: the database role, Storage Box or sub-account that uses it gets the new one on the same run.",
    },
    source: `${PASSWORD}#L570-L720`,
  },
  [X]: {
    // provider:"replaceOnChanges" on triggers (common/inputs.go); every other input is updated in place.
    replaceOn: ["triggers"],
    notes: {
      triggers:
        "Replaces the command: the create command runs again (the program defines no delete command, so nothing runs for the old one).",
      stdin: "Changed in place: the update command runs (or create, when there is no update).",
      create: "Changed in place: the update command runs, not the new create command, when update is set.",
    },
    source: `${COMMAND}/provider/pkg/provider/common/inputs.go#L10`,
  },
};
