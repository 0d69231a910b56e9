/**
 * The shape of tenants.yaml, as a strict zod schema: unknown keys are errors, every field says what it is.
 *
 * This layer checks each value on its own (types, formats, known Hetzner names). Checks that need more
 * than one value (plan rules, placement, collisions, capacity) live in `rules.ts`. The JSON Schema that
 * editors use (`tenancy schema`) is generated from this file, so the two cannot drift.
 */
import { domainToASCII, domainToUnicode } from "node:url";
import { z } from "zod";
import { CLOUDFLARE_PLANS } from "../edge/cloudflare-plans";
import {
  HETZNER_LOCATIONS,
  HETZNER_SERVER_TYPES,
  parseMaintenanceWindow,
  RESIDENCY_PATTERN,
  TIERS,
  type HetznerLocation,
} from "../plans";
import { BOUNDS, type Bound } from "./bounds";

/** Tenant ids and host names end up in DNS names, server names, labels and PostgreSQL identifiers. */
export const MAX_NAME_LENGTH = 40;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
export const HOSTNAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/** An OCI image reference pinned to a tag or a digest. */
const IMAGE_REF =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

export const dnsLabelMessage = `must be a DNS label: lowercase letters, digits and hyphens, starting and ending with a letter or digit, at most ${MAX_NAME_LENGTH} characters`;

/**
 * The first `xn--` label that is not the ASCII form of an internationalized label: one that does not
 * decode as punycode, or does not encode back to itself (RFC 5891 §5.3; Node's WHATWG URL domain
 * functions apply UTS #46). Cloudflare and DNS tools refuse such names.
 */
export function invalidPunycodeLabel(name: string): string | undefined {
  return name.split(".").find((label) => {
    if (!label.startsWith("xn--")) return false;
    const unicode = domainToUnicode(label);
    return unicode === "" || domainToASCII(unicode) !== label;
  });
}

/** Refuses an invalid `xn--` label, once the value has the right form (so a bad value gets one message). */
const punycode =
  (format: RegExp) =>
  (value: string, ctx: z.RefinementCtx): void => {
    const label = format.test(value) ? invalidPunycodeLabel(value) : undefined;
    if (label !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `"${label}" is not valid punycode: a label starting with xn-- must be the ASCII form of an internationalized name`,
      });
    }
  };

const name = (what: string) =>
  z
    .string()
    .max(MAX_NAME_LENGTH, { error: dnsLabelMessage })
    .regex(DNS_LABEL, { error: dnsLabelMessage })
    .superRefine(punycode(DNS_LABEL))
    .describe(what);

const hostname = (what: string) =>
  z
    .string()
    .regex(HOSTNAME, {
      error: "must be a lowercase hostname such as app.example.com (letters, digits, hyphens and dots)",
    })
    .superRefine(punycode(HOSTNAME))
    .describe(what);

const imageRef = (what: string) =>
  z
    .string()
    .regex(IMAGE_REF, {
      error:
        "must be a container image pinned to a tag or digest, such as ghcr.io/acme/app:2026.11.1 " +
        "(an untagged image would change under a running fleet)",
    })
    .refine((ref) => !ref.endsWith(":latest"), {
      error: 'must not use the "latest" tag: pin a version so that every host runs what was reviewed',
    })
    // The same rule for editors and other JSON Schema users, which cannot see the refinement above.
    .meta({ description: what, not: { pattern: ":latest$" } });

const locations = Object.keys(HETZNER_LOCATIONS) as [HetznerLocation, ...HetznerLocation[]];
const serverTypes = Object.keys(HETZNER_SERVER_TYPES) as [string, ...string[]];
export const LocationSchema = z.enum(locations).describe("A Hetzner Cloud location.");
export const ResidencySchema = z
  .string()
  .regex(RESIDENCY_PATTERN, {
    error: "must be a country code (ISO 3166-1 alpha-2, upper case, e.g. FI, DE, US) or EU",
  })
  .describe(
    "Where the tenant's data and its backups must stay: a country (ISO 3166-1 alpha-2, e.g. FI, US) or EU (any member state).",
  );
