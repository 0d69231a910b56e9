/**
 * Plays the Pulumi CLI for the launch-path test: an engine on loopback gRPC (the ResourceMonitor and
 * Engine services the SDK talks to), the program started exactly as the Node language host starts it,
 * and the policy pack started as the CLI starts a local pack and called over its Analyzer service.
 *
 * What the CLI does is read from its source (pulumi/pulumi, 2026-08):
 * - sdk/nodejs/cmd/pulumi-language-nodejs/main.go `Run`/`execRuntime`/`constructArguments`: `node
 *   <nodeargs> <@pulumi/pulumi/cmd/run, resolved from the program directory> --monitor A --engine A
 *   --sync D --project P --root-directory R --stack S --pwd <program dir> --dry-run --parallel N <entry>`,
 *   environment PULUMI_CONFIG (keys as `ns:config:key`), PULUMI_CONFIG_SECRET_KEYS,
 *   PULUMI_NODEJS_TYPESCRIPT=true and PULUMI_NODEJS_TSCONFIG_PATH from the runtime options.
 * - pkg/engine/project.go `getPwdMain`: a `main` that is a directory becomes the program directory, and
 *   the entry point is ".".
 * - the same main.go `RunPlugin` for a policy pack: `node <@pulumi/pulumi/cmd/run-policy-pack> <nodeargs>
 *   <engine address> <pack dir>` in the pack's directory; the pack prints its port.
 * - pkg/resource/plugin/analyzer_plugin.go and pkg/resource/analyzer/config.go: Handshake, GetAnalyzerInfo,
 *   the policy config reconciled with each policy's schema defaults and validated against the schema,
 *   Configure, then Analyze per resource and AnalyzeStack.
 *
 * The clouds' answers (ids, addresses) come from the offline mocks; nothing here leaves loopback.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as resourceGrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourceProto from "@pulumi/pulumi/proto/resource_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import {
  engineUrn,
  recordRegistration,
  redact,
  ROOT_STACK_TYPE,
  SELF_MANAGED_ORGANIZATION,
  STACK_REFERENCE,
  stackReferenceState,
  type RecordedResource,
} from "../engine";
import { offlineMocks } from "../mocks";
import { readProject, type StackSettings } from "../stack-config";

export interface EngineLog {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
}

/** A registration as the engine saw it: recorded (secrets redacted) and raw (for the analyzer). */
export interface EngineResource extends RecordedResource {
  rawInputs: Record<string, unknown>;
  /** The resource's outputs as this engine answered them (ids, addresses from the mocks). */
  rawOutputs: Record<string, unknown>;
}

const SEVERITIES: EngineLog["severity"][] = ["debug", "info", "warning", "error"];

/** The engine side: a ResourceMonitor and an Engine service on 127.0.0.1. */
export class CliEngine {
  readonly resources: EngineResource[] = [];
  readonly logs: EngineLog[] = [];
  readonly invokes: { token: string; args: Record<string, unknown> }[] = [];
  readonly reads: { type: string; id: string }[] = [];
  stackOutputs: Record<string, unknown> = {};
  private rootUrn = "";

  private constructor(
    private readonly server: grpc.Server,
    readonly address: string,
    private readonly stack: string,
    private readonly project: string,
    private readonly computed: Computed,
    private readonly previous: unknown,
  ) {}

