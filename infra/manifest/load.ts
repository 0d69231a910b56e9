/**
 * Reading tenants.yaml: YAML with positions → zod schema → cross-field rules → a Manifest and its plans,
 * or every problem found, each as `FILE:LINE:COL: path: message`.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { mergePlans, type Plan } from "../plans";
import { didYouMean } from "./hints";
import { formatPath, ManifestError, sortIssues, type ManifestIssue } from "./issues";
import { checkRules } from "./rules";
import {
  FleetSchema,
  ManifestSchema,
  PlanOverrideSchema,
  SharedHostSchema,
  TenantSchema,
  type Manifest,
} from "./schema";
import { parseSource, positionOf, type ManifestSource } from "./source";

export interface LoadedManifest {
  source: ManifestSource;
  manifest: Manifest;
  /** The effective plan catalogue: built-in plans with the manifest's overrides. */
  plans: Record<string, Plan>;
}

export interface LoadOptions {
  /** Accept shared tenants without a host (for `tenancy place`). */
  allowUnplaced?: boolean;
}

/** Reads and validates a manifest file; throws ManifestError with every problem found. */
export function loadManifest(file: string, options: LoadOptions = {}): LoadedManifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(error);
    throw new ManifestError([
      { file, line: 1, col: 1, path: "(file)", message: `cannot read manifest: ${reason}` },
    ]);
  }
  return parseManifest(file, text, options);
}

/** Validates manifest text; `file` is the name used in messages. */
export function parseManifest(file: string, text: string, options: LoadOptions = {}): LoadedManifest {
  const { source, issues: yamlIssues, fatal } = parseSource(file, text);
  if (fatal) throw new ManifestError(sortIssues(yamlIssues));

  const issues: ManifestIssue[] = [...yamlIssues];
  const at = (
    path: readonly PropertyKey[],
    message: string,
    hint?: string,
    where: "value" | "key" = "value",
  ) => {
    const { line, col } = positionOf(source, path, where);
    issues.push({ file, line, col, path: formatPath(path), message, ...(hint ? { hint } : {}) });
  };

  const raw: unknown = source.doc.toJS({ maxAliasCount: 100 });
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportZodIssue(issue, raw, at);
  }

  // Cross-field rules run on every part that is sound on its own, so one bad tenant hides no other error.
  const root = isRecord(raw) ? raw : {};
  const fleet = FleetRulesSchema.safeParse(root.fleet);
  const planEntries = isRecord(root.plans) ? Object.entries(root.plans) : [];
  const brokenPlans = new Set(
    planEntries.filter(([, p]) => !PlanOverrideSchema.safeParse(p).success).map(([n]) => n),
  );
  const brokenHosts = new Set(
    (Array.isArray(root.sharedHosts) ? (root.sharedHosts as unknown[]) : [])
      .filter((host) => !SharedHostSchema.safeParse(host).success)
      .flatMap((host) => (isRecord(host) && typeof host.name === "string" ? [host.name] : [])),
  );
  const overrides = Object.fromEntries(
    planEntries.flatMap(([name, p]) => {
      const result = PlanOverrideSchema.safeParse(p);
      return result.success ? [[name, result.data]] : [];
    }),
  );
  let plans: Record<string, Plan> = {};
  if (fleet.success) {
    const merged = mergePlans(overrides);
    plans = merged.plans;
    for (const problem of merged.problems) {
      brokenPlans.add(problem.plan);
      if (problem.field) at(["plans", problem.plan, problem.field], problem.message);
      else at(["plans", problem.plan], problem.message, undefined, "key");
    }
    checkRules(
      {
        fleet: fleet.data,
        plans,
        hosts: soundItems(root.sharedHosts, SharedHostSchema).map(([index, host]) => ({ index, host })),
        tenants: soundItems(root.tenants, TenantSchema).map(([index, tenant]) => ({ index, tenant })),
        brokenPlans,
        brokenHosts,
        allowUnplaced: options.allowUnplaced ?? false,
        lineOf: (path) => positionOf(source, path).line,
      },
      at,
    );
  }

  if (issues.length > 0 || !parsed.success) throw new ManifestError(sortIssues(dedupe(issues)));
  return { source, manifest: parsed.data, plans };
}

/** What the cross-field rules need of the fleet; a typo elsewhere in `fleet:` must not hide their errors. */
const FleetRulesSchema = z.object({
  zone: FleetSchema.shape.zone,
  location: FleetSchema.shape.location,
  cloudflarePlan: FleetSchema.shape.cloudflarePlan,
  cloudflareDnsRecordQuota: FleetSchema.shape.cloudflareDnsRecordQuota,
  cloudflareAdvancedRateLimiting: FleetSchema.shape.cloudflareAdvancedRateLimiting,
});

