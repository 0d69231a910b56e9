#!/usr/bin/env node
// The `tenancy` command. It runs the compiled build in dist/ (`npm ci` makes it; `npm run build` remakes
// it) while that build is of the sources as they are (build.js); otherwise the sources, through ts-node
// in transpile-only mode (`npm run typecheck` checks types), with a note on stderr: never stale code.
// TENANCY_RUN_SOURCES=1 runs the sources without the note (the jest suite sets it: it tests the sources).
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");

// The commands that load the Pulumi SDK run with the node flags Pulumi.yaml gives the real program
// (no stack capture per SDK promise, a bigger heap), read from there so that the two cannot drift.
const SDK_COMMANDS = new Set(["plan", "diff", "affected"]);

function sdkNodeArgs() {
  const { parse } = require("yaml");
  const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
  const nodeargs = project?.runtime?.options?.nodeargs;
  return typeof nodeargs === "string" ? nodeargs.split(/\s+/).filter(Boolean) : [];
}

/** Runs this command again in a node with `flags` (the heap size can only be set at start). */
function reexec(flags) {
  const child = spawn(process.execPath, [...flags, __filename, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  const forward = (signal) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  child.on("error", (error) => {
    process.stderr.write(`tenancy: cannot start node: ${error.message}\n`);
    process.exitCode = 3;
  });
  child.on("exit", (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 3;
  });
}

function run() {
  const args = process.argv.slice(2);
  const command = args.find((arg) => !arg.startsWith("-"));
  if (SDK_COMMANDS.has(command) && !args.includes("--help") && !args.includes("-h")) {
    const flags = sdkNodeArgs();
    if (flags.some((flag) => !process.execArgv.includes(flag))) return reexec(flags);
    require("./defer-sdk").deferSdkSerialization();
  }
  const build = require("./build");
  if (process.env.TENANCY_RUN_SOURCES !== "1") {
    if (build.isFresh())
      return void require(path.join(build.DIST, "infra", "cli", "main.js")).main(process.argv);
    process.stderr.write(
      "tenancy: running the TypeScript sources (slow to start): dist/ is missing or older than them; `npm run build` makes it fast.\n",
    );
  }
  require("ts-node").register({ project: path.join(ROOT, "tsconfig.json"), transpileOnly: true });
  void require("./main").main(process.argv);
}

run();
