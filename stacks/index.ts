/**
 * The Pulumi program (Pulumi.yaml `main: stacks/`). `tenancy:tier` picks the stack to build:
 * `pulumi up -s shared`, `pulumi up -s dedicated` and `pulumi up -s kubernetes` are the whole deploy.
 *
 * Before it registers anything, the program reads what the stack last deployed and refuses an edit
 * that would lose a tenant's service or data (infra/lifecycle/guard.ts), so the guard holds at
 * `pulumi up` without git and without review; and it never asks for a smaller volume than deployed.
 */
import * as pulumi from "@pulumi/pulumi";
import { fleetState, guardTransition, withDeployedVolumes } from "../infra/lifecycle";
import { readStackConfig } from "./config";
import { dedicatedStack } from "./dedicated";
import { loadFleet } from "./fleet";
import { kubernetesStack } from "./kubernetes";
import { DEPLOYMENT_OUTPUT, previousDeployment } from "./previous";
import { sharedStack } from "./shared";

async function program() {
  const config = readStackConfig();
  const asked = loadFleet(config.manifest);
  const previous = await previousDeployment();
  if (previous) {
    const problems = guardTransition(previous, fleetState(asked));
    if (problems.length > 0) {
      for (const problem of problems) void pulumi.log.error(`${config.manifest}: ${problem.message}`);
      throw new pulumi.RunError(
        `${config.manifest} asks for ${problems.length === 1 ? "an edit" : `${problems.length} edits`} that would ` +
          "lose a tenant's service or data (above); nothing was changed",
      );
    }
  }
  const model = withDeployedVolumes(asked, previous);
  const outputs =
    config.tier === "shared"
      ? sharedStack(model, config)
      : config.tier === "dedicated"
        ? dedicatedStack(model, config)
        : kubernetesStack(model, config);
  // What the next update compares with (plain data: where tenants are, and each volume's size).
  return { ...outputs, [DEPLOYMENT_OUTPUT]: fleetState(model) };
}

export = program;
