import { loadManifest } from "../../manifest";
import { expand } from "../../expand";
import { TIERS } from "../../plans";
import { recordAtRef } from "../base";
import { planChanges } from "../../preview/changes";
import { recordStack } from "../../preview/engine";
import { CHANGE_BEHAVIOURS } from "../../preview/rules";
import { printJson } from "../output";

/**
 * `tenancy affected --base REF`: the tier stacks a change touches, in deploy order (shared first: it owns
 * the zone settings and the rate limits of every tenant). Decided by running both programs offline, the
 * base with its own code, and comparing what they register: so a change to a component or a host script
 * marks the stacks it changes, as a manifest edit does, and a change that only the other tier's rate
 * limits see is caught too.
 */
export async function affectedCommand(options: {
  file: string;
  json: boolean;
  base: string;
}): Promise<number> {
  expand(loadManifest(options.file));
  const stacks = [...TIERS];
  const base = recordAtRef(options.base, options.file, stacks);
  const affected = [];
  for (const tier of stacks) {
    const current = await recordStack({ tier, manifest: options.file });
    if (planChanges(base.stacks[tier] ?? [], current.resources, CHANGE_BEHAVIOURS).length > 0)
      affected.push(tier);
  }
  if (options.json) printJson(affected);
  else process.stdout.write(affected.length > 0 ? `${affected.join("\n")}\n` : "");
  return 0;
}
