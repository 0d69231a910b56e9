/**
 * Exit codes and how failures reach the user: a clear message and a code, never a stack trace
 * (unless TENANCY_DEBUG=1 asks for one).
 */
import { formatIssue, ManifestError } from "../manifest";
import { PriceFileError, PriceMissingError } from "../cost";
import { PlacementError } from "../expand";
import { StackConfigError } from "../preview/stack-config";
import { EXIT } from "./exit";

export { EXIT };

/** A problem with what the user gave us (a flag, a file): exit 1 with this message. */
export class UsageError extends Error {}

/** A host refused a lifecycle step, or it failed there: its own output was shown; this says what it was. */
export class HostRefusal extends Error {}

/** A migration step failed; the message says what state the tenant is in and what to run next. */
export class MigrationError extends Error {}

export function reportFailure(error: unknown, json: boolean): number {
  if (error instanceof ManifestError) {
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, issues: error.issues }, null, 2)}\n`);
    else {
      for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      const n = error.issues.length;
      process.stderr.write(`${n} ${n === 1 ? "problem" : "problems"} found; nothing was changed.\n`);
    }
    return EXIT.invalidInput;
  }
  const inputErrors = [
    UsageError,
    PriceFileError,
    PriceMissingError,
    PlacementError,
    StackConfigError,
    // A host refused or a lifecycle step failed: its message says what state the tenant is in and what to run.
    HostRefusal,
    MigrationError,
  ];
  if (inputErrors.some((type) => error instanceof type)) {
    process.stderr.write(`tenancy: ${(error as Error).message}\n`);
    return EXIT.invalidInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tenancy: internal error: ${message}\n`);
  if (process.env.TENANCY_DEBUG === "1" && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write("Run again with TENANCY_DEBUG=1 for the stack trace, and report it.\n");
  return EXIT.internalError;
}
