/**
 * `tenancy plan` shows its progress on a terminal (stack by stack, resources registered, the policies,
 * time left), drawn by cli-progress on stderr, and stays quiet when stderr is not a terminal or with
 * --json. The terminal is a real pseudo-terminal: util-linux's `script`.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../../testing/fixtures";

jest.setTimeout(120_000);

const BIN = path.join(REPO_ROOT, "infra", "cli", "bin.js");
const BAR = "tenancy plan [";

/** `tenancy plan ARGS` with stdout and stderr on a pseudo-terminal; returns what the terminal got. */
function onTerminal(...args: string[]): string {
  const command = [process.execPath, BIN, "plan", ...args].map((word) => `'${word}'`).join(" ");
  const result = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: REPO_ROOT, encoding: "utf8" });
  expect(result.status).toBe(0);
  return result.stdout;
}

test("on a terminal: the bar, stack by stack, with resources registered, the policies and time left", () => {
  const terminal = onTerminal();
  expect(terminal).toContain(BAR);
  expect(terminal).toMatch(/stack (shared|dedicated|kubernetes): \d+ resources? registered/);
  expect(terminal).toMatch(/stack (shared|dedicated|kubernetes): policy \d+ of \d+, [a-z-]+/);
  expect(terminal).toContain("time left");
  expect(terminal).toContain("0 mandatory violations");
});

test("with --json on a terminal, and when stderr is not a terminal: no bar, no terminal codes", () => {
  expect(onTerminal("--json")).not.toContain(BAR);
  const piped = spawnSync(process.execPath, [BIN, "plan"], { cwd: REPO_ROOT, encoding: "utf8" });
  expect(piped.status).toBe(0);
  expect(piped.stdout).toContain("0 mandatory violations");
  expect(piped.stderr).not.toContain(BAR);
  expect(piped.stderr).not.toContain("\u001b[");
});
