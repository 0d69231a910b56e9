/**
 * A stack's settings as the Pulumi CLI hands them to the program: the `config:` defaults of Pulumi.yaml
 * merged with `Pulumi.<stack>.yaml`, checked the way the CLI checks them (pulumi/pulumi
 * pkg/workspace/config.go, mergeConfig and validateStackConfigValue): a declared key with no default
 * that the stack does not set is missing, a `secret: true` key must be encrypted, and a typed key must
 * have a value of its type.
 *
 * The offline preview and the launch-path test read the settings through here, so that the firewall
 * rules, keys and options they see are the ones a deploy would use. What a clean checkout cannot have
 * (secrets, which only exist encrypted or in a real stack, and account ids) is filled with stand-ins,
 * and each one is listed in `standIns`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

export interface ProjectFile {
  name: string;
  main: string;
  runtime: { name: string; options: { typescript?: boolean; nodeargs?: string; tsconfig?: string } };
  config: Record<string, ProjectConfigType>;
}

interface ProjectConfigType {
  type?: "string" | "integer" | "boolean" | "array";
  items?: { type: string };
  secret?: boolean;
  default?: unknown;
  value?: unknown;
}

export interface StackSettings {
  project: string;
  stack: string;
  /** `namespace:key` → the value as the CLI passes it (objects and arrays as JSON). */
  config: Record<string, string>;
  /** Keys whose values are secret (PULUMI_CONFIG_SECRET_KEYS). */
  secretKeys: string[];
  /** Keys a clean checkout lacks, filled with the stand-ins below. */
  standIns: string[];
}

/**
 * Values only a real stack has. Ids in the clearly fake range, and a secret that says what it is. A
 * stack file that holds one of these keys in ciphertext (`secure:`) also gets the stand-in, because only
 * the stack's secrets provider can decrypt it.
 */
export const STAND_INS: Readonly<Record<string, StandIn>> = {
  "tenancy:cloudflareZoneId": { value: "0ff11e00000000000000000000000000", secret: false },
  "tenancy:cloudflareAccountId": { value: "0ff11e00000000000000000000000000", secret: false },
  "tenancy:backupPassword": {
    value: "offline-preview-not-a-real-password",
    secret: true,
    stacks: ["shared", "dedicated"],
  },
  // An all-zero ed25519 key: well-formed, and no server has it.
  "tenancy:storageBoxHostKeys": {
    value: JSON.stringify([
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ]),
    secret: false,
    stacks: ["shared", "dedicated"],
  },
  "tenancy:backupBucketKeys": {
    // The countries whose buckets the committed stacks name: the US (dedicated), Germany (kubernetes).
    value: [
      "US=offline-preview-key-id:offline-preview-not-a-real-secret",
      "DE=offline-preview-key-id:offline-preview-not-a-real-secret",
    ].join(" "),
    secret: true,
  },
  // A cluster at loopback with no credential: the offline preview never connects to it.
  "tenancy:kubeconfig": {
    value: [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: offline, cluster: {server: 'https://127.0.0.1:6443'}}]",
      "users: [{name: offline, user: {}}]",
      "contexts: [{name: offline, context: {cluster: offline, user: offline}}]",
      "current-context: offline",
    ].join("\n"),
    secret: true,
    stacks: ["kubernetes"],
  },
};

interface StandIn {
  value: string;
  secret: boolean;
  /**
   * A setting Pulumi.yaml defaults because only some tiers use it: the stacks that need it get the
   * stand-in in place of the default; others get the default.
   */
  stacks?: readonly string[];
}

export class StackConfigError extends Error {}

export function readProject(root: string): ProjectFile {
  return parse(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** The settings of `stack` as `pulumi preview -s <stack>` in `root` would give them to the program. */
export function readStackSettings(root: string, stack: string): StackSettings {
  const project = readProject(root);
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new StackConfigError(`${file} does not exist: the stack "${stack}" has no settings`);
  }
  const stackConfig = (parse(text) as { config?: Record<string, unknown> } | null)?.config ?? {};
  const config: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const standIns: string[] = [];
  const useStandIn = (key: string): boolean => {
    const standIn = STAND_INS[key];
    if (!standIn) return false;
    config[key] = standIn.value;
    if (standIn.secret) secretKeys.add(key);
    standIns.push(key);
    return true;
  };

  for (const [key, value] of Object.entries(stackConfig)) {
    if (isSecure(value)) {
      secretKeys.add(key);
      if (!useStandIn(key)) config[key] = "[secret: only the stack's secrets provider can decrypt it]";
      continue;
    }
    config[key] = configString(value);
  }

  const missing: string[] = [];
  for (const [name, declared] of Object.entries(project.config ?? {})) {
    const key = name.includes(":") ? name : `${project.name}:${name}`;
    const given = Object.hasOwn(stackConfig, key);
    if (!given) {
      if (STAND_INS[key]?.stacks?.includes(stack) && useStandIn(key)) continue;
      const fallback = declared.value ?? declared.default;
      if (fallback !== undefined) config[key] = configString(fallback);
      else if (!useStandIn(key) && key.startsWith(`${project.name}:`)) missing.push(name);
      continue;
    }
    const value = stackConfig[key];
    if (declared.secret && !isSecure(value)) {
      throw new StackConfigError(
        `${file}: ${key} must be encrypted as it's secret (set it with \`pulumi config set --secret ${key}\`)`,
      );
    }
    if (declared.secret) secretKeys.add(key);
    if (!isSecure(value) && declared.type && !hasType(value, declared)) {
      throw new StackConfigError(`${file}: ${key} must be of type '${typeName(declared)}'`);
    }
  }
  if (missing.length > 0) {
    throw new StackConfigError(
      `Stack '${stack}' is missing configuration ${missing.length === 1 ? "value" : "values"} ` +
        `${missing.map((k) => `'${k}'`).join(", ")} (set in ${path.basename(file)})`,
    );
  }
  return { project: project.name, stack, config, secretKeys: [...secretKeys].sort(), standIns };
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** As the CLI passes a value: primitives as their text, anything else as JSON. */
function configString(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : JSON.stringify(value);
}

function hasType(value: unknown, declared: ProjectConfigType): boolean {
  const is = (type: string | undefined, v: unknown) =>
    type === "string"
      ? typeof v === "string"
      : type === "integer"
        ? Number.isInteger(v)
        : type === "boolean"
          ? typeof v === "boolean"
          : true;
  if (declared.type === "array")
    return Array.isArray(value) && value.every((item) => is(declared.items?.type, item));
  return is(declared.type, value);
}

function typeName(declared: ProjectConfigType): string {
  return declared.type === "array" ? `List<${declared.items?.type ?? "any"}>` : (declared.type ?? "any");
}
