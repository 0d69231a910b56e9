/**
 * Kubernetes' own rules for the objects the containerized tier renders, checked offline: every object is
 * validated against the real API schema of its apiVersion/kind (Kubernetes release-1.36 and the
 * CloudNativePG 1.30 CRDs, committed as data under kubernetes-schemas/ with their sources), with unknown
 * fields refused, plus the name and label syntax the API server enforces in code rather than in the schema.
 * And how pulumi-kubernetes carries out a change of each input (replace or in place).
 *
 * Inputs are recorded as the Pulumi SDK sends them (apiVersion and kind included); "[secret]" and
 * "[unknown]" values cannot be checked at preview time, so nothing at or under one is a finding.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { default as AjvClass, ErrorObject, ValidateFunction } from "ajv";
import { REPO_ROOT } from "../../root";
import { isKnown, type ChangeBehaviour, type ProviderRule, type RuleFinding } from "./rule";

/** One way an object breaks the API's rules: path into the object, the value, and what is allowed. */
export type SchemaFinding = RuleFinding;

const SCHEMA_DIR = path.join(REPO_ROOT, "infra", "preview", "rules", "kubernetes-schemas");
const K8S_SOURCE =
  "https://github.com/kubernetes-client/python/blob/024658493d124f046fc0a9827a2a3165cf2aee28/kubernetes/swagger.json.unprocessed";
const CNPG_SOURCE = "https://github.com/cloudnative-pg/cloudnative-pg/tree/v1.30.0/config/crd/bases";
const APIMACHINERY =
  "https://github.com/kubernetes/apimachinery/blob/eed236ceee2c19c2753a3d93ac0631dc20750454";
const NAME_SOURCE = `${APIMACHINERY}/pkg/util/validation/validation.go#L155-L240`;
const LABEL_SOURCE = `${APIMACHINERY}/pkg/api/validate/content/kube.go#L24-L95`;
const CNPG_NAME_SOURCE =
  "https://github.com/cloudnative-pg/cloudnative-pg/blob/v1.30.0/internal/webhook/v1/cluster_webhook.go#L1839-L1856";
const PULUMI_K8S_DIFF =
  "https://github.com/pulumi/pulumi-kubernetes/blob/94977969d64112b04e19945818a7d5d5f38f631d/provider/pkg/provider/diff.go";

/** The Pulumi type token, `kubernetes:<apiVersion>:<kind>`, and the committed schema it is checked against. */
interface KindSchema {
  apiVersion: string;
  kind: string;
  /** `$ref` into the schemas added to ajv. */
  ref: string;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
/** Kubernetes' own quantity syntax (the CRDs carry the same pattern; the swagger says only `string`). */
const QUANTITY_PATTERN =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

/**
 * The strict pass. Upstream schemas let unknown fields through (the API server drops them, or warns):
 * here every object schema that lists `properties` and says nothing of `additionalProperties` refuses
 * them, unless it is marked `x-kubernetes-preserve-unknown-fields`, which must stay open. The Kubernetes
 * extensions become plain JSON Schema: int-or-string (swagger `format: int-or-string`, CRD
 * `x-kubernetes-int-or-string`) is an integer or a string, `nullable` admits null; the other `x-` keys
 * (list types, CEL `x-kubernetes-validations`, …) are dropped: they are not checked here.
 */
export function harden(node: Json): Json {
  if (Array.isArray(node)) return node.map(harden);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-kubernetes-") || key === "nullable") continue;
    if (key === "properties" || key === "definitions") {
      out[key] = isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, harden(inner)]))
        : value;
    } else if (["items", "additionalProperties", "not", "anyOf", "allOf", "oneOf"].includes(key)) {
      out[key] = harden(value);
    } else {
      out[key] = value; // enum, required, pattern, default, … are data, not schemas
    }
  }
  if (node.format === "int-or-string" || node["x-kubernetes-int-or-string"] === true) {
    delete out.format;
    delete out.anyOf; // the CRDs spell it `anyOf: [{type: integer}, {type: string}]`
    out.type = ["integer", "string"];
  }
  if (node.nullable === true && out.type !== undefined)
    out.type = [...(Array.isArray(out.type) ? out.type : [out.type]), "null"];
  if (
    isObject(out.properties) &&
    out.additionalProperties === undefined &&
    node["x-kubernetes-preserve-unknown-fields"] !== true
  )
    out.additionalProperties = false;
  return out;
}

