/**
 * Hetzner Cloud's own rules for the resource types the program registers, checked offline, and what a
 * change of each input does.
 *
 * Sources: the Terraform provider that @pulumi/hcloud 1.41 bridges (hetznercloud/terraform-provider-hcloud;
 * 1.41's typings name the v1.67.0 removal of `datacenter`, and the files cited are the same from v1.67.0 to
 * v1.68.0, the tag cited), hcloud-go v2.47.0 (the version that tag pins) for label syntax, and the
 * Hetzner API documentation where the provider passes a value through and the API refuses it.
 *
 * Inputs are camelCase as @pulumi/hcloud names them. A value that is "[secret]" or "[unknown]" is skipped;
 * a required input counts as set when it is one of those (it will have a value, we just cannot read it).
 * `name` is never required here: the Pulumi bridge auto-names a resource whose name is left out
 * (pulumi/pulumi-hcloud provider/resources.go, SetAutonaming), and that name is not in the recording.
 */
import { isIP } from "node:net";
import {
  HETZNER_LOCATIONS,
  HETZNER_VOLUME_MAX_GB,
  HETZNER_VOLUME_MIN_GB,
  hetznerServerType,
} from "../../plans";
import { isKnown, type ChangeBehaviour, type ProviderRule, type RuleFinding } from "./rule";

const TF = "https://github.com/hetznercloud/terraform-provider-hcloud/blob/v1.68.0";
const HCLOUD_GO = "https://github.com/hetznercloud/hcloud-go/blob/v2.47.0";
const CLOUD_API = "https://docs.hetzner.cloud/reference/cloud";
const HETZNER_API = "https://docs.hetzner.cloud/reference/hetzner";

export const HCLOUD_TYPES = {
  server: "hcloud:index/server:Server",
  primaryIp: "hcloud:index/primaryIp:PrimaryIp",
  firewall: "hcloud:index/firewall:Firewall",
  volume: "hcloud:index/volume:Volume",
  volumeAttachment: "hcloud:index/volumeAttachment:VolumeAttachment",
  storageBox: "hcloud:index/storageBox:StorageBox",
  storageBoxSubaccount: "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount",
} as const;

type Inputs = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------
// Helpers for the common shapes: set / readable values, enums, names, labels, addresses.

/** Set in the inputs, readable or not: a secret or a value another resource computes is still set. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Set and readable now (not a secret, not computed by another resource). */
export function readable(value: unknown): boolean {
  return isSet(value) && isKnown(value);
}

function finding(path: string, value: unknown, allowed: string): RuleFinding {
  return { path, value, allowed };
}

function rule(type: string, field: string, source: string, check: (inputs: Inputs) => RuleFinding[]) {
  return { type, field, source, check: (inputs: Inputs) => check(inputs) } satisfies ProviderRule;
}

export function oneOf(path: string, value: unknown, allowed: readonly string[]): RuleFinding[] {
  if (!readable(value) || (typeof value === "string" && allowed.includes(value))) return [];
  return [finding(path, value, `one of ${allowed.join(", ")}`)];
}

function requiredOneOf(path: string, value: unknown, allowed: readonly string[]): RuleFinding[] {
  if (!isSet(value)) return [finding(path, value, `required: one of ${allowed.join(", ")}`)];
  return oneOf(path, value, allowed);
}

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/** A required numeric ID of another Hetzner resource (usually computed, so usually skipped). */
function requiredId(path: string, value: unknown): RuleFinding[] {
  if (!isSet(value)) return [finding(path, value, "required: the numeric ID of the resource")];
  if (!readable(value) || (isInteger(value) && value > 0)) return [];
  return [finding(path, value, "a positive integer (the numeric ID of the resource)")];
}

function nonEmptyName(path: string, value: unknown): RuleFinding[] {
  if (!readable(value) || (typeof value === "string" && value.length > 0)) return [];
  return [finding(path, value, "a non-empty string")];
}

const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** RFC 1123 host name: 1-253 characters of dot-separated labels (1-63 letters, digits, "-", no edge "-"). */
export function isHostname(name: string): boolean {
  return name.length <= 253 && name.split(".").every((label) => DNS_LABEL.test(label));
}

