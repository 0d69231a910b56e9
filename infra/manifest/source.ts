/**
 * The manifest as YAML text with positions: parsing, and finding the line of any path in it.
 */
import {
  CST,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Parser,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
} from "yaml";
import type { ManifestIssue } from "./issues";

export interface ManifestSource {
  file: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}

/**
 * Parses the text. `fatal` is set when the YAML is broken beyond a duplicate key: positions after a syntax
 * error mean little, so validation stops there.
 */
export function parseSource(
  file: string,
  text: string,
): { source: ManifestSource; issues: ManifestIssue[]; fatal: boolean } {
  const lineCounter = new LineCounter();
  // uniqueKeys is the default, but it is the rule that turns a pasted-twice `plan:` into an error.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const source = { file, text, doc, lineCounter };
  const issues = doc.errors.map((error): ManifestIssue => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    if (error.code === "DUPLICATE_KEY") {
      const key = keyAt(doc, error.pos[0]);
      return { file, line, col, path: key.path, message: `duplicate key "${key.name}"` };
    }
    const at = lineCounter.linePos(unclosedQuoteStart(text, error) ?? error.pos[0]);
    return { file, ...at, path: "(yaml)", message: `YAML syntax error: ${firstLine(error.message)}` };
  });
  return { source, issues, fatal: doc.errors.some((error) => error.code !== "DUPLICATE_KEY") };
}

/**
 * The parser reports a quote that is never closed at the end of the file; the opening quote is where the
 * mistake is.
 */
function unclosedQuoteStart(text: string, error: YAMLError): number | undefined {
  if (error.code !== "MISSING_CHAR" || !/quote/.test(error.message)) return undefined;
  let start: number | undefined;
  for (const token of new Parser().parse(text)) {
    if (token.type !== "document") continue;
    CST.visit(token, (item) => {
      for (const node of [item.key, item.value]) {
        if (node?.type !== "double-quoted-scalar" && node?.type !== "single-quoted-scalar") continue;
        if (!isClosedQuote(node.source) && node.offset <= error.pos[0]) start = node.offset;
      }
    });
  }
  return start;
}

/** `"…"` ends with a quote after an even run of backslashes; `'…'` with an odd run of quotes. */
function isClosedQuote(source: string): boolean {
  const body = source.slice(1);
  if (source.startsWith('"')) return /(?:^|[^\\])(?:\\\\)*"$/.test(body);
  const trailing = /'*$/.exec(body)![0].length;
  return trailing % 2 === 1;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** Finds the key a duplicate-key error points at, and the path of the map that holds it. */
function keyAt(doc: Document, offset: number): { name: string; path: string } {
  let found: { name: string; path: string } = { name: "?", path: "(yaml)" };
  const visit = (node: unknown, path: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key;
        const name = isScalar(key) ? String(key.value) : "?";
        const child = path === "" ? name : `${path}.${name}`;
        if (isScalar(key) && key.range && key.range[0] <= offset && offset <= key.range[1]) {
          found = { name, path: child };
        }
        visit(pair.value, child);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${path}[${i}]`));
    }
  };
  visit(doc.contents, "");
  return found;
}

/**
 * The position of a path: of the value when `at` is "value", of its key when "key". When the path does not
 * exist (a missing field), the position of the deepest part that does.
 */
export function positionOf(
  source: ManifestSource,
  path: readonly PropertyKey[],
  at: "value" | "key" = "value",
): { line: number; col: number } {
  let node: unknown = source.doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [depth, part] of path.entries()) {
    let pair: Pair | undefined;
    if (isMap(node)) {
      pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      const valueStart = rangeStart(pair.value);
      offset = (at === "key" || valueStart === undefined ? keyStart : valueStart) ?? offset;
      node = pair.value;
      if (at === "key" && depth === path.length - 1) break;
    } else if (isSeq(node) && typeof part === "number" && part < node.items.length) {
      node = node.items[part];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return source.lineCounter.linePos(offset);
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
