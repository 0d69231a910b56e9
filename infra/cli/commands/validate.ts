import { loadManifest } from "../../manifest";
import { expand, tenantsOf } from "../../expand";
import { lifecycleProblemsSince, refuseLifecycleProblems } from "../guard";
import { plural, printJson } from "../output";

/**
 * `tenancy validate [--base REF]`: the manifest on its own, and with --base the edits since REF that would
 * lose a tenant's service or data (a move without migration, a removal before purge, a rename…).
 */
export async function validateCommand(options: {
  file: string;
  json: boolean;
  base?: string;
}): Promise<number> {
  const loaded = loadManifest(options.file);
  const model = expand(loaded);
  if (options.base !== undefined)
    refuseLifecycleProblems(loaded, await lifecycleProblemsSince(options.base, options.file, model));
  const shared = tenantsOf(model, "shared").length;
  const dedicated = model.dedicated.tenants.length;
  const kubernetes = model.kubernetes.tenants.length;
  if (options.json) {
    printJson({
      ok: true,
      file: options.file,
      sharedHosts: model.shared.hosts.length,
      shared,
      dedicated,
      kubernetes,
    });
  } else {
    const containerized =
      kubernetes === 0 ? "" : `, ${kubernetes} containerized on ${model.kubernetes.cluster?.name}`;
    process.stdout.write(
      `${options.file}: valid: ${plural(shared + dedicated + kubernetes, "tenant")} ` +
        `(${shared} shared on ${plural(model.shared.hosts.length, "host")}, ${dedicated} dedicated${containerized})\n`,
    );
  }
  return 0;
}
