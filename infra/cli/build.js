#!/usr/bin/env node
// `npm run build`, which npm also runs on `npm ci` (the `prepare` script): compiles the sources into
// dist/ (git-ignored) for the `tenancy` command, which starts in a fraction of the time the TypeScript
// compiler takes to load. Transpiled only (tsconfig.build.json): `npm run typecheck` checks the types.
// The stack programs under stacks/ still run from source when Pulumi runs them.
//
// The build records a fingerprint of the sources it compiled (each file's path, size and mtime);
// bin.js runs dist/ only while the sources still have that fingerprint, so an edited, added, removed or
// checked-out file never runs stale.
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const DIST = path.join(ROOT, "dist");
const STAMP = path.join(DIST, ".sources");
const SOURCE_DIRS = ["infra", "stacks", "components", "policies"];
const CONFIGS = ["tsconfig.json", "tsconfig.build.json"];

/** What the build compiles (tsconfig.build.json's include, less the tests), as one hash. */
function fingerprint() {
  const lines = [];
  const add = (file) => {
    const stat = fs.statSync(file);
    lines.push(`${path.relative(ROOT, file)} ${stat.size} ${stat.mtimeMs}`);
  };
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "__tests__") walk(file);
      } else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) add(file);
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(ROOT, dir));
  for (const file of CONFIGS) add(path.join(ROOT, file));
  return createHash("sha256").update(lines.sort().join("\n")).digest("hex");
}

/** Whether dist/ is a build of the sources as they are now. */
function isFresh() {
  let built;
  try {
    built = fs.readFileSync(STAMP, "utf8").trim();
  } catch {
    return false;
  }
  return built === fingerprint();
}

function build() {
  // Taken before compiling: a file edited while tsc runs leaves the build stale, as it is.
  const sources = fingerprint();
  fs.rmSync(DIST, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.build.json")],
    { stdio: "inherit" },
  );
  if (tsc.status !== 0) {
    process.stderr.write("tenancy build: tsc failed; `tenancy` runs the sources until a build succeeds.\n");
    process.exit(tsc.status ?? 1);
  }
  // The host files the bundle reads at run time (infra/host/files): linked, so they are never a stale copy.
  fs.symlinkSync(path.join(ROOT, "infra", "host", "files"), path.join(DIST, "infra", "host", "files"), "dir");
  fs.writeFileSync(STAMP, `${sources}\n`);
}

if (require.main === module) build();

module.exports = { DIST, isFresh };
