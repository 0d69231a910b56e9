/**
 * A throwaway copy of this project's working tree, committed as a git repository of its own, sharing
 * node_modules: for the tests of `--base`, which check out a ref in a worktree and run its code.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./fixtures";

export interface ProjectCopy {
  root: string;
  manifest: string;
  git: (...args: string[]) => string;
  /** Commits everything in the copy and returns the commit. */
  commit: (message: string) => string;
  remove: () => void;
}

export function copyProject(): ProjectCopy {
  const root = mkdtempSync(path.join(tmpdir(), "tenancy-project-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    const target = path.join(root, file);
    mkdirSync(path.dirname(target), { recursive: true });
    try {
      copyFileSync(path.join(REPO_ROOT, file), target);
    } catch {
      // Listed by git but deleted in the working tree.
    }
  }
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=tenancy-test", "-c", "user.email=test@example.com", ...args], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  git("init", "-q");
  const commit = (message: string) => {
    git("add", "-A");
    git("commit", "-q", "--allow-empty", "-m", message);
    return git("rev-parse", "HEAD").trim();
  };
  commit("base");
  return {
    root,
    manifest: path.join(root, "tenants.yaml"),
    git,
    commit,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
