/**
 * Reading tenants.yaml: YAML with positions → zod schema → cross-field rules → a Manifest and its plans,
 * or every problem found, each as `FILE:LINE:COL: path: message`.
 */
import { z } from "zod";
import { mergePlans, type Plan } from "../plans";
import { formatPath, ManifestError, sortIssues, type ManifestIssue } from "./issues";
import { reportZodIssue, tightestBounds } from "./messages";
import { MAX_MANIFEST_BYTES, readTextFile, UnreadableFileError } from "./read";
import { checkRules, containerPlanProblems } from "./rules";
import {
  FleetSchema,
  ManifestSchema,
  PlanOverrideSchema,
  SharedHostSchema,
  TenantSchema,
  type Manifest,
} from "./schema";
import { MAX_ALIAS_VALUES, parseSource, positionOf, type ManifestSource } from "./source";

export interface LoadedManifest {
  source: ManifestSource;
  manifest: Manifest;
  /** The effective plan catalogue: built-in plans with the manifest's overrides. */
  plans: Record<string, Plan>;
}

export interface LoadOptions {
  /** Accept shared tenants without a host (for `tenancy place`). */
  allowUnplaced?: boolean;
}

/** Reads and validates a manifest file; throws ManifestError with every problem found. */
export function loadManifest(file: string, options: LoadOptions = {}): LoadedManifest {
  let text: string;
  try {
    text = readTextFile(file, MAX_MANIFEST_BYTES);
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    const limit = /limit/.test(error.message) ? " (about 40,000 tenants; see docs/manifest.md)" : "";
    throw new ManifestError([
      { file, line: 1, col: 1, path: "(file)", message: `cannot read manifest: ${error.message}${limit}` },
    ]);
  }
  return parseManifest(file, text, options);
}

/** Validates manifest text; `file` is the name used in messages. */
export function parseManifest(file: string, text: string, options: LoadOptions = {}): LoadedManifest {
  const { source, issues: yamlIssues, fatal } = parseSource(file, text);
  if (fatal) throw new ManifestError(sortIssues(yamlIssues));

  const issues: ManifestIssue[] = [...yamlIssues];
  const at = (
    path: readonly PropertyKey[],
    message: string,
    hint?: string,
    where: "value" | "key" = "value",
  ) => {
    const { line, col } = positionOf(source, path, where);
    issues.push({ file, line, col, path: formatPath(path), message, ...(hint ? { hint } : {}) });
  };

  let raw: unknown;
  try {
    // checkAliases (source.ts) has bounded what aliases add; yaml's own count is the backstop.
    raw = source.doc.toJS({ maxAliasCount: MAX_ALIAS_VALUES });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    at([], `YAML aliases: ${error.message}; write the values out instead of nesting aliases`);
    throw new ManifestError(issues);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of tightestBounds(parsed.error.issues)) reportZodIssue(issue, raw, at, ManifestSchema);
  }

  // Cross-field rules run on every part that is sound on its own, so one bad tenant hides no other error.
  const root = isRecord(raw) ? raw : {};
  const fleet = FleetRulesSchema.safeParse(root.fleet);
  const planEntries = isRecord(root.plans) ? Object.entries(root.plans) : [];
  const brokenPlans = new Set(
    planEntries.filter(([, p]) => !PlanOverrideSchema.safeParse(p).success).map(([n]) => n),
  );
  const brokenHosts = new Set(
    (Array.isArray(root.sharedHosts) ? (root.sharedHosts as unknown[]) : [])
      .filter((host) => !SharedHostSchema.safeParse(host).success)
      .flatMap((host) => (isRecord(host) && typeof host.name === "string" ? [host.name] : [])),
  );
  const overrides = Object.fromEntries(
    planEntries.flatMap(([name, p]) => {
      const result = PlanOverrideSchema.safeParse(p);
      return result.success ? [[name, result.data]] : [];
    }),
  );
  let plans: Record<string, Plan> = {};
  if (fleet.success) {
    const merged = mergePlans(overrides);
    plans = merged.plans;
    for (const problem of merged.problems) {
      brokenPlans.add(problem.plan);
      if (problem.field) at(["plans", problem.plan, problem.field], problem.message);
      else at(["plans", problem.plan], problem.message, undefined, "key");
    }
    for (const name of Object.keys(overrides)) {
      const plan = plans[name];
      if (plan?.tier !== "kubernetes" || brokenPlans.has(name)) continue;
      for (const problem of containerPlanProblems(plan)) {
        brokenPlans.add(name);
        at(
          ["plans", name, ...(Object.hasOwn(overrides[name]!, problem.field) ? [problem.field] : [])],
          problem.message,
        );
      }
    }
    checkRules(
      {
        fleet: fleet.data,
        plans,
        hosts: soundItems(root.sharedHosts, SharedHostSchema).map(([index, host]) => ({ index, host })),
        tenants: soundItems(root.tenants, TenantSchema).map(([index, tenant]) => ({ index, tenant })),
        brokenPlans,
        brokenHosts,
        allowUnplaced: options.allowUnplaced ?? false,
        lineOf: (path) => positionOf(source, path).line,
      },
      at,
    );
  }

  if (issues.length > 0 || !parsed.success) throw new ManifestError(sortIssues(dedupe(issues)));
  return { source, manifest: parsed.data, plans };
}

/** What the cross-field rules need of the fleet; a typo elsewhere in `fleet:` must not hide their errors. */
const FleetRulesSchema = z.object({
  zone: FleetSchema.shape.zone,
  location: FleetSchema.shape.location,
  residency: FleetSchema.shape.residency,
  cloudflarePlan: FleetSchema.shape.cloudflarePlan,
  cloudflareDnsRecordQuota: FleetSchema.shape.cloudflareDnsRecordQuota,
  cloudflareAdvancedRateLimiting: FleetSchema.shape.cloudflareAdvancedRateLimiting,
  // Checked by the rules that need it, so that a slip in the cluster's entry hides no tenant's error.
  kubernetes: z.unknown().optional(),
});

function soundItems<T>(items: unknown, schema: z.ZodType<T>): [number, T][] {
  if (!Array.isArray(items)) return [];
  const sound: [number, T][] = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) sound.push([index, result.data]);
  });
  return sound;
}

function dedupe(issues: ManifestIssue[]): ManifestIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.col}:${issue.path}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
