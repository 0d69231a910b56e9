/**
 * Reaching a host for the lifecycle commands (migrate, purge, restore): the same SSH channel the deploy
 * uses, as the `deploy` user, running the host's own scripts with `sudo` (its sudoers allow exactly
 * those). A host's address comes from `--address NAME=ADDRESS`, or from the stack's outputs through the
 * Pulumi CLI (`pulumi stack output --json`: shared hosts' `hosts`, dedicated servers' `servers`).
 *
 * SSH runs with BatchMode (no password prompt), and checks the host key against the operator's
 * known_hosts. TENANCY_SSH_OPTIONS adds options (a port, a jump host, an identity), split on spaces;
 * TENANCY_SSH_USER replaces `deploy`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import type { Tier } from "../plans";
import { UsageError } from "./errors";

export interface HostAddress {
  /** A shared host's name or a dedicated tenant's id. */
  name: string;
  tier: Tier;
  address: string;
  /** An SSH port other than 22 (`--address NAME=ADDRESS:PORT`, through a tunnel or a port forward). */
  port?: number;
}

/** `--address NAME=ADDRESS` flags, as given. */
export function parseAddresses(flags: string[] | undefined): Map<string, string> {
  const addresses = new Map<string, string>();
  for (const flag of flags ?? []) {
    const match = /^([a-z0-9][a-z0-9-]*)=([^\s=]+)$/.exec(flag);
    if (!match)
      throw new UsageError(`--address "${flag}": expected NAME=ADDRESS, e.g. shared-fsn1-a=203.0.113.10`);
    addresses.set(match[1]!, match[2]!);
  }
  return addresses;
}

/** A host's address: given, or read from its stack's outputs. */
export function resolveHost(name: string, tier: Tier, given: Map<string, string>): HostAddress {
  const address = given.get(name) ?? fromStackOutputs(name, tier);
  // host:port, for an IPv4 address or a name (an IPv6 address is given bare, or as [v6]:port).
  const withPort = /^(\[[0-9a-f:]+\]|[^:]+):(\d{1,5})$/i.exec(address);
  if (withPort)
    return { name, tier, address: withPort[1]!.replace(/^\[|\]$/g, ""), port: Number(withPort[2]) };
  return { name, tier, address };
}

function fromStackOutputs(name: string, tier: Tier): string {
  const run = spawnSync("pulumi", ["stack", "output", "--json", "-s", tier], { encoding: "utf8" });
  if (run.error || run.status !== 0) {
    throw new UsageError(
      `cannot read the address of ${name} from stack ${tier} (pulumi stack output: ${run.error?.message ?? run.stderr.trim()}); ` +
        `give it with --address ${name}=<its IPv4>`,
    );
  }
  const outputs = JSON.parse(run.stdout) as {
    hosts?: Record<string, { ipv4?: string }>;
    servers?: Record<string, { ipv4?: string }>;
  };
  const address = (tier === "shared" ? outputs.hosts : outputs.servers)?.[name]?.ipv4;
  if (!address)
    throw new UsageError(
      `stack ${tier} has no address for ${name}; give it with --address ${name}=<its IPv4>`,
    );
  return address;
}

function sshArgs(host: HostAddress, script: string, args: string[]): string[] {
  const options = (process.env.TENANCY_SSH_OPTIONS ?? "").split(/\s+/).filter(Boolean);
  const user = process.env.TENANCY_SSH_USER ?? "deploy";
  return [
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    ...options,
    ...(host.port ? ["-p", String(host.port)] : []),
    `${user}@${host.address}`,
    "sudo",
    "-n",
    `/usr/local/sbin/${script}`,
    ...args,
  ];
}

export interface HostRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a host script to completion; its stderr (progress) is passed through as it comes. */
export function runOnHost(
  host: HostAddress,
  script: string,
  args: string[],
  stdin?: string,
): Promise<HostRun> {
  return new Promise((resolve) => {
    const child = spawn("ssh", sshArgs(host, script, args), { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(prefix(host, chunk.toString()));
    });
    child.on("error", (error) => resolve({ code: 255, stdout, stderr: `${stderr}${error.message}` }));
    child.on("close", (code) => resolve({ code: code ?? 255, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/**
 * `source` script | `target` script, the bytes relayed through this machine: the same SSH channel the
 * deploy uses, nothing host to host. Reports the bytes relayed as they go.
 */
export function relay(
  source: { host: HostAddress; script: string; args: string[] },
  target: { host: HostAddress; script: string; args: string[] },
  onProgress: (bytes: number) => void,
): Promise<{ source: HostRun; target: HostRun }> {
  const start = (side: typeof source) =>
    spawn("ssh", sshArgs(side.host, side.script, side.args), { stdio: ["pipe", "pipe", "pipe"] });
  const from = start(source);
  const to = start(target);
  from.stdin.end();
  let bytes = 0;
  from.stdout.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    onProgress(bytes);
    if (!to.stdin.write(chunk)) {
      from.stdout.pause();
      to.stdin.once("drain", () => from.stdout.resume());
    }
  });
  from.stdout.on("end", () => to.stdin.end());
  // A target that dies stops the source too: nothing waits on a broken pipe.
  to.stdin.on("error", () => from.kill("SIGTERM"));
  const collect = (child: ChildProcess, host: HostAddress, passOut: boolean) =>
    new Promise<HostRun>((resolve) => {
      let stdout = "";
      let stderr = "";
      if (passOut) child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        process.stderr.write(prefix(host, chunk.toString()));
      });
      child.on("error", (error) => resolve({ code: 255, stdout, stderr: `${stderr}${error.message}` }));
      child.on("close", (code) => {
        if (code !== 0 && child === to) from.kill("SIGTERM");
        resolve({ code: code ?? 255, stdout, stderr });
      });
    });
  return Promise.all([collect(from, source.host, false), collect(to, target.host, true)]).then(([s, t]) => ({
    source: s,
    target: t,
  }));
}

function prefix(host: HostAddress, text: string): string {
  return text
    .split("\n")
    .map((line, i, all) => (line === "" && i === all.length - 1 ? "" : `  [${host.name}] ${line}`))
    .join("\n");
}
