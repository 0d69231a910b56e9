/**
 * Maintenance windows: when a host may install its security updates and reboot. A window is written
 * `<days> HH:MM-HH:MM`, in UTC (Hetzner's images run in UTC): `daily 03:00-05:00`, `Sun 03:00-05:00`,
 * `Sat,Sun 02:00-06:00`. It stays within one day (end at most 24:00) and lasts at least an hour, so that
 * the updates, the wait for a running backup and the reboot all fit in it.
 *
 * A plan states the window its tenants accept; a dedicated tenant may state its own. A shared host takes
 * the window every one of its tenants' plans allows: the overlap of theirs.
 */
export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface MaintenanceWindow {
  /** In week order, without repeats; all seven for `daily`. */
  days: Weekday[];
  /** Minutes after 00:00 UTC. */
  start: number;
  /** Minutes after 00:00 UTC, after start; at most 24 × 60. */
  end: number;
}

export const MIN_WINDOW_MINUTES = 60;
/** A shared host's window while it keeps no tenant (the built-in shared plans' window). */
export const DEFAULT_MAINTENANCE_WINDOW = "daily 03:00-05:00";
const DAY_MINUTES = 24 * 60;
const FORMAT = "<days> HH:MM-HH:MM in UTC, days being daily or a comma list of Mon Tue Wed Thu Fri Sat Sun";

/** The window a text describes, or what is wrong with it. */
export function parseMaintenanceWindow(text: string): MaintenanceWindow | string {
  const match = /^(\S+) (\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(text);
  if (!match) return `must be a maintenance window, ${FORMAT}: for example "Sun 03:00-05:00"`;
  const [, daysText, ...clock] = match as unknown as [string, string, string, string, string, string];
  const [startHour, startMinute, endHour, endMinute] = clock.map(Number) as [number, number, number, number];
  let days: Weekday[];
  if (daysText === "daily") days = [...WEEKDAYS];
  else {
    const named = daysText.split(",");
    const unknown = named.filter((day) => !(WEEKDAYS as readonly string[]).includes(day));
    if (unknown.length > 0) return `unknown day ${unknown.map((day) => `"${day}"`).join(", ")} (${FORMAT})`;
    days = WEEKDAYS.filter((day) => named.includes(day));
  }
  const start = startHour * 60 + startMinute;
  const end = endHour * 60 + endMinute;
  if (startHour > 23 || startMinute > 59 || endMinute > 59 || end > DAY_MINUTES)
    return `a time is not a time of day (00:00 to 24:00)`;
  if (end <= start)
    return `the window ends before it starts; a window stays within one day (split one across midnight into two plans' windows, or end it at 24:00)`;
  if (end - start < MIN_WINDOW_MINUTES)
    return `the window is ${end - start} minutes long; it must be at least ${MIN_WINDOW_MINUTES} (updates, a running backup and the reboot must fit)`;
  return { days, start, end };
}

/** The window that lies in both, if it is long enough to be one. */
export function overlapWindows(a: MaintenanceWindow, b: MaintenanceWindow): MaintenanceWindow | undefined {
  const days = a.days.filter((day) => b.days.includes(day));
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  if (days.length === 0 || end - start < MIN_WINDOW_MINUTES) return undefined;
  return { days, start, end };
}

/** The window all of them have in common (the first when there is one), if it is long enough to be one. */
export function commonWindow([first, ...rest]: MaintenanceWindow[]): MaintenanceWindow | undefined {
  return rest.reduce<MaintenanceWindow | undefined>(
    (common, w) => common && overlapWindows(common, w),
    first,
  );
}

export function formatMaintenanceWindow(window: MaintenanceWindow): string {
  const days = window.days.length === WEEKDAYS.length ? "daily" : window.days.join(",");
  return `${days} ${clock(window.start)}-${clock(window.end)}`;
}

export function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/**
 * When, in a window, the host does what (the systemd timers of infra/host/units.ts):
 * - updates install every day at the window's start time, spread over its first quarter hour (a package
 *   upgrade restarts the services it touches: PostgreSQL for a minor release, for seconds);
 * - a reboot, when an update asked for one, starts on the window's days from half an hour in, spread so
 *   that it starts no later than 20 minutes before the end; `tenancy-reboot` waits for a running backup
 *   or host tool until 10 minutes before the end, and otherwise leaves the reboot to the next window.
 */
export interface MaintenanceSchedule {
  /** systemd OnCalendar of the daily updates. */
  updatesCalendar: string;
  updatesSpreadMinutes: number;
  /** systemd OnCalendar of the reboot check. */
  rebootCalendar: string;
  rebootSpreadMinutes: number;
  /** HH:MM after which tenancy-reboot no longer starts a reboot. */
  rebootUntil: string;
}

export function maintenanceSchedule(window: MaintenanceWindow): MaintenanceSchedule {
  const days = window.days.length === WEEKDAYS.length ? "" : `${window.days.join(",")} `;
  const rebootAt = window.start + 30;
  const until = window.end - 10;
  return {
    updatesCalendar: `*-*-* ${clock(window.start)}:00`,
    updatesSpreadMinutes: 15,
    rebootCalendar: `${days}*-*-* ${clock(rebootAt)}:00`,
    // At least the 60-minute window's 10: [start+30, end-20].
    rebootSpreadMinutes: Math.max(0, until - 10 - rebootAt),
    rebootUntil: clock(until),
  };
}