const HOSTNAME_ALLOWED =
  'a hostname (RFC 1123): 1 to 253 characters of dot-separated labels; each label 1 to 63 characters: letters, digits, "-"; starting and ending with a letter or digit';

export const HETZNER_LOCATION_NAMES = Object.keys(HETZNER_LOCATIONS);

function location(path: string, value: unknown): RuleFinding[] {
  return oneOf(path, value, HETZNER_LOCATION_NAMES);
}

// Labels: hcloud-go's regular expressions (what the provider refuses at plan time) and the API's rules
// (prefix a DNS subdomain, the reserved prefix), which are stricter for the prefix.
const LABEL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;

export const LABEL_ALLOWED = {
  map: "a map of label keys to string values",
  name: 'a label key whose name (after any "prefix/") is 1 to 63 characters: letters, digits, "-", "_", "."; starting and ending with a letter or digit',
  prefix:
    'a label key whose prefix (before "/") is a DNS subdomain of at most 253 characters: dot-separated labels of letters, digits, "-"; each starting and ending with a letter or digit',
  reserved: 'a label key outside the reserved prefix "hetzner.cloud/"',
  value:
    'a label value that is empty, or 1 to 63 characters: letters, digits, "-", "_", "."; starting and ending with a letter or digit',
};

/** Each label as [path, key, value, prefix, name]; nothing when the map cannot be read. */
function eachLabel(labels: unknown): [string, string, unknown, string | undefined, string][] {
  if (!readable(labels) || typeof labels !== "object" || Array.isArray(labels)) return [];
  return Object.entries(labels as Inputs).map(([key, value]) => {
    const slash = key.indexOf("/");
    const prefix = slash === -1 ? undefined : key.slice(0, slash);
    const name = slash === -1 ? key : key.slice(slash + 1);
    return [`labels[${JSON.stringify(key)}]`, key, value, prefix, name];
  });
}

/** What the provider refuses at plan time: hcloud-go's expressions for the key's name and the value. */
export function labelSyntaxFindings(labels: unknown): RuleFinding[] {
  if (readable(labels) && (typeof labels !== "object" || Array.isArray(labels)))
    return [finding("labels", labels, LABEL_ALLOWED.map)];
  return eachLabel(labels).flatMap(([at, key, value, , name]) => [
    ...(LABEL_NAME.test(name) ? [] : [finding(at, key, LABEL_ALLOWED.name)]),
    ...(!isKnown(value) || (typeof value === "string" && LABEL_VALUE.test(value))
      ? []
      : [finding(at, value, LABEL_ALLOWED.value)]),
  ]);
}

/** What the API adds: the prefix is a DNS subdomain, and "hetzner.cloud/" is reserved. */
export function labelPrefixFindings(labels: unknown): RuleFinding[] {
  return eachLabel(labels).flatMap(([at, key, , prefix]) => {
    if (prefix === undefined) return [];
    // The API documents "hetzner.cloud/" as reserved; keys under its subdomains are refused as well
    // (observed against the live API by karpenter-provider-hetzner, its ADR 0002), so both are refused.
    if (prefix === "hetzner.cloud" || prefix.endsWith(".hetzner.cloud"))
      return [finding(at, key, LABEL_ALLOWED.reserved)];
    return isHostname(prefix) ? [] : [finding(at, key, LABEL_ALLOWED.prefix)];
  });
}

