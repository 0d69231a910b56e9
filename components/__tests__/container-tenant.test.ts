/**
 * ContainerTenant, through the real kubernetes stack program run offline (infra/preview): what each
 * tenant registers per status, with the inputs and options the engine would receive.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { recordStack, SECRET, type RecordedResource, type RecordedStack } from "../../infra/preview/engine";
import { offlineMocks } from "../../infra/preview/mocks";
import { expand, type ContainerTenantModel } from "../../infra/expand";
import { loadManifest } from "../../infra/manifest";
import {
  ContainerTenant,
  POD_SECURITY_LABELS,
  POSTGRES_IMAGE,
  type ContainerTenantArgs,
} from "../container-tenant";
import { deriveTenantPassword, tenantPasswordKeyName } from "../tenant-passwords";
import type { StackConfig } from "../../stacks/config";
import { KUBERNETES_RULES, KUBERNETES_TYPES } from "../../infra/preview/rules/kubernetes";
import { checkProviderRules } from "../../infra/preview/rules/rule";
import { runPolicies } from "../../infra/preview/policies";
import { POLICIES } from "../../policies/policies";
import { kubernetesStack } from "../../stacks/kubernetes";

jest.setTimeout(120_000);

const FIXTURE = path.join(__dirname, "fixtures", "kubernetes.yaml");
const PROVIDER = "urn:pulumi:kubernetes::tenancy::pulumi:providers:kubernetes::cluster";
const model = expand(loadManifest(FIXTURE));
const tenantOf = (id: string) => model.kubernetes.tenants.find((t) => t.id === id)!;

/** The fixture with some tenants' status changed, as a manifest of its own. */
function withStatus(statuses: Record<string, string>): string {
  let text = readFileSync(FIXTURE, "utf8");
  text = text.replace(
    "  - { id: praxis-lindner, name: Praxis Dr. Lindner, plan: business-k8s }",
    "  - id: praxis-lindner\n    name: Praxis Dr. Lindner\n    plan: business-k8s",
  );
  for (const [id, status] of Object.entries(statuses)) {
    const at = text.indexOf(`  - id: ${id}\n`);
    const end = text.indexOf("\n  - ", at + 1);
    const cut = end === -1 ? text.length : end;
    text = `${text.slice(0, cut).replace(/\n?$/, "")}\n    status: ${status}\n${text.slice(cut + 1)}`;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "tenancy-k8s-"));
  const file = path.join(dir, "tenants.yaml");
  writeFileSync(file, text);
  return file;
}

let active: RecordedStack;
let suspended: RecordedStack;
let decommissioned: RecordedStack;

beforeAll(async () => {
  active = await recordStack({ tier: "kubernetes", manifest: FIXTURE });
  suspended = await recordStack({
    tier: "kubernetes",
    manifest: withStatus({ "praxis-lindner": "suspended" }),
  });
  decommissioned = await recordStack({
    tier: "kubernetes",
    manifest: withStatus({ "praxis-lindner": "decommissioned" }),
  });
});

const K8S = "kubernetes:";
const of = (stack: RecordedStack, tenant: string) =>
  stack.resources.filter((r) => r.name.startsWith(`${tenant}-`) && r.type.startsWith(K8S));
const find = (stack: RecordedStack, name: string): RecordedResource => {
  const found = stack.resources.find((r) => r.name === name);
  if (!found) throw new Error(`${name} was not registered`);
  return found;
};
const kinds = (stack: RecordedStack, tenant: string) =>
  of(stack, tenant)
    .map((r) => `${String(r.inputs.kind)} ${r.name}`)
    .sort();
const spec = (r: RecordedResource) => r.inputs.spec as Record<string, unknown>;
const metadata = (r: RecordedResource) =>
  r.inputs.metadata as {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };

const ALWAYS = (id: string) => [
  `Cluster ${id}-db`,
  `LimitRange ${id}-limits`,
  `Namespace ${id}-namespace`,
  `NetworkPolicy ${id}-netpol-app`,
  `NetworkPolicy ${id}-netpol-database`,
  `NetworkPolicy ${id}-netpol-default-deny`,
  `NetworkPolicy ${id}-netpol-dns`,
  `ResourceQuota ${id}-quota`,
  `ScheduledBackup ${id}-db-nightly`,
  `Secret ${id}-backup-s3`,
  `Secret ${id}-db-credentials`,
];
const SERVED = (id: string) => [
  `Deployment ${id}-app`,
  `Ingress ${id}-ingress`,
  `PodDisruptionBudget ${id}-pdb`,
  `Secret ${id}-app-env`,
  `Secret ${id}-origin-tls`,
  `Service ${id}-service`,
];

