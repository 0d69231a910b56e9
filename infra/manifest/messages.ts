/**
 * zod's issues as messages a person can act on: what the field must be, and the value it got.
 * Shared by the manifest and the price file.
 */
import { z } from "zod";
import { didYouMean } from "./hints";

export type At = (
  path: readonly PropertyKey[],
  message: string,
  hint?: string,
  where?: "value" | "key",
) => void;

/** Strings longer than this are cut in messages; their length is given instead. */
const MAX_SHOWN_LENGTH = 60;

/** A value as a message shows it: strings quoted, YAML's own spelling for non-finite numbers. */
export function shown(value: unknown): string {
  if (typeof value === "string") {
    if (value.length <= MAX_SHOWN_LENGTH) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, MAX_SHOWN_LENGTH - 10))}… (${value.length} characters)`;
  }
  if (typeof value === "number") {
    if (Number.isNaN(value)) return ".nan";
    if (!Number.isFinite(value)) return value > 0 ? ".inf" : "-.inf";
    return String(value);
  }
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value === "boolean" || typeof value === "bigint" ? String(value) : typeof value;
}

/**
 * zod reports an integer past Number.MAX_SAFE_INTEGER twice (the safe-integer check and the schema's own
 * maximum); only the tightest bound of a path is worth a message.
 */
export function tightestBounds(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const key = (issue: z.core.$ZodIssue) => `${issue.code}\u0000${issue.path.map(String).join("\u0000")}`;
  const best = new Map<string, z.core.$ZodIssue>();
  for (const issue of issues) {
    if (issue.code !== "too_big" && issue.code !== "too_small") continue;
    const previous = best.get(key(issue));
    if (!previous) best.set(key(issue), issue);
    else if (issue.code === "too_big" && previous.code === "too_big" && issue.maximum < previous.maximum)
      best.set(key(issue), issue);
    else if (issue.code === "too_small" && previous.code === "too_small" && issue.minimum > previous.minimum)
      best.set(key(issue), issue);
  }
  return issues.filter(
    (issue) => (issue.code !== "too_big" && issue.code !== "too_small") || best.get(key(issue)) === issue,
  );
}

/** zod's own wording, which the schema replaces where it gives a reason ("Too big: expected …"). */
const ZOD_DEFAULT_MESSAGE = /^(Too big|Too small|Invalid)\b/;

/**
 * Reports one zod issue at its path. `root` is the schema the issue came from, for the keys allowed where
 * an unknown key is.
 */
export function reportZodIssue(issue: z.core.$ZodIssue, raw: unknown, at: At, root: z.core.$ZodType): void {
  const path = issue.path;
  const field = String(path[path.length - 1] ?? "");
  const value = valueAt(raw, path);
  const got = `, got ${shown(value)}`;
  const own = ZOD_DEFAULT_MESSAGE.test(issue.message) ? undefined : issue.message;
  switch (issue.code) {
    case "unrecognized_keys":
      for (const key of issue.keys) {
        const known = knownKeys(root, path);
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
      } else if (typeof value === "number" && !Number.isFinite(value)) {
        at(path, `must be a finite number${got}`);
      } else if (issue.expected === "int" && typeof value === "number") {
        at(path, `must be a whole number${got}`);
      } else {
        at(path, `must be ${article(issue.expected)}, not ${describe(value, issue.expected)}`);
      }
      return;
    case "invalid_value": {
      const allowed = issue.values.map(String);
      const given = String(value);
      if (value === undefined) {
        at(path, `missing required field "${field}"`, undefined, "key");
      } else if (field === "version" && typeof value !== "number") {
        at(path, `must be the number ${allowed.join(", ")}, not ${describe(value, "number")}`);
      } else if (field === "version") {
        at(path, `unsupported manifest version ${given}; this tenancy reads version ${allowed.join(", ")}`);
      } else if (/^locations?$/.test(field) || /^locations$/.test(String(path[path.length - 2]))) {
        at(
          path,
          `unknown Hetzner location ${shown(value)}; locations: ${allowed.join(", ")}`,
          didYouMean(given, allowed),
        );
      } else if (/^serverTypes?$/.test(field) || /^serverTypes$/.test(String(path[path.length - 2]))) {
        at(
          path,
          `unknown Hetzner server type ${shown(value)} (misspelled, or no longer sold); server types: ${allowed.join(", ")}`,
          didYouMean(given, allowed),
        );
      } else {
        at(path, `${shown(value)} is not one of: ${allowed.join(", ")}`, didYouMean(given, allowed));
      }
      return;
    }
    case "too_small":
      if (issue.origin === "array") at(path, `must list at least ${issue.minimum}${got}`);
      else if (issue.origin === "string") at(path, `must not be empty${got}`);
      else at(path, `${own ?? `must be at least ${issue.minimum}`}${got}`);
      return;
    case "too_big":
      if (issue.origin === "string") {
        const length =
          typeof value === "string" && value.length <= MAX_SHOWN_LENGTH
            ? ` (${value.length} characters)`
            : "";
        at(path, `${own ?? `must be at most ${issue.maximum} characters`}${got}${length}`);
      } else if (issue.origin === "array") {
        at(
          path,
          `must list at most ${issue.maximum}, got ${Array.isArray(value) ? value.length : shown(value)}`,
        );
      } else at(path, `${own ?? `must be at most ${issue.maximum}`}${got}`);
      return;
    case "invalid_format": {
      const hint =
        typeof value === "string" && (field === "id" || field === "name" || field === "host")
          ? suggestLabel(value)
          : undefined;
      at(path, `${issue.message}${got}`, hint);
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
      at(path, `${issue.message}${value === undefined ? "" : got}`);
  }
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

function describe(value: unknown, expected: string): string {
  if (value === null) return expected === "array" ? "nothing (write [] for an empty list)" : "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${shown(value)}`;
  return `${typeof value} ${shown(value)}`;
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
function knownKeys(root: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = root;
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