/** The two label rules every labelled type gets: the provider's syntax check and the API's prefix rules. */
function labelRules(type: string): ProviderRule[] {
  return [
    rule(type, "labels", `${HCLOUD_GO}/hcloud/labels.go#L8-L23`, ({ labels }) => labelSyntaxFindings(labels)),
    rule(type, "labels", `${CLOUD_API}#labels`, ({ labels }) => labelPrefixFindings(labels)),
  ];
}

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let hex = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4Value(dotted[1]!);
    hex = `${text.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left, right] = hex.split("::");
  const head = left ? left.split(":") : [];
  const tail = right ? right.split(":") : [];
  const groups =
    right === undefined
      ? head
      : [...head, ...Array<string>(8 - head.length - tail.length).fill("0"), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * An address or CIDR block as the provider's firewall validation accepts it: a bare address stands for
 * itself (/32 or /128), and a block must start at its network address (no host bits set).
 */
export function isFirewallCidr(text: string): boolean {
  const parts = text.split("/");
  if (parts.length > 2 || text.includes("%")) return false;
  const version = isIP(parts[0]!);
  if (version === 0) return false;
  const width = version === 4 ? 32 : 128;
  const prefixText = parts[1];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return false;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width) return false;
  const value = version === 4 ? ipv4Value(parts[0]!) : ipv6Value(parts[0]!);
  return (value & ((1n << BigInt(width - prefix)) - 1n)) === 0n;
}

// Storage Box passwords (Hetzner's Storage Box password policy).
const PASSWORD_CHARS = /^[a-zA-ZÄÖÜäöüß0-9^°!§$%/()=?+#\-.,;:~*@{}_&]*$/;
const PASSWORD_CLASSES: readonly [RegExp, string][] = [
  [/[A-ZÄÖÜ]/, "an upper-case letter"],
  [/[a-zäöüß]/, "a lower-case letter"],
  [/[0-9]/, "a digit"],
  [/[\^°!§$%/()=?+#\-.,;:~*@{}_&]/, "a special character"],
];
export const PASSWORD_ALLOWED = {
  length: "12 to 128 characters",
  chars: "only the characters a-z A-Z Ä Ö Ü ä ö ü ß 0-9 ^ ° ! § $ % / ( ) = ? + # - . , ; : ~ * @ { } _ &",
  classes: "at least one upper-case letter, one lower-case letter, one digit and one special character",
};

function storageBoxPassword(path: string, value: unknown): RuleFinding[] {
  if (!isSet(value)) return [finding(path, value, `required: ${PASSWORD_ALLOWED.length}`)];
  // Normally a secret (a RandomPassword's result), so normally skipped. Never echo a readable one either.
  if (!readable(value)) return [];
  if (typeof value !== "string") return [finding(path, "(not a string)", PASSWORD_ALLOWED.length)];
  const found: RuleFinding[] = [];
  const shown = `(a password of ${[...value].length} characters)`;
  if ([...value].length < 12 || [...value].length > 128)
    found.push(finding(path, shown, PASSWORD_ALLOWED.length));
  if (!PASSWORD_CHARS.test(value)) found.push(finding(path, shown, PASSWORD_ALLOWED.chars));
  const missing = PASSWORD_CLASSES.filter(([pattern]) => !pattern.test(value)).map(([, what]) => what);
  if (missing.length > 0)
    found.push(finding(path, `${shown} without ${missing.join(", ")}`, PASSWORD_ALLOWED.classes));
  return found;
}

function accessSettings(value: unknown, keys: readonly string[]): RuleFinding[] {
  if (!readable(value)) return [];
  if (typeof value !== "object" || Array.isArray(value))
    return [finding("accessSettings", value, `an object with the booleans ${keys.join(", ")}`)];
  const found: RuleFinding[] = [];
  for (const [key, setting] of Object.entries(value as Inputs)) {
    if (!keys.includes(key))
      found.push(finding(`accessSettings.${key}`, setting, `one of the settings ${keys.join(", ")}`));
    else if (readable(setting) && typeof setting !== "boolean")
      found.push(finding(`accessSettings.${key}`, setting, "true or false"));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Server

const S = HCLOUD_TYPES.server;
const SERVER = `${TF}/internal/server/resource.go`;
const SERVER_DOC = `${TF}/docs/resources/server.md`;

const serverRules: ProviderRule[] = [
  rule(S, "name", `${SERVER_DOC}#L162`, ({ name }) => {
    if (!readable(name) || (typeof name === "string" && isHostname(name))) return [];
    return [finding("name", name, HOSTNAME_ALLOWED)];
  }),
  // The type is looked up at create (resourceServerCreate); one Hetzner does not sell, or not in the
  // location, is refused. What is sold where is the project's catalogue (infra/plans/hetzner.ts).
  rule(S, "serverType", `${SERVER}#L307-L318`, ({ serverType, location: where }) => {
    if (!isSet(serverType)) return [finding("serverType", serverType, "required: a Hetzner server type")];
    if (!readable(serverType)) return [];
    const known = typeof serverType === "string" ? hetznerServerType(serverType) : undefined;
    if (!known)
      return [finding("serverType", serverType, "a server type Hetzner sells (infra/plans/hetzner.ts)")];
    if (
      readable(where) &&
      typeof where === "string" &&
      !(known.locations as readonly string[]).includes(where)
    )
      return [
        finding(
          "serverType",
          serverType,
          `a server type sold in ${where}: it is sold in ${known.locations.join(", ")}`,
        ),
      ];
    return [];
  }),
  // Optional in the schema only because the API can return servers without an image; creating needs one.
  rule(S, "image", `${SERVER_DOC}#L164`, ({ image }) => {
    if (!isSet(image)) return [finding("image", image, "required: the name or ID of an image")];
    if (!readable(image) || (typeof image === "string" && image.length > 0)) return [];
    return [finding("image", image, "a non-empty image name or ID")];
  }),
  rule(S, "location", `${SERVER_DOC}#L165`, ({ location: where }) => location("location", where)),
  rule(S, "datacenter", `${SERVER}#L73-L86`, ({ datacenter }) =>
    isSet(datacenter)
      ? [finding("datacenter", datacenter, "not set: removed from the API; use location")]
      : [],
  ),
  rule(S, "userData", `${SERVER_DOC}#L167`, ({ userData }) => {
    if (!readable(userData) || typeof userData !== "string") return [];
    const bytes = Buffer.byteLength(userData, "utf8");
    return bytes > 32 * 1024 ? [finding("userData", `(${bytes} bytes)`, "at most 32 KiB (32768 bytes)")] : [];
  }),
  rule(S, "sshKeys", `${SERVER}#L101-L114`, ({ sshKeys }) => {
    if (!readable(sshKeys) || !Array.isArray(sshKeys)) return [];
    return sshKeys.flatMap((key: unknown, i) =>
      readable(key) && (typeof key !== "string" || key.length === 0)
        ? [finding(`sshKeys[${i}]`, key, "an SSH key ID or name of at least 1 character")]
        : [],
    );
  }),
  // The API's change_protection action: "currently delete and rebuild attribute needs to have the same
  // value". The provider sends both together (setProtection) and does not check; both default to false.
  rule(S, "deleteProtection", `${SERVER_DOC}#L184-L185`, ({ deleteProtection, rebuildProtection }) => {
    if (!isKnown(deleteProtection) || !isKnown(rebuildProtection)) return [];
    const del = deleteProtection === true;
    const rebuild = rebuildProtection ?? false;
    return rebuild === del
      ? []
      : [finding("rebuildProtection", rebuild, `the same as deleteProtection (${del})`)];
  }),
  ...labelRules(S),
];

