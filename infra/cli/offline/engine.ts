/**
 * The offline engine: runs the real stack programs in-process under Pulumi's mocks and records every
 * resource they register (type, name, URN, inputs with secrets redacted, and the options the engine would
 * see: protect, ignoreChanges, retainOnDelete, parent). Nothing is sent to any cloud. Used by
 * `tenancy plan` and by the tests; never by a real `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { disconnect, setMockOptions } from "@pulumi/pulumi/runtime/settings";

import type { Tier } from "../../plans";
import program from "../../../stacks";
import { offlineMocks } from "./mocks";

// The runtime's state store is not in the SDK's typings; its own setMocks reaches it the same way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getStore } = require("@pulumi/pulumi/runtime/state") as { getStore: () => Record<string, unknown> };

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  /** A CustomResource (a cloud object) rather than a ComponentResource. */
  custom: boolean;
  /** Inputs as the provider would get them; secret values are "[secret]", unknown ones "[unknown]". */
  inputs: Record<string, unknown>;
  options: {
    protect: boolean;
    ignoreChanges: string[];
    retainOnDelete: boolean;
    parent: string;
    additionalSecretOutputs: string[];
  };
}

export interface RecordedStack {
  tier: Tier;
  resources: RecordedResource[];
  /** The stack outputs, resolved (secrets included: never print these). */
  outputs: Record<string, unknown>;
  /** The stack outputs as the program returned them, Outputs and their secrecy intact. */
  programOutputs: Record<string, unknown>;
}

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

/** Settings the program needs that only a real stack has; clearly fake. */
export const OFFLINE_CONFIG: Readonly<Record<string, string>> = {
  "tenancy:cloudflareZoneId": "0ff11e00000000000000000000000000",
  "tenancy:cloudflareAccountId": "0ff11e00000000000000000000000000",
  "tenancy:adminCidrs": JSON.stringify(["198.51.100.0/24"]),
  "tenancy:sshKeys": JSON.stringify(["ops"]),
  "tenancy:backupPassword": "offline-preview-not-a-real-password",
};

/** The raw inputs of a registration, with every secret and unknown value replaced by a marker. */
export function redact(value: unknown): unknown {
  if (value === unknownValue) return UNKNOWN;
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    if (object[specialSigKey] === specialSecretSig) return SECRET;
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, redact(inner)]));
  }
  return value;
}

/**
 * Sees every registration whole, options included (the plain setMocks callback does not), and marks the
 * outputs a provider declares secret (additionalSecretOutputs) as secret, as the Pulumi engine would.
 */
class RecordingMonitor extends MockMonitor {
  readonly recorded: RecordedResource[];
  private readonly secretOutputs: Map<string, string[]>;

  constructor() {
    const secretOutputs = new Map<string, string[]>();
    super({
      call: (args) => offlineMocks.call(args),
      newResource: async (args) => {
        const result = await offlineMocks.newResource(args);
        const state: Record<string, unknown> = { ...result.state };
        for (const key of secretOutputs.get(`${args.type}::${args.name}`) ?? []) {
          if (key in state) state[key] = pulumi.secret(state[key]);
        }
        return { id: result.id, state };
      },
    });
    this.recorded = [];
    this.secretOutputs = secretOutputs;
  }

  // The request and response are the SDK's generated protobuf classes, which it does not export typed.
  /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
  override async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
    const record = {
      type: req.getType() as string,
      name: req.getName() as string,
      custom: req.getCustom() as boolean,
      inputs: redact(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      options: {
        protect: req.getProtect() === true,
        ignoreChanges: req.getIgnorechangesList() as string[],
        retainOnDelete: req.getRetainondelete() === true,
        parent: req.getParent() as string,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList() as string[],
      },
    };
    this.secretOutputs.set(
      `${record.type}::${record.name}`,
      req.getAdditionalsecretoutputsList() as string[],
    );
    await super.registerResource(req, (err, response) => {
      if (!err) this.recorded.push({ ...record, urn: response.getUrn() as string });
      callback(err, response);
    });
  }
  /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
}

export interface RecordOptions {
  tier: Tier;
  /** Path of the manifest to deploy. */
  manifest: string;
  /** Overrides of the offline settings (tests). */
  config?: Record<string, string>;
  /** Another program to run in place of the stacks' (the benchmark's floor). */
  program?: () => Record<string, unknown>;
}

/** Runs one stack program offline and returns what it registered, in registration order. */
export async function recordStack(options: RecordOptions): Promise<RecordedStack> {
  const monitor = new RecordingMonitor();
  setMockOptions(monitor, "tenancy", options.tier, true);
  // setMockOptions turns every monitor feature off; the CLI's monitor has them, secrets above all
  // (without it, secret inputs would be sent, and recorded, in the clear). Same as setMocks does.
  Object.assign(getStore(), {
    supportsSecrets: true,
    supportsResourceReferences: true,
    supportsDeletedWith: true,
    supportsAliasSpecs: true,
  });
  pulumi.runtime.setAllConfig(
    {
      ...OFFLINE_CONFIG,
      "tenancy:tier": options.tier,
      "tenancy:manifest": options.manifest,
      ...options.config,
    },
    ["tenancy:backupPassword"],
  );
  // A failure inside an apply surfaces as an unhandled rejection: collect it and fail the run with it.
  const failures: unknown[] = [];
  const collect = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", collect);
  try {
    const outputs = (options.program ?? program)();
    const resolved = await new Promise<Record<string, unknown>>((resolve) => {
      pulumi.output(outputs).apply((value) => {
        resolve(value);
        return value;
      });
    });
    await disconnect();
    if (failures.length > 0) throw failures[0];
    return { tier: options.tier, resources: monitor.recorded, outputs: resolved, programOutputs: outputs };
  } finally {
    process.off("unhandledRejection", collect);
  }
}
