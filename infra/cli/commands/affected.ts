import { loadManifest } from "../../manifest";
import { TIERS } from "../../plans";
import { printJson } from "../output";
import { diffAgainst, recordAll } from "./plan";

/**
 * `tenancy affected --base REF`: the tier stacks a manifest change touches, in deploy order (shared first:
 * it owns the zone settings and the rate limits of every tenant). Decided by running both programs
 * offline and comparing what they register, so a change that only the other tier's rate limits see is
 * caught too.
 */
export async function affectedCommand(options: {
  file: string;
  json: boolean;
  base: string;
}): Promise<number> {
  loadManifest(options.file);
  const stacks = [...TIERS];
  const current = await recordAll(stacks, options.file);
  const diffs = await diffAgainst(options.base, options.file, stacks, current);
  const affected = stacks.filter((_, i) => {
    const d = diffs[i]!;
    return d.added.length + d.removed.length + d.changed.length > 0;
  });
  if (options.json) printJson(affected);
  else process.stdout.write(affected.length > 0 ? `${affected.join("\n")}\n` : "");
  return 0;
}
