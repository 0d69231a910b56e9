#!/usr/bin/env node
// Regenerates the committed schema data from local git mirrors (see README.md). Plain node, no build.
//   node generate.mjs <kubernetes-client/python git dir> <cloudnative-pg git dir> <cnpg tag>
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const [k8sRepo, cnpgRepo, cnpgTag] = process.argv.slice(2);
if (!k8sRepo || !cnpgRepo || !cnpgTag) {
  console.error(
    "usage: node generate.mjs <kubernetes-client/python git dir> <cloudnative-pg git dir> <cnpg tag>",
  );
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const git = (repo, ...args) => execFileSync("git", ["-C", repo, ...args], { maxBuffer: 64 << 20 });
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** Descriptions are most of the bytes and validate nothing. */
function stripDescriptions(value) {
  if (Array.isArray(value)) return value.map(stripDescriptions);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => key !== "description" || typeof inner !== "string")
      .map(([key, inner]) => [key, stripDescriptions(inner)]),
  );
}

// --- Kubernetes: the kinds the ContainerTenant renders and every definition they reference.
const KINDS = [
  "io.k8s.api.core.v1.Namespace",
  "io.k8s.api.core.v1.ResourceQuota",
  "io.k8s.api.core.v1.LimitRange",
  "io.k8s.api.core.v1.Secret",
  "io.k8s.api.core.v1.Service",
  "io.k8s.api.apps.v1.Deployment",
  "io.k8s.api.policy.v1.PodDisruptionBudget",
  "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
  "io.k8s.api.networking.v1.NetworkPolicy",
  "io.k8s.api.networking.v1.Ingress",
  // CustomResources are validated with the real ObjectMeta (the CRDs say only `type: object`).
  "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
];
const swaggerPath = "kubernetes/swagger.json.unprocessed";
const k8sCommit = git(k8sRepo, "rev-parse", "HEAD").toString().trim();
const swaggerBytes = git(k8sRepo, "show", `${k8sCommit}:${swaggerPath}`);
const swagger = JSON.parse(swaggerBytes.toString());
const constants = git(k8sRepo, "show", `${k8sCommit}:scripts/constants.py`).toString();
const branch = /KUBERNETES_BRANCH\s*=\s*"([^"]+)"/.exec(constants)?.[1] ?? "unknown";

const keep = {};
const pending = [...KINDS];
while (pending.length > 0) {
  const name = pending.pop();
  if (keep[name]) continue;
  const definition = swagger.definitions[name];
  if (!definition) throw new Error(`${swaggerPath} has no definition ${name}`);
  keep[name] = stripDescriptions(definition);
  for (const [, ref] of JSON.stringify(definition).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g))
    pending.push(ref);
}
const k8sOut = {
  source: {
    repo: "https://github.com/kubernetes-client/python",
    path: swaggerPath,
    commit: k8sCommit,
    sha256: sha256(swaggerBytes),
    kubernetesVersion: branch,
    infoVersion: swagger.info.version,
    generated:
      "infra/preview/rules/kubernetes-schemas/generate.mjs: the definitions of the kinds listed there and their transitive $refs, descriptions removed",
  },
  definitions: Object.fromEntries(
    Object.keys(keep)
      .sort()
      .map((name) => [name, keep[name]]),
  ),
};
writeFileSync(join(here, "kubernetes.json"), JSON.stringify(k8sOut, null, 1) + "\n");

// --- CloudNativePG: the openAPIV3Schema of the served v1 of each CRD.
const cnpgCommit = git(cnpgRepo, "rev-parse", `${cnpgTag}^{commit}`).toString().trim();
const crds = {};
const files = {};
for (const plural of ["clusters", "scheduledbackups", "backups"]) {
  const path = `config/crd/bases/postgresql.cnpg.io_${plural}.yaml`;
  const bytes = git(cnpgRepo, "show", `${cnpgCommit}:${path}`);
  const crd = YAML.parse(bytes.toString());
  const version = crd.spec.versions.find((v) => v.name === "v1" && v.served);
  if (!version) throw new Error(`${path} serves no v1`);
  files[path] = sha256(bytes);
  crds[crd.spec.names.kind] = {
    group: crd.spec.group,
    version: version.name,
    kind: crd.spec.names.kind,
    path,
    schema: stripDescriptions(version.schema.openAPIV3Schema),
  };
}
const cnpgOut = {
  source: {
    repo: "https://github.com/cloudnative-pg/cloudnative-pg",
    tag: cnpgTag,
    commit: cnpgCommit,
    sha256: files,
    generated:
      "infra/preview/rules/kubernetes-schemas/generate.mjs: spec.versions[v1].schema.openAPIV3Schema of each CRD, descriptions removed",
  },
  crds,
};
writeFileSync(join(here, "cnpg.json"), JSON.stringify(cnpgOut, null, 1) + "\n");
console.log(
  `kubernetes.json: ${Object.keys(keep).length} definitions (${branch}); cnpg.json: ${Object.keys(crds).join(", ")} (${cnpgTag})`,
);