describe("what a tenant registers, per status", () => {
  test("active: the namespace and its guards, the app with its autoscaler and ingress, the database", () => {
    for (const id of ["kanzlei-richter", "praxis-lindner"])
      expect(kinds(active, id)).toEqual(
        [...ALWAYS(id), ...SERVED(id), `HorizontalPodAutoscaler ${id}-hpa`].sort(),
      );
    expect(active.resources.filter((r) => r.type === "tenancy:hosting:ContainerTenant")).toHaveLength(2);
    // Its own origin certificate, for its hostname in the zone.
    expect(find(active, "kanzlei-richter-origin-cert").inputs.hostnames).toEqual([
      "kanzlei-richter.fieldcrew.app",
    ]);
  });

  test("suspended: no replica and no autoscaler; everything else kept", () => {
    const id = "praxis-lindner";
    expect(kinds(suspended, id)).toEqual([...ALWAYS(id), ...SERVED(id)].sort());
    expect(spec(find(suspended, `${id}-app`)).replicas).toBe(0);
    // The other tenant is untouched.
    expect(kinds(suspended, "kanzlei-richter")).toEqual(kinds(active, "kanzlei-richter"));
  });

  test("every object, in every status, is valid for the Kubernetes 1.36 API and the CloudNativePG 1.30 CRDs (strict)", () => {
    const validated = new Set<string>(Object.values(KUBERNETES_TYPES));
    for (const stack of [active, suspended, decommissioned]) {
      const objects = stack.resources.filter((r) => r.custom && r.type.startsWith(K8S));
      // Every kind rendered has a committed schema (the prerequisites read at preview are not rendered).
      expect(objects.length).toBeGreaterThan(20);
      expect(objects.filter((r) => !validated.has(r.type)).map((r) => r.type)).toEqual([]);
      expect(
        checkProviderRules(stack, KUBERNETES_RULES, {
          cloudflarePlan: "business",
          advancedRateLimiting: false,
        }),
      ).toEqual([]);
    }
  });

  test("a rotated password rolls the app's pods to read it, and changes nothing else one can see (the Secrets are secret)", async () => {
    const rotated = await recordStack({
      tier: "kubernetes",
      manifest: FIXTURE,
      config: { "tenancy:dbPasswordRotations": JSON.stringify(["kanzlei-richter=1"]) },
    });
    const generation = (stack: RecordedStack, id: string) =>
      (spec(find(stack, `${id}-app`)).template as { metadata: { annotations: Record<string, string> } })
        .metadata.annotations["tenancy.io/db-password-generation"];
    expect([generation(active, "kanzlei-richter"), generation(rotated, "kanzlei-richter")]).toEqual([
      "0",
      "1",
    ]);
    expect(generation(rotated, "praxis-lindner")).toBe("0");
    const differing = rotated.resources
      .filter(
        (r) =>
          JSON.stringify(r.inputs) !== JSON.stringify(active.resources.find((a) => a.urn === r.urn)?.inputs),
      )
      .map((r) => r.name);
    expect(differing).toEqual(["kanzlei-richter-app"]);
  });

  test("purged (its namespace deleted by the runbook): the stack registers nothing of it any more", async () => {
    const purged = await recordStack({
      tier: "kubernetes",
      manifest: withStatus({ "praxis-lindner": "purged" }),
    });
    expect(of(purged, "praxis-lindner")).toEqual([]);
    expect(of(active, "praxis-lindner").length).toBeGreaterThan(0);
    // The other tenants are untouched.
    expect(of(purged, "kanzlei-richter").map((r) => r.name)).toEqual(
      of(active, "kanzlei-richter").map((r) => r.name),
    );
  });

  test("decommissioned: the app gone, the namespace and the database kept, a final backup taken", () => {
    const id = "praxis-lindner";
    expect(kinds(decommissioned, id)).toEqual([...ALWAYS(id), `Backup ${id}-db-final-backup`].sort());
    const backup = find(decommissioned, `${id}-db-final-backup`);
    expect(backup.inputs).toMatchObject({ apiVersion: "postgresql.cnpg.io/v1", kind: "Backup" });
    expect(metadata(backup).annotations).toEqual({
      "pulumi.com/waitFor": "jsonpath={.status.phase}=completed",
    });
    expect(spec(backup)).toEqual({ cluster: { name: `${id}-db` }, method: "barmanObjectStore" });
    // The role is locked and the nightly backups stop; the database and its backups stay.
    const db = spec(find(decommissioned, `${id}-db`));
    expect((db.managed as { roles: { login: boolean }[] }).roles[0]!.login).toBe(false);
    expect(spec(find(decommissioned, `${id}-db-nightly`)).suspend).toBe(true);
    expect(decommissioned.outputs.tenants).not.toHaveProperty(id);
  });
});

