/** Helpers shared by the tests: small manifests built in code, and the example fleet. */
import path from "node:path";
import { stringify } from "yaml";
import { loadManifest, parseManifest, type LoadedManifest } from "../manifest";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const EXAMPLE_MANIFEST = path.join(REPO_ROOT, "tenants.yaml");

export function loadExample(): LoadedManifest {
  return loadManifest(EXAMPLE_MANIFEST);
}

export interface TenantEntry {
  id: string;
  name?: string;
  plan: string;
  host?: string;
  location?: string;
  serverType?: string;
  domains?: string[];
  status?: string;
}

/** A valid manifest with the given hosts and tenants, parsed as `test.yaml`. */
export function manifestOf(
  tenants: TenantEntry[],
  sharedHosts: { name: string; location: string; serverType: string }[] = [
    { name: "shared-fsn1-a", location: "fsn1", serverType: "cx53" },
  ],
  extra: Record<string, unknown> = {},
): LoadedManifest {
  // Unplaced shared tenants are allowed, as `tenancy place` allows them.
  return parseManifest("test.yaml", manifestText(tenants, sharedHosts, extra), { allowUnplaced: true });
}

export function manifestText(
  tenants: TenantEntry[],
  sharedHosts: { name: string; location: string; serverType: string }[],
  extra: Record<string, unknown> = {},
): string {
  return stringify({
    version: 1,
    fleet: { zone: "example.com", location: "fsn1", app: { image: "ghcr.io/acme/app:1.0.0" } },
    ...extra,
    sharedHosts,
    tenants: tenants.map((t) => ({ name: `Customer ${t.id}`, ...t })),
  });
}
