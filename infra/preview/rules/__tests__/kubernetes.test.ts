/**
 * The Kubernetes checks, both ways: a realistic object of every kind the ContainerTenant renders passes
 * the real schemas (Kubernetes release-1.36, CloudNativePG 1.30) strictly, and a one-field change fires
 * with the path, value and allowed text a reader acts on. Plus the committed data's headers, the name
 * rules, the secret/unknown markers and the replacements pulumi-kubernetes makes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { planChanges } from "../../changes";
import { EXAMPLE_MANIFEST } from "../../../testing/fixtures";
import { recordStack, SECRET, UNKNOWN, type RecordedResource } from "../../engine";
import { CHANGE_BEHAVIOURS, PROVIDER_RULES } from "..";
import {
  harden,
  KUBERNETES_CHANGES,
  KUBERNETES_RULES,
  KUBERNETES_TYPES,
  kubernetesKinds,
  validateKubernetesObject,
  type SchemaFinding,
} from "../kubernetes";
import type { RuleContext } from "../rule";

type Obj = Record<string, unknown>;
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument --
   the fixtures are deep JSON objects that each case mutates by path; typing them would restate the schemas */
type Any = any;

const SCHEMAS = path.join(__dirname, "..", "kubernetes-schemas");
const meta = (name: string, extra: Obj = {}) => ({
  name,
  namespace: "tenant-acme",
  labels: {
    "app.kubernetes.io/name": "app",
    "tenancy.dev/tenant": "acme",
    "tenancy.dev/plan": "enterprise-k8s",
  },
  ...extra,
});
const selector = () => ({ matchLabels: { "app.kubernetes.io/name": "app" } });

