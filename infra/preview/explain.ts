/**
 * Which edit of tenants.yaml a resource change comes from, so that a blocked change names the line to
 * undo: the edits of its tenant, of its host, or of the fleet's settings; otherwise the code or the
 * stack's settings changed.
 */
import type { SettingChange, TenantChange } from "../expand";
import type { ResourceChange } from "./changes";

const HOST_COMPONENT = /::tenancy:hosting:(?:SharedHost|DedicatedTenant)(?:\$[^:]+)?::([^:]+)$/;

/** The host component a resource belongs to, and the tenant it exists for, if any. */
function ownersOf(change: ResourceChange): { host?: string; tenant?: string } {
  const resource = change.after ?? change.before;
  const labels = (resource?.inputs.labels ?? {}) as Record<string, string>;
  const host =
    HOST_COMPONENT.exec(resource?.options.parent ?? "")?.[1] ?? HOST_COMPONENT.exec(change.urn)?.[1];
  // `<id>-db-password`: the per-tenant password resources of stacks deployed before passwords were
  // derived, which their next deploy deletes.
  const tenant = labels.tenant ?? /^(.+?)-(?:dns|db-password|domain-.+)$/.exec(change.name)?.[1];
  return { host, tenant };
}

export function causesOf(
  change: ResourceChange,
  edits: { tenants: TenantChange[]; settings: SettingChange[] },
) {
  const { host, tenant } = ownersOf(change);
  const causes = [
    ...edits.tenants
      .filter((e) => e.tenant === tenant || e.tenant === host)
      .map((e) => `tenant ${e.tenant}: ${e.detail}`),
    ...edits.settings
      .filter((e) => e.host !== undefined && e.host === host)
      .map((e) => `${e.setting}: ${e.before} → ${e.after}`),
  ];
  if (causes.length === 0)
    causes.push(
      ...edits.settings
        .filter((e) => e.host === undefined)
        .map((e) => `${e.setting}: ${e.before} → ${e.after}`),
    );
  return causes.length > 0
    ? causes
    : ["no edit of the manifest: a change of code or of the stack's settings"];
}
