import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { didYouMean, loadManifest } from "../../manifest";
import { expand } from "../../expand";
import {
  bundleHash,
  hostSpecs,
  referenceSecrets,
  renderBundle,
  renderUserData,
  secretReference,
} from "../../host";
import { UsageError } from "../errors";
import { plural, printJson } from "../output";

/**
 * Writes one host's files for an operator to read: user-data, the bundle, each file of the bundle under
 * files/, and the SQL. Secrets are references (`@@secret:…@@`), never values.
 */
export function renderCommand(host: string, options: { file: string; json: boolean; out: string }): number {
  const specs = hostSpecs(expand(loadManifest(options.file)));
  const spec = specs.find((s) => s.name === host);
  if (!spec) {
    const names = specs.map((s) => s.name);
    const hint = didYouMean(host, names);
    throw new UsageError(
      `no host or dedicated tenant named "${host}"${hint ? `; ${hint}` : ""}; hosts: ${names.join(", ")}`,
    );
  }
  const bundle = renderBundle(spec, referenceSecrets(spec.name));
  const userData = renderUserData(spec, {
    sshAuthorizedKeys: [secretReference("admin-ssh-public-keys (tenancy:sshKeys)")],
    volumeDevice: `/dev/disk/by-id/scsi-0HC_Volume_${secretReference(`${spec.server.names.volume}-id`)}`,
  });
  const written: string[] = [];
  const write = (relative: string, content: string, mode = 0o644) => {
    const target = path.join(options.out, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
    chmodSync(target, mode);
    written.push(relative);
  };
  write("user-data.yaml", userData);
  write("bundle.json", `${JSON.stringify(bundle, null, 2)}\n`);
  write("tenants.sql", bundle.sql);
  for (const file of bundle.files) write(path.join("files", file.path), file.content, parseInt(file.mode, 8));
  const hash = bundleHash(bundle);
  if (options.json) printJson({ host, out: options.out, bundleHash: hash, files: written });
  else {
    process.stdout.write(
      `Rendered ${host} (${spec.tier}, ${plural(spec.tenants.length, "tenant")}) into ${options.out}: ${written.length} files, ` +
        `bundle ${hash.slice(0, 12)}.\nSecrets are references (@@secret:…@@); the deployed bundle holds the values.\n`,
    );
  }
  return 0;
}