  static async start(
    project: string,
    stack: string,
    computed: Computed = "mocked",
    previous?: unknown,
  ): Promise<CliEngine> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 * 400 });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
    const engine = new CliEngine(server, `127.0.0.1:${port}`, stack, project, computed, previous);
    server.addService(resourceGrpc.ResourceMonitorService, engine.monitorService());
    server.addService(engineGrpc.EngineService, engine.engineService());
    return engine;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** What the engine answers, as the real one does for the calls the Node SDK makes. */
  private monitorService(): grpc.UntypedServiceImplementation {
    type Call<T> = grpc.ServerUnaryCall<T, unknown>;
    type Done = grpc.sendUnaryData<unknown>;
    const guard =
      <T>(handler: (request: T) => unknown) =>
      (call: Call<T>, done: Done) => {
        Promise.resolve()
          .then(() => handler(call.request))
          .then(
            (response) => done(null, response),
            (error: Error) => done({ code: grpc.status.INTERNAL, details: error.message }, null),
          );
      };
    return {
      // pkg/resource/deploy/source_eval.go supportsFeatureID: every feature the SDK asks about is on.
      supportsFeature: guard((req: resourceProto.SupportsFeatureRequest) =>
        new resourceProto.SupportsFeatureResponse().setHassupport(FEATURES.has(req.getId())),
      ),
      registerResource: guard((req: resourceProto.RegisterResourceRequest) => this.registerResource(req)),
      registerResourceOutputs: guard((req: resourceProto.RegisterResourceOutputsRequest) => {
        const outputs = req.getOutputs()?.toJavaScript() ?? {};
        if (req.getUrn() === this.rootUrn) this.stackOutputs = outputs;
        const resource = this.resources.find((r) => r.urn === req.getUrn());
        // A component's outputs are what it registers, and nothing else (the engine replaces them).
        if (resource) Object.assign(resource, { rawOutputs: outputs, outputs: redact(outputs) });
        return new Empty();
      }),
      invoke: guard((req: resourceProto.ResourceInvokeRequest) => this.invoke(req)),
      readResource: guard((req: resourceProto.ReadResourceRequest) => this.readResource(req)),
      signalAndWaitForShutdown: guard(() => new Empty()),
    };
  }

  private engineService(): grpc.UntypedServiceImplementation {
    return {
      log: (
        call: grpc.ServerUnaryCall<engineProto.LogRequest, unknown>,
        done: grpc.sendUnaryData<unknown>,
      ) => {
        const req = call.request;
        this.logs.push({
          severity: SEVERITIES[req.getSeverity()] ?? "error",
          message: req.getMessage(),
          urn: req.getUrn(),
        });
        done(null, new Empty());
      },
      getRootResource: (_call: unknown, done: grpc.sendUnaryData<unknown>) =>
        done(null, new engineProto.GetRootResourceResponse().setUrn(this.rootUrn)),
      setRootResource: (
        call: grpc.ServerUnaryCall<engineProto.SetRootResourceRequest, unknown>,
        done: grpc.sendUnaryData<unknown>,
      ) => {
        this.rootUrn = call.request.getUrn();
        done(null, new engineProto.SetRootResourceResponse());
      },
      requirePulumiVersion: (_call: unknown, done: grpc.sendUnaryData<unknown>) =>
        done(null, new engineProto.RequirePulumiVersionResponse()),
    };
  }

  private async registerResource(req: resourceProto.RegisterResourceRequest) {
    const type = req.getType();
    const name = req.getName();
    const urn = engineUrn(this.stack, this.project, req.getParent(), type, name);
    const rawInputs = req.getObject()?.toJavaScript() ?? {};
    let id = "";
    let state: Record<string, unknown> = {};
    if (type === ROOT_STACK_TYPE) this.rootUrn = urn;
    else {
      if (req.getCustom() && this.computed === "unknown") {
        // A first preview: nothing exists yet, so the engine answers with the inputs and no id; every
        // output the provider computes is unknown to the program.
        state = rawInputs;
      } else if (req.getCustom()) {
        const answer = await offlineMocks.newResource({
          type,
          name,
          inputs: rawInputs,
          provider: req.getProvider(),
          custom: true,
          id: req.getImportid(),
        });
        id = answer.id ?? "";
        state = { ...(answer.state as Record<string, unknown>) };
        // The engine marks the outputs a registration names in additionalSecretOutputs as secret.
        for (const key of req.getAdditionalsecretoutputsList())
          if (key in state) state[key] = { [specialSigKey]: specialSecretSig, value: state[key] };
      }
      const record = recordRegistration(req, urn, this.rootUrn);
      if (record.custom) record.outputs = redact(state) as Record<string, unknown>;
      this.resources.push({ ...record, rawInputs, rawOutputs: record.custom ? state : {} });
    }
    return new resourceProto.RegisterResourceResponse()
      .setUrn(urn)
      .setId(id)
      .setObject(Struct.fromJavaScript(state as Record<string, never>));
  }

  /**
   * The reads the programs make: a StackReference to itself, answered with its last deployment; and the
   * kubernetes stack's prerequisites, answered as the offline preview answers them (mocks.ts).
   */
  private async readResource(req: resourceProto.ReadResourceRequest) {
    const type = req.getType();
    const { state } =
      type === STACK_REFERENCE
        ? stackReferenceState(req.getId(), this.previous)
        : await offlineMocks.newResource({ type, name: req.getName(), inputs: {}, id: req.getId() });
    this.reads.push({ type, id: req.getId() });
    return new resourceProto.ReadResourceResponse()
      .setUrn(engineUrn(this.stack, this.project, req.getParent(), type, req.getName()))
      .setProperties(Struct.fromJavaScript(state));
  }

  private async invoke(req: resourceProto.ResourceInvokeRequest) {
    const args = req.getArgs()?.toJavaScript() ?? {};
    this.invokes.push({ token: req.getTok(), args });
    const result = await offlineMocks.call({
      token: req.getTok(),
      inputs: args,
      provider: req.getProvider(),
    });
    return new providerProto.InvokeResponse().setReturn(Struct.fromJavaScript(result));
  }
}