/** One realistic object per type token, as the SDK sends it (apiVersion and kind set by the class). */
function fixtures(): Record<string, Obj> {
  return {
    [KUBERNETES_TYPES.namespace]: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "tenant-acme",
        labels: {
          "tenancy.dev/tenant": "acme",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "v1.36",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        },
      },
    },
    [KUBERNETES_TYPES.resourceQuota]: {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: meta("quota"),
      spec: {
        hard: {
          "requests.cpu": "2",
          "requests.memory": "4Gi",
          "limits.cpu": 4,
          "limits.memory": "8Gi",
          "requests.storage": "50Gi",
          pods: "20",
        },
      },
    },
    [KUBERNETES_TYPES.limitRange]: {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: meta("limits"),
      spec: {
        limits: [
          {
            type: "Container",
            default: { cpu: "500m", memory: "512Mi" },
            defaultRequest: { cpu: "100m", memory: "128Mi" },
            max: { cpu: "2", memory: "2Gi" },
          },
        ],
      },
    },
    [KUBERNETES_TYPES.secret]: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("database"),
      type: "Opaque",
      stringData: SECRET,
    },
    [KUBERNETES_TYPES.service]: {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("app"),
      spec: {
        type: "ClusterIP",
        selector: selector().matchLabels,
        ports: [{ name: "http", port: 80, targetPort: "http" }],
      },
    },
    [KUBERNETES_TYPES.deployment]: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta("app"),
      spec: {
        replicas: 2,
        revisionHistoryLimit: 5,
        selector: selector(),
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
        template: {
          metadata: { labels: selector().matchLabels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 10001,
              runAsGroup: 10001,
              fsGroup: 10001,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "app",
                image: "ghcr.io/example/saas-app:2.14.1",
                imagePullPolicy: "IfNotPresent",
                ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                env: [
                  { name: "TENANT", value: "acme" },
                  { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "database", key: "uri" } } },
                ],
                resources: {
                  requests: { cpu: "250m", memory: "256Mi" },
                  limits: { cpu: "1", memory: "512Mi" },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
                livenessProbe: {
                  httpGet: { path: "/healthz", port: "http" },
                  initialDelaySeconds: 10,
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" },
                  periodSeconds: 5,
                },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
          },
        },
      },
    },
    [KUBERNETES_TYPES.podDisruptionBudget]: {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta("app"),
      spec: { minAvailable: 1, selector: selector() },
    },
    [KUBERNETES_TYPES.horizontalPodAutoscaler]: {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: meta("app"),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
          },
          {
            type: "Resource",
            resource: { name: "memory", target: { type: "AverageValue", averageValue: "400Mi" } },
          },
        ],
      },
    },
    [KUBERNETES_TYPES.networkPolicy]: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-ingress-controller"),
      spec: {
        podSelector: selector(),
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
              },
            ],
            ports: [{ protocol: "TCP", port: "http" }],
          },
        ],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
    [KUBERNETES_TYPES.ingress]: {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: meta("app", { annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "10m" } }),
      spec: {
        ingressClassName: "nginx",
        tls: [{ hosts: ["acme.example.com"], secretName: "origin-tls" }],
        rules: [
          {
            host: "acme.example.com",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "app", port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      },
    },
    [KUBERNETES_TYPES.cnpgCluster]: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Cluster",
      metadata: meta("acme-db"),
      spec: {
        instances: 2,
        imageName: "ghcr.io/cloudnative-pg/postgresql:17.5",
        primaryUpdateStrategy: "unsupervised",
        enableSuperuserAccess: false,
        storage: { size: "20Gi", storageClass: "hcloud-volumes" },
        resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
        bootstrap: { initdb: { database: "app", owner: "app", secret: { name: "acme-db-app" } } },
        backup: {
          retentionPolicy: "30d",
          barmanObjectStore: {
            destinationPath: "s3://tenancy-backups-fsn1/acme",
            endpointURL: "https://fsn1.your-objectstorage.com",
            s3Credentials: {
              accessKeyId: { name: "acme-backup", key: "ACCESS_KEY_ID" },
              secretAccessKey: { name: "acme-backup", key: "ACCESS_SECRET_KEY" },
            },
            wal: { compression: "gzip" },
            data: { compression: "gzip", jobs: 2 },
          },
        },
      },
    },
    [KUBERNETES_TYPES.cnpgScheduledBackup]: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "ScheduledBackup",
      metadata: meta("acme-db-nightly"),
      // CloudNativePG's schedule has six fields: seconds first.
      spec: {
        schedule: "0 0 2 * * *",
        cluster: { name: "acme-db" },
        backupOwnerReference: "self",
        method: "barmanObjectStore",
        immediate: true,
      },
    },
    [KUBERNETES_TYPES.cnpgBackup]: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Backup",
      metadata: meta("acme-db-final"),
      spec: { cluster: { name: "acme-db" }, method: "barmanObjectStore" },
    },
  };
}

// Fresh literals each time (structuredClone would make arrays of another realm under jest, which the SDK
// would not serialize as arrays).
const object = (type: string): Any => fixtures()[type];
/** The findings of the provider rules for the type, as `tenancy plan` runs them. */
function rules(type: string, inputs: Obj): SchemaFinding[] {
  const matching = KUBERNETES_RULES.filter((r) => r.type === type);
  return matching.flatMap((r) => r.check(inputs, {} as RuleContext));
}
function bad(type: string, change: (o: Any) => void): SchemaFinding[] {
  const o = object(type);
  change(o);
  return rules(type, o);
}
const { deployment, cnpgCluster, cnpgScheduledBackup, service, namespace, secret } = KUBERNETES_TYPES;

