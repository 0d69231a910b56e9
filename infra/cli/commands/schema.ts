import { manifestJsonSchema } from "../../manifest";
import { printJson } from "../output";

export function schemaCommand(): number {
  printJson(manifestJsonSchema());
  return 0;
}
