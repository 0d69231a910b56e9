// Preloaded (node -r) by the CLI test of a full disk: the disk fills while tenancy writes a temporary file
// (`.tenancy-….tmp`): part of the content is written, then the write fails with ENOSPC, as on a real full
// disk. Both ways a file can be written are covered, so the test does not depend on which one is used.
"use strict";
const fs = require("node:fs");

const isTemporary = (name) => /\.tenancy-.*\.tmp$/.test(name);
const full = () =>
  Object.assign(new Error("ENOSPC: no space left on device, write"), {
    code: "ENOSPC",
    errno: -28,
    syscall: "write",
  });
const { writeSync, writeFileSync } = fs;

fs.writeSync = function (fd, ...rest) {
  if (!isTemporary(fs.readlinkSync(`/proc/self/fd/${fd}`))) return writeSync.call(fs, fd, ...rest);
  writeSync.call(fs, fd, "version: 1\n");
  throw full();
};

fs.writeFileSync = function (file, ...rest) {
  if (typeof file !== "string" || !isTemporary(file)) return writeFileSync.call(fs, file, ...rest);
  writeFileSync.call(fs, file, "version: 1\n");
  throw full();
};
