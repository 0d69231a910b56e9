/**
 * A throwaway Caddy for tests of the rendered Caddyfile against the real server, and a tiny app stand-in.
 *
 * `startCaddy` runs `caddy run --config FILE --adapter caddyfile` on 127.0.0.1 with ports the kernel just
 * handed out (an HTTP port and an admin port, never 80/443/2019), in its own temporary directory: HOME and
 * the XDG directories point there, so Caddy's autosave and storage never touch the user's. It waits until
 * the admin endpoint and the HTTP port answer, can reload the config (`caddy reload … --address`), and
 * collects everything Caddy prints (the loopback-http Caddyfile logs access as JSON on stderr).
 *
 * Always call `stop()` (in `afterAll`, or use `withCaddy`): it ends Caddy and removes the directory. The
 * machine's own Caddy service, if any, is never touched.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { freePorts } from "./ports";

/** The caddy binary; TENANCY_CADDY overrides. */
export const CADDY = process.env.TENANCY_CADDY ?? "caddy";
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

export interface CaddyPorts {
  /** Where the sites listen (the loopback-http Caddyfile's `http_port`). */
  http: number;
  /** Caddy's admin endpoint (`admin 127.0.0.1:PORT`), used by `caddy reload`. */
  admin: number;
}

export interface RunResult {
  /** Exit code (-1 when the process could not be started or was killed by a signal). */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together. */
  output: string;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One line of Caddy's JSON log. Access lines have `logger` "http.log.access…" and a `request`. */
export interface CaddyLogEntry {
  level?: string;
  logger?: string;
  msg?: string;
  status?: number;
  request?: {
    host?: string;
    uri?: string;
    method?: string;
    headers?: Record<string, string[]>;
  };
  resp_headers?: Record<string, string[]>;
  [key: string]: unknown;
}

export interface StartOptions {
  /** The Caddyfile to start with, given the ports the harness chose for it. */
  caddyfile: (ports: CaddyPorts) => string;
  /** Where to write that Caddyfile; defaults to `Caddyfile` in the harness's directory. */
  configFile?: string;
  /**
   * Wait until the HTTP port answers, not only the admin endpoint (default true). Turn off for a config
   * that has no site.
   */
  waitForHttp?: boolean;
}

export interface Caddy {
  readonly ports: CaddyPorts;
  /** The harness's temporary directory (HOME and XDG dirs of Caddy). */
  readonly dir: string;
  /** The Caddyfile Caddy was started with. */
  readonly configFile: string;
  /** The environment to run any caddy command with (HOME and XDG dirs in `dir`). */
  readonly env: Record<string, string>;
  /** Everything Caddy printed so far (stdout and stderr). */
  output(): string;
  /** The JSON lines Caddy printed so far (other lines are skipped). */
  logEntries(): CaddyLogEntry[];
  /** The access log lines printed so far. */
  accessLog(): CaddyLogEntry[];
  /** The command line that reloads this Caddy from `configFile` (default: the one it was started with). */
  reloadCommand(configFile?: string): string[];
  /** Run `reloadCommand`. Never throws; check `code`. */
  reload(configFile?: string): RunResult;
  /** A GET to this Caddy's HTTP port with the given Host header (and any other headers). */
  get(host: string, urlPath?: string, headers?: Record<string, string>): Promise<HttpResponse>;
  /** Stop Caddy (SIGTERM, then SIGKILL) and remove `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/** Every Caddy this process started and has not stopped: killed at exit should a test forget one. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A caddy command line run to completion with the given environment. Never throws. */
export function runCaddy(args: string[], env: Record<string, string>): RunResult {
  const result = spawnSync(CADDY, args, { env, encoding: "utf8", cwd: "/" });
  const stdout = result.stdout ?? "";
  const stderr = (result.stderr ?? "") + (result.error ? String(result.error) : "");
  return { code: result.status ?? -1, stdout, stderr, output: stdout + stderr };
}

/** HOME and XDG directories for caddy commands, under `dir` (created). */
export function caddyEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("XDG_") && !key.startsWith("CADDY")) env[key] = value;
  }
  for (const sub of ["home", "config", "data"]) mkdirSync(path.join(dir, sub), { recursive: true });
  return {
    ...env,
    HOME: path.join(dir, "home"),
    XDG_CONFIG_HOME: path.join(dir, "config"),
    XDG_DATA_HOME: path.join(dir, "data"),
  };
}

/** `caddy validate --config FILE --adapter caddyfile`, with its own HOME/XDG dirs in a temporary directory. */
export function validateCaddyfile(file: string): RunResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tenancy-caddy-validate-"));
  try {
    return runCaddy(["validate", "--config", file, "--adapter", "caddyfile"], caddyEnv(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function httpGet(
  port: number,
  host: string,
  urlPath = "/",
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        path: urlPath,
        method: "GET",
        agent: false,
        headers: { ...headers, Host: host, Connection: "close" },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error(`GET http://${host}${urlPath}: timed out`)));
    request.on("error", reject);
    request.end();
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when the process has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS);
    });
    const done = await Promise.race([exited(child).then(() => true), timedOut]);
    clearTimeout(timer);
    if (!done) {
      child.kill("SIGKILL");
      await exited(child);
    }
  }
  running.delete(child);
}