describe("data safety and the provider", () => {
  test("the Namespace and the database Cluster are protected and retained on delete; nothing else need be", () => {
    for (const stack of [active, suspended, decommissioned])
      for (const id of ["kanzlei-richter", "praxis-lindner"])
        for (const name of [`${id}-namespace`, `${id}-db`]) {
          const r = find(stack, name);
          expect({ name, protect: r.options.protect, retain: r.options.retainOnDelete }).toEqual({
            name,
            protect: true,
            retain: true,
          });
        }
    // The Secrets a kept database needs stay with it (and it reloads them when they change); the app's do not.
    for (const part of ["db-credentials", "backup-s3"]) {
      const secret = find(active, `kanzlei-richter-${part}`);
      expect(secret.options.retainOnDelete).toBe(true);
      expect(metadata(secret).labels["cnpg.io/reload"]).toBe("true");
    }
    expect(find(active, "kanzlei-richter-app-env").options.retainOnDelete).toBe(false);
    expect(find(active, "kanzlei-richter-app").options.protect).toBe(false);
  });

  test("every Kubernetes object and read goes through the stack's explicit provider", () => {
    const k8s = active.resources.filter((r) => r.type.startsWith(K8S));
    expect(k8s.length).toBeGreaterThan(30);
    for (const r of k8s)
      expect({ name: r.name, provider: r.options.provider }).toEqual({ name: r.name, provider: PROVIDER });
    const provider = active.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.inputs.kubeconfig).toBe(SECRET);
    expect(provider.inputs).toMatchObject({
      enableServerSideApply: "true",
      deleteUnreachable: "false",
      enableSecretMutable: "true",
    });
  });

  test("the component refuses arguments it cannot build, before it registers anything", () => {
    const tenant = tenantOf("praxis-lindner");
    const args = (over: Partial<ContainerTenantModel> = {}): ContainerTenantArgs => ({
      tenant: { ...tenant, ...over },
      cluster: model.kubernetes.cluster!,
      app: model.app,
      zone: model.zone,
      dbPassword: undefined as never, // never read: the checks fail first
      dbPasswordGeneration: 0,
      backup: {
        country: "DE",
        endpointUrl: "https://fsn1.your-objectstorage.com",
        bucket: "b",
        credentials: undefined as never,
      },
    });
    expect(() => new ContainerTenant("praxis-lindner", args(), {})).toThrow(
      'ContainerTenant praxis-lindner (tenant "praxis-lindner"): needs the cluster\'s kubernetes.Provider',
    );
    expect(
      () => new ContainerTenant("praxis-lindner", args({ appImage: "ghcr.io/fieldcrew/app:latest" }), {}),
    ).toThrow('app image "ghcr.io/fieldcrew/app:latest" must be pinned to a tag or digest');
    expect(
      () => new ContainerTenant("praxis-lindner", args({ appImage: "ghcr.io/fieldcrew/app" }), {}),
    ).toThrow("must be pinned");
    expect(() => new ContainerTenant("praxis-lindner", args({ status: "incoming" }), {})).toThrow(
      'has status "incoming"',
    );
  });
});

describe("the stack", () => {
  test("refuses containerized tenants without a cluster to run them on, naming them", () => {
    const noCluster = {
      ...model,
      kubernetes: { tier: "kubernetes" as const, tenants: model.kubernetes.tenants },
    };
    // It fails before it reads a setting or registers anything.
    expect(() => kubernetesStack(noCluster, {} as StackConfig)).toThrow(
      "2 tenant(s) have a containerized plan (kanzlei-richter, praxis-lindner), and the manifest has no fleet.kubernetes",
    );
    expect(
      kubernetesStack({ ...noCluster, kubernetes: { tier: "kubernetes", tenants: [] } }, {} as StackConfig),
    ).toEqual({
      tenants: {},
    });
  });
});