interface Compiled {
  ajv: AjvClass;
  kinds: Map<string, KindSchema>;
  validators: Map<string, ValidateFunction>;
}
let compiled: Compiled | undefined;

const gvkKey = (apiVersion: string, kind: string) => `${apiVersion}:${kind}`;

/** Reads the committed schemas into one ajv, once; each kind's validator is compiled on its first use. */
function schemas(): Compiled {
  if (compiled) return compiled;
  const k8s = JSON.parse(readFileSync(path.join(SCHEMA_DIR, "kubernetes.json"), "utf8")) as {
    definitions: Record<string, JsonObject>;
  };
  const cnpg = JSON.parse(readFileSync(path.join(SCHEMA_DIR, "cnpg.json"), "utf8")) as {
    crds: Record<string, { group: string; version: string; kind: string; schema: JsonObject }>;
  };
  const kinds = new Map<string, KindSchema>();
  for (const [name, definition] of Object.entries(k8s.definitions)) {
    const gvks = definition["x-kubernetes-group-version-kind"];
    for (const gvk of Array.isArray(gvks) ? gvks : []) {
      if (!isObject(gvk)) continue;
      const { group, version, kind } = gvk as { group: string; version: string; kind: string };
      const apiVersion = group ? `${group}/${version}` : version;
      kinds.set(gvkKey(apiVersion, kind), { apiVersion, kind, ref: `kubernetes#/definitions/${name}` });
    }
  }
  const definitions: JsonObject = Object.fromEntries(
    Object.entries(k8s.definitions).map(([name, definition]) => [name, harden(definition)]),
  );
  // A quantity is a string in Kubernetes' syntax or a plain number (resource.Quantity's UnmarshalJSON).
  definitions[QUANTITY] = { type: ["string", "number"], pattern: QUANTITY_PATTERN };
  // Loaded on first use: every tenancy command imports the rules, few check Kubernetes objects (~50 ms).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require("ajv") as { default: typeof AjvClass }).default;
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
    logger: false,
    // Unoptimised code compiles in about half the time and validates a few objects as fast (measured).
    code: { optimize: false },
  });
  const integerIn = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max;
  ajv.addFormat("int32", { type: "number", validate: integerIn(-(2 ** 31), 2 ** 31 - 1) });
  ajv.addFormat("int64", {
    type: "number",
    validate: integerIn(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  });
  ajv.addFormat("double", { type: "number", validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
  ajv.addSchema({ $id: "kubernetes", definitions });
  for (const crd of Object.values(cnpg.crds)) {
    const apiVersion = `${crd.group}/${crd.version}`;
    const id = `crd-${crd.group}-${crd.kind}`;
    const schema = harden(crd.schema) as JsonObject;
    // The CRD says only `metadata: {type: object}`; the API server decodes it as an ObjectMeta.
    if (isObject(schema.properties))
      schema.properties.metadata = { $ref: `kubernetes#/definitions/${OBJECT_META}` };
    ajv.addSchema({ $id: id, ...schema });
    kinds.set(gvkKey(apiVersion, crd.kind), { apiVersion, kind: crd.kind, ref: id });
  }
  compiled = { ajv, kinds, validators: new Map() };
  return compiled;
}

/** The apiVersion/kind pairs with a committed schema, e.g. `apps/v1 Deployment`. */
export function kubernetesKinds(): string[] {
  return [...schemas().kinds.values()].map((k) => `${k.apiVersion} ${k.kind}`).sort();
}

// ---------------------------------------------------------------------------------------------------------
// Paths and values

/** `spec.template.spec.containers[0]`, `metadata.labels["app.kubernetes.io/name"]`. */
function formatPath(segments: readonly string[], root: unknown): string {
  let out = "";
  let node: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return out;
}

const pointerSegments = (pointer: string) =>
  pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));

/**
 * The object as the API server would read it: a null field is an absent one (Go's JSON decoding; CRD
 * pruning drops nulls of non-nullable fields before validation). Also the JSON pointers of every
 * "[secret]"/"[unknown]" marker, whose subtrees are not checked.
 */
