/**
 * The rules of a declared move (`move:`) and of a moved tenant's kept copy (`movedFrom:`): where a
 * tenant may go, and where its old copy may stay (docs/runbooks.md, "Moving a tenant").
 */
import type { Plan } from "../plans";
import type { Report, RuleInput } from "./rules";

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

export function checkMoves({ plans, hosts, tenants, brokenPlans }: RuleInput, report: Report): void {
  const hostsByName = new Map(hosts.map(({ host }) => [host.name, host]));
  const planNamed = (name: string): Plan | undefined =>
    Object.hasOwn(plans, name) ? plans[name] : undefined;
  for (const { index, tenant } of tenants) {
    const at = (...path: PropertyKey[]) => ["tenants", index, ...path];
    const current = planNamed(tenant.plan);
    if (!current || brokenPlans.has(tenant.plan)) continue;
    const { move, movedFrom } = tenant;
    if (move) {
      if (tenant.status !== "active" && tenant.status !== "suspended") {
        report(
          at("move"),
          `a ${tenant.status} tenant cannot move: only an active or suspended tenant's data is moved`,
        );
        continue;
      }
      if (movedFrom && !movedFrom.purged) {
        report(
          at("move"),
          `tenant ${tenant.id} still keeps its copy from its last move (movedFrom); purge it first with tenancy purge ${tenant.id} --moved-copy --confirm ${tenant.id}`,
        );
      }
      const target = planNamed(move.plan ?? tenant.plan);
      if (!target) {
        report(
          at("move", "plan"),
          `unknown plan "${move.plan}"; known plans: ${Object.keys(plans).join(", ")}`,
        );
        continue;
      }
      if (current.tier === "kubernetes" || target.tier === "kubernetes") {
        report(
          at("move"),
          `moving a tenant ${current.tier === "kubernetes" ? "out of" : "into"} the containerized tier is not built yet: ` +
            `its database would have to be copied between PostgreSQL on a host and CloudNativePG (docs/kubernetes.md, "Moving a tenant into or out of the tier")`,
        );
        continue;
      }
      if (target.tier === "shared") {
        if (move.location !== undefined || move.serverType !== undefined) {
          report(
            at("move"),
            `location and serverType are for a move to a dedicated plan; plan "${target.name}" is shared, so the host decides them`,
          );
        }
        if (move.host === undefined) {
          report(
            at("move"),
            `a move to the shared plan "${target.name}" names the host it goes to (move: { host: <shared host> })`,
          );
          continue;
        }
        const host = hostsByName.get(move.host);
        if (!host) {
          report(
            at("move", "host"),
            `unknown shared host "${move.host}"; shared hosts: ${[...hostsByName.keys()].join(", ")}`,
          );
          continue;
        }
        if (current.tier === "shared" && tenant.host === move.host) {
          report(
            at("move", "host"),
            `tenant ${tenant.id} is already on ${move.host}; a move goes to another host`,
          );
        }
        if (tenant.location !== undefined && host.location !== tenant.location) {
          report(
            at("move", "host"),
            `tenant ${tenant.id}'s data must stay in ${tenant.location} (its location), and ${move.host} is in ${host.location}`,
          );
        }
      } else {
        if (move.host !== undefined) {
          report(
            at("move", "host"),
            `plan "${target.name}" is dedicated: the tenant moves to a server of its own, not to a shared host`,
          );
        }
        if (current.tier === "dedicated") {
          report(
            at("move"),
            `tenant ${tenant.id} is already dedicated; Hetzner cannot move its server or volume, so a dedicated tenant moves to a shared host (move: { host, plan }) or changes its serverType in place`,
          );
          continue;
        }
        const location = move.location ?? tenant.location;
        if (location !== undefined && target.tier === "dedicated" && !target.locations.includes(location)) {
          report(
            at("move", "location"),
            `plan "${target.name}" allows the locations ${target.locations.join(", ")}, not ${location}`,
          );
        }
        if (
          tenant.location !== undefined &&
          move.location !== undefined &&
          move.location !== tenant.location
        ) {
          report(
            at("move", "location"),
            `tenant ${tenant.id}'s data must stay in ${tenant.location} (its location)`,
          );
        }
        if (
          move.serverType !== undefined &&
          target.tier === "dedicated" &&
          !target.serverTypes.includes(move.serverType)
        ) {
          report(
            at("move", "serverType"),
            `plan "${target.name}" allows the server types ${target.serverTypes.join(", ")}, not ${move.serverType}`,
          );
        }
      }
    }
    if (movedFrom) {
      if (!ISO_TIME.test(movedFrom.at)) {
        report(
          at("movedFrom", "at"),
          `must be a UTC time such as 2026-12-01T10:00:00Z (tenancy migrate writes it), got "${movedFrom.at}"`,
        );
      }
      const from = planNamed(movedFrom.plan);
      if (!from) {
        report(
          at("movedFrom", "plan"),
          `unknown plan "${movedFrom.plan}"; known plans: ${Object.keys(plans).join(", ")}`,
        );
        continue;
      }
      if (movedFrom.host !== undefined) {
        if (from.tier !== "shared")
          report(
            at("movedFrom", "plan"),
            `a copy on shared host ${movedFrom.host} has a shared plan, not "${from.name}"`,
          );
        if (!hostsByName.has(movedFrom.host) && !movedFrom.purged) {
          report(
            at("movedFrom", "host"),
            `unknown shared host "${movedFrom.host}": the host that keeps the copy must stay until the copy is purged`,
          );
        }
      } else {
        if (from.tier !== "dedicated")
          report(
            at("movedFrom", "plan"),
            `a copy kept on a dedicated server has a dedicated plan, not "${from.name}"`,
          );
        if (movedFrom.location === undefined || movedFrom.serverType === undefined) {
          report(
            at("movedFrom"),
            "a copy kept on a dedicated server gives its location and serverType, so that the server stays as it is",
          );
        }
      }
    }
  }
}