describe("the namespace, its quota and its limits", () => {
  test("labels: the tenant's, and Pod Security restricted enforced, warned and audited at a pinned version", () => {
    const ns = find(active, "kanzlei-richter-namespace");
    expect(metadata(ns).name).toBe("tenant-kanzlei-richter");
    expect(metadata(ns).labels).toEqual({
      ...tenantOf("kanzlei-richter").kubernetesLabels,
      ...POD_SECURITY_LABELS,
    });
    expect(metadata(ns).labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.36",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
      "tenancy.io/plan": "enterprise-k8s",
    });
  });

  test("the quota is the plan's, requests equal to limits", () => {
    // enterprise-k8s: 6000m, 12288 MiB, 10 pods; 100 GB per database instance, two instances and one spare.
    expect(spec(find(active, "kanzlei-richter-quota")).hard).toEqual({
      "requests.cpu": "6000m",
      "limits.cpu": "6000m",
      "requests.memory": "12288Mi",
      "limits.memory": "12288Mi",
      pods: "10",
      "requests.storage": "300Gi",
      persistentvolumeclaims: "3",
    });
    expect((spec(find(active, "praxis-lindner-quota")).hard as Record<string, string>)["limits.cpu"]).toBe(
      "3000m",
    );
    const limits = (spec(find(active, "praxis-lindner-limits")).limits as Record<string, unknown>[])[0];
    expect(limits).toEqual({
      type: "Container",
      default: { cpu: "250m", memory: "512Mi" },
      defaultRequest: { cpu: "250m", memory: "512Mi" },
      max: { cpu: "500m", memory: "1024Mi" },
    });
  });
});

describe("network policies", () => {
  const policy = (part: string) => spec(find(active, `kanzlei-richter-netpol-${part}`));

  test("deny all by default: every pod, both directions, no rule", () => {
    expect(policy("default-deny")).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  test("the app admits the ingress controller's namespace on its port only, and reaches its database only", () => {
    expect(policy("app")).toEqual({
      podSelector: {
        matchLabels: {
          "app.kubernetes.io/name": "tenancy-app",
          "app.kubernetes.io/instance": "kanzlei-richter",
        },
      },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
          ports: [{ protocol: "TCP", port: 8000 }],
        },
      ],
      egress: [
        {
          to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "kanzlei-richter-db" } } }],
          ports: [{ protocol: "TCP", port: 5432 }],
        },
      ],
    });
  });

  test("DNS for every pod; the database admits the app, the operator and its own instances", () => {
    expect(policy("dns").egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
    const db = policy("database") as {
      ingress: { from: unknown[]; ports: { port: number }[] }[];
      egress: { ports: { port: number }[] }[];
    };
    expect(db.ingress[0]!.from).toEqual([
      {
        podSelector: {
          matchLabels: {
            "app.kubernetes.io/name": "tenancy-app",
            "app.kubernetes.io/instance": "kanzlei-richter",
          },
        },
      },
    ]);
    expect(db.ingress[0]!.ports.map((p) => p.port)).toEqual([5432]);
    expect(db.ingress[1]!.from).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cnpg-system" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
      },
    ]);
    expect(db.ingress[1]!.ports.map((p) => p.port)).toEqual([8000, 5432]);
    expect(db.egress.map((rule) => rule.ports.map((p) => p.port))).toEqual([
      [8000, 5432],
      [443, 6443],
    ]);
  });
});

