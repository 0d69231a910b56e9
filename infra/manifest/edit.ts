/**
 * Edits of one tenant's entry in tenants.yaml, made as text at the positions the YAML parser gives, so
 * that comments, order, layout and line endings stay as they were everywhere else (as `tenancy place
 * --write` does). Used by the lifecycle commands that write their result for review: the cut-over of
 * `tenancy migrate`, the `purged` marks of `tenancy purge`.
 */
import { isMap, isScalar, stringify, type Node, type Pair } from "yaml";
import type { LoadedManifest } from "./load";
import { parseManifest } from "./load";

/** A field's new value; `undefined` removes the field. Objects are written as one-line flow mappings. */
export type FieldValue = string | number | boolean | Record<string, string> | undefined;

const flow = (value: Exclude<FieldValue, undefined>): string =>
  typeof value === "object"
    ? `{ ${Object.entries(value)
        .map(([k, v]) => `${k}: ${scalar(v)}`)
        .join(", ")} }`
    : scalar(value);

function scalar(value: string | number | boolean): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function lineEnding(text: string): string {
  const newline = text.indexOf("\n");
  return newline > 0 && text[newline - 1] === "\r" ? "\r\n" : "\n";
}

/** The text of tenants.yaml with tenant `id`'s fields set or removed, checked by parsing it again. */
export function editTenant(loaded: LoadedManifest, id: string, fields: Record<string, FieldValue>): string {
  const { doc, text, file } = loaded.source;
  const index = loaded.manifest.tenants.findIndex((t) => t.id === id);
  if (index < 0) throw new Error(`no tenant "${id}" in ${file}`);
  const node = doc.getIn(["tenants", index], true) as Node | undefined;
  if (!isMap(node)) throw new Error(`tenants[${index}] is not a mapping`);
  const keyOf = (pair: Pair) => (isScalar(pair.key) ? String(pair.key.value) : "");
  const pairs = node.items;
  const valueEnd = (pair: Pair) => (pair.value as Node | null)?.range?.[1] ?? (pair.key as Node).range![1];
  let updated: string;
  if (node.flow) {
    const [start, end] = node.range!;
    // Fields already there keep their place; new ones go last.
    const ordered = pairs.flatMap((pair) => {
      const key = keyOf(pair);
      if (!(key in fields)) return [text.slice((pair.key as Node).range![0], valueEnd(pair))];
      const value = fields[key];
      return value === undefined ? [] : [`${key}: ${flow(value)}`];
    });
    const added = Object.entries(fields)
      .filter(([key, value]) => value !== undefined && !pairs.some((pair) => keyOf(pair) === key))
      .map(([key, value]) => `${key}: ${flow(value!)}`);
    updated = `${text.slice(0, start)}{ ${[...ordered, ...added].join(", ")} }${text.slice(end)}`;
  } else {
    const eol = lineEnding(text);
    const edits: { from: number; to: number; insert: string }[] = [];
    const first = pairs[0]!;
    const firstKey = (first.key as Node).range![0];
    const indent = firstKey - text.lastIndexOf("\n", firstKey - 1) - 1;
    const added: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      const pair = pairs.find((p) => keyOf(p) === key);
      if (pair && value !== undefined) {
        edits.push({ from: (pair.value as Node).range![0], to: valueEnd(pair), insert: flow(value) });
      } else if (pair) {
        // The whole lines the field takes, its own and its value's.
        const from = text.lastIndexOf("\n", (pair.key as Node).range![0] - 1) + 1;
        const newline = text.indexOf("\n", Math.max(valueEnd(pair) - 1, from));
        edits.push({ from, to: newline === -1 ? text.length : newline + 1, insert: "" });
      } else if (value !== undefined) {
        added.push(`${" ".repeat(indent)}${key}: ${flow(value)}`);
      }
    }
    if (added.length > 0) {
      // New fields go after the last field that stays, in the order given.
      const last = [...pairs]
        .reverse()
        .find((pair) => fields[keyOf(pair)] !== undefined || !(keyOf(pair) in fields))!;
      const newline = text.indexOf("\n", valueEnd(last));
      const at = newline === -1 ? text.length : newline + 1;
      const lines = added.join(eol);
      edits.push({ from: at, to: at, insert: newline === -1 ? `${eol}${lines}` : `${lines}${eol}` });
    }
    updated = text;
    for (const edit of edits.sort((a, b) => b.from - a.from || b.to - a.to))
      updated = updated.slice(0, edit.from) + edit.insert + updated.slice(edit.to);
  }
  // Whatever was written must read back as asked, and still be a valid manifest.
  const check = parseManifest(file, updated);
  const tenant = check.manifest.tenants.find((t) => t.id === id) as Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    const got = tenant?.[key];
    if (JSON.stringify(got) !== JSON.stringify(value))
      throw new Error(
        `writing ${key} of tenant "${id}" went wrong (got ${JSON.stringify(got)}); nothing written`,
      );
  }
  return updated;
}
