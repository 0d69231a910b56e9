import { loadManifest } from "../../manifest";
import { expand, tenantsOf } from "../../expand";
import { plural, printJson } from "../output";

export function validateCommand(options: { file: string; json: boolean }): number {
  const loaded = loadManifest(options.file);
  const model = expand(loaded);
  const shared = tenantsOf(model, "shared").length;
  const dedicated = model.dedicated.tenants.length;
  if (options.json) {
    printJson({ ok: true, file: options.file, sharedHosts: model.shared.hosts.length, shared, dedicated });
  } else {
    process.stdout.write(
      `${options.file}: valid: ${plural(shared + dedicated, "tenant")} ` +
        `(${shared} shared on ${plural(model.shared.hosts.length, "host")}, ${dedicated} dedicated)\n`,
    );
  }
  return 0;
}