/**
 * What the engine answers for computed outputs: the mocks' stand-ins (ids, addresses), as the offline
 * preview has them; or nothing, as in the first preview of an empty stack, where all of them are unknown.
 */
export type Computed = "mocked" | "unknown";

/** The features the Node SDK asks the monitor about; the real engine answers yes to each. */
const FEATURES = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "deletedWith",
  "replaceWith",
  "aliasSpecs",
  "transforms",
  "invokeTransforms",
  "parameterization",
  "resourceHooks",
  "errorHooks",
]);

export interface ProgramRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  logs: EngineLog[];
  resources: EngineResource[];
  invokes: CliEngine["invokes"];
  reads: CliEngine["reads"];
  stackOutputs: Record<string, unknown>;
  /** The command line, as the language host would log it. */
  argv: string[];
}

/** `node -e require.resolve(...)` from a directory, as the language host's locateModule does. */
function locateModule(module: string, dir: string): string {
  const found = spawnSync(
    process.execPath,
    ["-e", `console.log(require.resolve(${JSON.stringify(module)}))`],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  if (found.status !== 0) throw new Error(`cannot resolve ${module} from ${dir}: ${found.stderr}`);
  return found.stdout.trim();
}

/** Splits runtime.options.nodeargs as the language host does (shlex; plain words are enough here). */
function splitArgs(args: string | undefined): string[] {
  return (args ?? "").split(/\s+/).filter(Boolean);
}

/**
 * Runs the stack program of `root` the way `pulumi preview -s <stack>` (or `up` without dryRun) would,
 * against a fresh CliEngine, and returns what it did.
 */
export async function runProgramAsCli(
  root: string,
  settings: StackSettings,
  options: {
    dryRun?: boolean;
    timeoutMs?: number;
    env?: Record<string, string>;
    computed?: Computed;
    /** What the stack deployed last, as its StackReference to itself reads it. */
    previous?: unknown;
  } = {},
): Promise<ProgramRun> {
  const project = readProject(root);
  const main = path.resolve(root, project.main ?? ".");
  // getPwdMain: a directory as main is the program directory, entry ".".
  const programDir = main;
  const entry = ".";
  const runPath = locateModule("@pulumi/pulumi/cmd/run", programDir);
  const engine = await CliEngine.start(settings.project, settings.stack, options.computed, options.previous);
  const sync = mkdtempSync(path.join(tmpdir(), "tenancy-cli-sync-"));
  // The language host passes config keys in their old form, `namespace:config:key`.
  const config = Object.fromEntries(
    Object.entries(settings.config).map(([key, value]) => {
      const [namespace, ...rest] = key.split(":");
      return [`${namespace}:config:${rest.join(":")}`, value];
    }),
  );
  const argv = [
    ...splitArgs(project.runtime.options.nodeargs),
    runPath,
    "--monitor",
    engine.address,
    "--engine",
    engine.address,
    "--organization",
    SELF_MANAGED_ORGANIZATION,
    "--project",
    settings.project,
    "--root-directory",
    root,
    "--stack",
    settings.stack,
    "--pwd",
    programDir,
    ...(options.dryRun === false ? [] : ["--dry-run"]),
    "--parallel",
    "16",
    entry,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(settings.secretKeys),
  };
  // Not the test runner's own settings: the program must stand on what the CLI gives it.
  delete env.TS_NODE_PROJECT;
  delete env.TS_NODE_TRANSPILE_ONLY;
  delete env.NODE_OPTIONS;
  if (project.runtime.options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (project.runtime.options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = project.runtime.options.tsconfig;
  try {
    // The language host does not set the working directory: the program starts where `pulumi` was run.
    const child = spawn(process.execPath, argv, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const { exitCode, stdout, stderr } = await collect(child, options.timeoutMs ?? 240_000);
    return {
      exitCode,
      stdout,
      stderr,
      logs: engine.logs,
      resources: engine.resources,
      invokes: engine.invokes,
      reads: engine.reads,
      stackOutputs: engine.stackOutputs,
      argv,
    };
  } finally {
    await engine.close();
    rmSync(sync, { recursive: true, force: true });
  }
}

function collect(child: ChildProcess, timeoutMs: number) {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ exitCode: number | null; stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

export interface PolicyDiagnostic {
  policy: string;
  message: string;
  urn: string;
  level: "advisory" | "mandatory" | "disabled" | "remediate";
}

const LEVELS: PolicyDiagnostic["level"][] = ["advisory", "mandatory", "disabled", "remediate"];

/** A policy pack started as the CLI starts a local one, and a client of its Analyzer service. */
export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: analyzerGrpc.AnalyzerClient,
    readonly output: () => { stdout: string; stderr: string },
  ) {}

  static async start(
    packDir: string,
    engineAddress: string,
    timeoutMs = 240_000,
  ): Promise<PolicyPackProcess> {
    const runPath = locateModule("@pulumi/pulumi/cmd/run-policy-pack", packDir);
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "true" };
    delete env.TS_NODE_PROJECT;
    delete env.TS_NODE_TRANSPILE_ONLY;
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [runPath, engineAddress, packDir], {
      cwd: packDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`the policy pack printed no port within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^(\d+)\s*$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        reject(new Error(`the policy pack exited with ${code} before serving:\n${stdout}\n${stderr}`));
      });
    });
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, client, () => ({ stdout, stderr }));
  }

  private call<Req, Res>(method: string, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      // The generated client's methods share this shape; it does not type them by name.
      (this.client as unknown as Record<string, (r: Req, cb: (e: Error | null, r: Res) => void) => void>)[
        method
      ]!.call(this.client, request, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }

  /** Handshake; a pack that does not implement it is fine, as the CLI treats UNIMPLEMENTED. */
  async handshake(engineAddress: string, packDir: string): Promise<"done" | "unimplemented"> {
    try {
      await this.call<analyzerProto.AnalyzerHandshakeRequest, analyzerProto.AnalyzerHandshakeResponse>(
        "handshake",
        new analyzerProto.AnalyzerHandshakeRequest()
          .setEngineAddress(engineAddress)
          .setRootDirectory(packDir)
          .setProgramDirectory(packDir),
      );
      return "done";
    } catch (error) {
      if ((error as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return "unimplemented";
      throw error;
    }
  }

  configureStack(stack: string, project: string, settings: StackSettings) {
    const request = new analyzerProto.AnalyzerStackConfigureRequest()
      .setStack(stack)
      .setProject(project)
      .setDryRun(true)
      .setConfigSecretKeysList(settings.secretKeys);
    for (const [key, value] of Object.entries(settings.config)) request.getConfigMap().set(key, value);
    return this.call<
      analyzerProto.AnalyzerStackConfigureRequest,
      analyzerProto.AnalyzerStackConfigureResponse
    >("configureStack", request);
  }

  async info() {
    const info = await this.call<Empty, analyzerProto.AnalyzerInfo>("getAnalyzerInfo", new Empty());
    return {
      name: info.getName(),
      supportsConfig: info.getSupportsconfig(),
      policies: info.getPoliciesList().map((p) => ({
        name: p.getName(),
        description: p.getDescription(),
        enforcementLevel: LEVELS[p.getEnforcementlevel()]!,
        configSchema: p.hasConfigschema()
          ? {
              properties: p.getConfigschema()!.getProperties()?.toJavaScript() ?? {},
              required: p.getConfigschema()!.getRequiredList(),
            }
          : undefined,
      })),
    };
  }

  configure(config: Record<string, { enforcementLevel: PolicyDiagnostic["level"]; properties: object }>) {
    const request = new analyzerProto.ConfigureAnalyzerRequest();
    for (const [name, { enforcementLevel, properties }] of Object.entries(config)) {
      request
        .getPolicyconfigMap()
        .set(
          name,
          new analyzerProto.PolicyConfig()
            .setEnforcementlevel(LEVELS.indexOf(enforcementLevel))
            .setProperties(Struct.fromJavaScript(properties as Record<string, never>)),
        );
    }
    return this.call<analyzerProto.ConfigureAnalyzerRequest, Empty>("configure", request);
  }

  /** Analyze: one resource's inputs, as the engine sends them before a step. */
  async analyze(resource: EngineResource): Promise<PolicyDiagnostic[]> {
    const request = new analyzerProto.AnalyzeRequest()
      .setType(resource.type)
      .setName(resource.name)
      .setUrn(resource.urn)
      .setProperties(Struct.fromJavaScript(resource.rawInputs as Record<string, never>))
      .setOptions(analyzerOptions(resource));
    return diagnostics(
      await this.call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>("analyze", request),
    );
  }

  /** AnalyzeStack: every resource at the end of the preview, with its parent and dependencies. */
  async analyzeStack(resources: EngineResource[], stackUrn: string): Promise<PolicyDiagnostic[]> {
    const request = new analyzerProto.AnalyzeStackRequest();
    for (const resource of resources) {
      request.addResources(
        new analyzerProto.AnalyzerResource()
          .setType(resource.type)
          .setName(resource.name)
          .setUrn(resource.urn)
          // As the engine does: each resource's outputs (a component's registered outputs).
          .setProperties(Struct.fromJavaScript(resource.rawOutputs as Record<string, never>))
          .setOptions(analyzerOptions(resource))
          .setParent(resource.options.parent || stackUrn),
      );
    }
    return diagnostics(
      await this.call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(
        "analyzeStack",
        request,
      ),
    );
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.on("close", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}

function analyzerOptions(resource: EngineResource) {
  return new analyzerProto.AnalyzerResourceOptions()
    .setProtect(resource.options.protect)
    .setIgnorechangesList(resource.options.ignoreChanges)
    .setAdditionalsecretoutputsList(resource.options.additionalSecretOutputs)
    .setParent(resource.options.parent);
}

function diagnostics(response: analyzerProto.AnalyzeResponse): PolicyDiagnostic[] {
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    message: d.getMessage(),
    urn: d.getUrn(),
    level: LEVELS[d.getEnforcementlevel()]!,
  }));
}

type PolicyLevel = PolicyDiagnostic["level"];
export type AnalyzerPolicyConfig = Record<string, { enforcementLevel: PolicyLevel; properties: object }>;

/**
 * `--policy-pack-config FILE` as the CLI reads it (pkg/resource/analyzer/config.go): each key a policy,
 * its value an enforcement level or an object with an optional `enforcementLevel`; then reconciled with
 * the defaults of each policy's config schema and validated against the schema. Returns what the CLI
 * passes to Configure, or the CLI's validation errors.
 */
export function reconcilePolicyConfig(
  policies: Awaited<ReturnType<PolicyPackProcess["info"]>>["policies"],
  file: Record<string, unknown>,
  validate: (schema: object, value: unknown) => string[],
): { config: AnalyzerPolicyConfig; errors: string[] } {
  const given: Record<string, { enforcementLevel?: PolicyLevel; properties: Record<string, unknown> }> = {};
  const errors: string[] = [];
  for (const [key, value] of Object.entries(file)) {
    if (typeof value === "string") given[key] = { enforcementLevel: value as PolicyLevel, properties: {} };
    else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as PolicyLevel))
        errors.push(
          `parsing enforcement level for "${key}": ${JSON.stringify(enforcementLevel)} is not valid`,
        );
      given[key] = { enforcementLevel: enforcementLevel as PolicyLevel | undefined, properties };
    } else errors.push(`parsing "${key}": must be a string or object`);
  }
  const config: AnalyzerPolicyConfig = {};
  for (const policy of policies) {
    const defaults = Object.fromEntries(
      Object.entries(policy.configSchema?.properties ?? {}).flatMap(([k, schema]) =>
        (schema as { default?: unknown }).default === undefined
          ? []
          : [[k, (schema as { default: unknown }).default]],
      ),
    );
    const mine = given[policy.name];
    const properties = { ...defaults, ...mine?.properties };
    config[policy.name] = { enforcementLevel: mine?.enforcementLevel ?? policy.enforcementLevel, properties };
    if (policy.configSchema) {
      const schema = {
        type: "object",
        ...(Object.keys(policy.configSchema.properties).length
          ? { properties: policy.configSchema.properties }
          : {}),
        ...(policy.configSchema.required.length ? { required: policy.configSchema.required } : {}),
      };
      for (const message of validate(schema, properties)) errors.push(`${policy.name}: ${message}`);
    }
  }
  return { config, errors };
}
