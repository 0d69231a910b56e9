/** Reads a price override file (YAML or JSON) and merges it over the built-in table. */
import { z } from "zod";
import {
  formatIssue,
  formatPath,
  MAX_ALIAS_VALUES,
  MAX_PRICE_FILE_BYTES,
  parseSource,
  positionOf,
  readTextFile,
  sortIssues,
  reportZodIssue,
  tightestBounds,
  UnreadableFileError,
  type ManifestIssue,
} from "../manifest";
import { DEFAULT_PRICES, PriceTableSchema, type PriceTable } from "./prices";

/** A price file that cannot be used; the message has a line per problem, as `FILE:LINE:COL: path: message`. */
export class PriceFileError extends Error {}

export function loadPrices(file?: string): PriceTable {
  if (file === undefined) return DEFAULT_PRICES;
  let text: string;
  try {
    text = readTextFile(file, MAX_PRICE_FILE_BYTES);
  } catch (error) {
    if (error instanceof UnreadableFileError) {
      throw new PriceFileError(`${file}: cannot read price table: ${error.message}`);
    }
    throw error;
  }
  // The manifest's reader: positions, duplicate keys and bounded aliases.
  const { source, issues: yamlIssues } = parseSource(file, text);
  const fail = (issues: ManifestIssue[]) =>
    new PriceFileError(sortIssues(issues).map(formatIssue).join("\n"));
  if (yamlIssues.length > 0) throw fail(yamlIssues);

  let raw: unknown;
  try {
    raw = source.doc.toJS({ maxAliasCount: MAX_ALIAS_VALUES });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new PriceFileError(`${file}: YAML aliases: ${error.message}`);
  }
  const schema = PriceTableSchema.partial();
  const override = schema.safeParse(raw ?? {});
  if (!override.success) {
    const issues: ManifestIssue[] = [];
    for (const issue of tightestBounds(override.error.issues)) {
      reportZodIssue(
        issue,
        raw,
        (path, message, hint, where = "value") => {
          const { line, col } = positionOf(source, path, where);
          issues.push({ file, line, col, path: formatPath(path), message, ...(hint ? { hint } : {}) });
        },
        schema,
      );
    }
    throw fail(issues);
  }
  const { serverTypes, ...rest } = override.data;
  const merged = {
    ...DEFAULT_PRICES,
    ...rest,
    serverTypes: { ...DEFAULT_PRICES.serverTypes, ...serverTypes },
  };
  return z.parse(PriceTableSchema, merged);
}