// ---------------------------------------------------------------------------------------------------------
// Primary IP

const P = HCLOUD_TYPES.primaryIp;
const PRIMARY_IP = `${TF}/internal/primaryip/resource.go`;

const primaryIpRules: ProviderRule[] = [
  rule(P, "name", `${PRIMARY_IP}#L81-L84`, ({ name }) => nonEmptyName("name", name)),
  // The API's ip_type enum; the provider passes the value through.
  rule(P, "type", `${PRIMARY_IP}#L85-L91`, ({ type }) => requiredOneOf("type", type, ["ipv4", "ipv6"])),
  // The API's assignee_type enum has one value.
  rule(P, "assigneeType", `${PRIMARY_IP}#L113-L117`, ({ assigneeType }) =>
    oneOf("assigneeType", assigneeType, ["server"]),
  ),
  rule(P, "assigneeId", `${PRIMARY_IP}#L157-L185`, ({ assigneeId, assigneeType }) =>
    isSet(assigneeId) && !isSet(assigneeType)
      ? [finding("assigneeType", assigneeType, "set together with assigneeId: server")]
      : [],
  ),
  rule(P, "location", `${PRIMARY_IP}#L148-L155`, ({ location: where, assigneeId }) => {
    if (isSet(where) && isSet(assigneeId))
      return [finding("location", where, "exactly one of location and assigneeId: leave location out")];
    if (!isSet(where) && !isSet(assigneeId))
      return [finding("location", where, "exactly one of location and assigneeId: one is required")];
    return location("location", where);
  }),
  rule(P, "datacenter", `${PRIMARY_IP}#L101-L107`, ({ datacenter }) =>
    isSet(datacenter)
      ? [finding("datacenter", datacenter, "not set: removed from the API; use location")]
      : [],
  ),
  ...labelRules(P),
];

