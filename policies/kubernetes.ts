/**
 * What the Kubernetes policies share: the labels a containerized tenant's objects carry, the object
 * shapes they read, and Kubernetes quantities. Restated from infra/expand/names.ts (KUBERNETES_LABELS)
 * and the Kubernetes API, because the pack must build without the repository and without
 * @pulumi/kubernetes (which it does not depend on: it only reads the inputs the SDK sends).
 */

/** The labels every object of a containerized tenant carries (infra/expand/names.ts kubernetesLabels). */
export const TENANT_LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  tenant: "tenancy.io/tenant",
  plan: "tenancy.io/plan",
  tier: "tenancy.io/tier",
} as const;

/** A tenant's namespace is `tenant-<id>` (infra/expand/model.ts ContainerTenantModel). */
export const NAMESPACE_PREFIX = "tenant-";

export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota";
export const LIMIT_RANGE = "kubernetes:core/v1:LimitRange";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const HPAS = [
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
];
export const CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

/** A Kubernetes object as the SDK sends its inputs: `spec` is read per kind. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

/** The kind of an object from its Pulumi type: `kubernetes:apps/v1:Deployment` → Deployment. */
export function kindOf(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

/**
 * Whose an object is, for messages: its tenant label, or the tenant its namespace names (a Namespace's
 * own name). Read label by label, never all at once: an unrelated unknown label must not make the
 * policy advisory.
 */
export function tenantOf(type: string, meta: ObjectMeta | undefined): string | undefined {
  const labelled = meta?.labels?.[TENANT_LABELS.tenant];
  if (labelled) return labelled;
  const namespace = type === NAMESPACE ? meta?.name : meta?.namespace;
  return namespace?.startsWith(NAMESPACE_PREFIX) ? namespace.slice(NAMESPACE_PREFIX.length) : undefined;
}

/** `Deployment acme-app of tenant "acme"`: the object and whose it is, for every message. */
export function describeObject(type: string, name: string, meta: ObjectMeta | undefined): string {
  const tenant = tenantOf(type, meta);
  const whose = tenant === undefined ? "of no tenant (no tenancy.io/tenant label)" : `of tenant "${tenant}"`;
  return `${kindOf(type)} ${name} ${whose}`;
}

/**
 * A tenant's namespace: labelled managed-by tenancy or with a tenant, or named tenant-<id>. Any of the
 * three makes it one, so that losing a label does not take a namespace out of the policies' sight.
 */
export function isTenantNamespace(meta: ObjectMeta | undefined): boolean {
  return (
    meta?.labels?.[TENANT_LABELS.managedBy] === "tenancy" ||
    Boolean(meta?.labels?.[TENANT_LABELS.tenant]) ||
    Boolean(meta?.name?.startsWith(NAMESPACE_PREFIX))
  );
}

/** Binary and decimal suffixes of a Kubernetes quantity (k8s.io/apimachinery resource.Quantity). */
const SUFFIXES: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A quantity ("6000m", "12Gi", "1.5", "1e3", 4) as a number of units; undefined if it is none. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE])?)$/.exec(
    value.trim(),
  );
  if (!match) return undefined;
  const exponent = match[2] ? Number(`1${match[2]}`) : 1;
  return Number(match[1]) * exponent * SUFFIXES[match[3] ?? ""]!;
}

export const MIB = 2 ** 20;
export const GIB = 2 ** 30;

/** A pod spec: only the fields the policies read. */
export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: { name?: string; hostPath?: unknown }[];
}

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface Container {
  name?: string;
  image?: string;
  securityContext?: SecurityContext;
}

/** Where each kind that runs pods keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const WORKLOAD_TYPES = Object.keys(POD_SPEC_PATHS);

/** The pod spec of a workload, or undefined when the object is not one or has none. */
export function podSpecOf(type: string, props: Record<string, unknown>): PodSpec | undefined {
  const path = POD_SPEC_PATHS[type];
  if (!path) return undefined;
  let at: unknown = props;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === "object" && at !== null ? at : undefined;
}

/** Every container of a pod, each with the field path a message names it by. */
export function containersOf(pod: PodSpec): { container: Container; path: string }[] {
  const lists = ["containers", "initContainers", "ephemeralContainers"] as const;
  return lists.flatMap((list) =>
    (pod[list] ?? []).map((container, index) => ({
      container,
      path: `${list}[${index}]${container.name ? ` (${container.name})` : ""}`,
    })),
  );
}