function soundItems<T>(items: unknown, schema: z.ZodType<T>): [number, T][] {
  if (!Array.isArray(items)) return [];
  const sound: [number, T][] = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) sound.push([index, result.data]);
  });
  return sound;
}

function dedupe(issues: ManifestIssue[]): ManifestIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.col}:${issue.path}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type At = (path: readonly PropertyKey[], message: string, hint?: string, where?: "value" | "key") => void;

function reportZodIssue(issue: z.core.$ZodIssue, raw: unknown, at: At): void {
  const path = issue.path;
  const field = String(path[path.length - 1] ?? "");
  const value = valueAt(raw, path);
  switch (issue.code) {
    case "unrecognized_keys":
      for (const key of issue.keys) {
        const known = knownKeys(path);
        at(
          [...path, key],
          `unknown key "${key}"; allowed here: ${known.join(", ")}`,
          didYouMean(key, known),
          "key",
        );
      }
      return;
    case "invalid_type":
      if (value === undefined) {
        at(path, `missing required field "${field}"`, undefined, "key");
      } else {
        at(path, `must be ${article(issue.expected)}, not ${describe(value)}`);
      }
      return;
    case "invalid_value": {
      const allowed = issue.values.map(String);
      const given = String(value);
      if (value === undefined) {
        at(path, `missing required field "${field}"`, undefined, "key");
      } else if (field === "version" && typeof value !== "number") {
        at(path, `must be the number ${allowed.join(", ")}, not ${describe(value)}`);
      } else if (field === "version") {
        at(path, `unsupported manifest version ${given}; this tenancy reads version ${allowed.join(", ")}`);
      } else if (/^locations?$/.test(field) || /^locations$/.test(String(path[path.length - 2]))) {
        at(
          path,
          `unknown Hetzner location "${given}"; locations: ${allowed.join(", ")}`,
          didYouMean(given, allowed),
        );
      } else if (/^serverTypes?$/.test(field) || /^serverTypes$/.test(String(path[path.length - 2]))) {
        at(
          path,
          `unknown Hetzner server type "${given}" (misspelled, or no longer sold); server types: ${allowed.join(", ")}`,
          didYouMean(given, allowed),
        );
      } else {
        at(path, `"${given}" is not one of: ${allowed.join(", ")}`, didYouMean(given, allowed));
      }
      return;
    }
    case "too_small":
      at(
        path,
        issue.origin === "array"
          ? `must list at least ${issue.minimum}`
          : tooSmall(issue.minimum, issue.origin),
      );
      return;
    case "too_big":
      at(path, issue.origin === "string" ? issue.message : `must be at most ${issue.maximum}`);
      return;
    case "invalid_format": {
      const hint =
        typeof value === "string" && (field === "id" || field === "name" || field === "host")
          ? suggestLabel(value)
          : undefined;
      at(path, issue.message, hint);
      return;
    }
    case "invalid_key":
      at(
        path,
        `invalid plan name "${field}": ${issue.issues[0]?.message ?? "not a DNS label"}`,
        undefined,
        "key",
      );
      return;
    default:
      at(path, issue.message);
  }
}

function tooSmall(minimum: number | bigint, origin: string): string {
  return origin === "string" ? `must not be empty` : `must be at least ${minimum}`;
}

function suggestLabel(value: string): string | undefined {
  const label = value
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return label && label !== value ? `did you mean "${label}"?` : undefined;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: "a mapping (key: value lines)",
    array: "a list",
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
  };
  return names[type] ?? type;
}

function describe(value: unknown): string {
  if (value === null) return "nothing (write [] for an empty list)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string "${value}"`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of path) {
    if (Array.isArray(value) && typeof part === "number") value = value[part];
    else if (isRecord(value)) value = value[String(part)];
    else return undefined;
  }
  return value;
}

/** Keys the schema allows at a path, for "allowed here:" and "did you mean". */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = ManifestSchema;
  for (const part of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) {
      const next = (schema.shape as Record<string, z.core.$ZodType>)[String(part)];
      if (!next) return [];
      schema = next;
    } else if (schema instanceof z.ZodArray) {
      schema = schema.element;
    } else if (schema instanceof z.ZodRecord) {
      schema = schema.valueType;
    } else return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).filter((key) => key !== "$schema") : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap();
  return current;
}
