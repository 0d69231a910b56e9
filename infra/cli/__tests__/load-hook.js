// Loaded into every node a startup test starts (NODE_OPTIONS=--require): on exit, appends to
// $TENANCY_LOAD_LOG one JSON line with this node's flags, its stack trace limit and every module it loaded.
"use strict";
const { appendFileSync } = require("node:fs");

process.on("exit", () => {
  const record = {
    execArgv: process.execArgv,
    stackTraceLimit: Error.stackTraceLimit,
    modules: Object.keys(require.cache),
  };
  appendFileSync(process.env.TENANCY_LOAD_LOG, `${JSON.stringify(record)}\n`);
});