export const MaintenanceWindowSchema = z
  .string()
  .superRefine((value, ctx) => {
    const window = parseMaintenanceWindow(value);
    if (typeof window === "string") ctx.addIssue({ code: "custom", message: window });
  })
  .describe(
    "When the host may install updates and reboot, in UTC: <days> HH:MM-HH:MM, days being daily or a comma list of Mon..Sun (e.g. Sun 03:00-05:00); at least an hour, within one day.",
  );
export const ServerTypeSchema = z.enum(serverTypes).describe("A Hetzner Cloud server type sold today.");

/** A whole number in the range of what receives it (bounds.ts), the reason in the message. */
const bounded = (what: string, bound: Bound) =>
  z
    .int()
    .min(bound.min, bound.minWhy ? { error: `must be at least ${bound.min} (${bound.minWhy})` } : undefined)
    .max(bound.max, { error: `must be at most ${bound.max} (${bound.why})` })
    .describe(what);

export const AppSchema = z
  .strictObject({
    image: imageRef("Container image of the SaaS app, pinned to a tag or digest."),
    port: bounded("Port the app listens on inside the host.", BOUNDS.port).default(8000),
    healthPath: z
      .string()
      .regex(/^\/[\w\-./]*$/, { error: "must be a URL path starting with /" })
      .default("/healthz")
      .describe("HTTP path that answers 200 when the app is healthy."),
  })
  .describe("The SaaS app every host runs.");

export const KubernetesClusterSchema = z
  .strictObject({
    name: name("The cluster's name: its ingress is reached at origin-<name>.<zone>."),
    location: LocationSchema.describe(
      "Where the cluster's nodes run: containerized tenants' data and backups stay in its country.",
    ),
    nodeType: ServerTypeSchema.describe(
      "The Hetzner server type of the cluster's worker nodes: what a tenant's guaranteed resources cost (tenancy cost).",
    ),
    ingressClass: name("The IngressClass of the cluster's ingress controller.").default("nginx"),
    ingressNamespace: name(
      "The namespace of the ingress controller's pods: the only source tenants' apps admit.",
    ).default("ingress-nginx"),
    ingressService: name(
      "The ingress controller's LoadBalancer Service (in ingressNamespace): its addresses are the cluster's origin.",
    ).default("ingress-nginx-controller"),
    storageClass: name(
      "The StorageClass of the tenants' database volumes; it must allow volume expansion.",
    ).default("hcloud-volumes"),
  })
  .describe(
    "The existing Kubernetes cluster the containerized plans run on (docs/kubernetes.md lists what it must run).",
  );

export const FleetSchema = z
  .strictObject({
    zone: hostname("The Cloudflare zone (domain) the product is served under; tenants get <id>.<zone>."),
    cloudflarePlan: z
      .enum(CLOUDFLARE_PLANS)
      .default("free")
      .describe(
        "The zone's Cloudflare plan. What tenancy builds at the edge fits it (rate-limit rules, DNS records, custom hostnames); see docs/plans.md.",
      ),
    cloudflareDnsRecordQuota: z
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe(
        "The zone's DNS record quota, when Cloudflare has raised it for the zone (Enterprise contracts); by default the plan's (free 200, others 3,500).",
      ),
    cloudflareAdvancedRateLimiting: z
      .boolean()
      .default(false)
      .describe(
        "Enterprise zones only: the zone has Cloudflare's Advanced Rate Limiting add-on, which can count API calls per tenant hostname at the edge.",
      ),
    location: LocationSchema.default("fsn1").describe(
      "Default Hetzner location for dedicated tenants and for placing new shared tenants.",
    ),
    residency: ResidencySchema.optional().describe(
      "The data residency of every tenant that states none (a country code or EU); by default tenants state their own or have none.",
    ),
    image: z
      .string()
      .regex(/^debian-\d+$/, { error: "must be a Hetzner Debian image such as debian-12" })
      .default("debian-12")
      .describe("Hetzner OS image for new servers (the host files are tested against Debian 12)."),
    app: AppSchema,
    kubernetes: KubernetesClusterSchema.optional(),
  })
  .describe("Settings shared by the whole fleet.");

