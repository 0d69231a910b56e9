/**
 * The manifest as YAML text with positions: parsing, and finding the line of any path in it.
 */
import {
  CST,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Parser,
  visit,
  type Alias,
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
  const alias = issues.length === 0 ? checkAliases(doc) : undefined;
  if (alias) {
    const at = lineCounter.linePos(alias.node.range?.[0] ?? 0);
    issues.push({ file, ...at, path: alias.path, message: alias.message });
  }
  return {
    source,
    issues,
    fatal: alias !== undefined || doc.errors.some((error) => error.code !== "DUPLICATE_KEY"),
  };
}

/**
 * How many values YAML aliases may add to the document in all. An alias repeats its anchor's whole value,
 * and aliases of aliases multiply, so a few lines can stand for billions of values (an "alias bomb") that
 * would take the process's memory; a manifest has no need of more than a few repeated values per tenant.
 * 100,000 is 2.5 values for each of the 40,000 tenants the size limit allows (read.ts).
 */
export const MAX_ALIAS_VALUES = 100_000;

/**
 * The first alias, in document order, that refers to no anchor before it, to the collection that holds it
 * (a cycle), or that takes the values aliases add past MAX_ALIAS_VALUES. Counted on the parsed nodes,
 * without expanding anything.
 */
function checkAliases(doc: Document): { node: Alias; path: string; message: string } | undefined {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const sizes = new Map<unknown, number>();
  // The number of values a node stands for once its aliases are expanded.
  const size = (node: unknown): number => {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let total = 1;
    if (isAlias(node)) total = size(targets.get(node));
    else if (isPair(node)) total = size(node.key) + size(node.value);
    else if (isCollection(node)) for (const item of node.items) total += size(item);
    sizes.set(node, total);
    return total;
  };
  let added = 0;
  let found: { node: Alias; path: string; message: string } | undefined;
  visit(doc, {
    Node(_key, node, ancestors) {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return undefined;
      }
      const target = anchors.get(node.source);
      const at = pathOf(ancestors, node);
      if (target === undefined) {
        found = {
          node,
          path: at,
          message: `YAML alias *${node.source} refers to no anchor &${node.source} before it`,
        };
      } else if (ancestors.includes(target)) {
        found = { node, path: at, message: `YAML alias *${node.source} refers to the value that holds it` };
      } else {
        targets.set(node, target);
        added += size(target);
        if (added > MAX_ALIAS_VALUES) {
          found = {
            node,
            path: at,
            message:
              `YAML aliases would expand to more than ${MAX_ALIAS_VALUES} values here (*${node.source} ` +
              `repeats ${size(target)} of them); write the values out instead of nesting aliases`,
          };
        }
      }
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

/** A node's path as messages write it (`tenants[3].domains`), from its ancestors in the document. */
function pathOf(ancestors: readonly unknown[], node: unknown): string {
  let out = "";
  const chain = [...ancestors, node];
  chain.forEach((current, i) => {
    const next = chain[i + 1];
    if (isPair(current) && isScalar(current.key)) {
      const name = String(current.key.value);
      out += out === "" ? name : `.${name}`;
    } else if (isSeq(current) && next !== undefined) {
      out += `[${current.items.indexOf(next)}]`;
    }
  });
  return out === "" ? "(root)" : out;
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
