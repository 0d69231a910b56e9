/**
 * Ships the host bundle over SSH and runs tenancy-apply, after cloud-init has finished. Re-runs whenever
 * the bundle's hash changes, and only then.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { APPLY_COMMAND, DEPLOY_USER } from "../infra/host";

export function createHostApply(
  name: string,
  args: {
    address: pulumi.Input<string>;
    privateKey: pulumi.Input<string>;
    bundle: pulumi.Output<string>;
    bundleHash: pulumi.Output<string>;
  },
  opts: pulumi.CustomResourceOptions,
): command.remote.Command {
  return new command.remote.Command(
    name,
    {
      connection: { host: args.address, user: DEPLOY_USER, privateKey: args.privateKey },
      create: APPLY_COMMAND,
      update: APPLY_COMMAND,
      stdin: pulumi.secret(args.bundle),
      triggers: [args.bundleHash],
    },
    // The bundle and the key are inputs, and come back as outputs: keep both secret in the state.
    { ...opts, additionalSecretOutputs: ["stdin", "connection"] },
  );
}