export const PlanOverrideSchema = z
  .strictObject({
    tier: z.enum(TIERS).optional().describe("shared, dedicated or kubernetes; required for a new plan."),
    monthlyPrice: z
      .number()
      .min(BOUNDS.monthlyPrice.min)
      .max(BOUNDS.monthlyPrice.max, {
        error: `must be at most ${BOUNDS.monthlyPrice.max} (${BOUNDS.monthlyPrice.why})`,
      })
      .optional()
      .describe("Monthly list price in EUR, excluding VAT."),
    capacityUnits: bounded(
      "Shared plans: units of a shared host a tenant takes (1 unit ≈ 512 MB).",
      BOUNDS.capacityUnits,
    ).optional(),
    storageGb: bounded("Data the tenant may keep, in GB.", BOUNDS.storageGb).optional(),
    maxUsers: bounded("Users the tenant may have.", BOUNDS.maxUsers).optional(),
    apiCallsPerHour: bounded(
      "API calls per hour, enforced at Cloudflare.",
      BOUNDS.apiCallsPerHour,
    ).optional(),
    backupRetentionDays: bounded("Days nightly backups are kept.", BOUNDS.backupRetentionDays).optional(),
    serverBackups: z.boolean().optional().describe("Hetzner server backups on the tenant's server."),
    customDomains: bounded("Custom domains the tenant may use.", BOUNDS.customDomains).optional(),
    dbConnectionLimit: bounded(
      "PostgreSQL connection limit of the tenant's role.",
      BOUNDS.dbConnectionLimit,
    ).optional(),
    serverTypes: z
      .array(ServerTypeSchema)
      .min(1)
      .optional()
      .describe("Dedicated plans: server types allowed, the first being the default."),
    locations: z.array(LocationSchema).min(1).optional().describe("Dedicated plans: locations allowed."),
    maintenanceWindow: MaintenanceWindowSchema.optional(),
    cpuMillicores: bounded(
      "Kubernetes plans: the namespace's CPU quota, in millicores (requests equal limits).",
      BOUNDS.cpuMillicores,
    ).optional(),
    memoryMb: bounded("Kubernetes plans: the namespace's memory quota, in MiB.", BOUNDS.memoryMb).optional(),
    pods: bounded("Kubernetes plans: the most pods the namespace may run.", BOUNDS.pods).optional(),
    appCpuMillicores: bounded(
      "Kubernetes plans: CPU of one app replica, in millicores.",
      BOUNDS.appCpuMillicores,
    ).optional(),
    appMemoryMb: bounded(
      "Kubernetes plans: memory of one app replica, in MiB.",
      BOUNDS.appMemoryMb,
    ).optional(),
    minReplicas: bounded("Kubernetes plans: the fewest app replicas.", BOUNDS.minReplicas).optional(),
    maxReplicas: bounded(
      "Kubernetes plans: the most app replicas the autoscaler may run.",
      BOUNDS.maxReplicas,
    ).optional(),
    dbInstances: bounded(
      "Kubernetes plans: PostgreSQL instances (a primary and streaming replicas), each with storageGb.",
      BOUNDS.dbInstances,
    ).optional(),
    dbCpuMillicores: bounded(
      "Kubernetes plans: CPU of each PostgreSQL instance, in millicores.",
      BOUNDS.dbCpuMillicores,
    ).optional(),
    dbMemoryMb: bounded(
      "Kubernetes plans: memory of each PostgreSQL instance, in MiB.",
      BOUNDS.dbMemoryMb,
    ).optional(),
  })
  .describe("A plan: overrides fields of the built-in plan of the same name, or defines a new plan.");

export const SharedHostSchema = z
  .strictObject({
    name: name("Name of the shared host; also its server name at Hetzner."),
    location: LocationSchema,
    serverType: ServerTypeSchema,
    capacityUnits: bounded(
      "Capacity units this host offers; by default derived from the server type's memory.",
      BOUNDS.capacityUnits,
    ).optional(),
    volumeGb: bounded(
      "Size of the data volume in GB; by default its tenants' storage plus 25 % headroom. Volumes only grow.",
      BOUNDS.volumeGb,
    ).optional(),
  })
  .describe("A server that hosts many small tenants behind one app instance.");

