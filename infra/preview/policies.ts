/**
 * Runs the policy pack in-process over what the offline engine recorded: the same policy objects the
 * Pulumi CLI would load, called with the arguments it would build (stackTags, notApplicable, props behind
 * the pack's unknownCheckingProxy), and each policy's config as --policy-pack-config would give it.
 */
import {
  unknownCheckingProxy,
  UnknownValueError,
  type EnforcementLevel,
  type Policies,
  type PolicyResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { UNKNOWN, type RecordedResource, type RecordedStack } from "./engine";

export interface Violation {
  policy: string;
  level: EnforcementLevel;
  /** The resource at fault, when there is one. */
  urn?: string;
  resource?: string;
  /** The tenant or host it concerns, from the resource's labels or name. */
  owner?: string;
  message: string;
}

/** `--policy-pack-config` as a JSON object: policy name → its config (and, optionally, enforcementLevel). */
export type PolicyPackConfig = Record<
  string,
  Record<string, unknown> & { enforcementLevel?: EnforcementLevel }
>;

// The pack's typed stand-in for a value unknown at preview time; its proxy.d.ts declares nothing.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: unknown };

/** Recorded inputs with the engine's "[unknown]" marker turned back into what the pack's deserializer makes. */
function withUnknowns(value: unknown): unknown {
  if (value === UNKNOWN) return unknownStringValue;
  if (Array.isArray(value)) return value.map(withUnknowns);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withUnknowns(inner)]));
  }
  return value;
}

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

/** The policy's config: its schema's defaults, overridden property by property by the pack config. */
function configOf(policy: ResourceValidationPolicy | StackValidationPolicy, config: PolicyPackConfig) {
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) =>
      (schema as { default?: unknown }).default === undefined
        ? []
        : [[key, (schema as { default: unknown }).default]],
    ),
  );
  const { enforcementLevel, ...given } = config[policy.name] ?? {};
  return {
    level: enforcementLevel ?? policy.enforcementLevel ?? "advisory",
    values: { ...defaults, ...given },
  };
}

const isTypeOf = (type: string, resourceClass: unknown) =>
  (resourceClass as { __pulumiType?: string }).__pulumiType === type;

function options(resource: RecordedResource) {
  return {
    protect: resource.options.protect,
    ignoreChanges: resource.options.ignoreChanges,
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: resource.options.additionalSecretOutputs,
    ...(resource.options.parent ? { parent: resource.options.parent } : {}),
  };
}

function ownerOf(resource: RecordedResource): string | undefined {
  const labels = (resource.inputs.labels ?? {}) as Record<string, string>;
  return labels.tenant ?? labels.host ?? /^[a-z0-9-]+?(?=-(?:dns|domain-))/.exec(resource.name)?.[0];
}

export async function runPolicies(
  stack: RecordedStack,
  policies: Policies,
  config: PolicyPackConfig = {},
  /** Told each policy's name before it runs (progress on a terminal). */
  onPolicy?: (name: string) => void,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const byUrn = new Map(stack.resources.map((r) => [r.urn, r]));
  // Analyze gets a resource's inputs, AnalyzeStack its outputs, as under the CLI.
  const cloneProps = (r: RecordedResource, side: "inputs" | "outputs" = "inputs") =>
    // The pack exports unknownCheckingProxy untyped (its proxy.d.ts declares nothing).
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call
    unknownCheckingProxy(withUnknowns(r[side])) as Record<string, unknown>;

  for (const policy of policies) {
    onPolicy?.(policy.name);
    const { level, values } = configOf(policy, config);
    if (level === "disabled") continue;
    const getConfig = <T extends object>() => values as T;
    const report = (resource: RecordedResource | undefined) => (message: string, urn?: string) => {
      const at = resource ?? (urn ? byUrn.get(urn) : undefined);
      violations.push({
        policy: policy.name,
        level,
        message,
        ...(at ? { urn: at.urn, resource: at.name, ...(ownerOf(at) ? { owner: ownerOf(at) } : {}) } : {}),
      });
    };
    const attempt = async (run: () => unknown, resource?: RecordedResource) => {
      try {
        await run();
      } catch (error) {
        if (error instanceof NotApplicable) return;
        if (error instanceof UnknownValueError) {
          // As the CLI does: a policy that reads an unknown value cannot block a preview.
          violations.push({
            policy: policy.name,
            level: "advisory",
            message: `can't run during preview: ${(error as Error).message}`,
          });
          return;
        }
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`policy ${policy.name} failed${resource ? ` on ${resource.name}` : ""}: ${reason}`);
      }
    };

    if ("validateResource" in policy && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
      for (const resource of stack.resources) {
        for (const validate of validations) {
          const props = cloneProps(resource);
          const args: ResourceValidationArgs = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: options(resource),
            stackTags: new Map(),
            isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
            // The pack's own typings make asType generic over the resource's args; the value is the props.
            asType: ((resourceClass: unknown) =>
              isTypeOf(resource.type, resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
            getConfig,
            notApplicable,
          };
          await attempt(() => validate(args, report(resource)), resource);
        }
      }
    }
    if ("validateStack" in policy) {
      const resources = new Map<string, PolicyResource>();
      for (const r of stack.resources) {
        const props = cloneProps(r, "outputs");
        resources.set(r.urn, {
          type: r.type,
          props,
          urn: r.urn,
          name: r.name,
          opts: options(r),
          dependencies: [],
          propertyDependencies: {},
          isType: (resourceClass) => isTypeOf(r.type, resourceClass),
          asType: ((resourceClass: unknown) =>
            isTypeOf(r.type, resourceClass) ? props : undefined) as PolicyResource["asType"],
        });
      }
      for (const r of stack.resources) {
        const parent = resources.get(r.options.parent);
        if (parent) resources.get(r.urn)!.parent = parent;
      }
      await attempt(() =>
        policy.validateStack(
          { resources: [...resources.values()], stackTags: new Map(), getConfig, notApplicable },
          report(undefined),
        ),
      );
    }
  }
  return violations;
}

export const isMandatory = (violation: Violation) => violation.level === "mandatory";
