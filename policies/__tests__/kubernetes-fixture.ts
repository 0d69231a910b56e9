/**
 * A kubernetes stack as the ContainerTenant component is to register it (issue 9), for the Kubernetes
 * policies' tests until the component lands: per tenant, in namespace tenant-<id>, the objects and
 * labels that component's brief names, sized from the plan. Inputs and outputs are equal, as after a
 * deploy (resource policies read inputs, stack policies outputs).
 */
import { engineUrn, type RecordedResource, type RecordedStack } from "../../infra/preview/engine";
import { BUILT_IN_PLANS, type ContainerPlan } from "../../infra/plans";

const PROJECT = "tenancy";
const STACK = "kubernetes";
const COMPONENT = "tenancy:hosting:ContainerTenant";
const IMAGE = "ghcr.io/fieldcrew/app:2026.11.3";

function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  parent = "",
  options: Partial<RecordedResource["options"]> = {},
): RecordedResource {
  return {
    type,
    name,
    urn: engineUrn(STACK, PROJECT, parent, type, name),
    custom: type !== COMPONENT,
    inputs,
    outputs: structuredClone(inputs),
    options: {
      protect: false,
      ignoreChanges: [],
      retainOnDelete: false,
      parent,
      additionalSecretOutputs: [],
      ...options,
    },
  };
}

const RESTRICTED = Object.fromEntries(
  ["enforce", "warn", "audit"].flatMap((mode) => [
    [`pod-security.kubernetes.io/${mode}`, "restricted"],
    [`pod-security.kubernetes.io/${mode}-version`, "v1.36"],
  ]),
);

/** The objects of one containerized tenant. */
function tenantResources(id: string, planName: string): RecordedResource[] {
  const plan = BUILT_IN_PLANS[planName] as ContainerPlan;
  const namespace = `tenant-${id}`;
  const labels = {
    "app.kubernetes.io/managed-by": "tenancy",
    "tenancy.io/tenant": id,
    "tenancy.io/plan": planName,
    "tenancy.io/tier": "kubernetes",
  };
  const meta = (name: string) => ({ name, namespace, labels: { ...labels } });
  const component = resource(COMPONENT, id, { tenant: id, plan: planName, namespace });
  const parent = component.urn;
  const app = { ...labels, "app.kubernetes.io/name": "app" };
  const appResources = { cpu: `${plan.appCpuMillicores}m`, memory: `${plan.appMemoryMb}Mi` };
  const k8s = (type: string, name: string, apiVersion: string, kind: string, body: object, opts = {}) =>
    resource(`kubernetes:${type}`, `${id}-${name}`, { apiVersion, kind, ...body }, parent, opts);
  return [
    component,
    k8s(
      "core/v1:Namespace",
      "namespace",
      "v1",
      "Namespace",
      { metadata: { name: namespace, labels: { ...labels, ...RESTRICTED } } },
      { protect: true, retainOnDelete: true },
    ),
    k8s("core/v1:ResourceQuota", "quota", "v1", "ResourceQuota", {
      metadata: meta("quota"),
      spec: {
        hard: {
          "requests.cpu": `${plan.cpuMillicores}m`,
          "limits.cpu": `${plan.cpuMillicores}m`,
          "requests.memory": `${plan.memoryMb}Mi`,
          "limits.memory": `${plan.memoryMb}Mi`,
          pods: String(plan.pods),
          "requests.storage": `${plan.storageGb * (plan.dbInstances + 1)}Gi`,
          persistentvolumeclaims: String(plan.dbInstances + 1),
        },
      },
    }),
    k8s("core/v1:LimitRange", "limits", "v1", "LimitRange", {
      metadata: meta("limits"),
      spec: {
        limits: [
          {
            type: "Container",
            default: appResources,
            defaultRequest: appResources,
            max: { cpu: `${plan.dbCpuMillicores}m`, memory: `${plan.dbMemoryMb}Mi` },
          },
        ],
      },
    }),
    k8s("networking.k8s.io/v1:NetworkPolicy", "deny-all", "networking.k8s.io/v1", "NetworkPolicy", {
      metadata: meta("deny-all"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    }),
    k8s("networking.k8s.io/v1:NetworkPolicy", "allow-ingress", "networking.k8s.io/v1", "NetworkPolicy", {
      metadata: meta("allow-ingress"),
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "app" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
                },
              },
            ],
            ports: [{ port: 8080, protocol: "TCP" }],
          },
        ],
      },
    }),
    k8s("apps/v1:Deployment", "app", "apps/v1", "Deployment", {
      metadata: meta("app"),
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": "app" } },
        template: {
          metadata: { labels: app },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 10001,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "app",
                image: IMAGE,
                ports: [{ containerPort: 8080 }],
                resources: { requests: appResources, limits: appResources },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    }),
    k8s("autoscaling/v2:HorizontalPodAutoscaler", "app-hpa", "autoscaling/v2", "HorizontalPodAutoscaler", {
      metadata: meta("app"),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
        minReplicas: plan.minReplicas,
        maxReplicas: plan.maxReplicas,
      },
    }),
    k8s(
      "postgresql.cnpg.io/v1:Cluster",
      "db",
      "postgresql.cnpg.io/v1",
      "Cluster",
      {
        metadata: meta("db"),
        spec: {
          instances: plan.dbInstances,
          storage: { size: `${plan.storageGb}Gi` },
          resources: {
            requests: { cpu: `${plan.dbCpuMillicores}m`, memory: `${plan.dbMemoryMb}Mi` },
            limits: { cpu: `${plan.dbCpuMillicores}m`, memory: `${plan.dbMemoryMb}Mi` },
          },
        },
      },
      { protect: true, retainOnDelete: true },
    ),
  ];
}

export function kubernetesStack(): RecordedStack {
  return {
    tier: "kubernetes",
    resources: [...tenantResources("acme", "enterprise-k8s"), ...tenantResources("bolt", "business-k8s")],
    outputs: {},
    programOutputs: {},
    settings: { project: PROJECT, stack: STACK, config: {}, secretKeys: [], standIns: [] },
  };
}
