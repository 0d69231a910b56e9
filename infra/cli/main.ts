/**
 * The `tenancy` command line. Exit codes: 0 ok, 1 invalid input, 2 policy violations, 3 internal error.
 *
 * Each command's module is imported only when that command runs, so that `--help`, `validate` and the
 * other commands that never touch Pulumi start without loading the SDK and the providers (seconds).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import type { MigrateOptions } from "./commands/migrate";
import type { PlanOptions } from "./commands/plan";
import { TIERS } from "../plans/catalogue";
import { REPO_ROOT } from "../root";
import { EXIT } from "./exit";

interface CommonOptions {
  file: string;
  json: boolean;
}

const fileOption = () =>
  new Option("-f, --file <path>", "the manifest to read").env("TENANCY_MANIFEST").default("tenants.yaml");
const jsonOption = () => new Option("--json", "machine-readable output on stdout").default(false);

type Action = () => number | Promise<number>;

const OUT_HELP =
  "directory to write into: a new or empty directory, or one an earlier render wrote, which is replaced " +
  "whole (no file of the earlier render stays); any other path is refused and left as it is";

/** The committed policy config, the authority the policy owners keep (see docs/policies.md). */
const DEFAULT_POLICY_CONFIG = path.join(REPO_ROOT, "policies", "policy-config.json");