// ---------------------------------------------------------------------------------------------------------
// Firewall

const F = HCLOUD_TYPES.firewall;
const FIREWALL = `${TF}/internal/firewall/resource.go`;
const FIREWALL_API = `${CLOUD_API}#firewalls-create-a-firewall`;
const FIREWALL_PROTOCOLS = ["tcp", "udp", "icmp", "esp", "gre"];
const PORT_PROTOCOLS = ["tcp", "udp"];

export const PORT_ALLOWED = 'a port 1-65535 ("80"), a range low-high ("80-85") or "any"';

export function isFirewallPort(port: string): boolean {
  if (port === "any") return true;
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(port);
  if (!match) return false;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : Number(match[2]);
  return low >= 1 && high <= 65535 && low <= high;
}

/** Each readable rule object with its index; unreadable rules are skipped. */
function eachRule(rules: unknown): [Inputs, number][] {
  if (!readable(rules) || !Array.isArray(rules)) return [];
  return rules.flatMap((item: unknown, i): [Inputs, number][] =>
    readable(item) && typeof item === "object" ? [[item as Inputs, i]] : [],
  );
}

function addressList(path: string, value: unknown): RuleFinding[] {
  if (!readable(value) || !Array.isArray(value)) return [];
  const found: RuleFinding[] = [];
  if (value.length > 100) found.push(finding(path, `(${value.length} entries)`, "at most 100 CIDR blocks"));
  value.forEach((entry: unknown, j) => {
    if (readable(entry) && (typeof entry !== "string" || !isFirewallCidr(entry)))
      found.push(
        finding(
          `${path}[${j}]`,
          entry,
          'an IPv4 or IPv6 address or CIDR block with no host bits set ("10.0.1.0/24", "2001:db8::/32", "203.0.113.7")',
        ),
      );
  });
  return found;
}

const isEmptyList = (value: unknown) => !isSet(value) || (Array.isArray(value) && value.length === 0);

