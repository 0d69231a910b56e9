/**
 * ContainerTenant (`tenancy:hosting:ContainerTenant`): one premium tenant in a hardened namespace of the
 * fleet's existing Kubernetes cluster: quota and limits from its plan, network policies that deny all but
 * what it needs, its app (hardened, autoscaled within the plan), an Ingress serving its hostnames with
 * its own Cloudflare Origin CA certificate, and its database as a CloudNativePG Cluster backed up to the
 * S3 store of the cluster's country.
 *
 * Every Kubernetes child uses the cluster's provider, given to the component (`provider` or `providers`),
 * never an ambient kubeconfig. Whatever holds data (the Namespace, the database Cluster) is protected and
 * retained on delete: deleting a namespace deletes everything in it, its database's volumes included.
 */
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isServed, type ClusterModel, type ContainerTenantModel } from "../infra/expand";
import { registryEntry, type S3Credentials } from "../infra/host";
import { createOriginCertificate } from "./origin-certificate";

/**
 * Pod Security Admission: the namespace enforces, warns and audits "restricted", pinned to a version so
 * that a cluster upgrade cannot tighten (or loosen) the rules under running tenants unannounced
 * (kubernetes.io/docs/concepts/security/pod-security-admission, "Pod Security Admission labels for namespaces").
 */
export const POD_SECURITY_VERSION = "v1.36";
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  ["enforce", "warn", "audit"].flatMap((mode) => [
    [`pod-security.kubernetes.io/${mode}`, "restricted"],
    [`pod-security.kubernetes.io/${mode}-version`, POD_SECURITY_VERSION],
  ]),
);

/** Where the CloudNativePG operator runs and how its pods are labelled (its Helm chart's defaults). */
export const CNPG_OPERATOR = {
  namespace: "cnpg-system",
  podLabel: { "app.kubernetes.io/name": "cloudnative-pg" },
};

/**
 * PostgreSQL 15, as the hosts run it. A "system" image: it carries barman-cloud, which the in-tree
 * barmanObjectStore backups need (cloudnative-pg docs/src/appendixes/backup_barmanobjectstore.md); the tag
 * is the one CloudNativePG 1.30 documents for 15 (docs/src/image_catalog.md at v1.30.0).
 */
export const POSTGRES_IMAGE = "ghcr.io/cloudnative-pg/postgresql:15.14-system-trixie";

/**
 * On the Secrets the database reads: CloudNativePG applies a change at once (a rotated password, a new
 * bucket key), not at some later reconciliation (docs/src/declarative_role_management.md at v1.30.0,
 * "Password management").
 */
const CNPG_RELOAD = { "cnpg.io/reload": "true" };

/** The app's numeric user and group: "restricted" wants runAsNonRoot, and a number proves it to the kubelet. */
export const APP_UID = 10001;

/** Nightly at 02:00 UTC. CloudNativePG's schedule has six fields, seconds first (api/v1/scheduledbackup_types.go). */
export const BACKUP_SCHEDULE = "0 0 2 * * *";

/**
 * The autoscaler adds a replica when the app's pods use more than this share of their CPU request: room
 * for a burst while the new pod starts, within the plan's maxReplicas.
 */
export const APP_CPU_TARGET_PERCENT = 70;

/** The Backup object's phase once barman has finished (api/v1/backup_types.go BackupPhaseCompleted). */
const BACKUP_COMPLETED = "completed";

/** The S3 store of the cluster's country: a bucket of tenancy:backupBuckets and its access key (secret). */
export interface ContainerBackupStore {
  country: string;
  /** `https://<endpoint>`, the S3 API (barman's endpointURL). */
  endpointUrl: string;
  bucket: string;
  credentials: pulumi.Output<S3Credentials>;
}

export interface ContainerTenantArgs {
  tenant: ContainerTenantModel;
  cluster: ClusterModel;
  /** The app's port and health path (fleet.app). */
  app: { port: number; healthPath: string };
  zone: string;
  /** The tenant's database password (secret), derived from the stack's key (tenant-passwords.ts). */
  dbPassword: pulumi.Output<string>;
  /** Its generation (tenancy:dbPasswordRotations; 0 before the first rotation). */
  dbPasswordGeneration: number;
  backup: ContainerBackupStore;
}

