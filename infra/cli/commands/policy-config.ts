import { CLOUDFLARE_RANGES, CLOUDFLARE_RANGES_AS_OF } from "../../edge/cloudflare";
import {
  CLOUDFLARE_PLAN_FACTS,
  CLOUDFLARE_PLANS,
  ENTERPRISE_ADVANCED_RATE_LIMITING,
  type RateLimitFacts,
} from "../../edge/cloudflare-plans";
import { loadManifest } from "../../manifest";
import { BUILT_IN_PLANS, HETZNER_SERVER_TYPES, sharedHostCapacity, type PlanCatalogue } from "../../plans";
import { PLAN_LIMITED_POLICIES } from "../../../policies/plan-limited";
import { formatJson, replaceFile } from "../output";

/** The shortest database or account password the pack accepts. */
export const MIN_PASSWORD_LENGTH = 24;

/** policies/catalogue.json: the defaults the pack bundles, generated from the catalogue in infra/. */
export function bundledCatalogue() {
  return {
    asOf: CLOUDFLARE_RANGES_AS_OF,
    plans: BUILT_IN_PLANS,
    sharedHostCapacity: Object.fromEntries(
      Object.keys(HETZNER_SERVER_TYPES).map((type) => [type, sharedHostCapacity(type) ?? 0]),
    ),
    cloudflareRanges: CLOUDFLARE_RANGES,
    // What each Cloudflare plan lets a rate-limit rule do (infra/edge/cloudflare-plans.ts, with sources).
    cloudflareRateLimits: {
      ...Object.fromEntries(
        CLOUDFLARE_PLANS.map((plan) => [plan, rateLimitDefaults(CLOUDFLARE_PLAN_FACTS[plan].rateLimiting)]),
      ),
      "enterprise-advanced": rateLimitDefaults(ENTERPRISE_ADVANCED_RATE_LIMITING),
    },
    minPasswordLength: MIN_PASSWORD_LENGTH,
  };
}

function rateLimitDefaults(facts: RateLimitFacts) {
  return { maxRules: facts.maxRules, characteristics: facts.characteristics, periods: facts.periods };
}

/** The policy config owners commit: every policy that reads plan limits gets the catalogue. */
export function policyConfig(plans: PlanCatalogue): Record<string, { plans: PlanCatalogue }> {
  return Object.fromEntries(PLAN_LIMITED_POLICIES.map((name) => [name, { plans }]));
}

/**
 * `tenancy policy-config`: writes the policy config from the built-in catalogue, or from the manifest's
 * plans (--from-manifest) when the owners approve what the manifest asks for.
 */
export function policyConfigCommand(options: {
  file: string;
  fromManifest: boolean;
  out?: string;
  bundled: boolean;
}): number {
  const value = options.bundled
    ? bundledCatalogue()
    : policyConfig(options.fromManifest ? loadManifest(options.file).plans : BUILT_IN_PLANS);
  // Formatted as Prettier would, so that the committed file passes `prettier --check` as written.
  const text = formatJson(value);
  if (options.out) {
    replaceFile(options.out, text);
    process.stderr.write(`Wrote ${options.out}.\n`);
  } else process.stdout.write(text);
  return 0;
}
