import type { StackValidationPolicy } from "@pulumi/policy";
import {
  approvedPlan,
  declaredTenants,
  isHostComponent,
  plansOf,
  PLANS_SCHEMA,
  undeclaredTenants,
} from "./config";

/**
 * A maintenance window, `<days> HH:MM-HH:MM` in UTC (restated from infra/plans/maintenance.ts: a published
 * pack runs without the repository).
 */
interface Window {
  days: string[];
  start: number;
  end: number;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function parseWindow(text: unknown): Window | undefined {
  const match = typeof text === "string" ? /^(\S+) (\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(text) : null;
  if (!match) return undefined;
  const days = match[1] === "daily" ? WEEKDAYS : match[1]!.split(",");
  const [startHour, startMinute, endHour, endMinute] = match.slice(2).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const start = startHour * 60 + startMinute;
  const end = endHour * 60 + endMinute;
  if (days.some((day) => !WEEKDAYS.includes(day)) || startMinute > 59 || endMinute > 59) return undefined;
  return start < end && end <= 24 * 60 ? { days, start, end } : undefined;
}

function within(inner: Window, outer: Window): boolean {
  return (
    inner.days.every((day) => outer.days.includes(day)) &&
    outer.start <= inner.start &&
    inner.end <= outer.end
  );
}

export const tenancyMaintenanceWindowWithinPlan: StackValidationPolicy = {
  name: "tenancy-maintenance-window-within-plan",
  description:
    "A host installs updates and reboots only in a window every tenant on it accepts: within each tenant's " +
    "plan's maintenanceWindow from the policy config, or, for a dedicated tenant that states its own window, " +
    "exactly that window. It reads the host components' maintenanceWindow and tenants outputs.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Set the plan's maintenanceWindow (tenants.yaml plans:, within what the policy config allows), or the " +
    "dedicated tenant's own maintenanceWindow; tenancy then renders the host's timers from it.",
  configSchema: PLANS_SCHEMA,
  validateStack: (args, report) => {
    const hosts = args.resources.filter((r) => isHostComponent(r.type));
    if (hosts.length === 0) args.notApplicable("no hosts in this stack");
    const plans = plansOf(args);
    for (const host of hosts) {
      const declared: unknown = host.props.maintenanceWindow;
      const window = parseWindow(declared);
      if (window === undefined) {
        report(
          `Host "${host.name}" declares ${declared === undefined ? "no maintenance window" : `the maintenance window ${JSON.stringify(declared)}, which is not one (<days> HH:MM-HH:MM, UTC)`}, so when it reboots cannot be checked. Build it with the SharedHost or DedicatedTenant component, which registers its maintenanceWindow.`,
          host.urn,
        );
        continue;
      }
      const tenants = declaredTenants(host);
      if (!tenants) {
        report(undeclaredTenants(host, "its maintenance window"), host.urn);
        continue;
      }
      for (const tenant of tenants) {
        if (tenant.maintenanceWindow) {
          if (tenant.maintenanceWindow !== declared)
            report(
              `Host "${host.name}" reboots in ${String(declared)}, and its tenant "${tenant.id}" states its own window ${tenant.maintenanceWindow}.`,
              host.urn,
            );
          continue;
        }
        const plan = approvedPlan(plans, tenant.plan);
        if (typeof plan === "string") {
          report(`Tenant "${tenant.id}" on host "${host.name}" ${plan}.`, host.urn);
          continue;
        }
        const allowed = parseWindow(plan.maintenanceWindow);
        if (allowed === undefined) {
          report(
            `Plan "${tenant.plan}" of the policy config has ${plan.maintenanceWindow === undefined ? "no maintenanceWindow" : `the maintenanceWindow ${JSON.stringify(plan.maintenanceWindow)}, which is not one`}, so host "${host.name}" cannot be checked. Have the policy owners set it (tenancy policy-config).`,
            host.urn,
          );
        } else if (!within(window, allowed)) {
          report(
            `Host "${host.name}" reboots in ${String(declared)}, outside the window ${plan.maintenanceWindow} that plan "${tenant.plan}" of its tenant "${tenant.id}" allows.`,
            host.urn,
          );
        }
      }
    }
  },
};