/** A minimal Caddyfile: the admin endpoint and a site that answers 404 to any Host. */
export function minimalCaddyfile(ports: CaddyPorts): string {
  return [
    "{",
    `\tadmin 127.0.0.1:${ports.admin}`,
    "\tauto_https off",
    `\thttp_port ${ports.http}`,
    "\tdefault_bind 127.0.0.1",
    "}",
    "",
    "http:// {",
    '\trespond "no such tenant" 404',
    "}",
    "",
  ].join("\n");
}

/** Start Caddy on loopback; retries with other ports if the chosen ones were taken meanwhile. */
export async function startCaddy(options: StartOptions): Promise<Caddy> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
      if (!/address already in use/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error("caddy did not start");
}

async function startOnce(options: StartOptions): Promise<Caddy> {
  const [httpPort, adminPort] = await freePorts(2);
  if (httpPort === undefined || adminPort === undefined) throw new Error("no free ports");
  const ports: CaddyPorts = { http: httpPort, admin: adminPort };
  const dir = mkdtempSync(path.join(os.tmpdir(), "tenancy-caddy-"));
  const env = caddyEnv(dir);
  const configFile = options.configFile ?? path.join(dir, "Caddyfile");
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, options.caddyfile(ports));

  let output = "";
  const child = spawn(CADDY, ["run", "--config", configFile, "--adapter", "caddyfile"], {
    env,
    cwd: "/",
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let spawnError: Error | undefined;
  child.on("error", (error) => (spawnError = error));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const entries = (): CaddyLogEntry[] =>
    output.split("\n").flatMap((line): CaddyLogEntry[] => {
      if (!line.startsWith("{")) return [];
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed === "object" && parsed !== null ? [parsed as CaddyLogEntry] : [];
      } catch {
        return [];
      }
    });
  const reloadCommand = (file = configFile) => [
    CADDY,
    "reload",
    "--config",
    file,
    "--adapter",
    "caddyfile",
    "--address",
    `127.0.0.1:${ports.admin}`,
  ];
  const caddy: Caddy = {
    ports,
    dir,
    configFile,
    env,
    output: () => output,
    logEntries: entries,
    accessLog: () => entries().filter((entry) => entry.logger?.startsWith("http.log.access") ?? false),
    reloadCommand,
    reload: (file) => runCaddy(reloadCommand(file).slice(1), env),
    get: (host, urlPath, headers) => httpGet(ports.http, host, urlPath, headers),
    stop,
  };

  try {
    await waitUntilServing(child, ports, options.waitForHttp ?? true, () => spawnError);
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`caddy did not start (${reason}):\n${output}`);
  }
  return caddy;
}

async function waitUntilServing(
  child: ChildProcess,
  ports: CaddyPorts,
  waitForHttp: boolean,
  spawnError: () => Error | undefined,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const answers = async (port: number, urlPath: string): Promise<boolean> => {
    try {
      await httpGet(port, "127.0.0.1", urlPath);
      return true;
    } catch {
      return false;
    }
  };
  for (;;) {
    const error = spawnError();
    if (error) throw error;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`caddy exited (${child.exitCode ?? child.signalCode})`);
    }
    if ((await answers(ports.admin, "/config/")) && (!waitForHttp || (await answers(ports.http, "/"))))
      return;
    if (Date.now() > deadline) throw new Error(`not answering after ${START_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

/** Start Caddy, run `work`, and stop Caddy whatever happens. */
export async function withCaddy<T>(options: StartOptions, work: (caddy: Caddy) => Promise<T>): Promise<T> {
  const caddy = await startCaddy(options);
  try {
    return await work(caddy);
  } finally {
    await caddy.stop();
  }
}

/** What the app stand-in saw of one request. */
export interface SeenRequest {
  host: string;
  /** The X-Tenancy-Tenant header as it arrived (several values joined by ", " by Node). */
  tenant: string | undefined;
  url: string;
}

export interface TenantEcho {
  readonly port: number;
  /** Every request that reached the stand-in, in order. */
  readonly requests: SeenRequest[];
  stop(): Promise<void>;
}

/**
 * The app stand-in: an HTTP server on 127.0.0.1 that answers every request with JSON naming the
 * X-Tenancy-Tenant header it received and the Host, and records the request. On `port`, or a free one.
 */
export async function startTenantEcho(port = 0): Promise<TenantEcho> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    const header = request.headers["x-tenancy-tenant"];
    const seen: SeenRequest = {
      host: request.headers.host ?? "",
      tenant: Array.isArray(header) ? header.join(", ") : header,
      url: request.url ?? "",
    };
    requests.push(seen);
    const body = JSON.stringify(seen);
    response.writeHead(200, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
    });
    response.end(body);
  });
  const listening = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
  let stopped = false;
  return {
    port: listening,
    requests,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
