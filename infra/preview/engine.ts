/**
 * The offline engine: runs the real stack programs in-process under Pulumi's mocks and records every
 * resource they register (type, name, URN, inputs with secrets redacted, and the options the engine would
 * see: protect, ignoreChanges, retainOnDelete, parent). Nothing is sent to any cloud. Used by
 * `tenancy plan` and by the tests; never by a real `pulumi up`.
 *
 * The recording and the answers are shared with the launch-path test's gRPC engine (testing/), which
 * runs the same programs the way the Pulumi CLI starts them; a test holds the two recordings equal.
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import {
  specialOutputValueSig,
  specialSecretSig,
  specialSigKey,
  unknownValue,
} from "@pulumi/pulumi/runtime/rpc";
import { disconnect, setMockOptions } from "@pulumi/pulumi/runtime/settings";

import type { Tier } from "../plans";
import { REPO_ROOT } from "../root";
import program from "../../stacks";
import { offlineMocks } from "./mocks";
import { readStackSettings, type StackSettings } from "./stack-config";

// The runtime's state store is not in the SDK's typings; its own setMocks reaches it the same way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getStore } = require("@pulumi/pulumi/runtime/state") as {
  getStore: () => { settings: { options: Record<string, unknown> } } & Record<string, unknown>;
};

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  /** A CustomResource (a cloud object) rather than a ComponentResource. */
  custom: boolean;
  /** Inputs as the provider would get them; secret values are "[secret]", unknown ones "[unknown]". */
  inputs: Record<string, unknown>;
  /**
   * Outputs, redacted the same way: a cloud object's state as the engine answered (the mocks' stand-ins),
   * a component's registered outputs. Stack policies read these, as under the CLI (AnalyzeStack gets
   * each resource's outputs, pulumi/pulumi pkg/resource/deploy/step_generator.go AnalyzeResources).
   */
  outputs: Record<string, unknown>;
  options: RecordedOptions;
}

export interface RecordedOptions {
  protect: boolean;
  ignoreChanges: string[];
  retainOnDelete: boolean;
  /** The parent's URN; "" for a resource of the stack itself. */
  parent: string;
  additionalSecretOutputs: string[];
  /**
   * URNs the resource was known by before (given as full URNs): the engine treats it as the same
   * resource. Absent in recordings made by older code (a `--base`).
   */
  aliases?: string[];
  /** The URN of the provider given explicitly (a default provider is the engine's choice: absent). */
  provider?: string;
}

export interface RecordedStack {
  tier: Tier;
  resources: RecordedResource[];
  /** The stack outputs, resolved (secrets included: never print these). */
  outputs: Record<string, unknown>;
  /** The stack outputs as the program returned them, Outputs and their secrecy intact. */
  programOutputs: Record<string, unknown>;
  /** The settings the program ran with, and which of them are stand-ins. */
  settings: StackSettings;
}

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The raw inputs of a registration, with every secret and unknown value replaced by a marker. */
export function redact(value: unknown): unknown {
  if (value === unknownValue) return UNKNOWN;
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    if (object[specialSigKey] === specialSecretSig) return SECRET;
    if (object[specialSigKey] === specialOutputValueSig) {
      if (object.secret === true) return SECRET;
      return "value" in object ? redact(object.value) : UNKNOWN;
    }
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, redact(inner)]));
  }
  return value;
}

/**
 * A resource's URN as the engine makes it (pulumi/pulumi sdk/go/common/resource/urn/urn.go `New`): the
 * parent's qualified type, then `$` and the type, unless the parent is the stack itself.
 */
