import * as hcloud from "@pulumi/hcloud";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Each forces a new server at Hetzner. */
export const REPLACING_FIELDS = ["userData", "sshKeys", "image", "location"];

export const hcloudServerIgnoresReplacingFields: ResourceValidationPolicy = {
  name: "hcloud-server-ignores-replacing-fields",
  description:
    "A server must ignore changes to userData, sshKeys, image and location, each of which would replace it, " +
    "and must carry Hetzner's delete and rebuild protection. Host changes go through the host bundle instead.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create servers with the components, which set ignoreChanges and the protections. Ship host changes as a bundle (tenancy-apply).",
  validateResource: validateResourceOfType(hcloud.Server, (server, args, report) => {
    const missing = REPLACING_FIELDS.filter((field) => !args.opts.ignoreChanges.includes(field));
    if (missing.length > 0) {
      report(
        `Server ${args.name} does not ignore ${missing.join(", ")}: a change would replace it, and its disk with it. ` +
          `Add ${missing.length === 1 ? "it" : "them"} to ignoreChanges, as the components do.`,
      );
    }
    const unprotected = [
      ...(server.deleteProtection === true ? [] : ["delete"]),
      ...(server.rebuildProtection === true ? [] : ["rebuild"]),
    ];
    if (unprotected.length > 0) {
      report(
        `Server ${args.name} lacks Hetzner ${unprotected.join(" and ")} protection. Set ` +
          `${unprotected.map((kind) => `${kind}Protection: true`).join(" and ")}, as the components do.`,
      );
    }
  }),
};
