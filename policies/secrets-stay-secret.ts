import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULTS } from "./config";

/** Outputs that hold a secret, by resource type: each must be declared secret so state never stores it in clear. */
const SECRET_OUTPUTS: Record<string, string[]> = {
  "random:index/randomPassword:RandomPassword": ["result"],
  "hcloud:index/storageBox:StorageBox": ["password"],
  "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount": ["password"],
  "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyOpenssh"],
  "command:remote:Command": ["stdin", "connection"],
};

export const secretsStaySecret: ResourceValidationPolicy = {
  name: "secrets-stay-secret",
  description:
    "Passwords must be long enough, and every output that carries a password, a private key or a host bundle " +
    "must be declared secret (additionalSecretOutputs), so that Pulumi encrypts it in the state. A password " +
    "whose length is missing or not a number is refused.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Generate passwords with @pulumi/random at the configured length or more, and mark the outputs secret (the components do).",
  configSchema: {
    properties: {
      minPasswordLength: {
        type: "number",
        default: DEFAULTS.minPasswordLength,
        description: "Shortest password allowed.",
      },
    },
  },
  validateResource: (args, report) => {
    const outputs = SECRET_OUTPUTS[args.type];
    if (!outputs) return args.notApplicable("holds no secret");
    const missing = outputs.filter((output) => !args.opts.additionalSecretOutputs.includes(output));
    if (missing.length > 0)
      report(
        `${args.name} does not keep ${missing.join(", ")} secret, so the state would hold it in clear. Add it to additionalSecretOutputs, as the components do.`,
      );
    if (args.type === "random:index/randomPassword:RandomPassword") {
      const min = args.getConfig<{ minPasswordLength: number }>().minPasswordLength;
      const length: unknown = args.props.length;
      // Not "< min": a length that is missing or not a number must not pass.
      if (!(typeof length === "number" && length >= min)) {
        report(
          `Password ${args.name} has ${typeof length === "number" ? `${length} characters` : `no length (${String(length)})`}; ` +
            `at least ${min} are required. Set length to ${min} or more.`,
        );
      }
    }
  },
};