describe("committed schema data", () => {
  const k8s = JSON.parse(readFileSync(path.join(SCHEMAS, "kubernetes.json"), "utf8"));
  const cnpg = JSON.parse(readFileSync(path.join(SCHEMAS, "cnpg.json"), "utf8"));

  it("names its source, commit, checksum and version", () => {
    expect(k8s.source).toMatchObject({
      repo: "https://github.com/kubernetes-client/python",
      path: "kubernetes/swagger.json.unprocessed",
      kubernetesVersion: "release-1.36",
    });
    expect(k8s.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(k8s.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(k8s.source.generated).toContain("generate.mjs");
    expect(cnpg.source).toMatchObject({
      repo: "https://github.com/cloudnative-pg/cloudnative-pg",
      tag: "v1.30.0",
    });
    expect(cnpg.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.values(cnpg.source.sha256)).toHaveLength(3);
    for (const sum of Object.values(cnpg.source.sha256)) expect(sum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("holds a schema for every kind the component renders", () => {
    const kinds = kubernetesKinds();
    for (const type of Object.values(KUBERNETES_TYPES)) {
      const [, apiVersion = "", kind] = type.split(":");
      expect(kinds).toContain(`${apiVersion.replace(/^core\//, "")} ${kind}`);
    }
    expect(Object.keys(cnpg.crds).sort()).toEqual(["Backup", "Cluster", "ScheduledBackup"]);
  });

  it("CloudNativePG 1.30 still has the in-tree spec.backup.barmanObjectStore (deprecated since 1.26)", () => {
    const backup = cnpg.crds.Cluster.schema.properties.spec.properties.backup.properties;
    expect(Object.keys(backup)).toEqual(
      expect.arrayContaining(["barmanObjectStore", "retentionPolicy", "volumeSnapshot"]),
    );
    expect(cnpg.crds.Cluster.schema.properties.spec.properties.plugins).toBeDefined();
  });
});

describe("valid objects pass", () => {
  it.each(Object.keys(fixtures()))("%s", (type) => {
    expect(validateKubernetesObject(object(type))).toEqual([]);
    expect(rules(type, object(type))).toEqual([]);
  });

  it("every type has a schema rule, a name rule and a change behaviour, registered with the preview", () => {
    for (const type of Object.values(KUBERNETES_TYPES)) {
      const fields = KUBERNETES_RULES.filter((r) => r.type === type).map((r) => r.field);
      expect(fields[0]).toBe("(all inputs)");
      expect(fields.filter((f) => f === "metadata")).toHaveLength(2); // names, labels
      expect(CHANGE_BEHAVIOURS[type]).toBe(KUBERNETES_CHANGES[type]);
    }
    for (const rule of KUBERNETES_RULES) expect(PROVIDER_RULES).toContain(rule);
  });

  it("every rule cites its source at a pinned commit or tag", () => {
    for (const rule of KUBERNETES_RULES)
      expect(rule.source).toMatch(
        /^https:\/\/github\.com\/(kubernetes-client\/python\/blob\/[0-9a-f]{40}\/|cloudnative-pg\/cloudnative-pg\/(blob|tree)\/v1\.30\.0\/|kubernetes\/apimachinery\/blob\/[0-9a-f]{40}\/)/,
      );
    for (const change of Object.values(KUBERNETES_CHANGES))
      expect(change.source).toMatch(
        /^https:\/\/github\.com\/pulumi\/pulumi-kubernetes\/blob\/[0-9a-f]{40}\//,
      );
  });
});

describe("the strict pass refuses what the API would", () => {
  it("an unknown field at depth", () => {
    expect(bad(deployment, (o) => (o.spec.template.spec.containers[0].securityContext.foo = true))).toEqual([
      {
        path: "spec.template.spec.containers[0].securityContext.foo",
        value: true,
        allowed: expect.stringContaining('no field "foo" here: the fields are allowPrivilegeEscalation,'),
      },
    ]);
    // The CRD's own schemas too (s3Credentials has accessKeyId, region, secretAccessKey, … but no endpoint).
    expect(
      bad(cnpgCluster, (o) => (o.spec.backup.barmanObjectStore.s3Credentials.endpoint = "fsn1")),
    ).toEqual([
      {
        path: "spec.backup.barmanObjectStore.s3Credentials.endpoint",
        value: "fsn1",
        allowed: expect.stringMatching(
          /^no field "endpoint" here: the fields are accessKeyId, inheritFromIAMRole,/,
        ),
      },
    ]);
    expect(bad(namespace, (o) => (o.metadata.label = {}))).toEqual([
      expect.objectContaining({ path: "metadata.label", allowed: expect.stringContaining("labels") }),
    ]);
  });

  it("a wrong type", () => {
    expect(bad(deployment, (o) => (o.spec.replicas = "2"))).toEqual([
      { path: "spec.replicas", value: "2", allowed: "an integer" },
    ]);
    expect(bad(cnpgCluster, (o) => (o.spec.instances = 1.5))).toEqual([
      { path: "spec.instances", value: 1.5, allowed: "an integer" },
    ]);
  });

  it("a missing required field", () => {
    expect(bad(deployment, (o) => delete o.spec.template.spec.containers[0].name)).toEqual([
      {
        path: "spec.template.spec.containers[0].name",
        value: undefined,
        allowed: "a value: name is required in spec.template.spec.containers[0]",
      },
    ]);
    expect(bad(cnpgScheduledBackup, (o) => delete o.spec.schedule)).toEqual([
      expect.objectContaining({ path: "spec.schedule", allowed: expect.stringContaining("required") }),
    ]);
    // A null is an absent field to the API server: a required one is still missing.
    expect(bad(deployment, (o) => (o.spec.selector = null))).toEqual([
      expect.objectContaining({ path: "spec.selector", allowed: "a value: selector is required in spec" }),
    ]);
  });

  it("a value outside an enum", () => {
    expect(bad(service, (o) => (o.spec.type = "Internal"))).toEqual([
      {
        path: "spec.type",
        value: "Internal",
        allowed: 'one of "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      },
    ]);
    // The built-in kinds' OpenAPI v2 has no enums: these come from the fields' descriptions.
    expect(
      bad(
        deployment,
        (o) => (o.spec.template.spec.containers[0].securityContext.seccompProfile.type = "Default"),
      ),
    ).toEqual([
      {
        path: "spec.template.spec.containers[0].securityContext.seccompProfile.type",
        value: "Default",
        allowed: 'one of "Localhost", "RuntimeDefault", "Unconfined"',
      },
    ]);
    expect(bad(KUBERNETES_TYPES.ingress, (o) => (o.spec.rules[0].http.paths[0].pathType = "prefix"))).toEqual(
      [expect.objectContaining({ path: "spec.rules[0].http.paths[0].pathType", value: "prefix" })],
    );
    expect(
      bad(
        KUBERNETES_TYPES.horizontalPodAutoscaler,
        (o) => (o.spec.metrics[1].resource.target.type = "Average"),
      ),
    ).toEqual([expect.objectContaining({ path: "spec.metrics[1].resource.target.type" })]);
    expect(bad(cnpgScheduledBackup, (o) => (o.spec.method = "tape"))).toEqual([
      {
        path: "spec.method",
        value: "tape",
        allowed: 'one of "barmanObjectStore", "volumeSnapshot", "plugin"',
      },
    ]);
  });

  it("a bad int-or-string and a bad quantity", () => {
    const intOrString = "an integer or a string (int-or-string)";
    expect(bad(deployment, (o) => (o.spec.strategy.rollingUpdate.maxUnavailable = 0.5))).toEqual([
      { path: "spec.strategy.rollingUpdate.maxUnavailable", value: 0.5, allowed: intOrString },
    ]);
    expect(bad(KUBERNETES_TYPES.podDisruptionBudget, (o) => (o.spec.minAvailable = true))).toEqual([
      { path: "spec.minAvailable", value: true, allowed: intOrString },
    ]);
    expect(
      bad(deployment, (o) => (o.spec.template.spec.containers[0].resources.limits.memory = "512MB")),
    ).toEqual([
      {
        path: "spec.template.spec.containers[0].resources.limits.memory",
        value: "512MB",
        allowed: "a quantity such as 250m, 512Mi, 2 or 1.5Gi",
      },
    ]);
    // CRDs spell quantities as x-kubernetes-int-or-string with a pattern.
    expect(bad(cnpgCluster, (o) => (o.spec.resources.requests.cpu = "half"))).toEqual([
      expect.objectContaining({ path: "spec.resources.requests.cpu", value: "half" }),
    ]);
    expect(bad(cnpgCluster, (o) => (o.spec.resources.requests.cpu = 1))).toEqual([]);
  });

  it("a pattern from the CRD", () => {
    expect(bad(cnpgCluster, (o) => (o.spec.backup.retentionPolicy = "30 days"))).toEqual([
      {
        path: "spec.backup.retentionPolicy",
        value: "30 days",
        allowed: "a string matching ^[1-9][0-9]*[dwm]$",
      },
    ]);
  });

  it("a ScheduledBackup's schedule has six fields, seconds first", () => {
    expect(bad(cnpgScheduledBackup, (o) => (o.spec.schedule = "0 2 * * *"))).toEqual([
      {
        path: "spec.schedule",
        value: "0 2 * * *",
        allowed: expect.stringContaining("six fields, seconds first"),
      },
    ]);
    expect(bad(cnpgScheduledBackup, (o) => (o.spec.schedule = "@daily"))).toEqual([]);
    expect(bad(cnpgScheduledBackup, (o) => (o.spec.schedule = UNKNOWN))).toEqual([]);
  });

  it("a kind without a schema is a finding, never passed", () => {
    const findings = validateKubernetesObject({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
    });
    expect(findings).toEqual([
      expect.objectContaining({
        path: "kind",
        value: "apps/v1 StatefulSet",
        allowed: expect.stringContaining("no schema for apiVersion apps/v1 kind StatefulSet"),
      }),
    ]);
    expect(validateKubernetesObject({ apiVersion: "postgresql.cnpg.io/v2", kind: "Cluster" })).toHaveLength(
      1,
    );
  });
});

describe("the Kubernetes extensions", () => {
  it("x-kubernetes-preserve-unknown-fields stays open; other object schemas close", () => {
    const open = {
      type: "object",
      properties: { a: { type: "string" } },
      "x-kubernetes-preserve-unknown-fields": true,
    };
    expect(harden(open)).toEqual({ type: "object", properties: { a: { type: "string" } } });
    expect(harden({ type: "object", properties: {} })).toEqual({
      type: "object",
      properties: {},
      additionalProperties: false,
    });
    // A map (additionalProperties given) keeps its own rule.
    const map = { type: "object", properties: {}, additionalProperties: { type: "string" } };
    expect(harden(map)).toEqual(map);
  });

  it("nullable admits null; int-or-string is an integer or a string", () => {
    expect(harden({ type: "string", nullable: true })).toEqual({ type: ["string", "null"] });
    expect(
      harden({
        anyOf: [{ type: "integer" }, { type: "string" }],
        "x-kubernetes-int-or-string": true,
        pattern: "^x$",
      }),
    ).toEqual({ type: ["integer", "string"], pattern: "^x$" });
    expect(harden({ type: "string", format: "int-or-string" })).toEqual({ type: ["integer", "string"] });
  });
});

describe("secret and unknown values are not findings", () => {
  it("skips a secret's stringData and unknown subtrees", () => {
    expect(bad(secret, (o) => (o.data = SECRET))).toEqual([]);
    expect(
      bad(deployment, (o) => {
        o.spec.template.spec.containers[0].image = UNKNOWN;
        o.spec.replicas = UNKNOWN;
        o.spec.template.spec.securityContext = UNKNOWN;
        o.metadata.name = UNKNOWN;
      }),
    ).toEqual([]);
    expect(bad(cnpgCluster, (o) => (o.spec.backup = SECRET))).toEqual([]);
  });

  it("still reports a known problem next to an unknown value", () => {
    expect(
      bad(deployment, (o) => {
        o.spec.template.spec.containers[0].image = UNKNOWN;
        o.spec.replicas = "two";
      }),
    ).toEqual([expect.objectContaining({ path: "spec.replicas" })]);
    // In the very object that holds the unknown value, too.
    expect(
      bad(deployment, (o) => {
        o.spec.template.spec.containers[0].image = UNKNOWN;
        o.spec.template.spec.containers[0].volumeMounts = { tmp: "/tmp" };
      }),
    ).toEqual([
      expect.objectContaining({ path: "spec.template.spec.containers[0].volumeMounts", allowed: "an array" }),
    ]);
  });
});

describe("names and labels the API server checks in code", () => {
  it("metadata.name per kind", () => {
    expect(bad(namespace, (o) => (o.metadata.name = "Tenant_Acme"))).toEqual([
      { path: "metadata.name", value: "Tenant_Acme", allowed: expect.stringContaining("DNS-1123 label") },
    ]);
    expect(bad(namespace, (o) => (o.metadata.name = "a".repeat(64)))).toHaveLength(1);
    expect(bad(service, (o) => (o.metadata.name = "1app"))).toEqual([
      expect.objectContaining({ path: "metadata.name", allowed: expect.stringContaining("DNS-1035 label") }),
    ]);
    // Other kinds take a DNS-1123 subdomain: dots allowed, up to 253.
    expect(bad(deployment, (o) => (o.metadata.name = "app.v2"))).toEqual([]);
    expect(bad(deployment, (o) => (o.metadata.name = "app..v2"))).toEqual([
      expect.objectContaining({
        path: "metadata.name",
        allowed: expect.stringContaining("DNS-1123 subdomain"),
      }),
    ]);
    // CloudNativePG's webhook: a DNS-1035 label of at most 50 characters.
    expect(bad(cnpgCluster, (o) => (o.metadata.name = `db-${"x".repeat(47)}`))).toHaveLength(0);
    expect(bad(cnpgCluster, (o) => (o.metadata.name = `db-${"x".repeat(48)}`))).toEqual([
      expect.objectContaining({ path: "metadata.name", allowed: expect.stringContaining("at most 50") }),
    ]);
    expect(bad(deployment, (o) => (o.metadata.namespace = "Tenant"))).toEqual([
      expect.objectContaining({ path: "metadata.namespace", value: "Tenant" }),
    ]);
  });

  it("label keys and values, in metadata, pod templates and selectors", () => {
    expect(bad(deployment, (o) => (o.metadata.labels["tenancy.dev/plan"] = "enterprise k8s"))).toEqual([
      {
        path: 'metadata.labels["tenancy.dev/plan"]',
        value: "enterprise k8s",
        allowed: expect.stringContaining("a label value"),
      },
    ]);
    expect(bad(deployment, (o) => (o.spec.template.metadata.labels = { "-app": "x" }))).toEqual([
      expect.objectContaining({ path: 'spec.template.metadata.labels["-app"]', value: "-app" }),
    ]);
    expect(
      bad(KUBERNETES_TYPES.networkPolicy, (o) => (o.spec.podSelector.matchLabels = { "a/b/c": "x" })),
    ).toEqual([expect.objectContaining({ path: 'spec.podSelector.matchLabels["a/b/c"]' })]);
    expect(bad(deployment, (o) => (o.metadata.labels.tier = "x".repeat(64)))).toHaveLength(1);
    expect(bad(deployment, (o) => (o.metadata.labels.tier = ""))).toEqual([]);
  });
});

describe("changes pulumi-kubernetes carries out by replacing", () => {
  const resource = (type: string, inputs: Obj): RecordedResource => ({
    type,
    name: "app",
    urn: `urn:pulumi:kubernetes::tenancy::${type}::app`,
    custom: true,
    inputs,
    outputs: {},
    options: { protect: false, ignoreChanges: [], retainOnDelete: false } as Any,
  });
  const plan = (type: string, change: (o: Any) => void) => {
    const after = object(type);
    change(after);
    const [item] = planChanges([resource(type, object(type))], [resource(type, after)], CHANGE_BEHAVIOURS);
    return item && { op: item.op, fields: item.fields, replaceFields: item.replaceFields };
  };

  it("a rename or a new selector replaces; a label or a template change updates in place", () => {
    expect(plan(deployment, (o) => (o.metadata.name = "web"))).toEqual({
      op: "replace",
      fields: ["metadata"],
      replaceFields: ["metadata.name"],
    });
    expect(plan(deployment, (o) => (o.metadata.labels.extra = "x"))).toEqual({
      op: "update",
      fields: ["metadata"],
      replaceFields: [],
    });
    expect(plan(deployment, (o) => (o.spec.selector.matchLabels.tier = "web"))).toMatchObject({
      op: "replace",
      replaceFields: ["spec.selector"],
    });
    expect(plan(deployment, (o) => (o.spec.replicas = 3))).toMatchObject({ op: "update", replaceFields: [] });
  });

  it("per kind, as the provider's forceNew table says", () => {
    expect(plan(service, (o) => (o.spec.clusterIP = "10.43.0.10"))).toMatchObject({ op: "replace" });
    expect(plan(service, (o) => (o.spec.type = "NodePort"))).toMatchObject({ op: "update" });
    expect(plan(KUBERNETES_TYPES.podDisruptionBudget, (o) => (o.spec.minAvailable = 2))).toMatchObject({
      op: "update",
    });
    expect(plan(secret, (o) => (o.type = "kubernetes.io/basic-auth"))).toMatchObject({
      op: "replace",
      replaceFields: ["type"],
    });
    expect(plan(cnpgCluster, (o) => (o.metadata.namespace = "tenant-other"))).toMatchObject({
      op: "replace",
      replaceFields: ["metadata.namespace"],
    });
    expect(plan(cnpgCluster, (o) => (o.spec.instances = 3))).toMatchObject({ op: "update" });
  });
});

describe("inputs as the Pulumi SDK records them", () => {
  jest.setTimeout(60_000);
  let recorded: RecordedResource[] = [];

  beforeAll(async () => {
    const k8s = await import("@pulumi/kubernetes");
    const pulumi = await import("@pulumi/pulumi");
    const program = () => {
      const deployment = object(KUBERNETES_TYPES.deployment);
      deployment.spec.template.spec.containers[0].env[0].value = pulumi.secret("acme");
      new k8s.apps.v1.Deployment("app", { metadata: deployment.metadata, spec: deployment.spec });
      new k8s.core.v1.Secret("database", {
        metadata: meta("database"),
        stringData: { uri: "postgresql://app@acme-db-rw/app" },
      });
      const cluster = object(KUBERNETES_TYPES.cnpgCluster);
      new k8s.apiextensions.CustomResource("db", {
        apiVersion: cluster.apiVersion,
        kind: cluster.kind,
        metadata: cluster.metadata,
        spec: cluster.spec,
      });
      return {};
    };
    const stack = await recordStack({ tier: "shared", manifest: EXAMPLE_MANIFEST, program });
    recorded = stack.resources.filter((r) => r.type.startsWith("kubernetes:"));
  });

  it("the SDK sets apiVersion and kind, marks the secrets, and the objects pass", () => {
    const byType = new Map(recorded.map((r) => [r.type, r.inputs]));
    expect([...byType.keys()].sort()).toEqual(
      [KUBERNETES_TYPES.deployment, KUBERNETES_TYPES.secret, KUBERNETES_TYPES.cnpgCluster].sort(),
    );
    const deployment = byType.get(KUBERNETES_TYPES.deployment) as Any;
    expect([deployment.apiVersion, deployment.kind]).toEqual(["apps/v1", "Deployment"]);
    expect(deployment.spec.template.spec.containers[0].env[0].value).toBe(SECRET);
    expect((byType.get(KUBERNETES_TYPES.secret) as Any).stringData).toBe(SECRET);
    const findings = recorded.flatMap((r) =>
      KUBERNETES_RULES.filter((rule) => rule.type === r.type).flatMap((rule) =>
        rule.check(r.inputs, {} as RuleContext),
      ),
    );
    expect(findings).toEqual([]);
  });
});
