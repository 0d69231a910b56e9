/**
 * What a deploy would do, resource by resource, going from one recording of a stack to another: create,
 * update in place, replace (delete and create again, a new server, a new volume), or delete. Which input
 * changes force a replacement comes from the providers' sources (rules/*.ts ChangeBehaviour), as the
 * engine would learn it from the provider's Diff. A replacement or deletion that Pulumi's `protect`
 * refuses, or a change the cloud refuses (a volume that shrinks), is blocked: it cannot be deployed, and
 * because the engine checks `protect` only when it reaches the delete step, after creating and updating
 * everything else, a deploy that contains one would stop half-way. So a blocked change blocks the whole
 * deploy at review.
 */
import type { ChangeBehaviour } from "./rules/rule";
import type { RecordedResource } from "./engine";

export type ChangeOp = "create" | "update" | "replace" | "delete";

export interface ResourceChange {
  op: ChangeOp;
  type: string;
  name: string;
  urn: string;
  /** Top-level inputs that differ (sorted); for create and delete, none. */
  fields: string[];
  /** Of those, the ones that force the replacement. */
  replaceFields: string[];
  /** Inputs that differ but that the resource's ignoreChanges tells Pulumi to leave alone. */
  ignoredFields: string[];
  /** What else the reviewer must know (a server powered off, a bundle re-applied). */
  notes: string[];
  /** Why this change cannot be deployed, when it cannot. */
  blocked?: string;
  /** The manifest edits it comes from (explain.ts), when known. */
  causes?: string[];
  before?: RecordedResource;
  after?: RecordedResource;
}

export const VOLUME = "hcloud:index/volume:Volume";

/** JSON with sorted keys, so that two recordings compare by value, not by key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * Whether a replaceOn entry fires: a top-level input that differs, or a dotted path below one
 * (`metadata.name`, `spec.selector`) whose value differs.
 */
function forcesReplacement(
  entry: string,
  fields: readonly string[],
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): boolean {
  const path = entry.split(".");
  if (!fields.includes(path[0] ?? "")) return false;
  const at = (inputs: unknown) =>
    path.reduce<unknown>(
      (node, key) =>
        typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined,
      inputs,
    );
  return path.length === 1 || canonical(at(before)) !== canonical(at(after));
}

/** The changes from `base` to `current` (each a stack's resources), in a stable order. */
export function planChanges(
  base: readonly RecordedResource[],
  current: readonly RecordedResource[],
  behaviours: Readonly<Record<string, ChangeBehaviour>>,
): ResourceChange[] {
  const before = new Map(base.map((r) => [r.urn, r]));
  // A resource found under one of its aliases is the same resource, as the engine sees it.
  const matched = new Map<string, RecordedResource>();
  for (const resource of current) {
    const old = [resource.urn, ...(resource.options.aliases ?? [])]
      .map((urn) => before.get(urn))
      .find(Boolean);
    if (old) matched.set(resource.urn, old);
  }
  const kept = new Set([...matched.values()].map((r) => r.urn));
  const changes: ResourceChange[] = [];
  for (const resource of current) {
    const old = matched.get(resource.urn);
    if (!old) {
      changes.push(change("create", resource, { after: resource }));
      continue;
    }
    const keys = [...new Set([...Object.keys(old.inputs), ...Object.keys(resource.inputs)])].sort();
    const differing = keys.filter((key) => canonical(old.inputs[key]) !== canonical(resource.inputs[key]));
    if (differing.length === 0) continue;
    const ignored = differing.filter((key) => resource.options.ignoreChanges.includes(key));
    const fields = differing.filter((key) => !ignored.includes(key));
    if (fields.length === 0) {
      changes.push({
        ...change("update", resource, { before: old, after: resource }),
        ignoredFields: ignored,
      });
      continue;
    }
    const behaviour = behaviours[resource.type];
    const replaceFields = (behaviour?.replaceOn ?? [])
      .filter((entry) => forcesReplacement(entry, fields, old.inputs, resource.inputs))
      .sort();
    const notes = fields.flatMap((key) =>
      behaviour?.notes?.[key] ? [`${key}: ${behaviour.notes[key]}`] : [],
    );
    const op: ChangeOp = replaceFields.length > 0 ? "replace" : "update";
    const item: ResourceChange = {
      ...change(op, resource, { before: old, after: resource }),
      fields,
      replaceFields,
      ignoredFields: ignored,
      notes,
    };
    if (op === "replace" && (old.options.protect || resource.options.protect)) {
      item.blocked = `protected: replacing it would delete it, and Pulumi refuses to (${replaceFields.join(", ")} changed)`;
    } else if (resource.type === VOLUME && fields.includes("size")) {
      const from = Number(old.inputs.size);
      const to = Number(resource.inputs.size);
      if (to < from) item.blocked = `Hetzner volumes only grow: size ${from} GB → ${to} GB would be refused`;
    }
    changes.push(item);
  }
  for (const resource of base) {
    if (kept.has(resource.urn)) continue;
    const item = change("delete", resource, { before: resource });
    if (resource.options.protect) item.blocked = "protected: Pulumi refuses to delete it";
    else if (resource.options.retainOnDelete)
      item.notes.push("retainOnDelete: Pulumi forgets it and leaves it in the cloud");
    changes.push(item);
  }
  const order: ChangeOp[] = ["create", "update", "replace", "delete"];
  return changes.sort((a, b) => order.indexOf(a.op) - order.indexOf(b.op) || a.urn.localeCompare(b.urn));
}

function change(
  op: ChangeOp,
  resource: RecordedResource,
  sides: { before?: RecordedResource; after?: RecordedResource },
): ResourceChange {
  return {
    op,
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    fields: [],
    replaceFields: [],
    ignoredFields: [],
    notes: [],
    ...sides,
  };
}

export const isBlocked = (change: ResourceChange) => change.blocked !== undefined;

/** One line per change, as `tenancy plan --base` prints it (Pulumi's own symbols: + ~ +- -). */
export function formatChange(change: ResourceChange): string {
  const symbol = { create: "+", update: "~", replace: "+-", delete: "-" }[change.op];
  const detail = [
    change.op === "replace" ? `replaced: ${change.replaceFields.join(", ")}` : "",
    change.op === "update" && change.fields.length > 0 ? change.fields.join(", ") : "",
    change.ignoredFields.length > 0 ? `ignored: ${change.ignoredFields.join(", ")}` : "",
  ].filter(Boolean);
  const head = `${symbol} ${change.type} ${change.name}${detail.length ? ` (${detail.join("; ")})` : ""}`;
  const tail = [...change.notes, ...(change.blocked ? [`BLOCKED: ${change.blocked}`] : [])];
  const line = tail.length ? `${head} — ${tail.join("; ")}` : head;
  return change.blocked && change.causes ? `${line}\n      caused by: ${change.causes.join("; ")}` : line;
}
