import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { manifestJsonSchema } from "..";
import { formatJson } from "../../cli/output";
import { EXAMPLE_MANIFEST, REPO_ROOT } from "../../testing/fixtures";

const SCHEMA_FILE = path.join(REPO_ROOT, "docs", "tenants.schema.json");
const CORPUS = path.join(__dirname, "invalid");

describe("the JSON Schema of tenants.yaml", () => {
  const schema = manifestJsonSchema();
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

  test("is committed as docs/tenants.schema.json, as `tenancy schema` prints it", () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, "utf8"))).toEqual(schema);
  });

  test("is committed byte for byte as `tenancy schema` writes it (regenerate it with the command)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(formatJson(schema));
  });

  test("is where the example manifest points editors", () => {
    expect(readFileSync(EXAMPLE_MANIFEST, "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=./docs/tenants.schema.json",
    );
  });

  test("accepts the example fleet", () => {
    const valid = validate(parse(readFileSync(EXAMPLE_MANIFEST, "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  const structural = readdirSync(CORPUS)
    .filter((name) => name.endsWith(".yaml"))
    .filter((name) => /^# schema: reject$/m.test(readFileSync(path.join(CORPUS, name), "utf8")));

  test("has structural cases in the invalid corpus to reject", () => {
    expect(structural.length).toBeGreaterThanOrEqual(10);
  });

  test.each(structural)("rejects %s", (name) => {
    expect(validate(parse(readFileSync(path.join(CORPUS, name), "utf8")))).toBe(false);
  });
});