/** The names of a tenant's Kubernetes objects, inside its own namespace. */
export function containerObjectNames(id: string) {
  return {
    app: `${id}-app`,
    database: `${id}-db`,
    dbCredentials: `${id}-db-credentials`,
    appEnv: `${id}-app-env`,
    originTls: `${id}-origin-tls`,
    backupS3: `${id}-backup-s3`,
    ingress: id,
  };
}

export class ContainerTenant extends pulumi.ComponentResource {
  readonly tenantId: string;
  readonly namespace: string;
  /** Absent while the tenant is not served (decommissioned). */
  readonly url: string | undefined;

  constructor(name: string, args: ContainerTenantArgs, opts: pulumi.ComponentResourceOptions) {
    // Refused before anything is registered.
    checkContainerTenantArgs(name, args, opts);
    const props = containerProps(args);
    super("tenancy:hosting:ContainerTenant", name, props, opts);
    const { tenant, cluster, app } = args;
    const id = tenant.id;
    const ns = tenant.namespace;
    const objects = containerObjectNames(id);
    const labels = tenant.kubernetesLabels;
    const served = isServed(tenant.status);
    const meta = (objectName: string, extra: Record<string, string> = {}) => ({
      name: objectName,
      namespace: ns,
      labels: { ...labels, ...extra },
    });
    const child = { parent: this };

    const namespace = new kubernetes.core.v1.Namespace(
      `${id}-namespace`,
      { metadata: { name: ns, labels: { ...labels, ...POD_SECURITY_LABELS } } },
      { ...child, protect: true, retainOnDelete: true },
    );
    // Everything else waits for the namespace (its name alone would not order them).
    const inNs = { ...child, dependsOn: [namespace] };

    const { quota, database } = tenant.resources;
    new kubernetes.core.v1.ResourceQuota(
      `${id}-quota`,
      {
        metadata: meta(`${id}-quota`),
        spec: {
          // Requests equal limits: the plan's resources are guaranteed, never overcommitted.
          hard: {
            "requests.cpu": cpu(quota.cpuMillicores),
            "limits.cpu": cpu(quota.cpuMillicores),
            "requests.memory": memory(quota.memoryMb),
            "limits.memory": memory(quota.memoryMb),
            pods: String(quota.pods),
            "requests.storage": `${quota.storageGb}Gi`,
            persistentvolumeclaims: String(quota.volumes),
          },
        },
      },
      inNs,
    );
    const appSize = {
      cpu: cpu(tenant.resources.app.cpuMillicores),
      memory: memory(tenant.resources.app.memoryMb),
    };
    new kubernetes.core.v1.LimitRange(
      `${id}-limits`,
      {
        metadata: meta(`${id}-limits`),
        spec: {
          limits: [
            {
              type: "Container",
              // A container that names no resources gets one app replica's (the quota needs limits on all).
              default: appSize,
              defaultRequest: appSize,
              max: {
                cpu: cpu(Math.max(tenant.resources.app.cpuMillicores, database.cpuMillicores)),
                memory: memory(Math.max(tenant.resources.app.memoryMb, database.memoryMb)),
              },
            },
          ],
        },
      },
      inNs,
    );

    const appLabels = { "app.kubernetes.io/name": "tenancy-app", "app.kubernetes.io/instance": id };
    const dbLabels = { "cnpg.io/cluster": objects.database };
    createNetworkPolicies(id, meta, inNs, {
      app: appLabels,
      database: dbLabels,
      appPort: app.port,
      ingressNamespace: cluster.ingressNamespace,
    });

    // Secrets: every value comes from a secret Output, through stringData, never in plaintext. The two the
    // database needs are retained with it: a Cluster kept without them could neither log in nor back up.
    const retained = { ...inNs, retainOnDelete: true };
    const dbCredentials = new kubernetes.core.v1.Secret(
      `${id}-db-credentials`,
      {
        metadata: meta(objects.dbCredentials, CNPG_RELOAD),
        type: "kubernetes.io/basic-auth",
        stringData: pulumi.secret(
          args.dbPassword.apply((password) => ({ username: tenant.database.role, password })),
        ),
      },
      retained,
    );
    const backupS3 = new kubernetes.core.v1.Secret(
      `${id}-backup-s3`,
      {
        metadata: meta(objects.backupS3, CNPG_RELOAD),
        type: "Opaque",
        stringData: pulumi.secret(
          args.backup.credentials.apply((key) => ({
            ACCESS_KEY_ID: key.accessKeyId,
            ACCESS_SECRET_KEY: key.secretAccessKey,
          })),
        ),
      },
      retained,
    );

    const dbCluster = this.createDatabase(args, meta, inNs, [dbCredentials, backupS3]);

    if (served) {
      const port = app.port;
      const appEnv = new kubernetes.core.v1.Secret(
        `${id}-app-env`,
        {
          metadata: meta(objects.appEnv),
          type: "Opaque",
          stringData: pulumi.secret(args.dbPassword.apply((password) => appEnvironment(args, password))),
        },
        inNs,
      );
      const origin = createOriginCertificate(
        {
          originKey: `${id}-origin-key`,
          originCsr: `${id}-origin-csr`,
          originCertificate: `${id}-origin-cert`,
        },
        args.zone,
        this,
        // Origin CA certifies names of the account's zones only: the tenant's hostname in the zone. A
        // custom domain's TLS to this origin depends on the SNI Cloudflare for SaaS sends (its custom
        // hostname's customOriginSni can name this hostname; not verified here, docs/kubernetes.md).
        [tenant.hostname],
      );
      new kubernetes.core.v1.Secret(
        `${id}-origin-tls`,
        {
          metadata: meta(objects.originTls),
          type: "kubernetes.io/tls",
          stringData: pulumi.secret(
            pulumi
              .all([origin.certificate, origin.privateKey])
              .apply(([crt, key]) => ({ "tls.crt": crt, "tls.key": key })),
          ),
        },
        inNs,
      );
      const suspended = tenant.status === "suspended";
      const deployment = new kubernetes.apps.v1.Deployment(
        `${id}-app`,
        {
          metadata: meta(objects.app, appLabels),
          spec: {
            // Active: replicas is left out, so that the autoscaler owns it (server-side apply would
            // otherwise set it back on every update). Suspended: no autoscaler, and no replica.
            ...(suspended ? { replicas: 0 } : {}),
            selector: { matchLabels: appLabels },
            // One extra replica during a rollout, never one fewer (the plan's quota leaves room).
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
            template: {
              metadata: {
                labels: { ...labels, ...appLabels },
                // A rotated password reaches the app's environment only in new pods: a new generation
                // rolls them (the database takes the new password from its Secret at once).
                annotations: { "tenancy.io/db-password-generation": String(args.dbPasswordGeneration) },
              },
              spec: appPodSpec(args, appLabels, objects.appEnv),
            },
          },
        },
        { ...inNs, dependsOn: [namespace, appEnv, dbCluster] },
      );
      const service = new kubernetes.core.v1.Service(
        `${id}-service`,
        {
          metadata: meta(objects.app, appLabels),
          spec: {
            type: "ClusterIP",
            selector: appLabels,
            ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
          },
        },
        inNs,
      );
      new kubernetes.policy.v1.PodDisruptionBudget(
        `${id}-pdb`,
        {
          metadata: meta(objects.app, appLabels),
          spec: { maxUnavailable: 1, selector: { matchLabels: appLabels } },
        },
        inNs,
      );
      if (!suspended)
        new kubernetes.autoscaling.v2.HorizontalPodAutoscaler(
          `${id}-hpa`,
          {
            metadata: meta(objects.app, appLabels),
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: objects.app },
              minReplicas: tenant.resources.app.minReplicas,
              maxReplicas: tenant.resources.app.maxReplicas,
              metrics: [
                {
                  type: "Resource",
                  resource: {
                    name: "cpu",
                    target: { type: "Utilization", averageUtilization: APP_CPU_TARGET_PERCENT },
                  },
                },
              ],
            },
          },
          { ...inNs, dependsOn: [deployment] },
        );
      new kubernetes.networking.v1.Ingress(
        `${id}-ingress`,
        {
          metadata: meta(objects.ingress),
          spec: {
            ingressClassName: cluster.ingressClass,
            tls: [{ hosts: tenant.hostnames, secretName: objects.originTls }],
            rules: tenant.hostnames.map((host) => ({
              host,
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: service.metadata.name, port: { name: "http" } } },
                  },
                ],
              },
            })),
          },
        },
        inNs,
      );
    } else {
      // Decommissioned: the app is gone; before that, one last backup of the database, which stays.
      new kubernetes.apiextensions.CustomResource(
        `${id}-db-final-backup`,
        {
          apiVersion: "postgresql.cnpg.io/v1",
          kind: "Backup",
          metadata: {
            ...meta(`${id}-final`),
            // The update waits until barman has finished (pulumi-kubernetes provider/pkg/metadata/overrides.go).
            annotations: { "pulumi.com/waitFor": `jsonpath={.status.phase}=${BACKUP_COMPLETED}` },
          },
          spec: { cluster: { name: objects.database }, method: "barmanObjectStore" },
        },
        { ...inNs, dependsOn: [namespace, dbCluster] },
      );
    }

    this.tenantId = id;
    this.namespace = ns;
    this.url = served ? `https://${tenant.hostname}` : undefined;
    // The props as outputs too: stack policies see a component's outputs, not its inputs.
    this.registerOutputs({ ...props, ...(this.url ? { url: this.url } : {}) });
  }

  /** The CloudNativePG Cluster (protected, retained) and its nightly backups. */
  private createDatabase(
    args: ContainerTenantArgs,
    meta: (name: string) => { name: string; namespace: string; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
    secrets: kubernetes.core.v1.Secret[],
  ): kubernetes.apiextensions.CustomResource {
    const { tenant, cluster, backup } = args;
    const { database } = tenant.resources;
    const objects = containerObjectNames(tenant.id);
    const decommissioned = tenant.status === "decommissioned";
    const size = { cpu: cpu(database.cpuMillicores), memory: memory(database.memoryMb) };
    const dbCluster = new kubernetes.apiextensions.CustomResource(
      `${tenant.id}-db`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: meta(objects.database),
        spec: {
          instances: database.instances,
          imageName: POSTGRES_IMAGE,
          enableSuperuserAccess: false,
          inheritedMetadata: { labels: tenant.kubernetesLabels },
          bootstrap: {
            initdb: {
              database: tenant.database.name,
              owner: tenant.database.role,
              secret: { name: objects.dbCredentials },
            },
          },
          // The role's connection limit from the plan; a decommissioned tenant's role is locked, as on the hosts.
          managed: {
            roles: [
              {
                name: tenant.database.role,
                ensure: "present",
                login: !decommissioned,
                connectionLimit: tenant.database.connectionLimit,
                passwordSecret: { name: objects.dbCredentials },
              },
            ],
          },
          storage: { size: `${database.storageGb}Gi`, storageClass: cluster.storageClass },
          resources: { requests: size, limits: size },
          // Each instance on a node of its own: a node's loss never takes the primary and its replica.
          affinity: {
            enablePodAntiAffinity: true,
            podAntiAffinityType: "required",
            topologyKey: "kubernetes.io/hostname",
          },
          // In-tree Barman Cloud: still in the 1.30 CRD, deprecated since 1.26 in favour of the Barman
          // Cloud plugin (cloudnative-pg docs/src/backup.md at v1.30.0); docs/kubernetes.md says so.
          backup: {
            barmanObjectStore: {
              destinationPath: `s3://${backup.bucket}/${cluster.name}/${tenant.id}`,
              endpointURL: backup.endpointUrl,
              s3Credentials: {
                accessKeyId: { name: objects.backupS3, key: "ACCESS_KEY_ID" },
                secretAccessKey: { name: objects.backupS3, key: "ACCESS_SECRET_KEY" },
              },
              wal: { compression: "gzip" },
              data: { compression: "gzip" },
            },
            retentionPolicy: `${tenant.limits.backupRetentionDays}d`,
          },
        },
      },
      { ...opts, dependsOn: [...toArray(opts.dependsOn), ...secrets], protect: true, retainOnDelete: true },
    );
    new kubernetes.apiextensions.CustomResource(
      `${tenant.id}-db-nightly`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ScheduledBackup",
        metadata: meta(`${tenant.id}-nightly`),
        spec: {
          schedule: BACKUP_SCHEDULE,
          cluster: { name: objects.database },
          method: "barmanObjectStore",
          // The Backup objects belong to the ScheduledBackup, not to the Cluster, so that deleting a
          // Cluster by hand leaves the record of its backups (the backups in the bucket stay either way).
          backupOwnerReference: "self",
          // A decommissioned tenant's locked database changes no more: its final backup is the last.
          suspend: decommissioned,
        },
      },
      { ...opts, dependsOn: [...toArray(opts.dependsOn), dbCluster] },
    );
    return dbCluster;
  }
}

