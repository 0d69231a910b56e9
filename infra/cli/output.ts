/** Small helpers for the CLI's output: text, JSON, and files replaced whole. */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from "node:fs";
import path from "node:path";
import { UsageError } from "./errors";

export function table(rows: string[][], indent = ""): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "),
    )
    .join("\n");
}

export function euro(value: number): string {
  return `€${value.toFixed(2)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The repository's `.prettierrc.json` printWidth (a test holds them equal). */
export const PRETTIER_PRINT_WIDTH = 110;

/**
 * JSON laid out as Prettier lays out a `.json` file, so that the files the CLI writes for the repository
 * (`docs/tenants.schema.json`, `policies/*.json`) pass `prettier --check` as written. Prettier is a
 * devDependency, so it cannot run here; these are its rules for JSON, checked against it by a test:
 * - a non-empty object always breaks, one key per line (Prettier keeps an object broken when its first key
 *   is on a new line, as it is here), and so breaks every array around it;
 * - an array with more than one element, every element an array of more than one, always breaks;
 * - any other array stays on one line if it fits in the print width, with the comma after it;
 * - otherwise an array of numbers fills lines, and any other array puts one element per line;
 * - numbers are written without a `+` in the exponent; strings and keys as JSON.stringify writes them.
 */
export function formatJson(value: unknown, printWidth = PRETTIER_PRINT_WIDTH): string {
  return `${printValue(toJsonValue(value), 0, 0, 0, printWidth)}\n`;
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The value as JSON.stringify sees it (toJSON, undefined and functions dropped, non-finite numbers null). */
function toJsonValue(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value) ?? "null") as JsonValue;
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a value can never be printed on one line. */
function mustBreak(value: JsonValue): boolean {
  if (isObject(value)) return Object.keys(value).length > 0;
  if (!Array.isArray(value)) return false;
  return isMatrix(value) || value.some(mustBreak);
}

function isMatrix(items: JsonValue[]): boolean {
  return items.length > 1 && items.every((item) => Array.isArray(item) && item.length > 1);
}

function scalar(value: null | boolean | number | string): string {
  return typeof value === "number" ? String(value).replace("e+", "e") : JSON.stringify(value);
}

/** A value that does not need to break, on one line. */
function flat(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(flat).join(", ")}]`;
  if (isObject(value)) return "{}";
  return scalar(value);
}

/**
 * `column` is where the value starts, `after` the width of what follows it on its line (a comma), both as
 * Prettier measures them when it decides whether a group fits.
 */
function printValue(value: JsonValue, depth: number, column: number, after: number, width: number): string {
  const indent = "  ".repeat(depth + 1);
  const close = "  ".repeat(depth);
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return "{}";
    const lines = keys.map((key, i) => {
      const start = `${indent}${JSON.stringify(key)}: `;
      const next = value[key] as JsonValue;
      return start + printValue(next, depth + 1, textWidth(start), i < keys.length - 1 ? 1 : 0, width);
    });
    return `{\n${lines.join(",\n")}\n${close}}`;
  }
  if (!Array.isArray(value)) return scalar(value);
  if (value.length === 0) return "[]";
  if (!mustBreak(value)) {
    const line = flat(value);
    if (column + textWidth(line) + after <= width) return line;
  }
  if (value.length > 1 && value.every((item) => typeof item === "number")) {
    // Prettier's fill: the next number joins the line if it fits, its comma included.
    const items = value.map((item, i) => scalar(item) + (i < value.length - 1 ? "," : ""));
    let text = indent + items[0]!;
    let lineWidth = textWidth(text);
    for (const item of items.slice(1)) {
      if (lineWidth + 1 + textWidth(item) <= width) {
        text += ` ${item}`;
        lineWidth += 1 + textWidth(item);
      } else {
        text += `\n${indent}${item}`;
        lineWidth = textWidth(indent + item);
      }
    }
    return `[\n${text}\n${close}]`;
  }
  const lines = value.map(
    (item, i) => indent + printValue(item, depth + 1, indent.length, i < value.length - 1 ? 1 : 0, width),
  );
  return `[\n${lines.join(",\n")}\n${close}]`;
}

/**
 * Columns a text takes, as Prettier counts them: control characters and combining marks take none, East
 * Asian wide and fullwidth characters two. Prettier reads the Unicode tables for the last rule; the ranges
 * here are the blocks that matter (CJK, Hangul, kana, fullwidth forms, emoji).
 */
function textWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || (code >= 0x300 && code <= 0x36f)) continue;
    width += WIDE.some(([from, to]) => code >= from && code <= to) ? 2 : 1;
  }
  return width;
}

const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** A file-system failure in words: "no space left on the device", "permission denied", … */
export function fsReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "permission denied",
    ENOSPC: "no space left on the device",
    EDQUOT: "over the disk quota",
    EROFS: "the file system is read-only",
    EIO: "an input/output error",
    ENOTDIR: "a part of the path is not a directory",
    EISDIR: "it is a directory",
    EEXIST: "a file is in the way",
  };
  return (code && reasons[code]) ?? message ?? String(error);
}

/**
 * Replaces a file's content whole: written beside it, flushed, then renamed over it, so that a failure
 * half-way (a full disk) leaves the file as it was and no temporary file behind. Through a symbolic link
 * the file it points to is replaced and the link stays; the file keeps its mode (and owner, where the
 * process may set it). The content is written as given: callers keep the file's own line endings.
 */
export function replaceFile(file: string, content: string): void {
  let target = path.resolve(file);
  let existing: Stats | undefined;
  try {
    target = realpathSync(file);
    existing = statSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new UsageError(`cannot write ${file}: ${fsReason(error)}`);
    }
  }
  if (existing && !existing.isFile()) throw new UsageError(`cannot write ${file}: it is not a regular file`);
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.tenancy-${process.pid}-${randomBytes(4).toString("hex")}.tmp`,
  );
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "wx", existing ? existing.mode & 0o7777 : 0o666);
    if (existing) {
      fchmodSync(fd, existing.mode & 0o7777); // the mode exactly, whatever the umask
      try {
        fchownSync(fd, existing.uid, existing.gid);
      } catch {
        // Only root may give a file to another owner; the file is then the writer's, as an editor leaves it.
      }
    }
    const bytes = Buffer.from(content, "utf8");
    for (let offset = 0; offset < bytes.length;)
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, target);
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    rmSync(temporary, { force: true });
    throw new UsageError(`cannot write ${file}: ${fsReason(error)}; it was not changed`);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing: the first error is the one to report.
  }
}
