/**
 * The tenant registry the app reads (`/etc/tenancy/app/tenants.json`), the per-tenant env files that hold the
 * database URL, and the plain list the backup script reads. The contract is in docs/host.md.
 */
import { isServed, type TenantModel } from "../expand";
import { TENANT_HEADER } from "./caddyfile";
import type { HostSecrets } from "./secrets";
import type { HostSpec } from "./spec";

/**
 * The unprivileged system user the app runs as (tenancy-apply creates it). It reads the files under
 * APP_DIR, through their group, and nothing else of /etc/tenancy: the backup credentials and the origin
 * key are root's (and Caddy's), and only APP_DIR is mounted into the app's container.
 */
export const APP_USER = "tenancy-app";
export const APP_DIR = "/etc/tenancy/app";
export const REGISTRY_FILE = `${APP_DIR}/tenants.json`;
export const TENANT_ENV_DIR = `${APP_DIR}/tenants`;
export const BACKUP_LIST_FILE = "/etc/tenancy/tenants.tsv";
export const DB_HOST = "127.0.0.1";
export const DB_PORT = 5432;

export interface RegistryTenant {
  id: string;
  name: string;
  plan: string;
  status: "active" | "suspended";
  hostnames: string[];
  limits: { maxUsers: number; storageGb: number; apiCallsPerHour: number; backupRetentionDays: number };
  database: { name: string; user: string; host: string; port: number; envFile: string };
}

export interface Registry {
  format: 1;
  host: string;
  zone: string;
  /** Caddy sets this request header to the tenant's id on every request it proxies. */
  tenantHeader: string;
  tenants: RegistryTenant[];
}

export const tenantEnvFile = (id: string) => `${TENANT_ENV_DIR}/${id}.env`;

/**
 * A served tenant as the app knows it, wherever it runs: on a host (with its database, below), or alone
 * in a Kubernetes namespace (components/container-tenant.ts).
 */
export function registryEntry(tenant: TenantModel): Omit<RegistryTenant, "database"> {
  return {
    id: tenant.id,
    name: tenant.displayName,
    plan: tenant.plan,
    status: tenant.status as RegistryTenant["status"],
    hostnames: tenant.hostnames,
    limits: {
      maxUsers: tenant.limits.maxUsers,
      storageGb: tenant.limits.storageGb,
      apiCallsPerHour: tenant.limits.apiCallsPerHour,
      backupRetentionDays: tenant.limits.backupRetentionDays,
    },
  };
}

/** Only served tenants (active, suspended) are the app's: not decommissioned ones, nor copies moving in or out. */
export function renderRegistry(host: HostSpec): Registry {
  return {
    format: 1,
    host: host.name,
    zone: host.zone,
    tenantHeader: TENANT_HEADER,
    tenants: host.tenants.flatMap((tenant): RegistryTenant[] =>
      !isServed(tenant.status)
        ? []
        : [
            {
              ...registryEntry(tenant),
              database: {
                name: tenant.database.name,
                user: tenant.database.role,
                host: DB_HOST,
                port: DB_PORT,
                envFile: tenantEnvFile(tenant.id),
              },
            },
          ],
    ),
  };
}

/** `/etc/tenancy/app/tenants/<id>.env`: the only place on the host that holds the tenant's password. */
export function renderTenantEnv(host: HostSpec, secrets: HostSecrets): Record<string, string> {
  const files: Record<string, string> = {};
  for (const tenant of host.tenants) {
    if (!isServed(tenant.status)) continue;
    const { name, role } = tenant.database;
    const password = secrets.dbPassword(tenant.id); // URL-safe: checked by hostSecrets()
    files[tenantEnvFile(tenant.id)] =
      `TENANT_ID=${tenant.id}\nDATABASE_URL=postgresql://${role}:${password}@${DB_HOST}:${DB_PORT}/${name}\n`;
  }
  return files;
}

/** One line per tenant for the backup script: id, database, status, retention days (tab-separated). */
export function renderBackupList(host: HostSpec): string {
  const lines = host.tenants.map((t) =>
    [t.id, t.database.name, t.status, String(t.limits.backupRetentionDays)].join("\t"),
  );
  return `# id\tdatabase\tstatus\tretention_days (rendered by tenancy)\n${lines.join("\n")}\n`;
}