function toArray(
  value: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined,
) {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as pulumi.Input<pulumi.Resource>[];
}

const cpu = (millicores: number) => `${millicores}m`;
const memory = (mb: number) => `${mb}Mi`;

/** What a stack policy reads of the component: known at preview, plain. */
function containerProps({ tenant, cluster }: ContainerTenantArgs) {
  return {
    tenantId: tenant.id,
    plan: tenant.plan,
    namespace: tenant.namespace,
    cluster: cluster.name,
    status: tenant.status,
    hostnames: tenant.hostnames,
  };
}

/**
 * What the app gets, as on the hosts (infra/host/registry.ts, units.ts): its tenant's id, the database URL
 * and the port; and, in place of the host's registry file, the tenant's own entry as JSON.
 */
function appEnvironment({ tenant, app }: ContainerTenantArgs, password: string): Record<string, string> {
  const { name, role } = tenant.database;
  // The password is hex (tenant-passwords.ts): safe in a URL as it is.
  const host = `${containerObjectNames(tenant.id).database}-rw.${tenant.namespace}.svc`;
  return {
    TENANT_ID: tenant.id,
    PORT: String(app.port),
    DATABASE_URL: `postgresql://${role}:${password}@${host}:5432/${name}?sslmode=require`,
    TENANCY_TENANT: JSON.stringify(registryEntry(tenant)),
  };
}

