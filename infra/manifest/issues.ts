/**
 * Manifest errors, each pinned to a line: `FILE:LINE:COL: path.to.field: message`.
 */
export interface ManifestIssue {
  file: string;
  line: number;
  col: number;
  /** Where in the manifest, as `tenants[3].plan`; `(yaml)` for a syntax error. */
  path: string;
  message: string;
  /** A suggestion such as `did you mean "starter"?`. */
  hint?: string;
}

export function formatIssue(issue: ManifestIssue): string {
  const hint = issue.hint ? `; ${issue.hint}` : "";
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.path}: ${issue.message}${hint}`;
}

/** Thrown by `loadManifest` when the file cannot be used; carries every problem found, in file order. */
export class ManifestError extends Error {
  constructor(readonly issues: ManifestIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ManifestError";
  }
}

export function sortIssues(issues: ManifestIssue[]): ManifestIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

/** Manifest paths as people write them: `tenants[3].domains[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}
