/** Reads a price override file (YAML or JSON) and merges it over the built-in table. */
import { MAX_PRICE_FILE_BYTES, readTextFile } from "../manifest";
import { parse } from "yaml";
import { z } from "zod";
import { DEFAULT_PRICES, PriceTableSchema, type PriceTable } from "./prices";

export class PriceFileError extends Error {}

export function loadPrices(file?: string): PriceTable {
  if (file === undefined) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = parse(readTextFile(file, MAX_PRICE_FILE_BYTES));
  } catch (error) {
    throw new PriceFileError(`${file}: cannot read price table: ${(error as Error).message.split("\n")[0]}`);
  }
  const override = PriceTableSchema.partial().safeParse(raw ?? {});
  if (!override.success) {
    throw new PriceFileError(
      override.error.issues
        .map((issue) => `${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`)
        .join("\n"),
    );
  }
  const { serverTypes, ...rest } = override.data;
  const merged = {
    ...DEFAULT_PRICES,
    ...rest,
    serverTypes: { ...DEFAULT_PRICES.serverTypes, ...serverTypes },
  };
  return z.parse(PriceTableSchema, merged);
}
