/**
 * The invalid-manifest corpus: each file in invalid/ holds a deliberate mistake and says, in its
 * `# expect: LINE:COL PATH: MESSAGE` lines, what `loadManifest` and `tenancy validate` must report.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { formatIssue, loadManifest, ManifestError, type ManifestIssue } from "..";
import { main } from "../../cli/main";

const CORPUS = path.join(__dirname, "invalid");
const files = readdirSync(CORPUS)
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => path.join(CORPUS, name));

interface Expectation {
  line: number;
  col: number;
  path: string;
  message: string;
}

function expectationsOf(file: string): Expectation[] {
  const matches = readFileSync(file, "utf8").matchAll(/^# expect: (\d+):(\d+) (\S+): (.+)$/gm);
  return [...matches].map(([, line, col, at, message]) => ({
    line: Number(line),
    col: Number(col),
    path: at!,
    message: message!,
  }));
}

function issuesOf(file: string): ManifestIssue[] {
  try {
    loadManifest(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as ManifestError).issues;
  }
  throw new Error(`loadManifest accepted ${file}`);
}

afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
});

test("the corpus has at least 30 invalid manifests", () => {
  expect(files.length).toBeGreaterThanOrEqual(30);
});

test.each(files.map((file) => [path.basename(file), file]))("%s", async (_name, file) => {
  const expectations = expectationsOf(file);
  expect(expectations.length).toBeGreaterThan(0);

  const reported = issuesOf(file).map((issue) => ({
    line: issue.line,
    col: issue.col,
    path: issue.path,
    text: formatIssue(issue),
  }));
  for (const { line, col, path: at, message } of expectations) {
    expect(reported).toContainEqual({ line, col, path: at, text: expect.stringContaining(message) });
  }

  const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  await main(["node", "tenancy", "validate", "-f", file]);
  const written = stderr.mock.calls.map(([chunk]) => String(chunk)).join("");
  expect(process.exitCode).toBe(1);
  for (const { line, col, path: at } of expectations) {
    expect(written).toContain(`${file}:${line}:${col}: ${at}: `);
  }
  expect(written).not.toMatch(/^\s+at /m);
});
