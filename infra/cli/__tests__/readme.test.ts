/**
 * Keeps the README's "tenancy command" table true: every command of the program is in it, with the
 * options it takes, and which of them take -f/--file and --json.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../main";
import { REPO_ROOT } from "../../testing/fixtures";

const README = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

interface Row {
  usage: string;
  file: string;
  json: string;
}

/** The rows of the table in the "The `tenancy` command" section. */
function commandTable(): Map<string, Row> {
  const section = README.split(/^## /m).find((part) => part.startsWith("The `tenancy` command"));
  if (!section) throw new Error('README.md has no "The `tenancy` command" section');
  const rows = new Map<string, Row>();
  for (const line of section.split("\n")) {
    const cells = line
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((cell) => cell.trim().replace(/`/g, ""));
    const [usage = "", file = "", json = ""] = cells;
    const name = /^tenancy ([a-z-]+)/.exec(usage)?.[1];
    if (name) rows.set(name, { usage, file, json });
  }
  return rows;
}

const program = buildProgram(async () => {});
const commands: [string, Command][] = program.commands.map((command) => [command.name(), command]);
const table = commandTable();

/** Long options the command takes, besides -f/--file, --json and --help. */
function ownOptions(command: Command): string[] {
  return command.options
    .map((option) => option.long ?? "")
    .filter((long) => long !== "" && long !== "--file" && long !== "--json");
}

describe("README.md, The `tenancy` command", () => {
  test("lists every command of the program, and only those", () => {
    expect([...table.keys()].sort()).toEqual(commands.map(([name]) => name).sort());
  });

  test.each(commands)("says whether %s takes -f and --json, as it does", (name, command) => {
    const longs = command.options.map((option) => option.long);
    expect({ name, "-f": table.get(name)?.file, "--json": table.get(name)?.json }).toEqual({
      name,
      "-f": longs.includes("--file") ? "yes" : "no",
      "--json": longs.includes("--json") ? "yes" : "no",
    });
  });

  test.each(commands)("shows every option %s takes, and no other", (name, command) => {
    const usage = table.get(name)?.usage ?? "";
    const shown = [...usage.matchAll(/--[a-z][a-z-]*/g)].map((match) => match[0]);
    expect(shown.sort()).toEqual(ownOptions(command).sort());
    for (const argument of command.registeredArguments) {
      expect(usage).toContain(argument.name().toUpperCase());
    }
  });
});
