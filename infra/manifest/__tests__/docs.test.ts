/**
 * Keeps docs/manifest.md true: every schema field, every reserved id and every built-in plan value is in
 * it, and its complete example manifests pass validation.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { ManifestSchema, PlanOverrideSchema, RESERVED_IDS, parseManifest } from "..";
import { BOUNDS } from "../bounds";
import { BUILT_IN_PLANS, TIER_FIELDS, type Plan } from "../../plans";
import { REPO_ROOT } from "../../testing/fixtures";

const DOC_FILE = path.join(REPO_ROOT, "docs", "manifest.md");
const doc = readFileSync(DOC_FILE, "utf8");

/** Every field of every object in the schema, as `path` (for messages) and `name` (as the doc writes it). */
function schemaFields(): { path: string; name: string }[] {
  const fields: { path: string; name: string }[] = [];
  const walk = (schema: z.core.$ZodType, at: string): void => {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      const shape: Readonly<Record<string, z.core.$ZodType>> = inner.shape;
      for (const [name, child] of Object.entries(shape)) {
        if (name === "$schema") continue;
        const childPath = at === "" ? name : `${at}.${name}`;
        fields.push({ path: childPath, name });
        walk(child, childPath);
      }
    } else if (inner instanceof z.ZodArray) {
      walk(inner.element, `${at}[]`);
    } else if (inner instanceof z.ZodRecord) {
      walk(inner.valueType, `${at}.<name>`);
    }
  };
  walk(ManifestSchema, "");
  return fields;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap();
  return current;
}

/** The fenced blocks of a language, in order. */
function fencedBlocks(language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp("^```" + language + "\\n([\\s\\S]*?)^```", "gm");
  for (const match of doc.matchAll(fence)) blocks.push(match[1] ?? "");
  return blocks;
}

/** The cells of a markdown table row, trimmed and without backticks. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((cell) => cell.trim().replace(/`/g, ""));
}

/** The rows of the first table after a heading, header first, without the separator row. */
function tableAfter(heading: string): string[][] {
  const lines = doc.split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) throw new Error(`heading "${heading}" not found in ${DOC_FILE}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("#")) break;
    if (line.trimStart().startsWith("|")) rows.push(cells(line));
    else if (rows.length > 0) break;
  }
  return rows.filter((row) => !row.every((cell) => /^:?-+:?$/.test(cell)));
}

/** How the built-in plan table writes a plan's value; `-` for a field the plan's tier does not have. */
function shown(value: unknown): string {
  if (value === undefined) return "-";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (typeof value === "number" || typeof value === "string") return String(value);
  return JSON.stringify(value);
}

describe("docs/manifest.md", () => {
  const fields = schemaFields();

  test("the schema walk finds the fields of every block", () => {
    const paths = fields.map((field) => field.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "version",
        "fleet.app.healthPath",
        "plans.<name>.capacityUnits",
        "sharedHosts[].volumeGb",
        "tenants[].status",
      ]),
    );
  });

  test.each(fields.map((field) => [field.path, field.name]))("documents %s as `%s`", (_path, name) => {
    expect(doc).toContain(`\`${name}\``);
  });

  test("lists every reserved id, and only those, in the reserved ids paragraph", () => {
    const paragraph = doc.split(/\n\s*\n/).find((p) => p.startsWith("Reserved ids:"));
    expect(paragraph).toBeDefined();
    const listed = [...(paragraph ?? "").matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...RESERVED_IDS].sort());
  });

  test.each(Object.entries(BOUNDS))("gives the range of %s as the schema does", (field, bound) => {
    // The field tables' rows (the built-in plan table has rows of the same names, with values).
    const rows = doc
      .split("\n")
      .filter((line) => line.startsWith(`| \`${field}\``) && /\| (integer|number)\b/.test(line));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain(`${bound.min} to ${bound.max}`);
  });

  test("the built-in plans are within the ranges", () => {
    for (const plan of Object.values(BUILT_IN_PLANS)) {
      const fields: Record<string, unknown> = { ...plan };
      delete fields.name;
      expect(PlanOverrideSchema.safeParse(fields).error?.issues ?? []).toEqual([]);
    }
  });

  const complete = fencedBlocks("yaml").filter((block) => block.split("\n")[0] === "version: 1");

  test("has at least one complete example manifest", () => {
    expect(complete.length).toBeGreaterThanOrEqual(1);
  });

  test.each(complete.map((text, index): [number, string] => [index + 1, text]))(
    "complete example %i passes validation",
    (_index, text) => {
      expect(() => parseManifest("docs/manifest.md", text)).not.toThrow();
    },
  );

  test.each(fencedBlocks("yaml").map((text, index): [number, string] => [index + 1, text]))(
    "yaml block %i is well-formed YAML",
    (_index, text) => {
      expect(parseDocument(text).errors).toEqual([]);
    },
  );

  describe("the built-in plan table", () => {
    const [header = [], ...rows] = tableAfter("### Built-in plans");
    const plans = Object.values(BUILT_IN_PLANS);
    const allFields = ["tier", ...new Set(Object.values(TIER_FIELDS).flat())];

    test("has a column for every built-in plan", () => {
      expect(header.slice(1).sort()).toEqual(plans.map((plan) => plan.name).sort());
    });

    test("has a row for every plan field", () => {
      expect(rows.map((row) => row[0]).sort()).toEqual([...allFields].sort());
    });

    test.each(plans.map((plan): [string, Plan] => [plan.name, plan]))(
      "shows the values of %s",
      (name, plan) => {
        const column = header.indexOf(name);
        expect(column).toBeGreaterThan(0);
        const values = plan as unknown as Record<string, unknown>;
        const priceRow = rows.find((row) => row[0] === "monthlyPrice");
        expect(priceRow?.[column]).toBe(String(plan.monthlyPrice));
        for (const field of allFields) {
          const row = rows.find((r) => r[0] === field);
          expect({ field, shown: row?.[column] }).toEqual({ field, shown: shown(values[field]) });
        }
      },
    );
  });
});
