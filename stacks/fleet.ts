/** Loads and expands the manifest for a stack; an invalid manifest fails the update with every problem. */
import * as pulumi from "@pulumi/pulumi";
import { expand, type FleetModel } from "../infra/expand";
import { formatIssue, loadManifest, ManifestError } from "../infra/manifest";

export function loadFleet(manifestPath: string): FleetModel {
  try {
    return expand(loadManifest(manifestPath));
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    for (const issue of error.issues) void pulumi.log.error(formatIssue(issue));
    throw new pulumi.RunError(
      `${manifestPath} is invalid (${error.issues.length} ${error.issues.length === 1 ? "problem" : "problems"} above); ` +
        `run "npx tenancy validate" to check it`,
    );
  }
}