function prepare(value: unknown, pointer: string, markers: Set<string>): unknown {
  if (!isKnown(value)) {
    markers.add(pointer);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, i) => prepare(item, `${pointer}/${i}`, markers));
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== null && inner !== undefined)
        .map(([key, inner]) => [
          key,
          prepare(inner, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, markers),
        ]),
    );
  return value;
}

/** Whether the value at the pointer is a marker or lies under one. */
const atMarker = (pointer: string, markers: ReadonlySet<string>) =>
  [...markers].some((m) => pointer === m || pointer.startsWith(`${m}/`));
/** Whether a marker lies at or below the pointer: an alternative there cannot be decided. */
const holdsMarker = (pointer: string, markers: ReadonlySet<string>) =>
  [...markers].some((m) => m === pointer || m.startsWith(`${pointer}/`));
const ALTERNATIVES = ["anyOf", "oneOf", "not", "if"];

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(",");
  if (types.includes("integer") && types.includes("string") && types.length === 2)
    return "an integer or a string (int-or-string)";
  if (types.includes("number") && types.includes("string") && types.length === 2)
    return "a quantity: a number or a string such as 250m, 512Mi or 1.5Gi";
  return types.map(article).join(" or ");
}

function allowedText(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type":
      return typeWords(params.type);
    case "enum":
      return `one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "pattern":
      return error.schema === QUANTITY_PATTERN
        ? "a quantity such as 250m, 512Mi, 2 or 1.5Gi"
        : `a string matching ${String(params.pattern)}`;
    case "format":
      return `${article(String(params.format))} value`;
    case "minimum":
    case "exclusiveMinimum":
    case "maximum":
    case "exclusiveMaximum":
      return `a number ${String(params.comparison)} ${String(params.limit)}`;
    case "minLength":
      return `at least ${String(params.limit)} characters`;
    case "maxLength":
      return `at most ${String(params.limit)} characters`;
    case "minItems":
      return `at least ${String(params.limit)} items`;
    case "maxItems":
      return `at most ${String(params.limit)} items`;
    case "anyOf":
    case "oneOf":
      return `a value of one of the ${Array.isArray(error.schema) ? error.schema.length : ""} shapes the schema allows`;
    default:
      return error.message ?? error.keyword;
  }
}

/** Ajv's errors as findings, without those about secret or unknown values or under a failed alternative. */
function findings(
  errors: readonly ErrorObject[],
  object: unknown,
  markers: ReadonlySet<string>,
): SchemaFinding[] {
  const alternatives = errors
    .filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf")
    .map((e) => `${e.schemaPath}/`);
  const out: SchemaFinding[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (atMarker(error.instancePath, markers)) continue;
    if (ALTERNATIVES.includes(error.keyword) && holdsMarker(error.instancePath, markers)) continue;
    if (alternatives.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const segments = pointerSegments(error.instancePath);
    const params = error.params as Record<string, unknown>;
    let finding: SchemaFinding;
    if (error.keyword === "additionalProperties") {
      const field = String(params.additionalProperty);
      const known = isObject(error.parentSchema?.properties as Json)
        ? Object.keys(error.parentSchema?.properties as JsonObject)
        : [];
      finding = {
        path: formatPath([...segments, field], object),
        value: isObject(error.data) ? error.data[field] : undefined,
        allowed: `no field "${field}" here: the fields are ${known.join(", ")}`,
      };
    } else if (error.keyword === "required") {
      const field = String(params.missingProperty);
      finding = {
        path: formatPath([...segments, field], object),
        value: undefined,
        allowed: `a value: ${field} is required${segments.length ? ` in ${formatPath(segments, object)}` : ""}`,
      };
    } else {
      finding = {
        path: formatPath(segments, object) || "(the object)",
        value: error.data,
        allowed: allowedText(error),
      };
    }
    const key = `${finding.path}\u0000${finding.allowed}`;
    if (!seen.has(key)) out.push(finding);
    seen.add(key);
  }
  return out;
}

/**
 * Checks one object (as the SDK sends it: apiVersion, kind, metadata, spec, …) against the schema of its
 * apiVersion/kind, strictly. A kind without a committed schema is a finding, never passed.
 */
export function validateKubernetesSchema(object: Record<string, unknown>): SchemaFinding[] {
  const { apiVersion, kind } = object;
  if (!isKnown(apiVersion) || !isKnown(kind)) return [];
  const { ajv, kinds, validators } = schemas();
  const key = gvkKey(String(apiVersion), String(kind));
  const schema = kinds.get(key);
  if (!schema)
    return [
      {
        path: "kind",
        value: `${String(apiVersion)} ${String(kind)}`,
        allowed: `a kind with a committed schema (no schema for apiVersion ${String(apiVersion)} kind ${String(kind)}): ${kubernetesKinds().join(", ")}`,
      },
    ];
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ $ref: schema.ref });
    validators.set(key, validate);
  }
  const markers = new Set<string>();
  const prepared = prepare(object, "", markers);
  if (validate(prepared)) return [];
  return findings(validate.errors ?? [], prepared, markers);
}

// ---------------------------------------------------------------------------------------------------------
// Names and labels: enforced by the API server's Go validation, not by the schemas.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

interface NameRule {
  test: RegExp;
  max: number;
  words: string;
}
const LABEL_NAME: NameRule = {
  test: DNS1123_LABEL,
  max: 63,
  words:
    "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
};
const SUBDOMAIN_NAME: NameRule = {
  test: DNS1123_SUBDOMAIN,
  max: 253,
  words:
    "a DNS-1123 subdomain: dot-separated lower-case labels of letters, digits and '-', at most 253 characters",
};
const DNS1035_NAME: NameRule = {
  test: DNS1035_LABEL,
  max: 63,
  words:
    "a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters",
};
/** CloudNativePG's webhook: a DNS-1035 label of at most 50 characters (it derives Service names from it). */
const CNPG_CLUSTER_NAME: NameRule = {
  ...DNS1035_NAME,
  max: 50,
  words: DNS1035_NAME.words.replace("63", "50"),
};

/** metadata.name per kind (pkg/api/validation/generic.go: ValidateNamespaceName = NameIsDNSLabel, …). */
function nameRuleFor(apiVersion: string, kind: string): NameRule {
  if (apiVersion === "v1" && kind === "Namespace") return LABEL_NAME;
  // DNS-1035 (ValidateServiceName). KEP-5311 relaxes it to a DNS-1123 label behind the
  // RelaxedServiceNameValidation gate (beta targeted at 1.36): kept strict, so that a name works on
  // clusters without the gate too (https://github.com/kubernetes/enhancements/issues/5311).
  if (apiVersion === "v1" && kind === "Service") return DNS1035_NAME;
  if (apiVersion === "postgresql.cnpg.io/v1" && kind === "Cluster") return CNPG_CLUSTER_NAME;
  return SUBDOMAIN_NAME;
}

const fits = (rule: NameRule, value: string) => value.length <= rule.max && rule.test.test(value);

function labelKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "at most one '/'";
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && !fits(SUBDOMAIN_NAME, prefix)) return "a prefix that is a DNS-1123 subdomain";
  if (!name || name.length > 63 || !LABEL_KEY_NAME.test(name)) return "a name part of at most 63 characters";
  return undefined;
}
const LABEL_KEY_WORDS =
  "a label key: an optional DNS-1123 subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
const LABEL_VALUE_WORDS =
  "a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

/** Every label map in the object: metadata.labels at any depth (pod templates) and selectors' matchLabels. */
function labelMaps(value: unknown, segments: string[], out: { segments: string[]; labels: JsonObject }[]) {
  if (Array.isArray(value)) value.forEach((item, i) => labelMaps(item, [...segments, String(i)], out));
  if (!isObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    const isLabels = (key === "labels" && segments.at(-1) === "metadata") || key === "matchLabels";
    if (isLabels && isObject(inner)) out.push({ segments: [...segments, key], labels: inner });
    else labelMaps(inner, [...segments, key], out);
  }
}

/** metadata.name and .namespace, annotation keys: the API server's syntax rules. */
export function validateKubernetesNames(object: Record<string, unknown>): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  const metadata = object.metadata;
  if (isObject(metadata)) {
    const rule = nameRuleFor(String(object.apiVersion), String(object.kind));
    const { name, namespace } = metadata;
    if (typeof name === "string" && isKnown(name) && !fits(rule, name))
      out.push({ path: "metadata.name", value: name, allowed: rule.words });
    if (typeof namespace === "string" && isKnown(namespace) && !fits(LABEL_NAME, namespace))
      out.push({ path: "metadata.namespace", value: namespace, allowed: LABEL_NAME.words });
    if (isObject(metadata.annotations))
      for (const key of Object.keys(metadata.annotations))
        if (labelKeyProblem(key.toLowerCase()))
          out.push({
            path: formatPath(["metadata", "annotations", key], object),
            value: key,
            allowed: LABEL_KEY_WORDS.replace("label", "annotation"),
          });
  }
  return out;
}

/** Label keys and values wherever labels are: metadata, pod templates, selectors' matchLabels. */
export function validateKubernetesLabels(object: Record<string, unknown>): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  const maps: { segments: string[]; labels: JsonObject }[] = [];
  labelMaps(object, [], maps);
  for (const { segments, labels } of maps) {
    for (const [key, value] of Object.entries(labels)) {
      const where = formatPath([...segments, key], object);
      if (labelKeyProblem(key)) out.push({ path: where, value: key, allowed: LABEL_KEY_WORDS });
      if (typeof value === "string" && isKnown(value) && (value.length > 63 || !LABEL_VALUE.test(value)))
        out.push({ path: where, value, allowed: LABEL_VALUE_WORDS });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Enumerations: the built-in API's OpenAPI v2 carries none (the values are in the field descriptions and
// enforced by the API server's Go validation); the CRDs carry theirs in the schema.

const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const SECCOMP = ["Localhost", "RuntimeDefault", "Unconfined"];
const POD_CONTAINERS = ["spec.template.spec.containers[*]", "spec.template.spec.initContainers[*]"];
const perContainer = (suffix: string) => POD_CONTAINERS.map((c) => `${c}.${suffix}`);
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"];

/** Per apiVersion/kind: a path (`[*]` for every item) and the values its description names. */
const ENUMS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  "v1:Service": {
    "spec.type": ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
    "spec.ports[*].protocol": PROTOCOLS,
    "spec.sessionAffinity": ["ClientIP", "None"],
    "spec.externalTrafficPolicy": ["Cluster", "Local"],
    "spec.internalTrafficPolicy": ["Cluster", "Local"],
  },
  "v1:LimitRange": { "spec.limits[*].type": ["Container", "Pod", "PersistentVolumeClaim"] },
  "v1:ResourceQuota": {
    "spec.scopes[*]": [
      "Terminating",
      "NotTerminating",
      "BestEffort",
      "NotBestEffort",
      "PriorityClass",
      "CrossNamespacePodAffinity",
      "VolumeAttributesClass",
    ],
  },
  "apps/v1:Deployment": Object.fromEntries([
    ["spec.strategy.type", ["Recreate", "RollingUpdate"]],
    // A Deployment's pods may only restart Always (apps validation of the pod template).
    ["spec.template.spec.restartPolicy", ["Always"]],
    ["spec.template.spec.dnsPolicy", ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]],
    ["spec.template.spec.securityContext.seccompProfile.type", SECCOMP],
    ...perContainer("imagePullPolicy").map((p) => [p, ["Always", "IfNotPresent", "Never"]]),
    ...perContainer("ports[*].protocol").map((p) => [p, PROTOCOLS]),
    ...perContainer("securityContext.seccompProfile.type").map((p) => [p, SECCOMP]),
    ...PROBES.flatMap((probe) => perContainer(`${probe}.httpGet.scheme`)).map((p) => [p, ["HTTP", "HTTPS"]]),
  ]) as Record<string, readonly string[]>,
  "policy/v1:PodDisruptionBudget": { "spec.unhealthyPodEvictionPolicy": ["IfHealthyBudget", "AlwaysAllow"] },
  "autoscaling/v2:HorizontalPodAutoscaler": {
    "spec.metrics[*].type": ["ContainerResource", "External", "Object", "Pods", "Resource"],
    ...Object.fromEntries(
      ["containerResource", "external", "object", "pods", "resource"].map((source) => [
        `spec.metrics[*].${source}.target.type`,
        ["Utilization", "Value", "AverageValue"],
      ]),
    ),
    "spec.behavior.scaleUp.selectPolicy": ["Max", "Min", "Disabled"],
    "spec.behavior.scaleDown.selectPolicy": ["Max", "Min", "Disabled"],
  },
  "networking.k8s.io/v1:NetworkPolicy": {
    "spec.policyTypes[*]": ["Ingress", "Egress"],
    "spec.ingress[*].ports[*].protocol": PROTOCOLS,
    "spec.egress[*].ports[*].protocol": PROTOCOLS,
  },
  "networking.k8s.io/v1:Ingress": {
    "spec.rules[*].http.paths[*].pathType": ["Exact", "Prefix", "ImplementationSpecific"],
  },
};

/** The values at a path pattern, with their concrete paths (`containers[*]` visits every container). */
function valuesAt(root: unknown, pattern: string): { segments: string[]; value: unknown }[] {
  const tokens = pattern
    .split(".")
    .flatMap((part) => (part.endsWith("[*]") ? [part.slice(0, -3), "*"] : [part]));
  let level: { segments: string[]; value: unknown }[] = [{ segments: [], value: root }];
  for (const token of tokens) {
    level = level.flatMap(({ segments, value }) => {
      if (token === "*")
        return Array.isArray(value)
          ? value.map((item: unknown, i) => ({ segments: [...segments, String(i)], value: item }))
          : [];
      return isObject(value) && value[token] !== undefined
        ? [{ segments: [...segments, token], value: value[token] }]
        : [];
    });
  }
  return level;
}

/** The built-in kinds' enumerated fields, which their OpenAPI v2 schema leaves as plain strings. */
export function validateKubernetesEnums(object: Record<string, unknown>): SchemaFinding[] {
  const enums = ENUMS[gvkKey(String(object.apiVersion), String(object.kind))] ?? {};
  return Object.entries(enums).flatMap(([pattern, allowed]) =>
    valuesAt(object, pattern)
      // a non-string is the schema's finding
      .filter(({ value }) => typeof value === "string" && isKnown(value) && !allowed.includes(value))
      .map(({ segments, value }) => ({
        path: formatPath(segments, object),
        value,
        allowed: `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`,
      })),
  );
}

// ---------------------------------------------------------------------------------------------------------
// A ScheduledBackup's schedule. CloudNativePG parses it with robfig/cron v1 (seconds first, the weekday
// optional) and only warns when it has not six fields: a crontab-style "0 2 * * *" is accepted and read
// as second 0, minute 2 of every hour. Refused here, since it never means what its author meant.

const CNPG_SCHEDULE_SOURCE =
  "https://github.com/cloudnative-pg/cloudnative-pg/blob/v1.30.0/internal/webhook/v1/scheduledbackup_webhook.go#L134-L149";

export function validateCnpgSchedule(object: Record<string, unknown>): SchemaFinding[] {
  const spec = object.spec;
  if (!isObject(spec) || typeof spec.schedule !== "string" || !isKnown(spec.schedule)) return [];
  const schedule = spec.schedule.trim();
  if (schedule.startsWith("@") || schedule.split(/\s+/).length === 6) return [];
  return [
    {
      path: "spec.schedule",
      value: spec.schedule,
      allowed:
        'six fields, seconds first ("0 0 2 * * *" is 02:00 every day), or a descriptor such as @daily: CloudNativePG reads five fields as second, minute, hour, day, month',
    },
  ];
}

/** Everything the API server would refuse in one object that can be known offline: schema, enumerations, names, labels. */
export function validateKubernetesObject(object: Record<string, unknown>): SchemaFinding[] {
  return [
    ...validateKubernetesSchema(object),
    ...validateKubernetesEnums(object),
    ...validateKubernetesNames(object),
    ...validateKubernetesLabels(object),
    ...(object.apiVersion === "postgresql.cnpg.io/v1" && object.kind === "ScheduledBackup"
      ? validateCnpgSchedule(object)
      : []),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Provider rules, one pair per type token the ContainerTenant registers

export const KUBERNETES_TYPES = {
  namespace: "kubernetes:core/v1:Namespace",
  resourceQuota: "kubernetes:core/v1:ResourceQuota",
  limitRange: "kubernetes:core/v1:LimitRange",
  secret: "kubernetes:core/v1:Secret",
  service: "kubernetes:core/v1:Service",
  deployment: "kubernetes:apps/v1:Deployment",
  podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  horizontalPodAutoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  cnpgCluster: "kubernetes:postgresql.cnpg.io/v1:Cluster",
  cnpgScheduledBackup: "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup",
  cnpgBackup: "kubernetes:postgresql.cnpg.io/v1:Backup",
} as const;

const isCnpg = (type: string) => type.startsWith("kubernetes:postgresql.cnpg.io/");
/** `kubernetes:core/v1:Service` → `v1:Service` (the core group's apiVersion has no group). */
function gvkOfType(type: string): string {
  const [, apiVersion = "", kind = ""] = type.split(":");
  return gvkKey(apiVersion.replace(/^core\//, ""), kind);
}

export const KUBERNETES_RULES: readonly ProviderRule[] = Object.values(KUBERNETES_TYPES).flatMap(
  (type): ProviderRule[] => [
    {
      type,
      field: "(all inputs)", // the schema covers the whole object: apiVersion, kind, metadata, spec, …
      source: isCnpg(type) ? CNPG_SOURCE : K8S_SOURCE,
      check: (inputs) => validateKubernetesSchema(inputs),
    },
    ...(ENUMS[gvkOfType(type)] === undefined
      ? []
      : [
          {
            type,
            field: "spec",
            source: K8S_SOURCE, // the values are in the fields' descriptions there
            check: (inputs: Record<string, unknown>) => validateKubernetesEnums(inputs),
          },
        ]),
    {
      type,
      field: "metadata",
      source: type === KUBERNETES_TYPES.cnpgCluster ? CNPG_NAME_SOURCE : NAME_SOURCE,
      check: (inputs) => validateKubernetesNames(inputs),
    },
    {
      type,
      field: "metadata",
      source: LABEL_SOURCE,
      check: (inputs) => validateKubernetesLabels(inputs),
    },
    ...(type === KUBERNETES_TYPES.cnpgScheduledBackup
      ? [
          {
            type,
            field: "spec",
            source: CNPG_SCHEDULE_SOURCE,
            check: (inputs: Record<string, unknown>) => validateCnpgSchedule(inputs),
          },
        ]
      : []),
  ],
);

// ---------------------------------------------------------------------------------------------------------
// Changes: pulumi-kubernetes' forceNew table (provider/pkg/provider/diff.go). Every kind is replaced
// when metadata.name or metadata.namespace changes; the table adds per-kind paths. replaceOn holds
// dotted paths here (infra/preview/changes.ts compares them below the top-level input).

const IDENTITY = ["metadata.name", "metadata.namespace"];
const identityOnly = (extra: readonly string[] = [], notes?: Record<string, string>): ChangeBehaviour => ({
  replaceOn: [...IDENTITY, ...extra],
  ...(notes ? { notes } : {}),
  source: `${PULUMI_K8S_DIFF}#L23-L45`,
});

