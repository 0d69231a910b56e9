// For the commands that run the stack programs offline (bin.js): the Pulumi SDK loads the TypeScript
// compiler and npm's Arborist when it starts (about 0.9 s of the 1.5 s it takes to load here), to
// serialize functions into resources, which no tenancy program does. Stand-ins in their place load the
// real module on first use, so a program that did serialize a function would still work, only slower.
"use strict";
const Module = require("node:module");
const path = require("node:path");

function deferUntilUsed(file) {
  let real;
  const load = () => {
    if (real === undefined) {
      delete require.cache[file];
      real = require(file);
    }
    return real;
  };
  // `__esModule` answered without loading: TypeScript's `import * as` helper asks for it at import.
  const standIn = new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" ? true : load()[key]),
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Object.getOwnPropertyDescriptor(load(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
  const module = new Module(file);
  module.filename = file;
  module.loaded = true;
  module.exports = standIn;
  require.cache[file] = module;
}

// An SDK that no longer has one of these modules where this looks (another version) just loads slower;
// the startup test notices, since it checks that `tenancy plan` loads no TypeScript.
function deferSdkSerialization() {
  const resolve = (request, options) => {
    try {
      return require.resolve(request, options);
    } catch {
      return undefined;
    }
  };
  const codePaths = resolve("@pulumi/pulumi/runtime/closure/codePaths");
  const files = [
    resolve("@pulumi/pulumi/typescript-shim"),
    codePaths && resolve("@npmcli/arborist", { paths: [path.dirname(codePaths)] }),
  ];
  for (const file of files) if (file) deferUntilUsed(file);
}

module.exports = { deferSdkSerialization };

// Preloaded (`node -r …/defer-sdk.js`, as the bench runs its fleets), it applies itself.
if (require.main === undefined) deferSdkSerialization();
