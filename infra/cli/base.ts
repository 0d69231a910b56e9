/**
 * The manifest as it was at a git ref (`--base`), for the commands that compare a change with it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UsageError } from "./errors";

/** Runs `work` with a temporary copy of `file` as it was at `ref`, then removes the copy. */
export async function withManifestAt<T>(
  ref: string,
  file: string,
  work: (baseFile: string) => Promise<T> | T,
): Promise<T> {
  const cwd = path.dirname(path.resolve(file));
  const git = (args: string[], failure: (detail: string) => string) => {
    try {
      return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
      throw new UsageError(failure(detail));
    }
  };
  const root = git(
    ["rev-parse", "--show-toplevel"],
    () => `--base needs ${file} to be in a git repository`,
  ).trim();
  const relative = path.relative(root, path.resolve(file));
  const text = git(["show", `${ref}:${relative}`], (detail) => `cannot read ${file} at ${ref}: ${detail}`);
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-base-"));
  try {
    const baseFile = path.join(dir, path.basename(file));
    writeFileSync(baseFile, text);
    return await work(baseFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