describe("the app", () => {
  const deployment = (stack: RecordedStack, id: string) =>
    spec(find(stack, `${id}-app`)) as {
      replicas?: number;
      template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
    };

  test("hardened as the issue lists, its own image, requests equal to limits, probes on the health path", () => {
    const { replicas, template } = deployment(active, "kanzlei-richter");
    // The autoscaler owns the replicas.
    expect(replicas).toBeUndefined();
    const pod = template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const container = pod.containers[0]!;
    expect(container.image).toBe("ghcr.io/fieldcrew/app:2026.12.0");
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources).toEqual({
      requests: { cpu: "500m", memory: "1024Mi" },
      limits: { cpu: "500m", memory: "1024Mi" },
    });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: "/healthz", port: "http" } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: "/healthz", port: "http" } });
    expect(container.envFrom).toEqual([{ secretRef: { name: "kanzlei-richter-app-env" } }]);
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.topologySpreadConstraints).toMatchObject([
      { topologyKey: "kubernetes.io/hostname", maxSkew: 1 },
    ]);
    // The other tenant runs the fleet's image.
    expect(deployment(active, "praxis-lindner").template.spec.containers[0]!.image).toBe(
      "ghcr.io/fieldcrew/app:2026.11.2",
    );
  });

  test("autoscaled within the plan, one disruption at a time, served for every hostname over the origin certificate", () => {
    expect(spec(find(active, "kanzlei-richter-hpa"))).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    expect(spec(find(active, "kanzlei-richter-pdb"))).toMatchObject({ maxUnavailable: 1 });
    const ingress = spec(find(active, "kanzlei-richter-ingress")) as {
      ingressClassName: string;
      tls: { hosts: string[]; secretName: string }[];
      rules: { host: string }[];
    };
    const hostnames = ["kanzlei-richter.fieldcrew.app", "portal.kanzlei-richter.example"];
    expect(ingress.ingressClassName).toBe("nginx");
    expect(ingress.tls).toEqual([{ hosts: hostnames, secretName: "kanzlei-richter-origin-tls" }]);
    expect(ingress.rules.map((rule) => rule.host)).toEqual(hostnames);
    expect(active.outputs.tenants).toEqual({
      "kanzlei-richter": {
        url: "https://kanzlei-richter.fieldcrew.app",
        namespace: "tenant-kanzlei-richter",
        cluster: "k8s-fsn1",
      },
      "praxis-lindner": {
        url: "https://praxis-lindner.fieldcrew.app",
        namespace: "tenant-praxis-lindner",
        cluster: "k8s-fsn1",
      },
    });
  });
});

