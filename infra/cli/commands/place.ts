import { loadManifest } from "../../manifest";
import { planPlacement, writePlacement } from "../../expand";
import { plural, printJson, replaceFile, table } from "../output";

export function placeCommand(options: { file: string; json: boolean; write: boolean }): number {
  const loaded = loadManifest(options.file, { allowUnplaced: true });
  const plan = planPlacement(loaded);
  const nothing = plan.placements.length === 0;
  if (options.write && !nothing) {
    // Validated again, then written beside the file and renamed over it (through a link, over its target).
    replaceFile(options.file, writePlacement(loaded, plan));
  }
  if (options.json) {
    printJson({ written: options.write && !nothing, ...plan });
    return 0;
  }
  if (nothing) {
    process.stdout.write("Every shared tenant is placed; nothing to do.\n");
    return 0;
  }
  const out: string[] = [];
  for (const host of plan.newHosts) {
    out.push(
      `New host proposed: ${host.name} (${host.serverType} in ${host.location}, ${host.capacityUnits} units): ` +
        `no existing host in ${host.location} has room.`,
    );
  }
  out.push(`Placing ${plural(plan.placements.length, "tenant")} (first fit by capacity units):`);
  out.push(
    table(
      plan.placements.map((p) => [p.tenant, "→", p.host, plural(p.units, "unit")]),
      "  ",
    ),
  );
  out.push(
    options.write
      ? `Wrote ${options.file}. Review the diff and open a pull request.`
      : `Dry run: nothing written. Run "tenancy place --write" to write this into ${options.file}.`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}
