/**
 * The Pulumi program (Pulumi.yaml `main: stacks/`). `tenancy:tier` picks the stack to build:
 * `pulumi up -s shared` and `pulumi up -s dedicated` are the whole deploy.
 */
import { readStackConfig } from "./config";
import { dedicatedStack } from "./dedicated";
import { loadFleet } from "./fleet";
import { sharedStack } from "./shared";

function program() {
  const config = readStackConfig();
  const model = loadFleet(config.manifest);
  return config.tier === "shared" ? sharedStack(model, config) : dedicatedStack(model, config);
}

export = program;
