import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { didYouMean, loadManifest } from "../../manifest";
import { expand } from "../../expand";
import { backupTargetFor } from "../../plans";
import {
  bundleHash,
  hostSpecs,
  referenceSecrets,
  renderBundle,
  renderUserData,
  secretReference,
} from "../../host";
import { UsageError } from "../errors";
import { fsReason, plural, printJson } from "../output";

/** Written into every render's directory with the files it holds, so that a later render may replace it. */
export const RENDER_MARKER = ".tenancy-render.json";

interface RenderedFile {
  relative: string;
  content: string;
  mode: number;
}

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
  const bundle = renderBundle(
    spec,
    referenceSecrets(spec.name, backupTargetFor(spec.server.location).kind === "s3" ? "s3" : "sftp"),
  );
  const userData = renderUserData(spec, {
    sshAuthorizedKeys: [secretReference("admin-ssh-public-keys (tenancy:sshKeys)")],
    volumeDevice: `/dev/disk/by-id/scsi-0HC_Volume_${secretReference(`${spec.server.names.volume}-id`)}`,
  });
  const files: RenderedFile[] = [
    { relative: "user-data.yaml", content: userData, mode: 0o644 },
    { relative: "bundle.json", content: `${JSON.stringify(bundle, null, 2)}\n`, mode: 0o644 },
    { relative: "tenants.sql", content: bundle.sql, mode: 0o644 },
    ...bundle.files.map((file) => ({
      relative: path.join("files", file.path),
      content: file.content,
      mode: parseInt(file.mode, 8),
    })),
  ];
  writeRender(options.out, host, files);
  const written = files.map((file) => file.relative);
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

/**
 * Writes the files into a fresh directory beside `out`, then puts it in `out`'s place: `out` ends up
 * holding this render's files and nothing else, or, on any failure, stays as it was.
 */
function writeRender(out: string, host: string, files: RenderedFile[]): void {
  const target = outDirectory(out);
  const parent = path.dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new UsageError(`cannot create ${parent} for --out ${out}: ${fsReason(error)}`);
  }
  let fresh: string;
  try {
    fresh = mkdtempSync(path.join(parent, `.${path.basename(target)}.tenancy-`));
  } catch (error) {
    throw new UsageError(`cannot write beside ${out}: ${fsReason(error)}; nothing was written`);
  }
  try {
    for (const file of files) {
      const at = path.join(fresh, file.relative);
      mkdirSync(path.dirname(at), { recursive: true });
      writeFileSync(at, file.content);
      chmodSync(at, file.mode);
    }
    const marker = { host, files: files.map((file) => file.relative) };
    writeFileSync(path.join(fresh, RENDER_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    chmodSync(fresh, 0o755);
    swapInto(fresh, target);
  } catch (error) {
    rmSync(fresh, { recursive: true, force: true });
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot write into ${out}: ${fsReason(error)}; it was left as it was`);
  }
}

/** The directory a render may replace (through a link, its target), or a clear refusal. */
function outDirectory(out: string): string {
  let target = path.resolve(out);
  try {
    lstatSync(target);
  } catch {
    return target; // a new directory
  }
  try {
    target = realpathSync(target);
  } catch (error) {
    throw new UsageError(`--out ${out}: ${fsReason(error)}`);
  }
  if (!statSync(target).isDirectory()) {
    throw new UsageError(
      `--out ${out} is a file, not a directory; render writes a directory of files: choose a new or empty one`,
    );
  }
  const foreign = foreignEntry(target);
  if (foreign !== undefined) {
    throw new UsageError(
      `--out ${out} is not empty and not only an earlier render's files (it holds "${foreign}"); ` +
        `choose a new or empty directory, or one an earlier render wrote`,
    );
  }
  return target;
}

/**
 * An entry of `dir` that is not a file of the earlier render its marker lists (so replacing the directory
 * would lose it), or undefined when there is none.
 */
function foreignEntry(dir: string): string | undefined {
  const entries = readdirSync(dir).sort();
  let listed = new Set<string>();
  try {
    const marker = JSON.parse(readFileSync(path.join(dir, RENDER_MARKER), "utf8")) as { files?: unknown };
    if (Array.isArray(marker.files)) {
      listed = new Set(marker.files.filter((file): file is string => typeof file === "string"));
    }
  } catch {
    return entries.find((entry) => entry !== RENDER_MARKER) ?? entries[0];
  }
  listed.add(RENDER_MARKER);
  const walk = (relative: string): string | undefined => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      const found = entry.isDirectory()
        ? walk(child)
        : entry.isFile() && listed.has(child)
          ? undefined
          : child;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk("");
}

/** Puts `fresh` where `target` is: a rename, with the earlier directory moved aside and removed after. */
function swapInto(fresh: string, target: string): void {
  try {
    renameSync(fresh, target); // a new or empty target
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
  }
  const earlier = `${fresh}-earlier`;
  renameSync(target, earlier);
  try {
    renameSync(fresh, target);
  } catch (error) {
    renameSync(earlier, target);
    throw error;
  }
  rmSync(earlier, { recursive: true, force: true });
}
