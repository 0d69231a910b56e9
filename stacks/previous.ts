/**
 * What this stack deployed last: its own `deployment` output, read through a StackReference to itself
 * before anything is registered. The first update of a stack finds none.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseFleetState, type FleetState } from "../infra/lifecycle";

export const DEPLOYMENT_OUTPUT = "deployment";

export async function previousDeployment(): Promise<FleetState | undefined> {
  const self = new pulumi.StackReference(
    `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  );
  const details = await self.getOutputDetails(DEPLOYMENT_OUTPUT);
  const value: unknown = details.value;
  if (value === undefined) return undefined;
  const state = parseFleetState(value);
  if (!state) {
    throw new pulumi.RunError(
      `the stack's last "${DEPLOYMENT_OUTPUT}" output is not one this tenancy can read; ` +
        "refusing to deploy without knowing what is deployed (docs/runbooks.md)",
    );
  }
  return state;
}
