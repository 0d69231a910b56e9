#!/usr/bin/env node
// The `tenancy` command. It runs the TypeScript sources directly (no build step after `npm ci`):
// ts-node in transpile-only mode, because `npm run typecheck` is where types are checked.
"use strict";
const path = require("node:path");
require("ts-node").register({
  project: path.join(__dirname, "..", "..", "tsconfig.json"),
  transpileOnly: true,
});
void require("./main").main(process.argv);