/** The app's pod: "restricted" and then some (docs/kubernetes.md lists each field and why). */
function appPodSpec(
  { tenant, app }: ContainerTenantArgs,
  appLabels: Record<string, string>,
  envSecret: string,
): kubernetes.types.input.core.v1.PodSpec {
  const size = {
    cpu: cpu(tenant.resources.app.cpuMillicores),
    memory: memory(tenant.resources.app.memoryMb),
  };
  const probe = { httpGet: { path: app.healthPath, port: "http" }, periodSeconds: 10, timeoutSeconds: 3 };
  return {
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: APP_UID,
      runAsGroup: APP_UID,
      fsGroup: APP_UID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: appLabels },
      },
    ],
    containers: [
      {
        name: "app",
        image: tenant.appImage,
        ports: [{ name: "http", containerPort: app.port, protocol: "TCP" }],
        envFrom: [{ secretRef: { name: envSecret } }],
        resources: { requests: size, limits: size },
        livenessProbe: { ...probe, initialDelaySeconds: 10, failureThreshold: 3 },
        readinessProbe: { ...probe, failureThreshold: 2 },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        },
        // The root filesystem is read-only: /tmp is the one writable place.
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
    ],
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
  };
}

/**
 * Deny all, then allow only: DNS for every pod; the ingress controller to the app's port; the app to its
 * database; and what CloudNativePG needs: the operator (cnpg-system) reaching each instance on 8000 (its
 * status endpoint) and 5432, the instances reaching each other (replication), and the API server and the
 * S3 store on 443/6443 (cloudnative-pg docs/src/security.md "Exposed Ports", docs/src/networking.md and
 * docs/src/samples/networkpolicy-example.yaml, at v1.30.0).
 */
