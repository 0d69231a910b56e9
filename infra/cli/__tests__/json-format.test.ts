/**
 * The JSON files the CLI writes for the repository pass the real `prettier --check`, with the repository's
 * own config, as the command writes them.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatJson, PRETTIER_PRINT_WIDTH } from "../output";
import { REPO_ROOT } from "../../testing/fixtures";

const BIN = path.join(REPO_ROOT, "infra", "cli", "bin.js");
const PRETTIER = path.join(REPO_ROOT, "node_modules", "prettier", "bin", "prettier.cjs");
const PRETTIER_CONFIG = path.join(REPO_ROOT, ".prettierrc.json");

function tenancy(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `prettier --check` on files outside the repository, with the repository's config. */
function prettierCheck(files: string[]) {
  const result = spawnSync(
    process.execPath,
    [PRETTIER, "--check", "--no-editorconfig", "--config", PRETTIER_CONFIG, ...files],
    { encoding: "utf8" },
  );
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("JSON the CLI writes", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-json-"));

  test("tenancy schema and tenancy policy-config pass prettier --check as written", () => {
    const schema = path.join(dir, "tenants.schema.json");
    const run = tenancy("schema");
    expect(run.code).toBe(0);
    writeFileSync(schema, run.stdout);
    const config = path.join(dir, "policy-config.json");
    expect(tenancy("policy-config", "--out", config).code).toBe(0);
    const bundled = path.join(dir, "catalogue.json");
    writeFileSync(bundled, tenancy("policy-config", "--bundled").stdout);
    expect(prettierCheck([schema, config, bundled])).toEqual({
      code: 0,
      output: expect.stringContaining("All matched files use Prettier code style!"),
    });
  });

  test("the print width is the repository's", () => {
    const config = JSON.parse(readFileSync(PRETTIER_CONFIG, "utf8")) as { printWidth: number };
    expect(PRETTIER_PRINT_WIDTH).toBe(config.printWidth);
  });

  test("formatJson prints what Prettier prints, at and around the print width", () => {
    const cases: unknown[] = [];
    // Arrays that end exactly at the print width, one short of it and one past it, with and without the
    // comma after them, at several depths.
    for (let room = -2; room <= 2; room++) {
      for (const depth of [0, 1, 3]) {
        const key = "k".repeat(10 + depth);
        const items = ["aaaa", "bbbbbbb", "c"];
        const column = 2 * (depth + 1) + key.length + 4;
        const filler = PRETTIER_PRINT_WIDTH - column - 2 - (items.join('", "').length + 2) + room;
        const array = [...items, "x".repeat(Math.max(1, filler - 4))];
        let value: unknown = { [key]: array, last: [1, 2] };
        for (let d = 0; d < depth; d++) value = { nest: value, tail: [array] };
        cases.push(value, [array], {
          matrix: [array, array],
          numbers: Array.from({ length: 60 }, (_, i) => i * 997),
        });
      }
    }
    // Random documents: objects, arrays of every kind, numbers that JSON.stringify writes with `e+`,
    // strings that need escapes, wide and combining characters.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const words = ["a", "fsn1", "x".repeat(37), "Grünwerk", "日本語", "e\u0301", 'q"uote', "t\tab", "😀", ""];
    const generate = (depth: number): unknown => {
      const r = random();
      if (depth > 4 || r < 0.35)
        return pick([
          () => pick(words),
          () => Math.floor(random() * 1e6),
          () => random() * 1e3,
          () => 1e21,
          () => 5e-7,
          () => true,
          () => null,
        ])();
      if (r < 0.7) {
        const length = Math.floor(random() * (random() < 0.3 ? 40 : 5));
        const kind = random();
        return Array.from({ length }, () =>
          kind < 0.3 ? Math.floor(random() * 1000) : kind < 0.5 ? pick(words) : generate(depth + 1),
        );
      }
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, (_, i) => [
          `${pick(words)}${i}`,
          generate(depth + 1),
        ]),
      );
    };
    for (let i = 0; i < 300; i++) cases.push(generate(0));

    const texts = cases.map((value) => formatJson(value));
    // The edge cases do reach the edge: some line is exactly as wide as the print width.
    expect(texts.some((text) => text.split("\n").some((line) => line.length === PRETTIER_PRINT_WIDTH))).toBe(
      true,
    );
    const files = texts.map((text, i) => {
      const file = path.join(dir, `case-${i}.json`);
      writeFileSync(file, text);
      return file;
    });
    const { code, output } = prettierCheck(files);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining("All matched files") });
  });
});
