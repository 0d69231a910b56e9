/**
 * Reading an input file with a limit: only a regular file, and only up to a size, so that a path such as
 * /dev/zero, a named pipe, a directory or a runaway file is refused at once instead of being read until
 * the process runs out of memory or waits forever.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";

/** Why a file cannot be read, in words for a message. */
export class UnreadableFileError extends Error {}

const MIB = 1024 * 1024;

/**
 * The largest manifest read: a tenant line is about 100 bytes, so 4 MiB is about 40,000 tenants, eight
 * times the largest fleet the benchmarks run (docs/benchmarks.md). Such a file already takes about half a
 * gigabyte of memory and eight seconds to validate (measured on the development machine); memory grows
 * with the text, so a larger one is refused before it is read.
 */
export const MAX_MANIFEST_BYTES = 4 * MIB;

/** The largest price file read: the built-in table is about 3 KB. */
export const MAX_PRICE_FILE_BYTES = 1 * MIB;

export function readTextFile(file: string, maxBytes: number): string {
  let fd: number;
  try {
    // Non-blocking, so that opening a named pipe with no writer returns (and is refused below).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new UnreadableFileError(openFailure(error));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnreadableFileError(`it is ${kind(stat)}, not a regular file`);
    if (stat.size > maxBytes) throw new UnreadableFileError(tooLarge(stat.size, maxBytes));
    // Read at most one byte past the limit: a file that grows while it is read is refused too.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) {
        throw new UnreadableFileError(`it grew past the limit of ${mib(maxBytes)} while it was read`);
      }
    }
    return Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(openFailure(error));
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number, maxBytes: number): string {
  return `it is ${mib(size)}, over the limit of ${mib(maxBytes)}`;
}

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(bytes % MIB === 0 ? 0 : 1)} MiB`;
}

function kind(stat: Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a named pipe";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}

function openFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: "file not found",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EISDIR: "it is a directory, not a regular file",
    ELOOP: "too many symbolic links",
    ENAMETOOLONG: "the path is too long",
    ENOTDIR: "a part of the path is not a directory",
  };
  return (code && reasons[code]) ?? (error instanceof Error ? error.message : String(error));
}
