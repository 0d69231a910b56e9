/**
 * Maintenance windows: the syntax, each way a window is refused, the overlap a shared host takes, and the
 * timers' schedule checked with systemd's own calendar (systemd-analyze): every time it would fire
 * lies in the window.
 */
import { spawnSync } from "node:child_process";
import {
  formatMaintenanceWindow,
  maintenanceSchedule,
  overlapWindows,
  parseMaintenanceWindow,
  type MaintenanceWindow,
} from "../maintenance";

const parsed = (text: string): MaintenanceWindow => {
  const window = parseMaintenanceWindow(text);
  if (typeof window === "string") throw new Error(window);
  return window;
};

describe("parseMaintenanceWindow", () => {
  test.each([
    ["daily 03:00-05:00", { days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], start: 180, end: 300 }],
    ["Sun 03:00-05:00", { days: ["Sun"], start: 180, end: 300 }],
    // Days come out in week order, once each.
    ["Sun,Sat,Sun 22:30-24:00", { days: ["Sat", "Sun"], start: 1350, end: 1440 }],
    ["Mon 00:00-01:00", { days: ["Mon"], start: 0, end: 60 }],
  ])("reads %s", (text, window) => {
    expect(parseMaintenanceWindow(text)).toEqual(window);
    expect(formatMaintenanceWindow(window as MaintenanceWindow)).toBe(text.replace("Sun,Sat,Sun", "Sat,Sun"));
  });

  test.each([
    ["Sun 3:00-5:00", "must be a maintenance window"],
    ["Sun 03:00 - 05:00", "must be a maintenance window"],
    ["sunday 03:00-05:00", 'unknown day "sunday"'],
    ["Sun,Fun 03:00-05:00", 'unknown day "Fun"'],
    ["Sun 24:00-24:30", "a time is not a time of day"],
    ["Sun 03:60-05:00", "a time is not a time of day"],
    ["Sun 23:00-24:01", "a time is not a time of day"],
    ["Sat 23:00-01:00", "the window ends before it starts"],
    ["Sat 03:00-03:00", "the window ends before it starts"],
    ["Sat 03:00-03:59", "the window is 59 minutes long; it must be at least 60"],
  ])("refuses %s", (text, message) => {
    expect(parseMaintenanceWindow(text)).toEqual(expect.stringContaining(message));
  });
});

describe("overlapWindows", () => {
  test("keeps the days and hours both windows have", () => {
    expect(overlapWindows(parsed("daily 03:00-05:00"), parsed("Sat,Sun 02:00-04:30"))).toEqual(
      parsed("Sat,Sun 03:00-04:30"),
    );
  });
  test("is none when the days differ, or the hours share less than an hour", () => {
    expect(overlapWindows(parsed("Sat 03:00-05:00"), parsed("Sun 03:00-05:00"))).toBeUndefined();
    expect(overlapWindows(parsed("daily 03:00-05:00"), parsed("daily 04:01-06:00"))).toBeUndefined();
    expect(overlapWindows(parsed("daily 03:00-05:00"), parsed("daily 04:00-06:00"))).toEqual(
      parsed("daily 04:00-05:00"),
    );
  });
});

/** The next `count` times systemd would fire `calendar`, each pushed to the end of its random spread. */
function elapses(calendar: string, count: number): Date[] {
  const result = spawnSync("systemd-analyze", ["calendar", "--iterations", String(count), calendar], {
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC", LC_ALL: "C" },
  });
  if (result.status !== 0) throw new Error(`systemd-analyze refused "${calendar}": ${result.stderr}`);
  return [...result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\S+ \S+) UTC/g)].map(
    (match) => new Date(`${match[1]!.replace(" ", "T")}Z`),
  );
}

const DAY = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const minutes = (date: Date) => date.getUTCHours() * 60 + date.getUTCMinutes();

describe("maintenanceSchedule", () => {
  test.each(["daily 03:00-05:00", "Sun 03:00-05:00", "Sat,Sun 22:00-24:00", "Wed 10:00-11:00"])(
    "%s: updates every day at the window's hours, reboots only on its days and inside it",
    (text) => {
      const window = parsed(text);
      const schedule = maintenanceSchedule(window);
      const updates = elapses(schedule.updatesCalendar, 8);
      expect(updates).toHaveLength(8);
      for (const at of updates) {
        expect(minutes(at)).toBe(window.start);
        expect(minutes(at) + schedule.updatesSpreadMinutes).toBeLessThan(window.end);
      }
      const reboots = elapses(schedule.rebootCalendar, 8);
      expect(reboots).toHaveLength(8);
      const [hour, minute] = schedule.rebootUntil.split(":").map(Number) as [number, number];
      const until = hour * 60 + minute;
      for (const at of reboots) {
        expect(window.days).toContain(DAY[at.getUTCDay()]);
        expect(minutes(at)).toBeGreaterThanOrEqual(window.start);
        // The latest start leaves ten minutes to wait for a backup before tenancy-reboot gives up at
        // `until`, and `until` leaves ten for the reboot itself.
        expect(minutes(at) + schedule.rebootSpreadMinutes + 10).toBeLessThanOrEqual(until);
        expect(until + 10).toBeLessThanOrEqual(window.end);
      }
    },
  );
});