const firewallRules: ProviderRule[] = [
  rule(F, "name", `${FIREWALL_API}`, ({ name }) => {
    if (!readable(name) || (typeof name === "string" && name.length >= 1 && name.length <= 128)) return [];
    return [finding("name", name, "1 to 128 characters")];
  }),
  rule(F, "rules", FIREWALL_API, ({ rules }) =>
    readable(rules) && Array.isArray(rules) && rules.length > 50
      ? [finding("rules", `(${rules.length} rules)`, "at most 50 rules per firewall")]
      : [],
  ),
  rule(F, "rules", `${FIREWALL}#L79-L92`, ({ rules }) =>
    eachRule(rules).flatMap(([r, i]) => requiredOneOf(`rules[${i}].direction`, r.direction, ["in", "out"])),
  ),
  rule(F, "rules", `${FIREWALL}#L93-L109`, ({ rules }) =>
    eachRule(rules).flatMap(([r, i]) =>
      requiredOneOf(`rules[${i}].protocol`, r.protocol, FIREWALL_PROTOCOLS),
    ),
  ),
  // Port: required for tcp and udp, refused for the others (API; the hcloud CLI checks the same), in the
  // forms the provider documents.
  rule(F, "rules", `${TF}/docs/resources/firewall.md#L55-L56`, ({ rules }) =>
    eachRule(rules).flatMap(([r, i]): RuleFinding[] => {
      const at = `rules[${i}].port`;
      // An unknown protocol is the protocol rule's finding, not this one's.
      if (typeof r.protocol !== "string" || !FIREWALL_PROTOCOLS.includes(r.protocol)) return [];
      if (!PORT_PROTOCOLS.includes(r.protocol))
        return isSet(r.port)
          ? [finding(at, r.port, `not set for protocol ${r.protocol}: ports apply to tcp and udp only`)]
          : [];
      if (!isSet(r.port))
        return [finding(at, r.port, `required for protocol ${r.protocol}: ${PORT_ALLOWED}`)];
      if (!readable(r.port) || (typeof r.port === "string" && isFirewallPort(r.port))) return [];
      return [finding(at, r.port, PORT_ALLOWED)];
    }),
  ),
  // Source addresses go with "in", destination addresses with "out" (API: "The direction must be set to
  // in/out"; the provider documents each as required for its direction).
  rule(F, "rules", `${TF}/docs/resources/firewall.md#L57-L60`, ({ rules }) =>
    eachRule(rules).flatMap(([r, i]): RuleFinding[] => {
      const at = `rules[${i}]`;
      if (r.direction === "in") {
        if (isEmptyList(r.sourceIps))
          return [
            finding(`${at}.sourceIps`, r.sourceIps, 'required for direction "in": at least one CIDR block'),
          ];
        if (!isEmptyList(r.destinationIps))
          return [
            finding(`${at}.destinationIps`, r.destinationIps, 'not set for direction "in": use sourceIps'),
          ];
      }
      if (r.direction === "out") {
        if (isEmptyList(r.destinationIps))
          return [
            finding(
              `${at}.destinationIps`,
              r.destinationIps,
              'required for direction "out": at least one CIDR block',
            ),
          ];
        if (!isEmptyList(r.sourceIps))
          return [finding(`${at}.sourceIps`, r.sourceIps, 'not set for direction "out": use destinationIps')];
      }
      return [];
    }),
  ),
  rule(F, "rules", `${TF}/internal/firewall/validation.go#L18-L68`, ({ rules }) =>
    eachRule(rules).flatMap(([r, i]) => [
      ...addressList(`rules[${i}].sourceIps`, r.sourceIps),
      ...addressList(`rules[${i}].destinationIps`, r.destinationIps),
    ]),
  ),
  // A rule's description: the provider takes any string; a length limit is not documented in the sources
  // read (docs.hetzner.cloud, the provider, hcloud-go, the hcloud CLI), so none is enforced here.
  rule(F, "rules", `${FIREWALL}#L132-L135`, ({ rules }) =>
    eachRule(rules).flatMap(([r, i]) =>
      readable(r.description) && typeof r.description !== "string"
        ? [finding(`rules[${i}].description`, r.description, "a string")]
        : [],
    ),
  ),
  ...labelRules(F),
];

// ---------------------------------------------------------------------------------------------------------
// Volume and attachment

const V = HCLOUD_TYPES.volume;
const VOLUME = `${TF}/internal/volume/resource.go`;
const VOLUME_DOC = `${TF}/docs/resources/volume.md`;

const volumeRules: ProviderRule[] = [
  rule(V, "name", `${VOLUME}#L34-L37`, ({ name }) => nonEmptyName("name", name)),
  // "Size of the Volume in GB", 10 to 10240 (API, create a volume); whole GB.
  rule(V, "size", `${CLOUD_API}#volumes-create-a-volume`, ({ size }) => {
    const allowed = `a whole number of GB from ${HETZNER_VOLUME_MIN_GB} to ${HETZNER_VOLUME_MAX_GB}`;
    if (!isSet(size)) return [finding("size", size, `required: ${allowed}`)];
    if (
      !readable(size) ||
      (isInteger(size) && size >= HETZNER_VOLUME_MIN_GB && size <= HETZNER_VOLUME_MAX_GB)
    )
      return [];
    return [finding("size", size, allowed)];
  }),
  rule(V, "format", `${VOLUME_DOC}#L37`, ({ format }) => oneOf("format", format, ["xfs", "ext4"])),
  rule(V, "location", `${VOLUME_DOC}#L34-L35`, ({ location: where, serverId }) => {
    if (isSet(where) && isSet(serverId))
      return [finding("location", where, "exactly one of location and serverId: leave location out")];
    if (!isSet(where) && !isSet(serverId))
      return [finding("location", where, "exactly one of location and serverId: one is required")];
    return location("location", where);
  }),
  rule(V, "automount", `${VOLUME_DOC}#L36`, ({ automount, serverId }) =>
    automount === true && !isSet(serverId)
      ? [finding("automount", automount, "true only together with serverId (otherwise false or left out)")]
      : [],
  ),
  ...labelRules(V),
];

