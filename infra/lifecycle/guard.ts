/**
 * The lifecycle guard: the edits of tenants.yaml that would lose a customer's service or data, refused
 * with what to do instead. It compares what was deployed (or what the base of a review says) with what
 * the manifest asks now. Used at review (`tenancy validate|plan|diff --base`) and by the program itself
 * before it registers anything (stacks/index.ts), so that it holds at `pulumi up` without git.
 */
import { placementOf, type FleetState, type TenantPlacement, type TenantState } from "./state";

export interface LifecycleProblem {
  /** The tenant or shared host at fault, for positioning the message in the manifest. */
  tenant?: string;
  host?: string;
  /** The field at fault, when there is one (`host`, `plan`, `status`, `move`, `movedFrom`, `zone`). */
  field?: string;
  message: string;
}

const RUNBOOKS = "docs/runbooks.md";

export function samePlacement(a: TenantPlacement | undefined, b: TenantPlacement | undefined): boolean {
  if (!a || !b) return false;
  if (a.tier !== b.tier) return false;
  return a.tier === "shared" ? a.host === b.host : a.location === b.location;
}

/** Every shared host a tenant's data is on, or is being provisioned on. */
function hostsHolding(tenant: TenantState): string[] {
  return [tenant.host, tenant.move?.host, tenant.movedFrom?.host].filter((h): h is string => h !== undefined);
}

export function guardTransition(previous: FleetState, current: FleetState): LifecycleProblem[] {
  const problems: LifecycleProblem[] = [];
  if (previous.zone !== current.zone) {
    problems.push({
      field: "zone",
      message:
        `fleet.zone changed from ${previous.zone} to ${current.zone}: every tenant hostname, DNS record and ` +
        `origin certificate would be replaced and tenants would be unreachable at their names. A new zone is ` +
        `a new fleet: keep fleet.zone, and serve another domain per tenant with domains: (${RUNBOOKS})`,
    });
  }
  for (const [id, was] of Object.entries(previous.tenants)) {
    const now = current.tenants[id];
    if (!now) {
      if (was.status === "purged") continue;
      problems.push({ tenant: id, message: removal(id, was) });
      continue;
    }
    problems.push(
      ...statusChange(id, was, now),
      ...placementChange(id, was, now),
      ...movedCopy(id, was, now),
    );
  }
  for (const [name, was] of Object.entries(previous.hosts)) {
    const now = current.hosts[name];
    const holders = Object.entries(previous.tenants)
      .filter(([, tenant]) => tenant.status !== "purged" && hostsHolding(tenant).includes(name))
      .map(([id]) => id);
    if (!now) {
      if (holders.length === 0) continue;
      problems.push({
        host: name,
        message:
          `shared host ${name} is removed (or renamed), but it holds the data of ${holders.join(", ")}. A host ` +
          `never changes its name: its server, volume and addresses derive from it. Move its tenants away ` +
          `(move:, then tenancy migrate) and purge what stays, then remove it (${RUNBOOKS})`,
      });
    } else if (now.location !== was.location) {
      problems.push({
        host: name,
        field: "location",
        message:
          `shared host ${name} moves from ${was.location} to ${now.location}: Hetzner cannot move a server or ` +
          `a volume, so this would be a new, empty host. Add a host in ${now.location} and move the tenants ` +
          `to it (move:, then tenancy migrate)`,
      });
    }
  }
  return problems;
}

function removal(id: string, was: TenantState): string {
  const what =
    was.status === "decommissioned"
      ? "it is decommissioned, but its data is still kept"
      : `it is ${was.status}: its service and data would be cut off`;
  return (
    `tenant ${id} is removed, and ${what}. A tenant leaves the manifest only after it was purged: set ` +
    `status: decommissioned and deploy (final backup, login locked), then run tenancy purge ${id} --confirm ${id}, ` +
    `which deletes its data and writes status: purged; then remove it. A tenant's id never changes: a new ` +
    `id is a new, empty tenant (${RUNBOOKS})`
  );
}

function statusChange(id: string, was: TenantState, now: TenantState): LifecycleProblem[] {
  if (was.status === "purged" && now.status !== "purged") {
    return [
      {
        tenant: id,
        field: "status",
        message: `tenant ${id} was purged: its data is gone, and it cannot become ${now.status} again. Add the customer as a new tenant with another id`,
      },
    ];
  }
  if (now.status === "purged" && was.status !== "purged" && was.status !== "decommissioned") {
    return [
      {
        tenant: id,
        field: "status",
        message: `tenant ${id} is ${was.status}; only tenancy purge sets status: purged, after the tenant was decommissioned and deployed (${RUNBOOKS})`,
      },
    ];
  }
  return [];
}

function placementChange(id: string, was: TenantState, now: TenantState): LifecycleProblem[] {
  if (samePlacement(was, now)) return [];
  // The cut-over: the move declared before is done, and the old copy is kept.
  if (samePlacement(was.move, now) && samePlacement(now.movedFrom, was)) return [];
  if (was.tier === "dedicated" && now.tier === "dedicated") {
    return [
      {
        tenant: id,
        field: "location",
        message:
          `tenant ${id} moves from ${was.location} to ${now.location}: Hetzner cannot move a server or a volume, ` +
          `so this would be a new, empty server. Keep its location; to move it elsewhere, move it to a shared ` +
          `host first (move:, then tenancy migrate) (${RUNBOOKS})`,
      },
    ];
  }
  if (was.tier === "kubernetes" || now.tier === "kubernetes") {
    return [
      {
        tenant: id,
        field: "plan",
        message:
          `tenant ${id} moves from ${placementOf(was)} to ${placementOf(now)}: that is a data migration, and this ` +
          `edit would serve it from an empty database. Keep its plan: moving a tenant into or out of the ` +
          `containerized tier is not built yet (docs/kubernetes.md, "Moving a tenant into or out of the tier")`,
      },
    ];
  }
  const target =
    now.tier === "shared"
      ? `move: { host: ${now.host}${now.plan !== was.plan ? `, plan: ${now.plan}` : ""} }`
      : `move: { plan: ${now.plan} }`;
  return [
    {
      tenant: id,
      field: now.tier === was.tier ? "host" : "plan",
      message:
        `tenant ${id} moves from ${placementOf(was)} to ${placementOf(now)}: that is a data migration, and this ` +
        `edit would serve it from an empty database. Keep its ${placementOf(was)} and declare the move ` +
        `(${target}), deploy, then run tenancy migrate ${id}, which copies and verifies the data and writes ` +
        `the cut-over for review (${RUNBOOKS})`,
    },
  ];
}

function movedCopy(id: string, was: TenantState, now: TenantState): LifecycleProblem[] {
  if (!was.movedFrom || samePlacement(was.movedFrom, now.movedFrom) || was.movedFrom.purged) return [];
  return [
    {
      tenant: id,
      field: "movedFrom",
      message:
        `tenant ${id}'s copy on ${placementOf(was.movedFrom)} is still kept (movedFrom): removing movedFrom ` +
        `would drop it unseen. Purge it first with tenancy purge ${id} --moved-copy --confirm ${id} (${RUNBOOKS})`,
    },
  ];
}