export function engineUrn(stack: string, project: string, parentUrn: string, type: string, name: string) {
  const parentType = parentUrn ? parentUrn.split("::")[2]! : "";
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** The protobuf RegisterResourceRequest's accessors this engine reads. */
export interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getProvider(): string;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getIgnorechangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getAliasesList(): { hasUrn(): boolean; getUrn(): string }[];
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** What a registration asks for, as recorded; `rootUrn` is the stack's URN, recorded as no parent. */
export function recordRegistration(req: RegisterRequest, urn: string, rootUrn = ""): RecordedResource {
  const parent = req.getParent();
  // A provider reference is `<urn>::<id>`; the id is the engine's, the URN says which provider.
  const provider = req.getProvider().split("::").slice(0, -1).join("::");
  return {
    type: req.getType(),
    name: req.getName(),
    urn,
    custom: req.getCustom(),
    inputs: redact(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    outputs: {},
    options: {
      protect: req.getProtect() === true,
      ignoreChanges: req.getIgnorechangesList(),
      retainOnDelete: req.getRetainondelete() === true,
      parent: parent === rootUrn ? "" : parent,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      aliases: req
        .getAliasesList()
        .filter((alias) => alias.hasUrn())
        .map((alias) => alias.getUrn()),
      ...(provider ? { provider } : {}),
    },
  };
}

/**
 * Sees every registration whole, options included (the plain setMocks callback does not), makes URNs as
 * the engine does, and marks the outputs a provider declares secret (additionalSecretOutputs) as secret,
 * as the Pulumi engine would.
 */
class RecordingMonitor extends MockMonitor {
  readonly recorded: RecordedResource[];
  onRegister?: (registered: number) => void;
  private readonly secretOutputs: Map<string, string[]>;

  constructor(stackName: string, project: string, previous: unknown) {
    const secretOutputs = new Map<string, string[]>();
    super({
      call: (args) => offlineMocks.call(args),
      newResource: async (args) => {
        // The program reads its own last deployment through a StackReference to itself.
        if (args.type === STACK_REFERENCE) return stackReferenceState(args.name, previous);
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
    // MockMonitor names a child by its parent's last type only; the engine uses the whole chain. Its
    // newUrn is private in the typings, so it is replaced on the instance.
    Object.assign(this, {
      newUrn: (parent: string, type: string, name: string) =>
        engineUrn(stackName, project, parent, type, name),
    });
  }

  // The response is the SDK's generated protobuf class, which this module does not need typed.
  /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
  override async registerResource(
    req: RegisterRequest,
    callback: (err: any, response: any) => void,
  ): Promise<void> {
    this.secretOutputs.set(`${req.getType()}::${req.getName()}`, req.getAdditionalsecretoutputsList());
    await super.registerResource(req, (err, response) => {
      if (!err) {
        const record = recordRegistration(req, response.getUrn() as string);
        if (record.custom)
          record.outputs = redact(response.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        this.recorded.push(record);
        this.onRegister?.(this.recorded.length);
      }
      callback(err, response);
    });
  }

  override registerResourceOutputs(req: any, callback: (err: any, response: any) => void): void {
    const record = this.recorded.find((r) => r.urn === req.getUrn());
    if (record) record.outputs = redact(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
    super.registerResourceOutputs(req, callback);
  }
  /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
}

export const STACK_REFERENCE = "pulumi:pulumi:StackReference";
export const SELF_MANAGED_ORGANIZATION = "organization";

/** A StackReference's state: the referenced stack's outputs; `previous` is this stack's last deployment. */
export function stackReferenceState(name: string, previous: unknown) {
  return {
    id: name,
    state: { name, outputs: previous === undefined ? {} : { deployment: previous }, secretOutputNames: [] },
  };
}

export interface RecordOptions {
  tier: Tier;
  /** Path of the manifest to deploy. */
  manifest: string;
  /** The project directory whose Pulumi.yaml and Pulumi.<tier>.yaml give the settings. */
  root?: string;
  /** Overrides of the stack's settings (tests). */
  config?: Record<string, string>;
  /** Another program to run in place of the stacks' (the benchmark's floor). */
  program?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** What the stack deployed last (its `deployment` output), as a real stack would give it back. */
  previous?: unknown;
  /** Told the count of resources registered so far, after each registration (progress on a terminal). */
  onRegister?: (registered: number) => void;
}

/** The repository: its Pulumi.yaml and stack files give the offline preview its settings. */
export const PROJECT_ROOT = REPO_ROOT;

/** Runs one stack program offline and returns what it registered, in registration order. */
export async function recordStack(options: RecordOptions): Promise<RecordedStack> {
  const root = options.root ?? PROJECT_ROOT;
  const settings = readStackSettings(root, options.tier);
  const monitor = new RecordingMonitor(options.tier, settings.project, options.previous);
  monitor.onRegister = options.onRegister;
  // As the CLI passes it: a self-managed backend's organization is "organization".
  setMockOptions(monitor, settings.project, options.tier, true, SELF_MANAGED_ORGANIZATION);
  // setMockOptions turns every monitor feature off; the CLI's monitor has them, secrets above all
  // (without it, secret inputs would be sent, and recorded, in the clear). Same as setMocks does.
  Object.assign(getStore(), {
    supportsSecrets: true,
    supportsResourceReferences: true,
    supportsDeletedWith: true,
    supportsAliasSpecs: true,
  });
  // The CLI passes the project's directory (--root-directory); the SDK's stand-in is the word "rootDirectory".
  getStore().settings.options.rootDirectory = root;
  pulumi.runtime.setAllConfig(
    { ...settings.config, "tenancy:manifest": path.resolve(options.manifest), ...options.config },
    settings.secretKeys,
  );
  // A failure inside an apply surfaces as an unhandled rejection: collect it and fail the run with it.
  const failures: unknown[] = [];
  const collect = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", collect);
  try {
    const outputs = await (options.program ?? program)();
    const resolved = await new Promise<Record<string, unknown>>((resolve) => {
      pulumi.output(outputs).apply((value) => {
        resolve(value);
        return value;
      });
    });
    await disconnect();
    if (failures.length > 0) throw failures[0];
    return {
      tier: options.tier,
      resources: monitor.recorded,
      outputs: resolved,
      programOutputs: outputs,
      settings,
    };
  } finally {
    process.off("unhandledRejection", collect);
  }
}
