/**
 * The fleet as it was at a git ref (`--base`), for the commands that compare a change with it: the
 * manifest at that ref, and what that ref's own code registers for it. A change to a component, a host
 * script or a policy changes what is deployed as surely as a manifest edit does, so the base is run with
 * its own code, in a temporary git worktree.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RecordedResource } from "../preview/engine";
import type { Tier } from "../plans";
import { MAX_MANIFEST_BYTES } from "../manifest";
import { UsageError } from "./errors";

interface Repository {
  root: string;
  /** The manifest's path inside the repository. */
  manifest: string;
  git: (args: string[], failure: (detail: string) => string) => string;
}

function repositoryOf(file: string): Repository {
  const cwd = path.dirname(path.resolve(file));
  const git = (args: string[], failure: (detail: string) => string) => {
    try {
      // A manifest may be as large as the manifest reader allows.
      return execFileSync("git", args, {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        maxBuffer: MAX_MANIFEST_BYTES + 1024 * 1024,
      });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
      throw new UsageError(failure(detail));
    }
  };
  const root = git(
    ["rev-parse", "--show-toplevel"],
    () => `--base needs ${file} to be in a git repository`,
  ).trim();
  return { root, manifest: path.relative(root, path.resolve(file)), git };
}

/**
 * The commit a ref names. A ref is never passed to git where it could be read as an option
 * (`--base=--output=FILE`): it is refused if it starts with "-", and resolved after --end-of-options.
 */
function resolveRef(repo: Repository, ref: string): string {
  if (ref.startsWith("-") || ref.includes("\0")) throw new UsageError(`--base "${ref}" is not a git ref`);
  return repo
    .git(
      ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`],
      () => `--base: no commit "${ref}" in this repository`,
    )
    .trim();
}

/** Runs `work` with a temporary copy of `file` as it was at `ref`, then removes the copy. */
export async function withManifestAt<T>(
  ref: string,
  file: string,
  work: (baseFile: string) => Promise<T> | T,
): Promise<T> {
  const repo = repositoryOf(file);
  const commit = resolveRef(repo, ref);
  const text = repo.git(
    ["show", `${commit}:${repo.manifest}`],
    (detail) => `cannot read ${file} at ${ref}: ${detail}`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-base-"));
  try {
    const baseFile = path.join(dir, path.basename(file));
    writeFileSync(baseFile, text);
    return await work(baseFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface BaseRecording {
  ref: string;
  commit: string;
  /** What the base's own code registers for the base manifest, per stack. */
  stacks: Partial<Record<Tier, RecordedResource[]>>;
}

/**
 * Checks out `ref` in a temporary worktree and runs its own `tenancy plan --json` on its own manifest.
 * node_modules is shared when the base's lockfile is the same as the working tree's; otherwise the
 * base's dependencies are installed into the worktree from its lockfile.
 */
export function recordAtRef(ref: string, file: string, stacks: Tier[]): BaseRecording {
  const repo = repositoryOf(file);
  const commit = resolveRef(repo, ref);
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-base-"));
  const checkout = path.join(dir, "checkout");
  const remove = () => {
    spawnSync("git", ["worktree", "remove", "--force", checkout], { cwd: repo.root, stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
    spawnSync("git", ["worktree", "prune"], { cwd: repo.root, stdio: "ignore" });
  };
  try {
    repo.git(
      ["worktree", "add", "--detach", "--quiet", checkout, commit],
      (d) => `cannot check out ${ref}: ${d}`,
    );
    if (!existsSync(path.join(checkout, repo.manifest)))
      throw new UsageError(`${repo.manifest} does not exist at ${ref}`);
    provideDependencies(repo.root, checkout, ref);
    const bin = path.join(checkout, "infra", "cli", "bin.js");
    if (!existsSync(bin)) throw new UsageError(`${ref} has no tenancy command (infra/cli/bin.js) to run`);
    const args = [bin, "plan", "--json", "-f", path.join(checkout, repo.manifest)];
    if (stacks.length === 1) args.push("--stack", stacks[0]!);
    process.stderr.write(`tenancy: running ${ref}'s own code on ${ref}'s manifest…\n`);
    const run = spawnSync(process.execPath, args, {
      cwd: checkout,
      encoding: "utf8",
      maxBuffer: 1024 * 1024 * 1024,
      env: { ...process.env, TENANCY_DEBUG: "" },
    });
    // 0, or a verdict (policy violations, provider refusals, blocked changes): the recording is there.
    const plan = parsePlan(run.stdout);
    if (!plan) {
      const reason = run.stderr.trim() || run.error?.message || `exit ${run.status}`;
      throw new UsageError(`tenancy plan at ${ref} failed, so there is nothing to compare with:\n${reason}`);
    }
    const recorded: BaseRecording["stacks"] = {};
    for (const tier of stacks) recorded[tier] = plan.stacks[tier]?.resources ?? [];
    return { ref, commit, stacks: recorded };
  } finally {
    remove();
  }
}

function parsePlan(
  stdout: string,
): { stacks: Partial<Record<Tier, { resources?: RecordedResource[] }>> } | undefined {
  try {
    const plan = JSON.parse(stdout) as { stacks?: Partial<Record<Tier, { resources?: RecordedResource[] }>> };
    return plan.stacks ? { stacks: plan.stacks } : undefined;
  } catch {
    return undefined;
  }
}

/** The base's node_modules: the working tree's when the lockfiles match, or installed from the base's. */
function provideDependencies(root: string, checkout: string, ref: string): void {
  const lock = (dir: string) => {
    try {
      return readFileSync(path.join(dir, "package-lock.json"), "utf8");
    } catch {
      return undefined;
    }
  };
  if (
    lock(root) !== undefined &&
    lock(root) === lock(checkout) &&
    existsSync(path.join(root, "node_modules"))
  ) {
    symlinkSync(path.join(root, "node_modules"), path.join(checkout, "node_modules"), "dir");
    return;
  }
  process.stderr.write(`tenancy: ${ref} pins other dependencies; installing them (npm ci)…\n`);
  const install = spawnSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: checkout,
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (install.status !== 0)
    throw new UsageError(
      `cannot install ${ref}'s dependencies (npm ci): ${install.stderr.trim().split("\n").slice(-5).join("\n")}`,
    );
}