describe("the database", () => {
  test("a CloudNativePG Cluster sized by the plan, pinned, no superuser, backed up in the cluster's country", () => {
    const db = find(active, "kanzlei-richter-db");
    expect(db.inputs).toMatchObject({ apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster" });
    expect(spec(db)).toMatchObject({
      instances: 2,
      imageName: POSTGRES_IMAGE,
      enableSuperuserAccess: false,
      bootstrap: {
        initdb: {
          database: "t_kanzlei_richter",
          owner: "t_kanzlei_richter",
          secret: { name: "kanzlei-richter-db-credentials" },
        },
      },
      managed: { roles: [{ name: "t_kanzlei_richter", login: true, connectionLimit: 200 }] },
      storage: { size: "100Gi", storageClass: "hcloud-volumes" },
      resources: { requests: { cpu: "1000m", memory: "2048Mi" }, limits: { cpu: "1000m", memory: "2048Mi" } },
      affinity: { enablePodAntiAffinity: true, podAntiAffinityType: "required" },
      backup: {
        barmanObjectStore: {
          destinationPath: "s3://fieldcrew-backups-de/k8s-fsn1/kanzlei-richter",
          endpointURL: "https://fsn1.your-objectstorage.com",
        },
        retentionPolicy: "2555d",
      },
    });
    expect(spec(find(active, "praxis-lindner-db"))).toMatchObject({ backup: { retentionPolicy: "730d" } });
    expect(spec(find(active, "kanzlei-richter-db-nightly"))).toEqual({
      schedule: "0 0 2 * * *",
      cluster: { name: "kanzlei-richter-db" },
      method: "barmanObjectStore",
      backupOwnerReference: "self",
      suspend: false,
    });
  });
});

describe("secrets and the edge", () => {
  test("every Secret's values reach the provider as a secret; no password in any recorded input", async () => {
    for (const stack of [active, suspended, decommissioned]) {
      const secrets = stack.resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
      expect(secrets.length).toBeGreaterThan(0);
      for (const r of secrets)
        expect({ name: r.name, stringData: r.inputs.stringData }).toEqual({
          name: r.name,
          stringData: SECRET,
        });
      const keyResource = find(stack, tenantPasswordKeyName("kubernetes"));
      const key = String(
        (
          await offlineMocks.newResource({
            type: keyResource.type,
            name: keyResource.name,
            inputs: keyResource.inputs,
          })
        ).state.result,
      );
      const inputs = JSON.stringify(stack.resources.map((r) => r.inputs));
      for (const id of ["kanzlei-richter", "praxis-lindner"])
        expect(inputs.includes(deriveTenantPassword(key, id, 0))).toBe(false);
      expect(inputs.includes("offline-preview-not-a-real-secret")).toBe(false);
      // The mocks' private keys (a CSR, public, is an input of the certificate).
      expect(inputs.includes("PRIVATE KEY")).toBe(false);
    }
  });

  test("the ingress controller's addresses become the cluster's proxied origin records", () => {
    const records = active.resources.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord");
    expect(records.map((r) => [r.name, r.inputs.type, r.inputs.name, r.inputs.proxied])).toEqual([
      ["k8s-fsn1-origin-a", "A", "origin-k8s-fsn1.fieldcrew.app", true],
      ["k8s-fsn1-origin-aaaa", "AAAA", "origin-k8s-fsn1.fieldcrew.app", true],
    ]);
    expect(records[0]!.inputs.content).toMatch(/^203\.0\.113\.\d+$/);
    expect(records[1]!.inputs.content).toMatch(/^2001:db8:/);
    expect(active.outputs.cluster).toMatchObject({
      name: "k8s-fsn1",
      origin: "origin-k8s-fsn1.fieldcrew.app",
    });
  });

  test("the component's outputs tell a stack policy the tenant, plan, namespace, status and hostnames", () => {
    const component = active.resources.find(
      (r) => r.type === "tenancy:hosting:ContainerTenant" && r.name === "kanzlei-richter",
    )!;
    expect(component.outputs).toEqual({
      tenantId: "kanzlei-richter",
      plan: "enterprise-k8s",
      namespace: "tenant-kanzlei-richter",
      cluster: "k8s-fsn1",
      status: "active",
      hostnames: ["kanzlei-richter.fieldcrew.app", "portal.kanzlei-richter.example"],
      url: "https://kanzlei-richter.fieldcrew.app",
    });
  });
});

describe("the policy pack on what the component really registers", () => {
  type Inputs = Record<string, unknown>;
  /** The object at a path into recorded inputs. */
  const dig = (value: unknown, ...keys: (string | number)[]): Inputs =>
    keys.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value) as Inputs;
  const container = (i: Inputs) => dig(i, "spec", "template", "spec", "containers", 0);
  /** The active stack with one object changed, as a deploy would register it. */
  const changed = (name: string, change: (inputs: Inputs, resource: RecordedResource) => void) => {
    const copy = JSON.parse(JSON.stringify(active)) as RecordedStack;
    const resource = copy.resources.find((r) => r.name === name)!;
    change(resource.inputs, resource);
    resource.outputs = JSON.parse(JSON.stringify(resource.inputs)) as Record<string, unknown>;
    return copy;
  };
  const without = (name: string) => {
    const copy = JSON.parse(JSON.stringify(active)) as RecordedStack;
    copy.resources = copy.resources.filter((r) => r.name !== name);
    return copy;
  };
  const fired = async (stack: RecordedStack) => [
    ...new Set((await runPolicies(stack, POLICIES)).map((v) => v.policy)),
  ];
  const id = "kanzlei-richter";

  test("is silent on it", async () => {
    expect(await runPolicies(active, POLICIES)).toEqual([]);
  });

  test.each<[string, () => RecordedStack, string]>([
    [
      "a writable root filesystem",
      () =>
        changed(`${id}-app`, (i) => (dig(container(i), "securityContext").readOnlyRootFilesystem = false)),
      "kubernetes-pods-hardened",
    ],
    [
      "a host network",
      () => changed(`${id}-app`, (i) => (dig(i, "spec", "template", "spec").hostNetwork = true)),
      "kubernetes-pods-hardened",
    ],
    [
      "the latest image",
      () => changed(`${id}-app`, (i) => (container(i).image = "ghcr.io/fieldcrew/app:latest")),
      "kubernetes-images-pinned",
    ],
    [
      "a quota above the plan",
      () => changed(`${id}-quota`, (i) => (dig(i, "spec", "hard")["limits.cpu"] = "64")),
      "kubernetes-quota-within-plan",
    ],
    ["no default-deny policy", () => without(`${id}-netpol-default-deny`), "kubernetes-namespace-isolated"],
    ["no quota", () => without(`${id}-quota`), "kubernetes-namespace-isolated"],
    [
      "a namespace that enforces baseline",
      () =>
        changed(
          `${id}-namespace`,
          (i) => (dig(i, "metadata", "labels")["pod-security.kubernetes.io/enforce"] = "baseline"),
        ),
      "kubernetes-namespace-restricted",
    ],
    [
      "an unprotected database",
      () => changed(`${id}-db`, (_i, r) => (r.options.protect = false)),
      "kubernetes-databases-retained",
    ],
  ])("fires on %s", async (_what, stack, policy) => {
    expect(await fired(stack())).toEqual([policy]);
  });
});