const A = HCLOUD_TYPES.volumeAttachment;
const ATTACHMENT = `${TF}/internal/volume/resource_attachment.go#L31-L46`;

const volumeAttachmentRules: ProviderRule[] = [
  rule(A, "serverId", ATTACHMENT, ({ serverId }) => requiredId("serverId", serverId)),
  rule(A, "volumeId", ATTACHMENT, ({ volumeId }) => requiredId("volumeId", volumeId)),
];

// ---------------------------------------------------------------------------------------------------------
// Storage Box and sub-account

const B = HCLOUD_TYPES.storageBox;
const STORAGE_BOX = `${TF}/internal/storagebox/resource.go`;
const PASSWORD_POLICY = `${HETZNER_API}#storage-boxes-password-policy`;

/**
 * Storage Box types on sale. Not confirmed from a stored source beyond bx11, bx21 and bx31 (the provider's
 * and hcloud-go's tests); bx41 is Hetzner's fourth current plan (hetzner.com/storage/storage-box). The
 * API's list is GET /storage_box_types. Update here when Hetzner changes its plans.
 */
export const STORAGE_BOX_TYPES = ["bx11", "bx21", "bx31", "bx41"] as const;

const STORAGE_BOX_SETTINGS = [
  "reachableExternally",
  "sambaEnabled",
  "sshEnabled",
  "webdavEnabled",
  "zfsEnabled",
];
const SUBACCOUNT_SETTINGS = [
  "reachableExternally",
  "readonly",
  "sambaEnabled",
  "sshEnabled",
  "webdavEnabled",
];

const storageBoxRules: ProviderRule[] = [
  rule(B, "name", `${STORAGE_BOX}#L86-L89`, ({ name }) => nonEmptyName("name", name)),
  rule(B, "storageBoxType", `${STORAGE_BOX}#L97-L100`, ({ storageBoxType }) =>
    requiredOneOf("storageBoxType", storageBoxType, STORAGE_BOX_TYPES),
  ),
  // Which Hetzner locations sell Storage Boxes is not confirmed here (the provider's examples and tests
  // use fsn1 and hel1); only that the value is a Hetzner location.
  rule(B, "location", `${STORAGE_BOX}#L101-L107`, ({ location: where }) =>
    isSet(where)
      ? location("location", where)
      : [finding("location", where, `required: one of ${HETZNER_LOCATION_NAMES.join(", ")}`)],
  ),
  rule(B, "password", PASSWORD_POLICY, ({ password }) => storageBoxPassword("password", password)),
  rule(B, "accessSettings", `${STORAGE_BOX}#L124-L161`, (inputs) =>
    accessSettings(inputs.accessSettings, STORAGE_BOX_SETTINGS),
  ),
  ...labelRules(B),
];

const U = HCLOUD_TYPES.storageBoxSubaccount;
const SUBACCOUNT = `${TF}/internal/storageboxsubaccount/resource.go`;

export const HOME_DIRECTORY_ALLOWED = 'a relative path: not empty, not starting with "/"';

const storageBoxSubaccountRules: ProviderRule[] = [
  rule(U, "storageBoxId", `${SUBACCOUNT}#L80-L87`, ({ storageBoxId }) =>
    requiredId("storageBoxId", storageBoxId),
  ),
  rule(U, "homeDirectory", `${SUBACCOUNT}#L113-L116`, ({ homeDirectory }) => {
    if (!isSet(homeDirectory))
      return [finding("homeDirectory", homeDirectory, `required: ${HOME_DIRECTORY_ALLOWED}`)];
    if (!readable(homeDirectory)) return [];
    if (typeof homeDirectory === "string" && homeDirectory.length > 0 && !homeDirectory.startsWith("/"))
      return [];
    return [finding("homeDirectory", homeDirectory, HOME_DIRECTORY_ALLOWED)];
  }),
  rule(U, "password", PASSWORD_POLICY, ({ password }) => storageBoxPassword("password", password)),
  rule(U, "accessSettings", `${SUBACCOUNT}#L129-L166`, (inputs) =>
    accessSettings(inputs.accessSettings, SUBACCOUNT_SETTINGS),
  ),
  ...labelRules(U),
];

