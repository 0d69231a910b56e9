/**
 * The providers' own rules, checked offline. Mocks accept any value; Hetzner and Cloudflare do not.
 * Each rule states what the real provider or API accepts for one field of one resource type, and cites
 * where that is written (the Terraform provider the Pulumi provider bridges, or the API's documentation).
 * `tenancy plan` fails on a violation, naming the resource, the field, the value and what is allowed.
 *
 * Rules read recorded inputs (infra/preview/engine.ts): a value that is "[unknown]" (computed by another
 * resource) or "[secret]" cannot be checked at preview time and is skipped, never guessed.
 */
import type { CloudflarePlan } from "../../edge/cloudflare-plans";
import { SECRET, UNKNOWN, type RecordedResource, type RecordedStack } from "../engine";

export interface RuleContext {
  /** The zone's Cloudflare plan (fleet.cloudflarePlan): some limits depend on it. */
  cloudflarePlan: CloudflarePlan;
  /** Whether the Enterprise zone has the Advanced Rate Limiting add-on (fleet.cloudflareAdvancedRateLimiting). */
  advancedRateLimiting: boolean;
  /** The stack being checked. */
  stack: RecordedStack;
  /**
   * Every resource of every stack that shares the zone, for limits that count across the zone (records per
   * zone, rules per phase): the stacks are deployed apart, but Cloudflare counts them together.
   */
  zone: readonly RecordedResource[];
}

/** One way a value breaks a rule: where (a path into the inputs), what it is, and what is allowed. */
export interface RuleFinding {
  /** Path into the inputs, for example `requestedValidity` or `rules[2].port`. */
  path: string;
  value: unknown;
  /** What the provider accepts, in words a reader can act on: `one of 7, 30, 90, …`. */
  allowed: string;
}

export interface ProviderRule {
  /** The Pulumi type token, e.g. `cloudflare:index/originCaCertificate:OriginCaCertificate`. */
  type: string;
  /** The input the rule is about (top-level name), for the reader and for tests. */
  field: string;
  /** Where the rule is written: a URL into the provider's source or the API documentation. */
  source: string;
  /** Findings for one resource's inputs; none when the value is fine or cannot be known. */
  check(inputs: Record<string, unknown>, context: RuleContext): RuleFinding[];
}

export interface ProviderRuleViolation {
  type: string;
  resource: string;
  urn: string;
  path: string;
  value: unknown;
  allowed: string;
  source: string;
}

/** Whether a recorded value can be checked at preview time. */
export function isKnown(value: unknown): boolean {
  return value !== UNKNOWN && value !== SECRET;
}

export function checkProviderRules(
  stack: RecordedStack,
  rules: readonly ProviderRule[],
  context: Omit<RuleContext, "stack" | "zone"> & { zone?: readonly RecordedResource[] },
): ProviderRuleViolation[] {
  const byType = new Map<string, ProviderRule[]>();
  for (const rule of rules) byType.set(rule.type, [...(byType.get(rule.type) ?? []), rule]);
  const violations: ProviderRuleViolation[] = [];
  const full: RuleContext = { ...context, stack, zone: context.zone ?? stack.resources };
  for (const resource of stack.resources) {
    for (const rule of byType.get(resource.type) ?? []) {
      for (const finding of rule.check(resource.inputs, full))
        violations.push(violation(resource, rule, finding));
    }
  }
  return violations;
}

function violation(
  resource: RecordedResource,
  rule: ProviderRule,
  finding: RuleFinding,
): ProviderRuleViolation {
  return {
    type: resource.type,
    resource: resource.name,
    urn: resource.urn,
    path: finding.path,
    value: finding.value,
    allowed: finding.allowed,
    source: rule.source,
  };
}

/**
 * How a change of each input is carried out: in place, by replacing the resource, or in place with a
 * side effect worth saying (a server-type change powers the server off). From the same sources.
 */
export interface ChangeBehaviour {
  /**
   * Inputs whose change makes the provider replace the resource (ForceNew / RequiresReplace): top-level
   * names, or dotted paths below one (`metadata.name`) where the provider replaces on a nested field.
   */
  replaceOn: readonly string[];
  /** Inputs whose in-place change has a consequence the reviewer must see, with what it is. */
  notes?: Readonly<Record<string, string>>;
  source: string;
}