export const KUBERNETES_CHANGES: Record<string, ChangeBehaviour> = {
  [KUBERNETES_TYPES.namespace]: identityOnly(),
  [KUBERNETES_TYPES.resourceQuota]: identityOnly(["spec.scopes"]),
  [KUBERNETES_TYPES.limitRange]: identityOnly(),
  // Secrets are replaced on a change of their data unless the provider's enableSecretMutable is on, which
  // stacks/kubernetes.ts sets: a rotated password then updates its Secret in place. `type` is immutable
  // in the API itself.
  [KUBERNETES_TYPES.secret]: identityOnly(["type"]),
  [KUBERNETES_TYPES.service]: identityOnly(["spec.clusterIP"]),
  [KUBERNETES_TYPES.deployment]: identityOnly(["spec.selector"], {
    spec: "a change of the pod template rolls the pods out (the Deployment's strategy)",
  }),
  // The table lists policy/v1beta1 only: a policy/v1 PDB changes in place.
  [KUBERNETES_TYPES.podDisruptionBudget]: identityOnly(),
  [KUBERNETES_TYPES.horizontalPodAutoscaler]: identityOnly(),
  [KUBERNETES_TYPES.networkPolicy]: identityOnly(),
  [KUBERNETES_TYPES.ingress]: identityOnly(),
  // Custom resources: the identity only; what the operator does with a spec change is the operator's.
  [KUBERNETES_TYPES.cnpgCluster]: identityOnly([], {
    spec: "CloudNativePG applies spec changes by a rolling update of the instances (switchover of the primary)",
  }),
  [KUBERNETES_TYPES.cnpgScheduledBackup]: identityOnly(),
  [KUBERNETES_TYPES.cnpgBackup]: identityOnly(),
};
