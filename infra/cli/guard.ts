/**
 * The lifecycle guard at review: the base's manifest against this one, each refused edit reported like a
 * manifest error, at the line of the tenant or host at fault, with what to do instead.
 */
import { expand, type FleetModel } from "../expand";
import { fleetState, guardTransition, type LifecycleProblem } from "../lifecycle";
import { formatPath, loadManifest, ManifestError, positionOf, type LoadedManifest } from "../manifest";
import { withManifestAt } from "./base";

/** The refused edits from the manifest at `ref` to `current`; none when the base does not validate here. */
export async function lifecycleProblemsSince(
  ref: string,
  file: string,
  current: FleetModel,
): Promise<LifecycleProblem[]> {
  return withManifestAt(ref, file, (baseFile) => {
    let base: FleetModel;
    try {
      base = expand(loadManifest(baseFile));
    } catch {
      return [];
    }
    return guardTransition(fleetState(base), fleetState(current));
  });
}

/** Throws the problems as a ManifestError pinned to `loaded`'s lines. */
export function refuseLifecycleProblems(loaded: LoadedManifest, problems: LifecycleProblem[]): void {
  if (problems.length === 0) return;
  const issues = problems.map((problem) => {
    const path = pathOf(loaded, problem);
    const { line, col } = positionOf(loaded.source, path, problem.field && path.length > 2 ? "value" : "key");
    return { file: loaded.source.file, line, col, path: formatPath(path), message: problem.message };
  });
  throw new ManifestError(issues);
}

function pathOf(loaded: LoadedManifest, problem: LifecycleProblem): PropertyKey[] {
  if (problem.field === "zone") return ["fleet", "zone"];
  if (problem.tenant !== undefined) {
    const index = loaded.manifest.tenants.findIndex((t) => t.id === problem.tenant);
    if (index < 0) return ["tenants"];
    const field =
      problem.field && Object.hasOwn(loaded.manifest.tenants[index]!, problem.field) ? [problem.field] : [];
    return ["tenants", index, ...field];
  }
  if (problem.host !== undefined) {
    const index = loaded.manifest.sharedHosts.findIndex((h) => h.name === problem.host);
    return index < 0 ? ["sharedHosts"] : ["sharedHosts", index, ...(problem.field ? [problem.field] : [])];
  }
  return [];
}