function createNetworkPolicies(
  id: string,
  meta: (name: string) => { name: string; namespace: string; labels: Record<string, string> },
  opts: pulumi.CustomResourceOptions,
  pods: {
    app: Record<string, string>;
    database: Record<string, string>;
    appPort: number;
    ingressNamespace: string;
  },
): void {
  const policy = (part: string, spec: kubernetes.types.input.networking.v1.NetworkPolicySpec) =>
    new kubernetes.networking.v1.NetworkPolicy(
      `${id}-netpol-${part}`,
      { metadata: meta(`${id}-${part}`), spec },
      opts,
    );
  const namespaced = (name: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
  });
  const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
  // An address outside the cluster: the API server's endpoint (a node's address) and the S3 store.
  const anywhere = [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }];

  // No rules: nothing in, nothing out, for every pod the others do not name.
  policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  policy("dns", {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: [
      {
        to: [{ ...namespaced("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ],
  });
  policy("app", {
    podSelector: { matchLabels: pods.app },
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ from: [namespaced(pods.ingressNamespace)], ports: tcp(pods.appPort) }],
    egress: [{ to: [{ podSelector: { matchLabels: pods.database } }], ports: tcp(5432) }],
  });
  policy("database", {
    podSelector: { matchLabels: pods.database },
    policyTypes: ["Ingress", "Egress"],
    ingress: [
      { from: [{ podSelector: { matchLabels: pods.app } }], ports: tcp(5432) },
      {
        from: [
          { ...namespaced(CNPG_OPERATOR.namespace), podSelector: { matchLabels: CNPG_OPERATOR.podLabel } },
        ],
        ports: tcp(8000, 5432),
      },
      { from: [{ podSelector: { matchLabels: pods.database } }], ports: tcp(8000, 5432) },
    ],
    egress: [
      { to: [{ podSelector: { matchLabels: pods.database } }], ports: tcp(8000, 5432) },
      { to: anywhere, ports: tcp(443, 6443) },
    ],
  });
}

function checkContainerTenantArgs(
  name: string,
  { tenant, cluster, app, backup }: ContainerTenantArgs,
  opts: pulumi.ComponentResourceOptions,
): void {
  const fail = (message: string): never => {
    throw new Error(`ContainerTenant ${name} (tenant "${tenant.id}"): ${message}`);
  };
  if (tenant.id !== name) fail(`tenant model must be for "${name}"`);
  if (tenant.cluster !== cluster.name)
    fail(`runs on cluster "${tenant.cluster}", and this stack's cluster is "${cluster.name}"`);
  if (!["active", "suspended", "decommissioned"].includes(tenant.status))
    fail(`has status "${tenant.status}": moves into or out of the containerized tier are not built yet`);
  if (!tenant.appImage) fail("has no app image");
  if (/:latest$/.test(tenant.appImage) || !/[:@]/.test(tenant.appImage.split("/").pop() ?? ""))
    fail(`app image "${tenant.appImage}" must be pinned to a tag or digest, never latest`);
  if (!Number.isInteger(app.port) || app.port < 1 || app.port > 65535)
    fail(`app port ${app.port} is not a port`);
  if (!app.healthPath.startsWith("/")) fail(`health path "${app.healthPath}" must start with /`);
  if (!/^https:\/\/[^/\s]+$/.test(backup.endpointUrl))
    fail(`backup endpoint "${backup.endpointUrl}" must be https://<host>`);
  if (!backup.bucket) fail("has no backup bucket");
  const { quota, app: size, database } = tenant.resources;
  for (const [field, value] of Object.entries({
    "quota.cpuMillicores": quota.cpuMillicores,
    "quota.memoryMb": quota.memoryMb,
    "quota.pods": quota.pods,
    "app.cpuMillicores": size.cpuMillicores,
    "app.memoryMb": size.memoryMb,
    "database.instances": database.instances,
    "database.storageGb": database.storageGb,
  }))
    if (!Number.isInteger(value) || value < 1)
      fail(`resources.${field} must be a whole number from 1, not ${value}`);
  if (size.minReplicas < 1 || size.maxReplicas < size.minReplicas)
    fail(`autoscaling bounds ${size.minReplicas}..${size.maxReplicas} are not 1 ≤ min ≤ max`);
  // Every Kubernetes child must reach the cluster through the stack's provider, never a kubeconfig lying around.
  const providers = Array.isArray(opts.providers) ? opts.providers : Object.values(opts.providers ?? {});
  const all = [...(opts.provider ? [opts.provider] : []), ...providers];
  if (!all.some((provider) => kubernetes.Provider.isInstance(provider)))
    fail("needs the cluster's kubernetes.Provider in its provider (or providers) option");
}