export const HCLOUD_RULES: ProviderRule[] = [
  ...serverRules,
  ...primaryIpRules,
  ...firewallRules,
  ...volumeRules,
  ...volumeAttachmentRules,
  ...storageBoxRules,
  ...storageBoxSubaccountRules,
];

// ---------------------------------------------------------------------------------------------------------
// Change behaviour

/**
 * What a change of each input does, from the same provider files: ForceNew (SDK resources) or
 * RequiresReplace (framework resources) replace the resource; the notes are in-place changes with a
 * consequence.
 *
 * The program's ignoreChanges (components/host-server.ts SERVER_REPLACING_FIELDS) is set on the Server
 * only and lists exactly the Server's four replace-forcing fields (userData, sshKeys, image, location):
 * for the Server none of them ever reaches the provider, so none ever replaces it, and a change of them in
 * tenants.yaml (for example a host's location) is silently not applied. No other type here has
 * ignoreChanges, so nothing else is hidden.
 */
export const HCLOUD_CHANGES: Record<string, ChangeBehaviour> = {
  [S]: {
    replaceOn: ["image", "location", "userData", "sshKeys"],
    notes: {
      serverType:
        "Powers the server off (a hard power-off, not a shutdown), changes the type, and Hetzner copies the disk and starts it again. Unless keepDisk is true (the program does not set it) the disk is upgraded to the new type's size, after which the type can never be downgraded.",
      publicNets:
        "Changing the primary IPs powers the server off, unassigns and assigns the addresses, then powers it on again.",
      placementGroupId: "Removing a running server from a placement group is refused: it must be off first.",
      rescue: "Enabling or disabling the rescue system resets (reboots) the server.",
      firewallIds: "Applied in place: firewalls not listed are detached from the server, new ones attached.",
    },
    source: `${SERVER}#L54-L114`,
  },
  [P]: {
    replaceOn: ["type", "location"],
    notes: {
      assigneeId:
        "Unassigns the address from its current server, then assigns it to the new one: the address is unreachable in between.",
    },
    source: `${PRIMARY_IP}#L85-L100`,
  },
  [F]: {
    replaceOn: [],
    notes: {
      rules:
        "The whole rule set is replaced at once (set_rules): traffic not matched by the new rules is dropped as soon as it applies.",
    },
    source: `${FIREWALL}#L33-L139`,
  },
  [V]: {
    replaceOn: ["location"],
    notes: {
      size: "Resized in place, and only up: the API refuses to shrink a volume. The filesystem inside is not grown; that is up to the host.",
      format:
        "Only used when the volume is created: a later change is recorded but does nothing to the volume.",
      serverId: "Detaches the volume from its server, then attaches it to the new one.",
    },
    source: `${VOLUME}#L42-L47`,
  },
  [A]: {
    replaceOn: ["volumeId", "serverId"],
    notes: {
      automount: "The resource has no update: automount only takes effect when the volume is attached.",
    },
    source: ATTACHMENT,
  },
  [B]: {
    replaceOn: ["location", "sshKeys"],
    notes: {
      storageBoxType: "Changed in place (change_type): the box's size and price change with the plan.",
      password:
        "Resets the main account's password in place: anything that logs in with the old one stops working.",
    },
    source: `${STORAGE_BOX}#L101-L123`,
  },
  [U]: {
    replaceOn: ["storageBoxId"],
    notes: {
      homeDirectory:
        "Points the sub-account at another directory in place (change_home_directory); files under the old one are not reachable through this account any more.",
      password:
        "Resets the sub-account's password in place: the host's restic credentials must change with it.",
    },
    source: `${SUBACCOUNT}#L80-L87`,
  },
};
