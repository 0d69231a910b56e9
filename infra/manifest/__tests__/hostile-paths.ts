/** Paths that are not a regular file of a sane size, for the tests of hostile input. */
import { execFileSync } from "node:child_process";
import { mkdirSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";

export function hostilePaths(base: string): Record<string, string> {
  const fifo = path.join(base, "fifo.yaml");
  execFileSync("mkfifo", [fifo]);
  const directory = path.join(base, "directory.yaml");
  mkdirSync(directory);
  // Sparse: as large as the size says, without taking the disk.
  const huge = path.join(base, "huge.yaml");
  writeFileSync(huge, "");
  truncateSync(huge, 512 * 1024 * 1024);
  return { "/dev/zero": "/dev/zero", "a named pipe": fifo, "a directory": directory, "a huge file": huge };
}