export const TENANT_STATUSES = ["active", "suspended", "decommissioned", "purged"] as const;

/** Where a declared move takes a tenant (docs/runbooks.md, "Moving a tenant"). */
export const MoveSchema = z
  .strictObject({
    host: name("The shared host the tenant moves to (a shared target).").optional(),
    plan: z
      .string()
      .min(1)
      .optional()
      .describe("The plan on the target; a plan of the other tier moves the tenant between tiers."),
    location: LocationSchema.optional().describe("A dedicated target's location (default fleet.location)."),
    serverType: ServerTypeSchema.optional().describe(
      "A dedicated target's server type (default the plan's first).",
    ),
  })
  .describe(
    "A declared move: the target is provisioned, empty, while the tenant is served where it is; `tenancy migrate` copies the data and writes the cut-over.",
  );

/** Where a moved tenant came from; its copy there is kept until purged. Written by `tenancy migrate`. */
export const MovedFromSchema = z
  .strictObject({
    host: name("The shared host the tenant left.").optional(),
    plan: z.string().min(1).describe("The tenant's plan there."),
    location: LocationSchema.optional().describe("The dedicated server's location, when it left one."),
    serverType: ServerTypeSchema.optional().describe("The dedicated server's type, when it left one."),
    at: z.string().min(1).describe("When the copy was taken (UTC, ISO 8601)."),
    purged: z.string().min(1).optional().describe("When `tenancy purge --moved-copy` deleted the old copy."),
  })
  .describe("Written by `tenancy migrate` at the cut-over: the old copy is kept, locked, until purged.");

export const TenantSchema = z
  .strictObject({
    id: name("Tenant id: a DNS label, served at <id>.<zone>. Never change it: names derive from it."),
    name: z.string().min(1).max(200).describe("Display name of the customer."),
    plan: z
      .string()
      .min(1)
      .describe("Plan name; its tier decides shared, dedicated or containerized hosting."),
    host: name(
      "Shared tenants: the shared host the tenant lives on (pinned; moving is a migration).",
    ).optional(),
    location: LocationSchema.optional().describe(
      "Where the tenant's data must live. Dedicated: the server's location; shared: must match the host's.",
    ),
    residency: ResidencySchema.optional(),
    serverType: ServerTypeSchema.optional().describe(
      "Dedicated tenants: server type, one the plan allows (default: the plan's first).",
    ),
    domains: z.array(hostname("A custom domain.")).optional().describe("Custom domains of the tenant."),
    appImage: imageRef(
      "Dedicated and containerized tenants: app image for this tenant only (gradual rollouts).",
    ).optional(),
    maintenanceWindow: MaintenanceWindowSchema.optional().describe(
      "Dedicated tenants: the window its own server updates and reboots in (UTC), in place of its plan's.",
    ),
    status: z
      .enum(TENANT_STATUSES)
      .default("active")
      .describe(
        "active; suspended (site answers a suspended page, login locked); decommissioned (final backup taken, role locked, DNS removed, data kept); purged (data deleted by `tenancy purge`; may then leave the manifest).",
      ),
    move: MoveSchema.optional(),
    movedFrom: MovedFromSchema.optional(),
  })
  .describe("A customer.");

export const ManifestSchema = z
  .strictObject({
    $schema: z.string().optional().describe("JSON Schema for editors; ignored by tenancy."),
    version: z.literal(1).describe("Manifest format version."),
    fleet: FleetSchema,
    plans: z
      .record(name("Plan name."), PlanOverrideSchema)
      .optional()
      .describe("Plan overrides and additions; the built-in catalogue applies to plans not listed."),
    sharedHosts: z.array(SharedHostSchema).default([]).describe("The shared hosts."),
    tenants: z.array(TenantSchema).default([]).describe("Every customer, in any order."),
  })
  .describe("tenancy manifest: who the customers are and which plan each pays for.");

export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestTenant = z.output<typeof TenantSchema>;
export type ManifestSharedHost = z.output<typeof SharedHostSchema>;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** JSON Schema of the manifest, as `tenancy schema` prints it. */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ManifestSchema, { io: "input", target: "draft-2020-12" });
  return { ...schema, title: "tenants.yaml" };
}
