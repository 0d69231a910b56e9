/**
 * `tenancy` starts fast: the shipped command runs the build in dist/ while it is of the sources as they
 * are, and otherwise the sources (with a note); the commands that never touch Pulumi load neither the SDK,
 * the providers nor the TypeScript compiler; those that run the stack programs run in a node with the
 * flags Pulumi.yaml gives the real program. Checked in a copy of the project, built as `npm ci` builds it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { copyProject, type ProjectCopy } from "../../testing/project-copy";

jest.setTimeout(180_000);

const HOOK = path.join(__dirname, "load-hook.js");
const SLOW_NOTE = "tenancy: running the TypeScript sources";

let project: ProjectCopy;
beforeAll(() => {
  project = copyProject();
  execFileSync(process.execPath, [path.join(project.root, "infra/cli/build.js")], { stdio: "pipe" });
});
afterAll(() => project.remove());

interface Loaded {
  execArgv: string[];
  stackTraceLimit: number;
  /** Modules loaded, relative to the project ("node_modules/…", "dist/…"). */
  modules: string[];
}

/** A module's path as "node_modules/…" (the copy links the repository's) or relative to the copy. */
function relative(file: string): string {
  const modules = realpathSync(path.join(project.root, "node_modules"));
  return file.startsWith(modules + path.sep)
    ? path.join("node_modules", path.relative(modules, file))
    : path.relative(project.root, file);
}

/** Runs the project's `tenancy` the way `npx tenancy` does; returns what each node it started loaded. */
function tenancy(...args: string[]) {
  const log = path.join(project.root, "load.log");
  rmSync(log, { force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${HOOK}`, TENANCY_LOAD_LOG: log };
  delete env.TENANCY_RUN_SOURCES; // set by the jest config: here the shipped path is under test
  const result = spawnSync(process.execPath, [path.join(project.root, "infra/cli/bin.js"), ...args], {
    cwd: project.root,
    encoding: "utf8",
    env,
  });
  const nodes = readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const node = JSON.parse(line) as Loaded;
      return { ...node, modules: node.modules.map(relative) };
    });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, nodes };
}

const heavy = (modules: string[]) =>
  modules.filter(
    (m) => /^node_modules\/(@pulumi|typescript)\//.test(m) || m.includes("/node_modules/@pulumi/"),
  );

test.each(["--help", "validate --help", "validate", "place", "cost", "schema", "policy-config"])(
  "tenancy %s runs the build and loads neither the Pulumi SDK, a provider nor TypeScript",
  (command) => {
    const { code, stderr, nodes } = tenancy(...command.split(" "));
    expect(code).toBe(0);
    expect(stderr).not.toContain(SLOW_NOTE);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]!.modules).toContain("dist/infra/cli/main.js");
    expect(heavy(nodes[0]!.modules)).toEqual([]);
  },
);

test("tenancy plan runs in a node with Pulumi.yaml's nodeargs, without loading TypeScript", () => {
  const nodeargs = () =>
    (
      parse(readFileSync(path.join(project.root, "Pulumi.yaml"), "utf8")) as {
        runtime: { options: { nodeargs: string } };
      }
    ).runtime.options.nodeargs.split(/\s+/);
  const check = (expected: string[]) => {
    const { code, stdout, nodes } = tenancy("plan");
    expect(code).toBe(0);
    expect(stdout).toContain("0 mandatory violations");
    // The command itself, then the node it re-ran in: only that one loads the SDK.
    expect(nodes).toHaveLength(2);
    const [sdk, launcher] = [
      nodes.find((n) => heavy(n.modules).length > 0)!,
      nodes.find((n) => heavy(n.modules).length === 0)!,
    ];
    expect(launcher.execArgv).toEqual([]);
    expect(sdk.execArgv).toEqual(expected);
    expect(sdk.modules).toContain("node_modules/@pulumi/pulumi/index.js");
    expect(sdk.modules).toContain("dist/infra/cli/main.js");
    expect(sdk.modules.filter((m) => m.startsWith("node_modules/typescript/"))).toEqual([]);
    if (expected.includes("--stack-trace-limit=0")) expect(sdk.stackTraceLimit).toBe(0);
  };
  expect(nodeargs()).toEqual(["--max-old-space-size=8192", "--stack-trace-limit=0"]);
  check(nodeargs());
  // Read from Pulumi.yaml, not a copy of it: a change there is what the command runs with.
  const file = path.join(project.root, "Pulumi.yaml");
  const before = readFileSync(file, "utf8");
  try {
    writeFileSync(file, before.replace("--max-old-space-size=8192", "--max-old-space-size=4096"));
    check(["--max-old-space-size=4096", "--stack-trace-limit=0"]);
  } finally {
    writeFileSync(file, before);
  }
});

test("an edited source never runs stale: tenancy runs the sources, says how to be fast, until a build", () => {
  const source = path.join(project.root, "infra/cli/commands/validate.ts");
  const text = readFileSync(source, "utf8");
  const marker = 'process.stderr.write("edited\\n");\n';
  const runsSources = () => {
    const { code, stderr, nodes } = tenancy("validate");
    expect(code).toBe(0);
    expect(stderr).toContain(
      `${SLOW_NOTE} (slow to start): dist/ is missing or older than them; \`npm run build\` makes it fast.`,
    );
    expect(nodes[0]!.modules).not.toContain("dist/infra/cli/main.js");
    return stderr;
  };
  try {
    writeFileSync(source, marker + text);
    expect(runsSources()).toContain("edited");
    execFileSync(process.execPath, [path.join(project.root, "infra/cli/build.js")], { stdio: "pipe" });
    const built = tenancy("validate");
    expect(built.stderr).not.toContain(SLOW_NOTE);
    expect(built.stderr).toContain("edited");
    // Put back as it was, with an older time than the build's: still not the build's sources.
    writeFileSync(source, text);
    utimesSync(source, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(runsSources()).not.toContain("edited");
  } finally {
    writeFileSync(source, text);
  }
});