export function buildProgram(run: (action: Action, json: boolean) => Promise<void>): Command {
  const program = new Command("tenancy")
    .description(
      "Hosts every customer of a SaaS on the tier its plan pays for, from one reviewed tenants.yaml.",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 1 invalid input, 2 policy violations, 3 internal error.\nDocs: README.md and docs/.",
    )
    .version(version(), "-V, --version", "print the tenancy version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  program
    .command("validate")
    .description(
      "Check tenants.yaml: every problem, each as FILE:LINE:COL: path: message. With --base, also refuse the edits since that ref that would lose a tenant's service or data.",
    )
    .addOption(fileOption())
    .addOption(jsonOption())
    .option(
      "--base <ref>",
      "also check the edits since this git ref (e.g. origin/main) against the tenant lifecycle",
    )
    .action((options: CommonOptions & { base?: string }) =>
      run(async () => (await import("./commands/validate")).validateCommand(options), options.json),
    );

  program
    .command("plan")
    .description(
      "Offline preview: runs the real stack programs under mocks, shows per stack the hosts and tenants with capacity, cost and resources, and runs the policy pack over them (exit 2 on a mandatory violation). Calls no cloud.",
    )
    .addOption(fileOption())
    .addOption(jsonOption())
    .addOption(new Option("--stack <tier>", "only this stack").choices([...TIERS]))
    .option("--base <ref>", "also show what differs from the manifest at this git ref (e.g. origin/main)")
    .option("--policies-only", "print only the policy verdict (exit 2 on a mandatory violation)", false)
    .option("--policy-config <path>", "the policy pack config", DEFAULT_POLICY_CONFIG)
    .action((options: PlanOptions) =>
      run(async () => (await import("./commands/plan")).planCommand(options), options.json),
    );

  program
    .command("affected")
    .description("List the tier stacks a manifest change affects (compared with a git ref), in deploy order.")
    .addOption(fileOption())
    .addOption(jsonOption())
    .requiredOption("--base <ref>", "the git ref to compare with (e.g. origin/main)")
    .action((options: CommonOptions & { base: string }) =>
      run(async () => (await import("./commands/affected")).affectedCommand(options), options.json),
    );

  program
    .command("diff")
    .description(
      "Show, as Markdown for a pull request, the tenants a change adds, removes, re-plans, moves (data migrations) or suspends, and the monthly cost delta.",
    )
    .addOption(fileOption())
    .addOption(jsonOption())
    .requiredOption("--base <ref>", "the git ref to compare with (e.g. origin/main)")
    .action((options: CommonOptions & { base: string }) =>
      run(async () => (await import("./commands/diff")).diffCommand(options), options.json),
    );

  program
    .command("policy-config")
    .description(
      "Write the policy pack config (the limits the policy owners approve) from the built-in plan catalogue, or from the manifest's plans.",
    )
    .addOption(fileOption())
    .option("--from-manifest", "use the plans of the manifest (built-in plans with its overrides)", false)
    .option("--bundled", "write the pack's bundled defaults (policies/catalogue.json) instead", false)
    .option("-o, --out <path>", "write to this file instead of stdout")
    .action((options: { file: string; fromManifest: boolean; bundled: boolean; out?: string }) =>
      run(async () => (await import("./commands/policy-config")).policyConfigCommand(options), false),
    );

  program
    .command("place")
    .description(
      "Assign unplaced shared tenants to hosts with room in their location (first fit; placed tenants never move).",
    )
    .addOption(fileOption())
    .addOption(jsonOption())
    .option(
      "--write",
      "write the placements (and any proposed host) into the manifest, keeping its layout",
      false,
    )
    .action((options: CommonOptions & { write: boolean }) =>
      run(async () => (await import("./commands/place")).placeCommand(options), options.json),
    );

  program
    .command("cost")
    .description(
      "Monthly infrastructure cost per tenant, host and tier, beside each plan's price and the margin.",
    )
    .addOption(fileOption())
    .addOption(jsonOption())
    .option(
      "--prices <path>",
      "YAML or JSON file (at most 1 MiB) overriding the built-in Hetzner price table",
    )
    .action((options: CommonOptions & { prices?: string }) =>
      run(async () => (await import("./commands/cost")).costCommand(options), options.json),
    );

  program
    .command("render")
    .description(
      "Write one host's files (user-data, bundle, Caddyfile, SQL with verifiers only, units, scripts) for inspection; secrets stay references.",
    )
    .argument("<host>", "a shared host's name or a dedicated tenant's id")
    .requiredOption("-o, --out <dir>", OUT_HELP)
    .addOption(fileOption())
    .addOption(jsonOption())
    .action((host: string, options: CommonOptions & { out: string }) =>
      run(async () => (await import("./commands/render")).renderCommand(host, options), options.json),
    );

  const addressOption = () =>
    new Option(
      "--address <name=address...>",
      "a host's address (a shared host's name or a dedicated tenant's id), instead of reading it from the stack's outputs",
    );

  program
    .command("migrate")
    .description(
      "Copy a tenant to the target its declared move names: freeze it on its source, relay a dump over SSH, restore, verify every table, sequence and large object, swap the copy in, and write the cut-over into tenants.yaml for review. On a failure the source serves again.",
    )
    .argument("<tenant>", "the tenant to move (its entry declares move:)")
    .addOption(fileOption())
    .addOption(jsonOption())
    .addOption(addressOption())
    .option("--abort", "call the move off: unfreeze the source and discard the target's copy", false)
    .action((tenant: string, options: MigrateOptions) =>
      run(async () => (await import("./commands/migrate")).migrateCommand(tenant, options), options.json),
    );

  program
    .command("purge")
    .description(
      "Delete a decommissioned tenant's data (or, with --moved-copy, the copy a moved tenant left behind) on its host, once its final backup verifies and its retention has run; then write status: purged into tenants.yaml.",
    )
    .argument("<tenant>", "the tenant to purge")
    .requiredOption("--confirm <tenant>", "the tenant's id again: purging deletes its data for good")
    .option("--moved-copy", "purge the copy a moved tenant left on its old host", false)
    .addOption(fileOption())
    .addOption(jsonOption())
    .addOption(addressOption())
    .action(
      (
        tenant: string,
        options: CommonOptions & { confirm: string; movedCopy: boolean; address?: string[] },
      ) =>
        run(async () => (await import("./commands/lifecycle")).purgeCommand(tenant, options), options.json),
    );

  program
    .command("restore")
    .description(
      "Restore a tenant's database on its host from a backup (the latest, or --snapshot), verify every table, and swap it in; the replaced database is kept until the tenant is purged.",
    )
    .argument("<tenant>", "the tenant to restore")
    .option("--snapshot <id>", "the restic snapshot to restore (default: the tenant's latest)")
    .addOption(fileOption())
    .addOption(jsonOption())
    .addOption(addressOption())
    .action((tenant: string, options: CommonOptions & { snapshot?: string; address?: string[] }) =>
      run(async () => (await import("./commands/lifecycle")).restoreCommand(tenant, options), options.json),
    );

  program
    .command("backups")
    .description(
      "List every host's record of its tenants' last backups (age, size, snapshot), read over SSH; flags a tenant whose last good backup is older than 26 hours, whose last backup failed, or that was never backed up (exit 6).",
    )
    .addOption(fileOption())
    .addOption(jsonOption())
    .addOption(addressOption())
    .action((options: CommonOptions & { address?: string[] }) =>
      run(async () => (await import("./commands/backups")).backupsCommand(options), options.json),
    );

  program
    .command("schema")
    .description("Print the JSON Schema of tenants.yaml (for editors and CI).")
    .action(() => run(async () => (await import("./commands/schema")).schemaCommand(), false));

  return program;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** How a failure reaches the user (errors.ts, which loads the manifest's schema: only once one happened). */
async function reportFailure(error: unknown, json: boolean): Promise<number> {
  return (await import("./errors")).reportFailure(error, json);
}

export async function main(argv: string[]): Promise<void> {
  let code: number = EXIT.ok;
  const program = buildProgram(async (action, json) => {
    try {
      code = await action();
    } catch (error) {
      code = await reportFailure(error, json);
    }
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commander has printed its own message (unknown option, --help, --version).
    code =
      error instanceof CommanderError
        ? error.exitCode === 0
          ? EXIT.ok
          : EXIT.invalidInput
        : await reportFailure(error, false);
  }
  process.exitCode = code;
}
