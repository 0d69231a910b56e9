import { manifestJsonSchema } from "../../manifest";
import { formatJson } from "../output";

/** Prints the schema as Prettier would format it, so that it can be committed as it comes out. */
export function schemaCommand(): number {
  process.stdout.write(formatJson(manifestJsonSchema()));
  return 0;
}
