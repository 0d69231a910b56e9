import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describeObject, podSpecOf, WORKLOAD_TYPES, type KubeObject } from "./kubernetes";

/**
 * What is wrong with an image reference's pin, or undefined when it is pinned: a digest
 * (`name@sha256:<64 hex>`), or a tag other than latest. The tag is what follows the last colon after the
 * last slash, so that a registry's port (`registry:5000/app`) is not taken for one.
 */
export function imagePinProblem(image: unknown): string | undefined {
  if (typeof image !== "string" || image.trim() === "") return "names no image";
  const at = image.indexOf("@");
  if (at >= 0) {
    const digest = image.slice(at + 1);
    return /^sha256:[0-9a-f]{64}$/.test(digest)
      ? undefined
      : `has the digest "${digest}", which is no sha256 digest`;
  }
  const lastPart = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastPart.indexOf(":");
  if (colon < 0) return "has no tag or digest, so it runs whatever latest is at the time";
  const tag = lastPart.slice(colon + 1);
  if (tag === "") return "has an empty tag";
  if (tag.toLowerCase() === "latest") return "is tagged latest, which moves";
  return undefined;
}

export const kubernetesImagesPinned: ResourceValidationPolicy = {
  name: "kubernetes-images-pinned",
  description:
    "Every container image a workload runs (containers, init containers and ephemeral containers) is pinned by " +
    "a tag or a digest, so that a tenant runs the version it was given: never an untagged image, never latest. " +
    "A registry's port (registry:5000/app) is no tag; a digest must be a sha256 digest.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Pin the tenant's app version (a release tag or a sha256 digest) in tenants.yaml; never deploy latest.",
  validateResource: (args, report) => {
    if (!WORKLOAD_TYPES.includes(args.type)) args.notApplicable("runs no pods");
    const object = args.props as KubeObject;
    const pod = podSpecOf(args.type, args.props);
    if (!pod) return;
    for (const { container, path } of containersOf(pod)) {
      const problem = imagePinProblem(container.image);
      if (problem === undefined) continue;
      const image =
        typeof container.image === "string" ? `image "${container.image}" ${problem}` : "has no image";
      report(
        `${describeObject(args.type, args.name, object.metadata)}: ${path} ${image}. Pin it by a release tag or a sha256 digest.`,
      );
    }
  },
};
